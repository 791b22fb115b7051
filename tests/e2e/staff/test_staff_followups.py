"""Follow-up questions end to end: a staff member asks, the contributor gets the question in
their chat (clearly from the team, and never in the middle of an interview), their reply goes
into the draft and back to the staff member; a contributor who blocked the bot is reported."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningBot, buttons, converse, says, sends, taps
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.staff_support import (
    REFERENCE,
    STAFF,
    BotClock,
    Desk,
    current,
    story,
    submit_story,
    tap_and_wait,
)

PROJECT = "Parents and the school redesigned the playground together, the kids voted"


async def test_a_question_waits_for_the_pause_then_the_reply_reaches_the_draft_and_staff(
    fake: FakeBotApi, bot: RunningBot, desk: Desk, clock: BotClock
) -> None:
    # Ana tells a story through the bot and sends it.
    ana = fake.user(1001, "Ana")
    ana.send_command("start", "spotted")
    _, consent = await ana.replies(2)
    await converse(
        ana,
        consent,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (says(PROJECT), "Question 3 of about 8"),
            (sends("skip"), "Question 4 of about 8"),
            (sends("skip"), "Question 5 of about 8"),
            (sends("skip"), "Question 6 of about 8"),
            (sends("skip"), "Question 7 of about 8"),
            (taps("Keep it anonymous"), "Here's what you told me"),
            (taps("✅ Send it"), ("Thanks for the tip!", "Your reference number is")),
        ],
    )
    found = REFERENCE.search(ana.bot_messages()[-1]["text"])
    assert found is not None
    reference = found.group()

    # She starts telling another one; meanwhile Sam asks about the first.
    ana.send_command("start", "spotted")
    _, consent = await ana.replies(2)
    clock.advance(minutes=30)
    sam = fake.user(STAFF, "Sam")
    sam.send_command("draft", reference)
    _, card = await sam.replies(2)
    ask = await tap_and_wait(fake, sam, card, "❓ Ask contributor")
    assert ask["text"].splitlines()[1].startswith("Ana gets your question in their chat")
    gap = ask["text"].splitlines()[4]
    assert gap.startswith("1. ")
    question = gap[3:]
    confirm = await tap_and_wait(fake, sam, ask, "Ask 1")
    assert confirm["text"].splitlines()[1:] == ["Send this to Ana?", "", f"“{question}”"]
    queued = await tap_and_wait(fake, sam, confirm, "📨 Send it")
    assert queued["text"] == (
        "⏳ Ana is in the middle of an interview. I'll send your question when they reach "
        "a pause, and tell you here when they answer."
    )

    # Nothing reaches Ana while she is mid-interview; the question comes at the pause.
    await fake.wait_idle()
    assert ana.bot_messages()[-1] == consent
    last = await converse(
        ana,
        consent,
        [(taps("Yes"), "Question 2 of about 8"), (sends("cancel"), "Sure you want to stop?")],
    )
    ana.press_button(last, buttons(last)[0])
    stopped, asked = await ana.replies(2)
    assert "cancelled" in stopped["text"].lower() or "stopped" in stopped["text"].lower()
    assert asked["text"].splitlines() == [
        "💬 A question from the team",
        # The title is the project's description up to its first clause.
        f"About your story “{PROJECT.split(',')[0]}” ({reference}):",
        "",
        question,
        "",
        "Just reply here with your answer. If you'd rather not answer, send /skip.",
    ]

    # Her reply: thanked, stored, redrafted, and passed to Sam.
    clock.advance(minutes=10)
    ana.send_text("It's at Hillside Primary in Chapeltown, Leeds.")
    [thanks] = await ana.replies(1)
    assert thanks["text"] == "Thank you! I've passed your answer on to the team. 🙏"
    [notice] = await sam.replies(1)
    lines = notice["text"].splitlines()
    assert lines[0] == f"💬 Ana answered your question on {reference}"
    assert lines[1] == f"You asked: {question}"
    assert lines[3] == "They answered: It's at Hillside Primary in Chapeltown, Leeds."
    assert lines[5].startswith("The draft was redrafted with it (version ")
    assert buttons(notice) == ["Open the draft"]

    sam.press_button(notice, "Open the draft")
    draft_text, card = await sam.replies(2)
    assert "It's at Hillside Primary in Chapeltown, Leeds." in draft_text["text"]
    assert "Questions to the contributor: 1 answered" in card["text"].splitlines()
    history = await tap_and_wait(fake, sam, card, "🕓 History")
    assert history["text"].splitlines()[-3:] == [
        f"2 Mar 09:30 · Sam · asked the contributor: {question}",
        "2 Mar 09:40 · Ana · answered: It's at Hillside Primary in Chapeltown, Leeds.",
        "2 Mar 09:40 · copro-bot · redrafted from new answers: Place, Summary",
    ]
    # Stored as the answer to the question the gap was about, marked as a follow-up; the
    # gap is closed.
    data = await desk.interviews.export_person_data(ana.user_id)
    first = next(i for i in data["interviews"] if i["reference"] == reference)
    [place] = [a for a in first["answers"] if a["question_id"] == "place_when"]
    assert place["text"] == "It's at Hillside Primary in Chapeltown, Leeds."
    assert [(r["reason"], r["created_at"]) for r in place["revisions"]] == [
        ("answer", "2026-03-02T09:00:00+00:00"),  # skipped in the interview
        ("followup", "2026-03-02T09:40:00+00:00"),
    ]
    card_now = await desk.review.card_by_reference(reference)
    assert card_now is not None
    assert question not in [gap.question for gap in card_now.record.gaps]


async def test_an_idle_contributor_is_asked_at_once_one_question_at_a_time(
    fake: FakeBotApi, bot: RunningBot, desk: Desk
) -> None:
    draft_id, reference = await submit_story(desk, story(301, "Bea", PROJECT))
    bea = fake.user(301, "Bea")
    sam = fake.user(STAFF, "Sam")
    sam.send_command("draft", reference)
    _, card = await sam.replies(2)

    ask = await tap_and_wait(fake, sam, card, "❓ Ask contributor")
    outcomes = []
    for question in ("Could you send a photo of it?", "Who paid for the equipment?"):
        sam.press_button(current(fake, ask), "✍️ Write my own")
        [prompt] = await sam.replies(1)
        assert prompt["text"].startswith(f"{reference} · ask Bea\nSend your question")
        sam.send_text(question)
        outcomes += await sam.replies(1)
    sent, queued = outcomes
    [first] = await bea.replies(1)

    assert sent["text"] == "📨 Sent to Bea. I'll tell you here when they answer."
    assert queued["text"].startswith("⏳ Bea hasn't answered an earlier question yet.")
    assert first["text"].splitlines()[3] == "Could you send a photo of it?"

    # A photo answers the first; the second question follows; /skip declines it.
    bea.send_photo(caption="The new climbing frame")
    thanks, second = await bea.replies(2)
    assert thanks["text"] == "Thank you! I've passed your answer on to the team. 🙏"
    assert second["text"].splitlines()[3] == "Who paid for the equipment?"
    [answered] = await sam.replies(1)
    assert answered["text"].splitlines()[3] == "They answered: The new climbing frame"
    bea.send_command("skip")
    [fine] = await bea.replies(1)
    assert fine["text"] == "No problem, I've let the team know you'd rather not answer."
    [declined] = await sam.replies(1)
    assert declined["text"].splitlines() == [
        f"Bea would rather not answer your question on {reference}",
        "You asked: Who paid for the equipment?",
    ]
    card_now = await desk.review.card(draft_id)
    assert card_now is not None
    assert [m.kind for m in card_now.record.media] == ["photo"]


@pytest.mark.bot_errors_expected
async def test_staff_are_told_when_the_contributor_has_blocked_the_bot(
    fake: FakeBotApi, bot: RunningBot, desk: Desk
) -> None:
    draft_id, reference = await submit_story(desk, story(302, "Cal", PROJECT))
    fake.blocked_chats.add(302)
    sam = fake.user(STAFF, "Sam")
    sam.send_command("draft", reference)
    _, card = await sam.replies(2)
    ask = await tap_and_wait(fake, sam, card, "❓ Ask contributor")
    sam.press_button(ask, "✍️ Write my own")
    await sam.replies(1)

    sam.send_text("Is the playground open to everyone?")
    sent, told = await sam.replies(2)

    # On its way at once; the outbox then meets the block and tells Sam.
    assert sent["text"] == "📨 Sent to Cal. I'll tell you here when they answer."
    assert told["text"].splitlines() == [
        "🚫 I couldn't deliver your question: Cal has blocked the bot, so they can't be "
        "reached through it.",
        f"You asked on {reference}: Is the playground open to everyone?",
    ]
    refused = [(c.method, c.status, c.params.get("chat_id")) for c in fake.calls if not c.ok]
    assert [r for r in refused if r[0] != "getUpdates"] == [("sendMessage", 403, 302)]
    card_now = await desk.review.card(draft_id)
    history = await desk.review.history(draft_id)
    assert card_now is not None and card_now.follow_ups_waiting == 0
    assert history is not None
    assert history[1][-1].after == (
        "could not deliver the question: the contributor has blocked the bot"
    )
