"""The fake Bot API speaks the protocol the real python-telegram-bot ``Bot`` expects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter

from tests.e2e.fake_bot_api import FakeBotApi, RecordedCall

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as real:
        yield real


async def test_server_listens_on_loopback_only(fake: FakeBotApi) -> None:
    assert fake.url.startswith("http://127.0.0.1:")


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "copro_test_bot")


async def test_send_message_returns_a_message_and_is_recorded(fake: FakeBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="c|yes")]])
    message = await bot.send_message(
        1001, "<b>Hi</b> &amp; welcome", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    assert (message.chat.id, message.chat.type, message.text) == (1001, "private", "Hi & welcome")
    assert message.from_user is not None and message.from_user.id == 123456
    assert message.reply_markup == keyboard
    assert message.entities[0].type == "bold"
    call = fake.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == 1001
    assert call.params["text"] == "<b>Hi</b> &amp; welcome"
    assert [m["text"] for m in fake.sent_messages(1001)] == ["Hi & welcome"]


async def test_numeric_looking_text_stays_a_string(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(1001, "123")
    assert fake.calls_to("sendMessage")[0].params["text"] == "123"


async def test_bad_html_is_rejected_as_telegram_does(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1001, "1 < 2 <b>open", parse_mode=ParseMode.HTML)


async def test_too_long_message_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1001, "x" * 4097)


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1001, "hi", reply_markup=keyboard)


async def test_long_poll_returns_a_queued_update_as_a_real_update(
    fake: FakeBotApi, bot: Bot
) -> None:
    ana = fake.user(1001, "Ana")

    async def later() -> None:
        await asyncio.sleep(0.1)
        ana.send_text("hello there")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    await task
    assert time.monotonic() - started < 3
    assert len(updates) == 1
    update = updates[0]
    assert isinstance(update, Update)
    assert update.message is not None
    assert update.message.text == "hello there"
    assert update.message.chat.type == "private"
    assert update.effective_user is not None and update.effective_user.first_name == "Ana"


async def test_long_poll_with_nothing_queued_answers_empty_after_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_updates_stay_until_acknowledged_by_offset(fake: FakeBotApi, bot: Bot) -> None:
    ana = fake.user()
    ana.send_text("one")
    ana.send_text("two")
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in first] == [u.update_id for u in again] == [1, 2]
    after = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert after == ()
    assert fake.pending_updates == []


async def test_commands_carry_a_bot_command_entity(fake: FakeBotApi, bot: Bot) -> None:
    fake.user().send_command("start", "spotted")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.text == "/start spotted"
    assert update.message.parse_entities(["bot_command"]).popitem()[1] == "/start"


async def test_every_kind_of_user_message_parses(fake: FakeBotApi, bot: Bot) -> None:
    ana = fake.user()
    ana.send_photo(caption="look", media_group_id="album-1")
    ana.send_document("plan.pdf", "application/pdf")
    ana.send_voice(7)
    ana.send_video_note()
    ana.send_location(51.5, -0.12)
    ana.send_contact("+441234", "Bo")
    ana.send_sticker()
    ana.send_poll()
    ana.send_dice()
    ana.send_text_in_group("hi all")
    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates]
    assert all(m is not None for m in messages)
    photo, document, voice, note, location, contact, sticker, poll, dice, group = [
        m for m in messages if m is not None
    ]
    assert (photo.photo[-1].width, photo.caption, photo.media_group_id) == (1280, "look", "album-1")
    assert document.document is not None and document.document.file_name == "plan.pdf"
    assert voice.voice is not None and voice.voice.to_dict()["duration"] == 7
    assert note.video_note is not None
    assert location.location is not None and location.location.latitude == 51.5
    assert contact.contact is not None and contact.contact.phone_number == "+441234"
    assert sticker.sticker is not None
    assert poll.poll is not None
    assert dice.dice is not None and dice.dice.value == 4
    assert (group.chat.type, group.text) == ("supergroup", "hi all")


async def test_press_and_answer_callback_query(fake: FakeBotApi, bot: Bot) -> None:
    ana = fake.user()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="c|yes")]])
    await bot.send_message(ana.chat_id, "Sure?", reply_markup=keyboard)
    sent = await ana.reply()
    ana.press_button(sent, "Yes")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None
    assert query.data == "c|yes"
    assert query.message is not None and query.message.message_id == sent["message_id"]
    assert await bot.answer_callback_query(query.id, "noted") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("unknown-id")


async def test_edits_change_the_stored_message(fake: FakeBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
    message = await bot.send_message(1001, "before", reply_markup=keyboard)
    edited = await bot.edit_message_text("after", 1001, message.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "after"
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("after", 1001, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_reply_markup(1001, 999_999, reply_markup=keyboard)
    assert [m["text"] for m in fake.sent_messages(1001)] == ["before", "after"]
    assert "edit_date" in fake.sent_messages(1001)[-1]


async def test_user_edit_becomes_an_edited_message(fake: FakeBotApi, bot: Bot) -> None:
    ana = fake.user()
    message_id = ana.send_text("first try")
    ana.edit_text(message_id, "second try")
    updates = await bot.get_updates(timeout=0)
    edited = updates[-1].edited_message
    assert edited is not None
    assert (edited.message_id, edited.text) == (message_id, "second try")


async def test_send_document_records_the_uploaded_bytes(fake: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_document(
        1001, InputFile(b'{"a": 1}', filename="data.json"), caption="Your data"
    )
    assert message.document is not None and message.document.file_name == "data.json"
    assert message.caption == "Your data"
    call = fake.calls_to("sendDocument")[0]
    (upload,) = call.files.values()
    assert (upload.file_name, upload.content) == ("data.json", b'{"a": 1}')


async def test_get_file_and_download(fake: FakeBotApi, bot: Bot) -> None:
    fake.add_file("voice-9", b"OggS...")
    file = await bot.get_file("voice-9")
    assert await file.download_as_bytearray() == bytearray(b"OggS...")


async def test_fail_next_429_raises_retry_after_once(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "hi")
    assert caught.value.retry_after == timedelta(seconds=3)
    assert (await bot.send_message(1001, "again")).text == "again"
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]


async def test_blocked_chat_raises_forbidden(fake: FakeBotApi, bot: Bot) -> None:
    fake.blocked_chats.add(1001)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(1001, "hi")


async def test_get_updates_conflicts_with_an_active_webhook(fake: FakeBotApi, bot: Bot) -> None:
    await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.invalid/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_commands_round_trip(bot: Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("start", "Start"),
        ("help", "Help"),
    ]


async def test_other_methods_are_recorded_and_succeed(fake: FakeBotApi, bot: Bot) -> None:
    assert await bot.send_chat_action(1001, "typing") is True
    message = await bot.send_message(1001, "bye")
    assert await bot.delete_message(1001, message.message_id) is True
    assert await bot.set_my_description("A bot") is True
    assert [c.method for c in fake.calls[-3:]] == [
        "sendMessage",
        "deleteMessage",
        "setMyDescription",
    ]


async def test_wait_for_returns_a_call_that_arrives_later(fake: FakeBotApi, bot: Bot) -> None:
    async def send_later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(1001, "late")

    task = asyncio.create_task(send_later())
    call: RecordedCall = await fake.wait_for(lambda c: c.method == "sendMessage", timeout=3)
    await task
    assert call.params["text"] == "late"


async def test_wait_for_times_out(fake: FakeBotApi) -> None:
    with pytest.raises(TimeoutError):
        await fake.wait_for(lambda c: c.method == "sendMessage", timeout=0.1)


async def test_wrong_token_is_unauthorized(fake: FakeBotApi) -> None:
    from telegram.error import InvalidToken

    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.base_url):
            pass


async def test_post_webhook_delivers_update_with_secret(fake: FakeBotApi) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        status = await fake.post_webhook(
            f"http://127.0.0.1:{port}/hook", {"update_id": 7}, secret="s"
        )
    finally:
        await runner.cleanup()
    assert status == 200
    assert received == [("s", {"update_id": 7})]


async def test_post_webhook_refuses_non_loopback_addresses(fake: FakeBotApi) -> None:
    with pytest.raises(ValueError, match="loopback"):
        await fake.post_webhook("http://10.0.0.1/hook", {}, secret=None)


async def test_stop_releases_a_waiting_long_poll(fake: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await fake.stop()
    (outcome,) = await asyncio.wait_for(asyncio.gather(poll, return_exceptions=True), 5)
    assert time.monotonic() - started < 3
    assert outcome == ()


async def test_more_media_and_replies_parse(fake: FakeBotApi, bot: Bot) -> None:
    ana = fake.user()
    first = ana.send_text("see https://example.org/x please")
    ana.send_text("and this", reply_to=first)
    ana.send_venue(51.5, -0.12, "Hall", "1 High St")
    ana.send_video(caption="clip")
    ana.send_audio()
    ana.send_animation()
    link, reply, venue, video, audio, animation = [
        u.message for u in await bot.get_updates(timeout=0) if u.message is not None
    ]
    assert link.parse_entities(["url"]).popitem()[1] == "https://example.org/x"
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == first
    assert venue.venue is not None and venue.venue.title == "Hall"
    assert (video.video is not None, video.caption) == (True, "clip")
    assert audio.audio is not None and audio.audio.title == "Song"
    assert animation.animation is not None


async def test_latency_delays_every_answer_and_listeners_see_each_sent_message(
    fake: FakeBotApi, bot: Bot
) -> None:
    heard: list[tuple[int, str]] = []
    fake.message_listeners.append(lambda m: heard.append((m["chat"]["id"], m["text"])))
    fake.register_chat({"id": 42, "type": "private", "first_name": "Ana"})
    fake.latency = 0.2
    started = time.monotonic()
    await bot.send_message(42, "hello")
    assert time.monotonic() - started >= 0.2
    assert heard == [(42, "hello")]
