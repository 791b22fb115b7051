"""Real ``telegram.Update`` objects, parsed from Bot API JSON, become the core's events."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.telegram_events import event_from_update, is_private, person_from_update, start_payload
from conversations.model import (
    CommandSent,
    Event,
    MediaRef,
    MediaSent,
    MessageEdited,
    Person,
    Pressed,
    Started,
    TextSent,
    Unsupported,
)

BOT = Bot("123456:TEST-TOKEN")
USER = {"id": 1001, "is_bot": False, "first_name": "Ana", "last_name": "Silva",
        "username": "ana_s", "language_code": "pt"}  # fmt: skip
PRIVATE = {"id": 1001, "type": "private", "first_name": "Ana"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Makers"}


def update(**fields: Any) -> Update:
    parsed = Update.de_json({"update_id": 1, **fields}, BOT)
    assert parsed is not None
    return parsed


def message(chat: dict[str, Any] = PRIVATE, **content: Any) -> Update:
    body = {"message_id": 42, "date": 1_700_000_000, "chat": chat, "from": USER, **content}
    return update(message=body)


def text(value: str, **extra: Any) -> Update:
    return message(text=value, **extra)


def command(value: str) -> Update:
    name = value.split(" ", 1)[0]
    return text(value, entities=[{"type": "bot_command", "offset": 0, "length": len(name)}])


def file(prefix: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": f"{prefix}-id", "file_unique_id": f"{prefix}-uid", **extra}


def test_person_carries_name_username_and_language() -> None:
    assert person_from_update(text("hi")) == Person(
        user_id=1001, chat_id=1001, name="Ana Silva", username="ana_s", language="pt"
    )


def test_person_of_a_button_press_comes_from_the_pressed_message_chat() -> None:
    pressed = update(
        callback_query={
            "id": "q1",
            "from": USER,
            "chat_instance": "ci",
            "data": "x",
            "message": {"message_id": 5, "date": 1, "chat": PRIVATE, "text": "Pick"},
        }
    )
    assert person_from_update(pressed) == Person(1001, 1001, "Ana Silva", "ana_s", "pt")


def test_update_without_a_user_has_no_person() -> None:
    poll = update(
        poll={
            "id": "p",
            "question": "Q?",
            "options": [],
            "total_voter_count": 0,
            "is_closed": True,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    )
    assert person_from_update(poll) is None
    assert event_from_update(poll) is None


def test_private_chat_is_private_and_a_group_is_not() -> None:
    assert (is_private(text("hi")), is_private(message(GROUP, text="hi"))) == (True, False)


def test_plain_text_is_text_sent_with_its_message_id() -> None:
    assert event_from_update(text("We built a garden <b>&")) == TextSent(
        "We built a garden <b>&", 42
    )


def test_a_message_that_is_only_a_link_stays_text() -> None:
    url = "https://example.org/project"
    linked = text(url, entities=[{"type": "url", "offset": 0, "length": len(url)}])
    assert event_from_update(linked) == TextSent(url, 42)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/skip", CommandSent("skip")),
        ("/back", CommandSent("back")),
        ("/review", CommandSent("review")),
        ("/cancel", CommandSent("cancel")),
        ("/help", CommandSent("help")),
        ("/status", CommandSent("status")),
        ("/submit", CommandSent("submit")),
        ("/done", CommandSent("done")),
        ("/Skip@copro_test_bot", CommandSent("skip")),
        ("/frobnicate now", CommandSent("frobnicate", "now")),
    ],
)
def test_commands_become_command_sent(typed: str, expected: CommandSent) -> None:
    assert event_from_update(command(typed)) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/start", Started(None)),
        ("/start spotted", Started("spotted")),
        ("/start full", Started("full-story")),
        ("/start story", Started("full-story")),
        ("/start full-story", Started("full-story")),
        ("/start@copro_test_bot my_script-2", Started("my_script-2")),
        ("/start bad/payload", Started(None)),
        ("/start " + "a" * 65, Started(None)),
    ],
)
def test_start_reads_and_validates_the_deep_link_payload(typed: str, expected: Started) -> None:
    assert event_from_update(command(typed)) == expected


def test_start_payload_accepts_at_most_64_safe_characters() -> None:
    assert (start_payload("a" * 64), start_payload(""), start_payload("é")) == (
        "a" * 64,
        None,
        None,
    )


def test_slash_text_without_a_command_entity_is_plain_text() -> None:
    assert event_from_update(text("/skip")) == TextSent("/skip", 42)


def test_photo_uses_the_largest_size_with_caption_and_album() -> None:
    sizes = [
        file("small", width=90, height=67, file_size=900),
        file("big", width=1280, height=960, file_size=90_000),
        file("mid", width=320, height=240, file_size=9_000),
    ]
    photo = message(photo=sizes, caption="Our stall", media_group_id="album-7")
    assert event_from_update(photo) == MediaSent(
        MediaRef(
            kind="photo",
            file_id="big-id",
            file_unique_id="big-uid",
            caption="Our stall",
            group_id="album-7",
            meta={"width": 1280, "height": 960, "file_size": 90_000},
        ),
        42,
    )


def test_document_keeps_name_type_and_size() -> None:
    doc = message(
        document=file("doc", file_name="plan.pdf", mime_type="application/pdf", file_size=2048)
    )
    assert event_from_update(doc) == MediaSent(
        MediaRef(
            "document",
            "doc-id",
            "doc-uid",
            meta={"file_name": "plan.pdf", "mime_type": "application/pdf", "file_size": 2048},
        ),
        42,
    )


def test_voice_keeps_duration_in_seconds() -> None:
    voice = message(voice=file("voice", duration=7, mime_type="audio/ogg"))
    assert event_from_update(voice) == MediaSent(
        MediaRef("voice", "voice-id", "voice-uid", meta={"duration": 7, "mime_type": "audio/ogg"}),
        42,
    )


@pytest.mark.parametrize(
    ("field", "content", "meta"),
    [
        (
            "video",
            file("video", width=640, height=360, duration=5, mime_type="video/mp4"),
            {"duration": 5, "width": 640, "height": 360, "mime_type": "video/mp4"},
        ),
        ("video_note", file("video_note", length=240, duration=4), {"duration": 4, "length": 240}),
        (
            "audio",
            file("audio", duration=60, title="Song", mime_type="audio/mpeg"),
            {"duration": 60, "title": "Song", "mime_type": "audio/mpeg"},
        ),
    ],
)
def test_other_files_become_media_of_their_kind(
    field: str, content: dict[str, Any], meta: dict[str, Any]
) -> None:
    assert event_from_update(message(**{field: content})) == MediaSent(
        MediaRef(field, f"{field}-id", f"{field}-uid", meta=meta), 42
    )


def test_animation_is_an_animation_not_its_document_twin() -> None:
    gif = file("anim", width=320, height=240, duration=2, mime_type="video/mp4")
    event = event_from_update(message(animation=gif, document=dict(gif)))
    assert isinstance(event, MediaSent)
    assert (event.media.kind, event.media.file_id) == ("animation", "anim-id")


def test_location_carries_coordinates() -> None:
    place = message(location={"latitude": 51.5, "longitude": -0.12})
    assert event_from_update(place) == MediaSent(
        MediaRef("location", meta={"latitude": 51.5, "longitude": -0.12}), 42
    )


def test_venue_is_a_location_with_title_and_address() -> None:
    where = {"latitude": 51.5, "longitude": -0.12}
    venue = message(
        location=where, venue={"location": where, "title": "Hall", "address": "1 High St"}
    )
    assert event_from_update(venue) == MediaSent(
        MediaRef(
            "location",
            meta={"latitude": 51.5, "longitude": -0.12, "title": "Hall", "address": "1 High St"},
        ),
        42,
    )


def test_contact_carries_phone_and_names() -> None:
    contact = message(
        contact={"phone_number": "+44123", "first_name": "Bo", "last_name": "Li", "user_id": 7}
    )
    assert event_from_update(contact) == MediaSent(
        MediaRef(
            "contact",
            meta={"phone_number": "+44123", "first_name": "Bo", "last_name": "Li", "user_id": 7},
        ),
        42,
    )


def test_button_press_is_pressed_with_its_data() -> None:
    pressed = update(
        callback_query={"id": "q1", "from": USER, "chat_instance": "ci", "data": "c|q1|yes"}
    )
    assert event_from_update(pressed) == Pressed("c|q1|yes")


def test_game_button_without_data_is_ignored() -> None:
    game = update(
        callback_query={"id": "q1", "from": USER, "chat_instance": "ci", "game_short_name": "g"}
    )
    assert event_from_update(game) is None


def test_edited_text_becomes_message_edited() -> None:
    edited = update(
        edited_message={
            "message_id": 42,
            "date": 1,
            "edit_date": 2,
            "chat": PRIVATE,
            "from": USER,
            "text": "better words",
        }
    )
    assert event_from_update(edited) == MessageEdited(42, "better words")


def test_edited_caption_is_ignored() -> None:
    edited = update(
        edited_message={
            "message_id": 42,
            "date": 1,
            "edit_date": 2,
            "chat": PRIVATE,
            "photo": [file("p", width=1, height=1)],
            "caption": "new",
        }
    )
    assert event_from_update(edited) is None


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (
            {"sticker": file("s", type="regular", width=512, height=512, is_animated=False,
                             is_video=False)},
            "sticker",
        ),
        (
            {
                "poll": {
                    "id": "p",
                    "question": "Q?",
                    "options": [{"text": "A", "voter_count": 0, "persistent_id": "a"}],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                    "allows_revoting": False,
                    "members_only": False,
                }
            },
            "poll",
        ),
        ({"dice": {"emoji": "🎲", "value": 3}}, "dice"),
        ({"game": {"title": "G", "description": "d", "photo": [file("g", width=1, height=1)]}},
         "game"),
        ({"story": {"chat": PRIVATE, "id": 9}}, "story"),
        (
            {"invoice": {"title": "T", "description": "D", "start_parameter": "s",
                         "currency": "EUR", "total_amount": 100}},
            "invoice",
        ),
    ],
)  # fmt: skip
def test_content_the_interview_cannot_take_is_unsupported(
    content: dict[str, Any], what: str
) -> None:
    assert event_from_update(message(**content)) == Unsupported(what)


@pytest.mark.parametrize(
    "service",
    [
        {"new_chat_title": "Renamed"},
        {"pinned_message": {"message_id": 1, "date": 0, "chat": PRIVATE}},
    ],
)
def test_service_messages_are_nothing(service: dict[str, Any]) -> None:
    assert event_from_update(message(**service)) is None


def test_channel_post_is_nothing() -> None:
    post = update(
        channel_post={
            "message_id": 1,
            "date": 0,
            "chat": {"id": -1001, "type": "channel", "title": "News"},
            "text": "hello",
        }
    )
    expected: tuple[Event | None, bool] = (None, False)
    assert (event_from_update(post), is_private(post)) == expected
