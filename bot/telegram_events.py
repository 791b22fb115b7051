"""Translate a python-telegram-bot ``Update`` into the core's plain events and people.

This is the whole of what the interview needs to know about an incoming update; handlers call
these and hand the result to the service, so Telegram's many message shapes stop here.
"""

from __future__ import annotations

import re
import warnings
from datetime import timedelta
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.warnings import PTBDeprecationWarning

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

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Deep-link payloads that name a script by another name (t.me/bot?start=story).
SCRIPT_ALIASES = {"spotted": "spotted", "full": "full-story", "story": "full-story"}
# Content the interview cannot take, in the order they are checked.
_UNSUPPORTED = (
    "sticker",
    "poll",
    "dice",
    "game",
    "story",
    "invoice",
    "successful_payment",
    "passport_data",
    "paid_media",
    "live_photo",
    "checklist",
    "giveaway",
)


def is_private(update: Update) -> bool:
    """Whether the update comes from a one-to-one chat with the bot."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def person_from_update(update: Update) -> Person | None:
    """Who sent the update and in which chat, or None for updates without both."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return Person(
        user_id=user.id,
        chat_id=chat.id,
        name=user.full_name,
        username=user.username,
        language=user.language_code,
    )


def event_from_update(update: Update) -> Event | None:
    """The contributor's action in the update, or None if it is nothing the interview sees."""
    if update.callback_query is not None:
        data = update.callback_query.data
        return Pressed(data) if data else None
    if update.edited_message is not None:
        edited = update.edited_message
        return MessageEdited(edited.message_id, edited.text) if edited.text is not None else None
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        return _command(message) or TextSent(message.text, message.message_id)
    media = media_from_message(message)
    if media is not None:
        return MediaSent(media, message.message_id)
    for what in _UNSUPPORTED:
        if getattr(message, what, None):
            return Unsupported(what)
    return None


def start_payload(payload: str) -> str | None:
    """The script id a ``/start`` deep-link payload asks for, or None if it is not valid."""
    payload = payload.strip()
    if not _PAYLOAD.fullmatch(payload):
        return None
    return SCRIPT_ALIASES.get(payload.lower(), payload)


def _command(message: Message) -> Event | None:
    """``/name@bot argument`` as an event, when the text starts with a bot command."""
    text = message.text or ""
    entity = next(
        (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0),
        None,
    )
    if entity is None:
        return None
    command = message.parse_entity(entity)
    name = command.lstrip("/").split("@", 1)[0].lower()
    argument = text[len(command) :].strip()
    if name == "start":
        return Started(script_id=start_payload(argument))
    return CommandSent(name, argument)


def media_from_message(message: Message) -> MediaRef | None:
    """A reference to the file, place or contact in ``message`` (never its bytes)."""
    caption = message.caption or ""
    group = message.media_group_id
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        meta: dict[str, Any] = {
            "width": largest.width,
            "height": largest.height,
            "file_size": largest.file_size,
        }
        return _file("photo", largest, caption, group, meta)
    if message.animation is not None:
        animation = message.animation
        meta = {
            "file_name": animation.file_name,
            "mime_type": animation.mime_type,
            "file_size": animation.file_size,
            "duration": _seconds(animation, "duration"),
            "width": animation.width,
            "height": animation.height,
        }
        return _file("animation", animation, caption, group, meta)
    if message.document is not None:
        document = message.document
        meta = {
            "file_name": document.file_name,
            "mime_type": document.mime_type,
            "file_size": document.file_size,
        }
        return _file("document", document, caption, group, meta)
    if message.voice is not None:
        voice = message.voice
        meta = {
            "duration": _seconds(voice, "duration"),
            "mime_type": voice.mime_type,
            "file_size": voice.file_size,
        }
        return _file("voice", voice, caption, group, meta)
    if message.video is not None:
        video = message.video
        meta = {
            "duration": _seconds(video, "duration"),
            "width": video.width,
            "height": video.height,
            "mime_type": video.mime_type,
            "file_name": video.file_name,
            "file_size": video.file_size,
        }
        return _file("video", video, caption, group, meta)
    if message.video_note is not None:
        note = message.video_note
        meta = {
            "duration": _seconds(note, "duration"),
            "length": note.length,
            "file_size": note.file_size,
        }
        return _file("video_note", note, caption, group, meta)
    if message.audio is not None:
        audio = message.audio
        meta = {
            "duration": _seconds(audio, "duration"),
            "title": audio.title,
            "performer": audio.performer,
            "file_name": audio.file_name,
            "mime_type": audio.mime_type,
            "file_size": audio.file_size,
        }
        return _file("audio", audio, caption, group, meta)
    if message.venue is not None:
        venue = message.venue
        meta = {
            "latitude": venue.location.latitude,
            "longitude": venue.location.longitude,
            "title": venue.title,
            "address": venue.address,
        }
        return MediaRef(kind="location", caption=caption, meta=_compact(meta))
    if message.location is not None:
        location = message.location
        meta = {"latitude": location.latitude, "longitude": location.longitude}
        return MediaRef(kind="location", caption=caption, meta=meta)
    if message.contact is not None:
        contact = message.contact
        meta = {
            "phone_number": contact.phone_number,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "user_id": contact.user_id,
        }
        return MediaRef(kind="contact", caption=caption, meta=_compact(meta))
    return None


def _file(kind: str, file: Any, caption: str, group: str | None, meta: dict[str, Any]) -> MediaRef:
    return MediaRef(
        kind=kind,
        file_id=file.file_id,
        file_unique_id=file.file_unique_id,
        caption=caption,
        group_id=group,
        meta=_compact(meta),
    )


def _compact(meta: dict[str, Any]) -> dict[str, Any]:
    """Leave out what Telegram did not say, so stored references stay small."""
    return {key: value for key, value in meta.items() if value is not None}


def _seconds(media: object, attribute: str) -> int | None:
    """A duration in whole seconds, whichever type this python-telegram-bot version returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = getattr(media, attribute, None)
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    return round(float(value))
