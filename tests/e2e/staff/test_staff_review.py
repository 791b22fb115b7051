"""Reviewing drafts in Telegram, end to end on the test's clock: the queue with paging, a
draft's card, polishing a field, the status workflow, lens tags, notes, history, the
Markdown download, and two staff members editing the same field."""

from __future__ import annotations

from conversations.workflow import DraftStatus
from tests.e2e.conftest import STAFF_CHAT_ID, RunningBot, buttons
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.staff_support import (
    ADMIN,
    STAFF,
    BotClock,
    Chat,
    Desk,
    callback_answers,
    current,
    story,
    submit_story,
    tap_and_wait,
)

PROJECTS = [
    "Tenants and the council rebuilt the community centre together",
    "A tenants' repair cafe shared tools with the housing office",
    "Young people ran the youth club budget with two youth workers",
    "Residents planted a street orchard with the parks team",
    "The library and local artists painted a mural with residents",
    "Carers co-designed the respite service with the health board",
    "Parents and the school redesigned the playground together, the kids voted",
    "Disabled residents audited the high street with planners",
]


async def test_a_monday_review_from_the_queue_on_a_phone(
    fake: FakeBotApi, bot: RunningBot, desk: Desk, clock: BotClock
) -> None:
    drafts = [
        await submit_story(desk, story(200 + n, f"Person {n}", project))
        for n, project in enumerate(PROJECTS)
    ]
    draft_id, reference = drafts[6]
    clock.advance(hours=1, minutes=15)
    sam = fake.user(STAFF, "Sam")

    # The queue: oldest first, six to a page, and the filters with their counts.
    sam.send_command("drafts")
    [listing] = await sam.replies(1)
    assert listing["text"].splitlines() == [
        "Drafts",
        "To review: new 8 · in review 0 · needs info 0",
        "Ready 0 · published 0 · archived 0",
        "",
        "To do: 1–6 of 8, oldest first.",
    ]
    assert buttons(listing)[0] == f"🆕 {drafts[0][1]} · Tenants and the council rebuilt the…"
    assert buttons(listing)[6:9] == ["Next ›", "• To do (8)", "New (8)"]
    page_two = await tap_and_wait(fake, sam, listing, "Next ›")
    assert page_two["text"].endswith("To do: 7–8 of 8, oldest first.")
    assert buttons(page_two)[:3] == [
        f"🆕 {reference} · Parents and the school redesigned the…",
        f"🆕 {drafts[7][1]} · Disabled residents audited the high…",
        "‹ Previous",
    ]

    # Opening one: the whole draft, then its short card with the buttons.
    sam.press_button(page_two, buttons(page_two)[0])
    draft_text, card = await sam.replies(2)
    assert draft_text["text"].startswith("Parents and the school redesigned the playground")
    assert f"Reference: {reference}" in draft_text["text"]
    assert "Co-production lens" in draft_text["text"]
    assert card["text"].splitlines() == [
        f"{reference} · Parents and the school redesigned the playground together, Leeds",
        "Status: 🆕 new · 2 Mar 09:00",
        "Sent in 2 Mar 09:00 by Person 6",
        "Language: English (en)",
        "Lens: 2 suggested",
        "Gaps: 11",  # "the school" alone names no organisation: which one is asked
        "Media: 1 link",
        "Version 1",
    ]
    assert buttons(card) == [
        "✏️ Edit a field",
        "🏷 Lens",
        "❓ Ask contributor",
        "🔀 Status",
        "🗒 Note",
        "🕓 History",
        "📄 Whole draft",
        "⬇️ Markdown",
        "🔎 Sources",
        "‹ Back to the list",
    ]

    # Polishing the summary: its text comes ready to copy; the next message replaces it.
    fields = await tap_and_wait(fake, sam, card, "✏️ Edit a field")
    assert buttons(fields)[:3] == ["Title", "Summary", "Place"]
    sam.press_button(fields, "Summary")
    shown, how = await sam.replies(2)
    stored = await desk.review.card(draft_id)
    assert stored is not None
    old_summary = stored.record.summary
    heading = f"{reference} · Summary\n"
    assert shown["text"] == heading + old_summary
    copyable = {"type": "code", "offset": len(heading), "length": len(old_summary)}
    assert copyable in shown["entities"]
    assert how["text"].startswith("Send the new text as your next message")
    assert buttons(how) == ["Cancel"]
    sam.send_text("Parents, pupils and staff redesigned the playground; the pupils voted.")
    [saved] = await sam.replies(1)
    assert saved["text"] == "✅ Summary saved (version 2)."
    polished = await tap_and_wait(fake, sam, saved, "‹ Back to the draft")
    assert "Edited by staff: Summary" in polished["text"].splitlines()
    assert polished["text"].endswith("Version 2")

    # The status workflow: the allowed moves only, with who and when.
    moves = await tap_and_wait(fake, sam, polished, "🔀 Status")
    assert moves["text"].splitlines()[1:] == ["Now new (since 2 Mar 09:00).", "Move it to:"]
    assert buttons(moves) == ["👀 In review", "🗄 Archived", "‹ Back to the draft"]
    since = fake.mark()
    moved = await tap_and_wait(fake, sam, moves, "👀 In review")
    assert callback_answers(fake, since)[0].params["text"] == "Moved to in review."
    assert "Status: 👀 in review · 2 Mar 10:15 by Sam" in moved["text"].splitlines()
    since = fake.mark()
    sam.press(moved, f"st|m|{draft_id}|published")  # not offered: a forged or stale button
    await fake.wait_for(lambda c: c.method == "answerCallbackQuery", since=since)
    [refusal] = callback_answers(fake, since)
    assert refusal.params["text"] == "Only a draft marked ready can be published."
    assert refusal.params["show_alert"] is True
    moved_card = await desk.review.card(draft_id)
    assert moved_card is not None and moved_card.status is DraftStatus.IN_REVIEW

    # Lens tags: confirmed with a tap, the evidence beside each.
    await fake.wait_for(lambda c: c.method == "editMessageText", since=since)  # the menu again
    await fake.wait_idle(quiet=0.05)
    lens = await tap_and_wait(fake, sam, current(fake, moved), "‹ Back to the draft")
    lens = await tap_and_wait(fake, sam, lens, "🏷 Lens")
    assert lens["text"].splitlines()[1] == "1. • Co-design (suggested)"
    confirmed = await tap_and_wait(fake, sam, lens, "✅ 1. Co-design")
    assert confirmed["text"].splitlines()[1] == "1. ✅ Co-design (confirmed)"

    # Changing one's mind: Cancel, and the next message is nobody's edit.
    back = await tap_and_wait(fake, sam, confirmed, "‹ Back to the draft")
    fields = await tap_and_wait(fake, sam, back, "✏️ Edit a field")
    sam.press_button(fields, "Title")
    _, how = await sam.replies(2)
    assert (await tap_and_wait(fake, sam, how, "Cancel"))["text"] == (
        "Cancelled: nothing was changed."
    )
    assert await desk.review.pending_prompt(STAFF, sam.chat_id) is None
    confirmed = await tap_and_wait(fake, sam, fields, "‹ Back to the draft")
    confirmed = await tap_and_wait(fake, sam, confirmed, "🏷 Lens")

    # A note, after changing one's mind once.
    back = await tap_and_wait(fake, sam, confirmed, "‹ Back to the draft")
    sam.press_button(back, "🗒 Note")
    [note_prompt] = await sam.replies(1)
    assert note_prompt["text"].startswith(f"{reference} · add a note\nSend your note")
    sam.send_command("cancel")
    [cancelled] = await sam.replies(1)
    assert cancelled["text"] == "Cancelled: nothing was changed."
    sam.press_button(back, "🗒 Note")
    await sam.replies(1)
    clock.advance(minutes=5)
    sam.send_text("Ask the housing office for a photo")
    [noted] = await sam.replies(1)
    assert noted["text"] == "🗒 Note added to the history."

    # The history: every change, who and when.
    history = await tap_and_wait(fake, sam, back, "🕓 History")
    assert history["text"].splitlines() == [
        f"{reference} · history",
        "2 Mar 09:00 · copro-bot · drafted from the interview",
        "2 Mar 10:15 · Sam · edited Summary: “Parents and the school redesigned the…” → "
        "“Parents, pupils and staff redesigned…”",
        "2 Mar 10:15 · Sam · moved it from new to in review",
        "2 Mar 10:15 · Sam · confirmed the tag Co-design",
        "2 Mar 10:20 · Sam · noted: Ask the housing office for a photo",
    ]

    # The Markdown file, and back to the list.
    back = await tap_and_wait(fake, sam, history, "‹ Back to the draft")
    since = fake.mark()
    sam.press_button(back, "⬇️ Markdown")
    upload = await fake.wait_for(lambda c: c.method == "sendDocument", since=since)
    document = upload.files["document"]
    assert document.file_name == f"{reference}.md"
    [file_message] = await sam.replies(1)
    assert file_message["document"]["file_name"] == f"{reference}.md"
    assert "Parents, pupils and staff redesigned the playground; the pupils voted." in (
        document.content.decode("utf-8")
    )
    listing = await tap_and_wait(fake, sam, back, "‹ Back to the list")
    assert listing["text"].splitlines()[1] == "To review: new 7 · in review 1 · needs info 0"
    sam.send_command("drafts", "in review")
    [in_review] = await sam.replies(1)
    assert in_review["text"].endswith("In review: 1–1 of 1, oldest first.")
    assert buttons(in_review)[0].startswith(f"👀 {reference} · ")

    # None of it reached the interview: the staff member has no interview at all.
    assert (await desk.interviews.export_person_data(STAFF))["contributor"] is None


