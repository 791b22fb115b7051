"""The contributor's commands and the private-chats-only rule, end to end."""

from __future__ import annotations

import json

from storage.service import InterviewService
from tests.e2e.conftest import (
    STAFF_CHAT_ID,
    RunningBot,
    buttons,
    converse,
    says,
    sends,
    stored_answers,
    stored_interviews,
    taps,
    texts,
)
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser

GROUP_ID = -100555


async def spotted_at_question_2(user: FakeUser) -> dict[str, object]:
    user.send_command("start", "spotted")
    _, first = await user.replies(2)
    return await converse(user, first, [(taps("Yes"), "Question 2 of about 8")])


async def test_privacy_says_what_is_stored_why_and_for_how_long(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ana = fake.user(3001, "Ana")
    ana.send_command("privacy")
    reply = await ana.reply()
    text = reply["text"]
    assert text.startswith("What I keep: your Telegram name and username, your answers")
    assert "\n\nWhy: " in text
    assert "deleted after 90 days" in text  # RETENTION_DAYS' default
    assert "/mydata" in text and "/delete" in text
    await fake.wait_idle()
    assert ana.bot_messages() == [reply]  # asking about privacy starts no interview
    assert await stored_interviews(service, ana) == []


async def test_help_and_status_describe_the_current_question(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    ben = fake.user(3002, "Ben")
    asked = await spotted_at_question_2(ben)
    await converse(
        ben,
        asked,
        [
            (sends("help"), 'e.g. "Parents and the school redesigned the playground together".'),
            (sends("status"), "Question 2 of about 8 — about What you spotted; 6 left."),
        ],
    )
    assert "/cancel – stop the interview" in ben.bot_messages()[-2]["text"]


async def test_cancel_asks_first_then_stops_the_interview(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    cy = fake.user(3003, "Cy")
    asked = await spotted_at_question_2(cy)
    last = await converse(
        cy,
        asked,
        [
            (sends("cancel"), "Sure you want to stop?"),
            (taps("No, carry on"), "Question 2 of about 8"),
            (sends("cancel"), "Sure you want to stop?"),
            (taps("Yes, stop"), "OK, I've stopped. Send /start any time to begin again."),
            (sends("status"), "You stopped this interview. Send /start"),
        ],
    )
    assert buttons(last) == []
    [interview] = await stored_interviews(service, cy)
    assert interview["status"] == "cancelled"
    await fake.wait_idle()
    assert fake.sent_messages(STAFF_CHAT_ID) == []


async def test_mydata_sends_a_json_file_with_everything_stored(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    dee = fake.user(3004, "Dee", username="dee_k")
    asked = await spotted_at_question_2(dee)
    await converse(dee, asked, [(says("Neighbours & the council share a van"), "Question 3")])
    since = fake.mark()
    dee.send_command("mydata")
    document = await dee.reply()
    assert document["caption"] == "Everything copro-bot stores about you."
    call = await fake.wait_for(lambda c: c.method == "sendDocument", since=since)
    upload = call.files["document"]
    assert upload.file_name == "my-copro-bot-data.json"
    data = json.loads(upload.content.decode("utf-8"))
    assert data["contributor"]["telegram_user_id"] == 3004
    assert data["contributor"]["username"] == "dee_k"
    [interview] = data["interviews"]
    assert interview["script_id"] == "spotted"
    stored = {a["question_id"]: a["text"] for a in interview["answers"]}
    assert stored["project"] == "Neighbours & the council share a van"
    assert data == json.loads(json.dumps(await service.export_person_data(3004), default=str))


async def test_delete_erases_everything_only_after_a_confirmation(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    eve = fake.user(3005, "Eve")
    asked = await spotted_at_question_2(eve)
    await converse(eve, asked, [(says("A street that runs its own bus service"), "Question 3")])

    eve.send_command("delete")
    confirm = await eve.reply()
    assert confirm["text"].startswith("This erases all your answers and stories")
    assert buttons(confirm) == ["Yes, erase everything", "No, keep it"]
    await converse(eve, confirm, [(taps("No, keep it"), "Nothing was erased.")])
    assert "project" in await stored_answers(service, eve)

    eve.send_command("delete")
    confirm = await eve.reply()
    await converse(
        eve,
        confirm,
        [(taps("Yes, erase everything"), "Done: everything stored about you has been erased.")],
    )
    data = await service.export_person_data(3005)
    assert data["contributor"]["display_name"] == ""
    assert data["contributor"]["erased_at"] is not None
    assert [(i["state"], i["answers"]) for i in data["interviews"]] == [(None, [])]
    # the confirmation's buttons are gone, so it cannot be tapped again by mistake
    assert buttons(fake.bot_message(eve.chat_id, confirm["message_id"]) or {}) == []

    # Carrying on afterwards starts afresh.
    eve.send_text("hello again")
    welcome, first = await eve.replies(2)
    assert welcome["text"].startswith("Tell us about a project")
    assert first["text"].startswith("Question 1 of about 24")


async def test_a_group_message_gets_one_pointer_to_a_private_chat_and_nothing_else(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    fay = fake.user(3006, "Fay")
    message_id = fay.send_text_in_group("hi bot, can I tell you about our project?", GROUP_ID)
    pointer = await fake.wait_for(lambda c: c.method == "sendMessage")
    assert pointer.params["chat_id"] == GROUP_ID
    text = str(pointer.params["text"])
    assert "https://t.me/copro_test_bot" in text
    assert len(text) < 200 and "\n" not in text
    assert pointer.params["reply_parameters"]["message_id"] == message_id

    fay.send_text_in_group("/start", GROUP_ID)
    fay.send_text_in_group("/mydata", GROUP_ID)
    await fake.wait_idle()
    sent = fake.sent_messages()
    assert [m["chat"]["id"] for m in sent] == [GROUP_ID, GROUP_ID, GROUP_ID]
    assert len(set(texts(sent))) == 1  # the same pointer, and only that
    assert fake.calls_to("sendDocument") == []
    assert (await service.export_person_data(3006))["contributor"] is None


async def test_a_channel_post_gets_one_pointer(fake: FakeBotApi, bot: RunningBot) -> None:
    channel = {"id": -100777, "type": "channel", "title": "News"}
    fake.register_chat(channel)
    post = {"message_id": 5, "chat": channel, "date": 1700000000, "text": "hello"}
    fake.queue_update({"channel_post": post})
    fake.queue_update({"edited_channel_post": {**post, "text": "hello!", "edit_date": 1}})
    await fake.wait_idle()
    assert [m["chat"]["id"] for m in fake.sent_messages()] == [-100777]


async def test_the_staff_chat_gets_no_pointer_and_no_personal_data(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    gus = fake.user(3007, "Gus")
    gus.send_text_in_group("morning all", STAFF_CHAT_ID)
    gus.send_text_in_group("/mydata", STAFF_CHAT_ID)
    gus.send_text_in_group("/delete", STAFF_CHAT_ID)
    await fake.wait_idle()
    assert fake.sent_messages(STAFF_CHAT_ID) == []
    assert fake.calls_to("sendDocument") == []
