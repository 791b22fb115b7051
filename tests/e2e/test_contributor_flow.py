"""A contributor's interview on Telegram, end to end: the real bot, the fake Bot API.

Each test plays the contributor's side as a table of ``(what they do, how the bot's replies
begin)`` and then checks what reached the staff chat and what the database holds.
"""

from __future__ import annotations

import re

import pytest

from storage.service import InterviewService
from storage.uow import UnitOfWork
from tests.e2e.conftest import (
    STAFF_CHAT_ID,
    RunningBot,
    answered_callbacks,
    buttons,
    callback_data,
    converse,
    says,
    sends,
    stored_answers,
    stored_interviews,
    taps,
    texts,
)
from tests.e2e.fake_bot_api import FakeBotApi

REFERENCE = re.compile(r"CP-\d{4}-\d{5}")
CALLBACK_DATA_BYTES = 64


async def test_full_interview_with_buttons_is_submitted_with_a_reference_and_a_staff_notice(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ana = fake.user(1001, "Ana", last_name="Silva")
    ana.send_command("start")
    welcome, first = await ana.replies(2)
    assert welcome["text"].startswith("Tell us about a project\nHi! 👋")
    assert first["text"].startswith("Question 1 of about 24\nFirst things first")
    assert buttons(first) == ["Yes", "No"]

    last = await converse(
        ana,
        first,
        [
            (taps("Yes"), "Question 2 of about 24\nWhat's the project?"),
            (
                says("A community garden run by residents and the council together in Leeds"),
                "Question 3 of about 24\nHas it got a name?",
            ),
            (says("Bramley Community Garden"), "Question 4 of about 24\nWhere and when"),
            (says("Leeds, since spring 2023"), "Question 5 of about 24\nWhere's it at right now?"),
            (taps("Up and running"), "Question 6 of about 24\nWhat's your part in it?"),
            (taps("Skip"), "Question 7 of about 24\nWho's involved?"),
            (says("tenants"), "Anyone else?"),
            (says("and two housing officers"), "Question 8 of about 24\nHow did it start?"),
            (sends("skip"), "Question 9 of about 24\nWhich parts did people do together?"),
            (taps("Designing it"), "Question 9 of about 24"),
            (taps("Running it"), "Question 9 of about 24"),
            (taps("Done"), "Question 10 of about 24\nTell me about one decision"),
            (
                says("We chose the opening hours together at a residents meeting"),
                "Question 11 of about 24\nWho had the final say",
            ),
            *[(taps("Skip"), f"Question {n} of about 24") for n in range(12, 21)],
            (taps("No"), "Question 21 of about 23\nIf we share this as an example"),
            (taps("Keep it anonymous"), "Here's what you told me"),
        ],
    )
    # The multi-choice question showed the ticks as they were tapped.
    ticked = [m for m in ana.bot_messages() if "✅ Designing it" in buttons(m)]
    assert "✅ Running it" in buttons(ticked[-1])

    card = last["text"]
    assert "2. The project: A community garden run by residents and the council" in card
    assert "3. Its name: Bramley Community Garden" in card
    assert "5. Stage: Up and running" in card
    assert "6. Your part: — skipped" in card
    assert "7. Who's involved: tenants / and two housing officers" in card
    assert "9. Done together: Designing it, Running it" in card
    assert "21. Credit: Keep it anonymous" in card
    assert buttons(last)[-2:] == ["✅ Send it", "✖ Cancel"]
    # one edit button per question on the card, labelled like its line, in its numbered order
    numbered = [line.split(". ", 1) for line in card.splitlines() if line[:1].isdigit()]
    assert [int(n) for n, _ in numbered] == list(range(1, 22))
    listed = [rest.split(":")[0] for _, rest in numbered]
    assert buttons(last)[:-2] == [f"✏️ {label}" for label in listed]

    ana.press_button(last, "✅ Send it")
    thanks, reference_line = await ana.replies(2)
    assert thanks["text"].startswith("Thank you so much! 🙏")
    found = REFERENCE.search(reference_line["text"])
    assert found is not None, reference_line["text"]
    reference = found.group()

    staff = await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params.get("chat_id") == STAFF_CHAT_ID
    )
    await fake.wait_idle()
    [notice] = fake.sent_messages(STAFF_CHAT_ID)
    # The name she typed is the draft's title.
    assert notice["text"].startswith(f"New story {reference}: “Bramley Community Garden”")
    # She chose to stay anonymous: the staff group is not told her name.
    assert notice["text"].endswith("”, from a contributor who asked not to be named.")
    assert "Ana" not in notice["text"]
    assert "\n" not in str(staff.params["text"])
    # one tap from the notice to the draft
    assert [
        b["callback_data"] for row in notice["reply_markup"]["inline_keyboard"] for b in row
    ] == [f"st|o|{(await stored_draft_id(service, reference))}"]

    [interview] = await stored_interviews(service, ana)
    assert (interview["status"], interview["reference"]) == ("submitted", reference)
    answers = await stored_answers(service, ana)
    assert answers["consent"]["value"]["choices"] == ["yes"]
    assert answers["name"]["text"] == "Bramley Community Garden"
    assert answers["stage"]["value"]["choices"] == ["running"]
    assert answers["together"]["value"]["choices"] == ["design", "delivery"]
    assert answers["who"]["text"] == "tenants\nand two housing officers"
    assert answers["role"]["value"]["skipped"] is True
    assert answers["credit"]["value"]["choices"] == ["anonymous"]

    # Every button the bot ever showed fits Telegram's 64 bytes of callback data.
    sent_data = [d for m in fake.sent_messages(ana.chat_id) for d in callback_data(m)]
    assert sent_data, "the interview showed no buttons"
    assert max(len(d.encode("utf-8")) for d in sent_data) <= CALLBACK_DATA_BYTES
    # Every tap was answered, so the contributor's Telegram stops showing a spinner.
    taps_made = {
        u["callback_query"]["id"]
        for c in fake.calls_to("getUpdates")
        for u in c.result
        if "callback_query" in u
    }
    assert len(taps_made) == 18
    assert {str(c.params["callback_query_id"]) for c in answered_callbacks(fake)} == taps_made