async def test_two_staff_editing_the_same_field_lose_nothing(
    fake: FakeBotApi, bot: RunningBot, desk: Desk, clock: BotClock
) -> None:
    draft_id, reference = await submit_story(desk, story(200, "Bea", PROJECTS[0]))
    sam = fake.user(STAFF, "Sam")
    ada = fake.user(ADMIN, "Ada")
    group = Chat(fake, STAFF_CHAT_ID)

    # Sam in a private chat; Ada in the staff group, from a digest's "open" button.
    sam.send_command("draft", reference)
    _, sam_card = await sam.replies(2)
    ada.send_text_in_group("/drafts", group_id=STAFF_CHAT_ID)
    [listing] = await group.replies(1)
    ada.press(listing, f"st|o|{draft_id}")
    _, ada_card = await group.replies(2)
    assert ada_card["text"].startswith(f"{reference} · Tenants and the council")

    sam_fields = await tap_and_wait(fake, sam, sam_card, "✏️ Edit a field")
    ada_fields = await tap_and_wait(fake, ada, ada_card, "✏️ Edit a field")
    sam.press_button(sam_fields, "Summary")
    await sam.replies(2)
    ada.press_button(ada_fields, "Summary")
    await group.replies(2)
    ask = await fake.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.params.get("chat_id") == STAFF_CHAT_ID
            and "force_reply" in str(c.params.get("reply_markup"))
        )
    )
    assert f"tg://user?id={ADMIN}" in str(ask.params["text"])  # asks Ada, by name

    clock.advance(minutes=2)
    sam.send_text("Sam's summary.")
    [saved] = await sam.replies(1)
    clock.advance(minutes=3)
    ada.send_text_in_group("Ada's summary.", group_id=STAFF_CHAT_ID)
    [clash] = await group.replies(1)

    assert saved["text"] == "✅ Summary saved (version 2)."
    assert clash["text"].splitlines() == [
        f"⚠️ {reference} · edited by Sam meanwhile",
        "Sam changed Summary at 2 Mar 09:02, after you started editing, so your text was not "
        "saved over theirs. Yours is kept in the draft's history.",
        "",
        "Their Summary now:",
        "Sam's summary.",
        "",
        "Your text:",
        "Ada's summary.",
    ]
    assert buttons(clash) == ["Use mine instead", "Keep theirs"]
    stored = await desk.review.card(draft_id)
    assert stored is not None and stored.record.summary == "Sam's summary."

    ada.press_button(clash, "Use mine instead")
    [mine] = await group.replies(1)
    assert mine["text"] == "✅ Summary saved (version 3)."
    card = await desk.review.card(draft_id)
    assert card is not None and card.record.summary == "Ada's summary."
    history = await desk.review.history(draft_id)
    assert history is not None
    assert [(e.kind, e.actor_name, e.after) for e in history[1][1:]] == [
        ("field", "Sam", "Sam's summary."),
        ("note", "Ada", "Ada's summary."),
        ("field", "Ada", "Ada's summary."),
    ]