async def test_back_and_edit_from_the_review_card_change_answers_before_sending(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ben = fake.user(1002, "Ben")
    ben.send_command("start", "spotted")
    _, first = await ben.replies(2)
    last = await converse(
        ben,
        first,
        [
            (taps("Yes"), "Question 2 of about 8\nWhat did you spot?"),
            (says("Parents and the school redesigned the playground"), "Question 3 of about 8"),
            (taps("⬅ Back"), "Question 2 of about 8\nWhat did you spot?"),
        ],
    )
    assert "Your answer now: Parents and the school redesigned the playground" in last["text"]
    assert "Keep" in buttons(last)
    last = await converse(
        ben,
        last,
        [
            (
                says("Parents, pupils and the school redesigned the playground together"),
                "Question 3 of about 8\nDo you know what it's called?",
            ),
            (taps("Skip"), "Question 4 of about 8\nWhere and when"),
            (taps("Skip"), "Question 5 of about 8"),
            (taps("Designing it"), "Question 5 of about 8"),
            (taps("Done"), "Question 6 of about 8\nGot a link?"),
            (says("heard it on local radio"), "Question 7 of about 8\nIf we mention your tip-off"),
            (taps("Use my name"), "Question 8 of 8\nWhat name should we use?"),
            (says("Sam P."), "Here's what you told me"),
            (taps("✏️ What you spotted"), "Question 2 of 8\nWhat did you spot?"),
            (says("The whole street redesigned the playground with the school"), "Here's what"),
            (taps("✏️ Credit"), "Question 7 of 8"),
            (taps("Keep it anonymous"), "Here's what you told me"),
        ],
    )
    assert "2. What you spotted: The whole street redesigned the playground" in last["text"]
    assert "7. Credit: Keep it anonymous" in last["text"]
    assert "3. Its name: — skipped" in last["text"]
    assert "4. Where and when: — skipped" in last["text"]
    assert "Name to use" not in last["text"]  # no longer asked: kept, not shown

    await converse(ben, last, [(taps("✅ Send it"), ("Thanks for the tip!", "Your reference"))])
    answers = await stored_answers(service, ben)
    project = answers["project"]
    assert project["text"] == "The whole street redesigned the playground with the school"
    assert [r["value"]["text"] for r in project["revisions"]] == [
        "Parents and the school redesigned the playground",
        "Parents, pupils and the school redesigned the playground together",
        "The whole street redesigned the playground with the school",
    ]
    assert answers["credit"]["value"]["choices"] == ["anonymous"]
    [interview] = await stored_interviews(service, ben)
    assert (interview["script_id"], interview["status"]) == ("spotted", "submitted")


async def test_a_restart_in_the_middle_of_an_interview_resumes_where_it_was(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    cy = fake.user(1003, "Cy")
    cy.send_command("start", "spotted")
    _, first = await cy.replies(2)
    await converse(
        cy,
        first,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (
                says("A tenants panel runs the estate budget with the council"),
                "Question 3 of about 8\nDo you know what it's called?",
            ),
            (sends("skip"), "Question 4 of about 8\nWhere and when"),
        ],
    )
    await bot.stop()
    # While the bot is down the contributor carries on; Telegram keeps the message.
    cy.send_text("Hackney, last spring")
    assert [u["message"]["text"] for u in fake.pending_updates] == ["Hackney, last spring"]

    await bot.start()
    reply = await cy.reply()
    assert reply["text"].startswith(
        "Question 5 of about 8\nWhich parts did people seem to do together?"
    )
    assert "⬅ Back" in buttons(reply)
    assert len(fake.calls_to("getMe")) == 2  # a second Application really did start
    await fake.wait_idle()
    assert fake.pending_updates == []

    last = await converse(
        cy,
        reply,
        [
            (taps("⬅ Back"), "Question 4 of about 8\nWhere and when"),
            (taps("Keep"), "Question 5 of about 8"),
        ],
    )
    assert "Your answer now" not in last["text"]
    answers = await stored_answers(service, cy)
    assert answers["place_when"]["text"] == "Hackney, last spring"
    assert answers["project"]["text"] == "A tenants panel runs the estate budget with the council"
    assert len(await stored_interviews(service, cy)) == 1


async def test_a_button_from_an_older_message_gets_a_friendly_notice_and_the_current_question(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    dee = fake.user(1004, "Dee")
    dee.send_command("start", "spotted")
    _, consent = await dee.replies(2)
    await converse(dee, consent, [(taps("Yes"), "Question 2 of about 8")])

    since = fake.mark()
    dee.press_button(consent, "No")  # the consent question was answered already
    reply = await dee.reply()
    assert reply["text"].startswith("Question 2 of about 8\nWhat did you spot?")
    [answer] = answered_callbacks(fake, since)
    assert answer.ok
    assert answer.params.get("text") == (
        "That button is from an earlier message — here's where we are."
    )
    answers = await stored_answers(service, dee)
    assert answers["consent"]["value"]["choices"] == ["yes"]
    [interview] = await stored_interviews(service, dee)
    assert interview["status"] == "active"


async def test_a_button_after_the_interview_was_sent_gets_a_notice_not_an_error(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    eve = fake.user(1005, "Eve")
    eve.send_command("start", "spotted")
    _, first = await eve.replies(2)
    card = await converse(
        eve,
        first,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (says("Neighbours run the library with the council"), "Question 3 of about 8"),
            (sends("skip"), "Question 4 of about 8"),
            (sends("skip"), "Question 5 of about 8"),
            (sends("skip"), "Question 6 of about 8"),
            (sends("skip"), "Question 7 of about 8"),
            (taps("Keep it anonymous"), "Here's what you told me"),
        ],
    )
    await converse(eve, card, [(taps("✅ Send it"), ("Thanks for the tip!", "Your reference"))])
    since = fake.mark()
    await converse(eve, card, [(taps("✅ Send it"), "This interview is finished.")])
    [answer] = answered_callbacks(fake, since)
    assert answer.params.get("text", "").startswith("That button is from an earlier message")
    [interview] = await stored_interviews(service, eve)
    assert interview["status"] == "submitted"
    await fake.wait_idle()
    assert len(fake.sent_messages(STAFF_CHAT_ID)) == 1


async def test_a_deep_link_payload_chooses_the_script(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    fay, gus = fake.user(1006, "Fay"), fake.user(1007, "Gus")
    fay.send_command("start", "spotted")
    gus.send_command("start")
    fay_welcome, fay_first = await fay.replies(2)
    gus_welcome, gus_first = await gus.replies(2)
    assert fay_welcome["text"].startswith("Spotted a project?")
    assert fay_first["text"].startswith("Question 1 of about 8")
    assert gus_welcome["text"].startswith("Tell us about a project")
    assert gus_first["text"].startswith("Question 1 of about 24")
    assert [i["script_id"] for i in await stored_interviews(service, fay)] == ["spotted"]
    assert [i["script_id"] for i in await stored_interviews(service, gus)] == ["full-story"]


async def test_the_command_menu_is_set_when_the_bot_starts(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    [call] = [
        c
        for c in fake.calls_to("setMyCommands")
        if "scope" not in c.params and "language_code" not in c.params
    ]
    names = [c["command"] for c in call.params["commands"]]
    assert not {"drafts", "export", "staff", "stats"} & set(names)  # not for contributors
    for command in ("start", "help", "cancel", "status", "privacy", "mydata", "delete"):
        assert command in names
    assert all(c["description"].strip() for c in call.params["commands"])
    # set before the bot takes its first update
    assert fake.calls.index(call) < fake.calls.index(fake.calls_to("deleteWebhook")[0])


async def test_an_update_delivered_twice_is_applied_once(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    hal = fake.user(1008, "Hal")
    hal.send_command("start", "spotted")
    _, first = await hal.replies(2)
    await converse(hal, first, [(taps("Yes"), "Question 2 of about 8")])

    # Telegram delivers the same update again (it never saw our acknowledgement).
    hal.send_text("A repair cafe run by volunteers and the council")
    fake.queue_update(dict(fake.pending_updates[-1]))
    repeats = [u for u in fake.pending_updates if "message" in u]
    assert len(repeats) == 2
    assert repeats[0] == repeats[1]
    reply = await hal.reply()
    assert reply["text"].startswith("Question 3 of about 8")
    await fake.wait_idle()
    assert hal.bot_messages()[-1] == reply  # no second answer to the repeat
    answers = await stored_answers(service, hal)
    assert answers["project"]["revision"] == 1
    assert "name" not in answers  # the repeat was not taken as the next answer


async def test_an_update_processed_before_a_crash_is_not_applied_again_after_it(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ivy = fake.user(1009, "Ivy")
    ivy.send_command("start", "spotted")
    _, first = await ivy.replies(2)
    await converse(ivy, first, [(taps("Yes"), "Question 2 of about 8")])

    # The answer is stored and its reply owed, then the process dies while sending the
    # reply; Telegram delivers the update once more after the restart.
    fake.stall("sendMessage")
    since = fake.mark()
    with fake.capture_updates() as updates:
        ivy.send_text("Allotment holders and the council share the site budget")
    fake.queue_update(updates[0])
    await fake.wait_for(lambda c: c.method == "sendMessage", since=since)
    await bot.crash()
    fake.release("sendMessage")
    fake.queue_update(updates[0])

    restarted = fake.mark()
    await bot.start()
    await fake.wait_for(lambda c: c.method == "sendMessage", since=restarted, timeout=10)
    await fake.wait_idle()
    assert fake.pending_updates == []
    # The redelivered update is recognised and not applied again; the reply owed before the
    # crash is sent after it. Telegram took the send the crash cut short as well: that is
    # the one duplicate allowed, never more.
    asked = [t for t in texts(ivy.bot_messages()) if t.startswith("Question 3 of about 8")]
    assert len(asked) == 2
    ivy.skip_replies()
    answers = await stored_answers(service, ivy)
    assert answers["project"]["revision"] == 1
    await converse(
        ivy,
        first,
        [
            (sends("skip"), "Question 4 of about 8\nWhere and when"),
            (says("Leeds, this summer"), "Question 5 of about 8\nWhich parts did people"),
        ],
    )
    answers = await stored_answers(service, ivy)
    assert answers["place_when"]["text"] == "Leeds, this summer"
    assert answers["project"]["text"] == "Allotment holders and the council share the site budget"


async def test_a_flood_limit_is_waited_out_and_the_reply_still_arrives(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    jo = fake.user(1010, "Jo")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    jo.send_command("start", "spotted")
    welcome, first = await jo.replies(2, timeout=10)
    assert welcome["text"].startswith("Spotted a project?")
    assert first["text"].startswith("Question 1 of about 8")
    refused = [c for c in fake.calls_to("sendMessage") if not c.ok]
    assert [c.status for c in refused] == [429]
    fake.calls.remove(refused[0])  # provoked on purpose; every other call must succeed


@pytest.mark.bot_errors_expected
async def test_a_reply_refused_with_a_500_is_sent_again_and_loses_no_answer(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    kim = fake.user(1011, "Kim")
    asked = await converse(
        kim, {}, [(sends("start", "spotted"), ("Spotted", "Question 1 of about 8"))]
    )
    await converse(kim, asked, [(taps("Yes"), "Question 2 of about 8")])
    since = fake.mark()
    fake.fail_next("sendMessage", 500, "Internal Server Error")
    kim.send_text("Young carers and the council plan respite breaks together")
    await fake.wait_for(lambda c: c.method == "sendMessage" and not c.ok, since=since)
    assert (await stored_answers(service, kim))["project"]["text"] == (
        "Young carers and the council plan respite breaks together"
    )
    [again] = await kim.replies(1, timeout=10)  # the outbox tries again after a moment
    assert again["text"].startswith("Question 3 of about 8")
    await converse(
        kim,
        asked,
        [
            (sends("skip"), "Question 4 of about 8\nWhere and when"),
            (says("Bristol, 2024"), "Question 5 of about 8"),
        ],
    )

    fake.blocked_chats.add(kim.chat_id)  # the contributor blocks the bot mid-interview
    kim.send_command("skip")
    await fake.wait_idle()
    assert "together" in await stored_answers(service, kim)


async def stored_draft_id(service: InterviewService, reference: str) -> int:
    async with UnitOfWork(service.database) as uow:
        draft = await uow.drafts.by_reference(reference)
    assert draft is not None, reference
    return draft.id


async def test_another_poller_on_the_same_token_is_waited_out_not_fatal(
    fake: FakeBotApi,
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import bot.telegram_app as telegram_app

    monkeypatch.setattr(telegram_app, "CONFLICT_RETRY_SECONDS", 0.2)
    for _ in range(2):
        fake.fail_next(
            "getUpdates", 409, "Conflict: terminated by other getUpdates request", retry_after=None
        )
    lu = fake.user(1012, "Lu")
    lu.send_command("start", "spotted")
    await lu.replies(2, timeout=10)  # the long poll in flight delivers this one
    lu.send_text("yes")
    [second] = await lu.replies(1, timeout=10)  # after the refused poll, polling goes on
    assert second["text"].startswith("Question 2 of about 8")
    refused = [c for c in fake.calls_to("getUpdates") if not c.ok]
    assert [c.status for c in refused] == [409, 409]
    for call in refused:
        fake.calls.remove(call)
    # Said once, in one line, however long the other poller stays.
    said = [
        r.getMessage() for r in caplog.records if "another process is polling" in r.getMessage()
    ]
    assert len(said) == 1
    assert "\n" not in said[0] and "--webhook" in said[0]
