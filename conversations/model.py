"""Plain data shared by the interview engine, the drafter and the adapters.

Everything here is Telegram-free and SQL-free: events come in, replies and effects go out,
and the interview state round-trips through JSON so that storage can keep it in one column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class QuestionKind(StrEnum):
    """What sort of answer a question takes."""

    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    YES_NO = "yes_no"
    MEDIA = "media"
    LINK = "link"
    CONTACT = "contact"


@dataclass(frozen=True)
class Option:
    """One choice of a choice, multi or yes/no question."""

    id: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Ask a question only if an earlier answer matches.

    ``any_of`` matches when the answer (any selected option for multi questions) is one of
    the listed option ids; ``answered`` matches on whether the question has a non-skipped
    answer at all. All given parts must hold.
    """

    question: str
    any_of: tuple[str, ...] = ()
    answered: bool | None = None


@dataclass(frozen=True)
class Question:
    """One step of an interview script."""

    id: str
    kind: QuestionKind
    prompt: str
    label: str
    optional: bool = False
    help: str | None = None
    probe: str | None = None
    thin_words: int = 5
    options: tuple[Option, ...] = ()
    when: tuple[Condition, ...] = ()
    allow_media: bool = False
    stop_on: tuple[str, ...] = ()
    stop_message: str | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class QuestionTranslation:
    """One question's texts in another language; ``None`` falls back to the script's own.
    ``options`` maps option ids (never translated) to labels."""

    id: str
    prompt: str | None = None
    label: str | None = None
    help: str | None = None
    probe: str | None = None
    stop_message: str | None = None
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class ScriptTranslation:
    """A script's words in one language; ``partial`` ones may leave texts out."""

    language: str
    partial: bool = False
    title: str | None = None
    welcome: str | None = None
    thanks: str | None = None
    questions: tuple[QuestionTranslation, ...] = ()

    def question(self, question_id: str) -> QuestionTranslation | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Script:
    """A validated interview script: data, not code."""

    id: str
    version: int
    title: str
    language: str
    welcome: str
    thanks: str
    questions: tuple[Question, ...]
    description: str = ""
    resume_after_hours: float = 6.0
    translations: tuple[ScriptTranslation, ...] = ()

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def translation(self, language: str) -> ScriptTranslation | None:
        return next((t for t in self.translations if t.language == language), None)


@dataclass(frozen=True)
class MediaRef:
    """A file, place or contact a contributor sent, as a reference (never the bytes).

    ``kind`` is one of photo, document, voice, video, video_note, audio, animation,
    location, contact, link. ``meta`` holds JSON-able extras (mime type, file name,
    size, duration, latitude/longitude, phone number, url...).
    """

    kind: str
    file_id: str | None = None
    file_unique_id: str | None = None
    caption: str = ""
    group_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "caption": self.caption,
            "group_id": self.group_id,
            "meta": dict(self.meta),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaRef:
        return cls(
            kind=str(data["kind"]),
            file_id=data.get("file_id"),
            file_unique_id=data.get("file_unique_id"),
            caption=str(data.get("caption") or ""),
            group_id=data.get("group_id"),
            meta=dict(data.get("meta") or {}),
        )


@dataclass(frozen=True)
class Answer:
    """The current answer to one question.

    ``text`` is everything typed for it (a probe's follow-up is appended), ``choices`` the
    selected option ids, ``media`` attachments in arrival order. ``message_ids`` are the
    chat message ids the answer came from, so an edited message can update it.
    """

    question_id: str
    text: str = ""
    choices: tuple[str, ...] = ()
    media: tuple[MediaRef, ...] = ()
    message_ids: tuple[int, ...] = ()
    skipped: bool = False
    answered_at: datetime | None = None

    def is_empty(self) -> bool:
        return not self.text.strip() and not self.choices and not self.media

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "text": self.text,
            "choices": list(self.choices),
            "media": [m.to_json() for m in self.media],
            "message_ids": list(self.message_ids),
            "skipped": self.skipped,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        at = data.get("answered_at")
        return cls(
            question_id=str(data["question_id"]),
            text=str(data.get("text") or ""),
            choices=tuple(str(c) for c in data.get("choices") or ()),
            media=tuple(MediaRef.from_json(m) for m in data.get("media") or ()),
            message_ids=tuple(int(i) for i in data.get("message_ids") or ()),
            skipped=bool(data.get("skipped", False)),
            answered_at=datetime.fromisoformat(at) if at else None,
        )


# --- events: what the contributor did -------------------------------------------------


@dataclass(frozen=True)
class Started:
    """/start, or the terminal chat opening. ``script_id`` comes from a deep-link payload."""

    script_id: str | None = None


@dataclass(frozen=True)
class TextSent:
    """Typed text. ``may_continue`` says it may be the next part of a long message the
    client split (Telegram does that above 4096 characters); a terminal never splits."""

    text: str
    message_id: int | None = None
    may_continue: bool = True


@dataclass(frozen=True)
class MediaSent:
    """A photo, document, voice note, location, contact... ``media.caption`` carries text."""

    media: MediaRef
    message_id: int | None = None


@dataclass(frozen=True)
class Pressed:
    """A button press carrying the ``data`` of a :class:`Button` the engine produced."""

    data: str


@dataclass(frozen=True)
class CommandSent:
    """A command: skip, back, review, cancel, help, status, submit, done."""

    name: str
    argument: str = ""


@dataclass(frozen=True)
class Unsupported:
    """Content the interview cannot take (sticker, poll, dice...), named by ``what``."""

    what: str


@dataclass(frozen=True)
class MessageEdited:
    """The contributor edited a chat message that may have been an answer."""

    message_id: int
    text: str


Event = Started | TextSent | MediaSent | Pressed | CommandSent | Unsupported | MessageEdited


# --- replies and effects: what the engine decided --------------------------------------


@dataclass(frozen=True)
class Button:
    """A button; ``data`` is opaque to adapters and at most 64 bytes of UTF-8."""

    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to the contributor: plain text (adapters escape it) and button rows.

    ``heading`` is shown emphasised above ``text`` where the channel can.
    """

    text: str
    heading: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class AnswerSaved:
    """An answer was created or changed; storage records it (and a revision)."""

    answer: Answer


@dataclass(frozen=True)
class InterviewSubmitted:
    pass


@dataclass(frozen=True)
class InterviewCancelled:
    pass


@dataclass(frozen=True)
class InterviewDeclined:
    """Consent was refused: nothing more is asked or kept beyond the refusal."""


@dataclass(frozen=True)
class RestartRequested:
    """The contributor chose to start over: storage abandons this interview, begins anew."""

    script_id: str


@dataclass(frozen=True)
class LanguageChosen:
    """The contributor picked a language with /language: storage remembers it for them."""

    language: str


Effect = (
    AnswerSaved
    | InterviewSubmitted
    | InterviewCancelled
    | InterviewDeclined
    | RestartRequested
    | LanguageChosen
)


@dataclass(frozen=True)
class Person:
    """Who is talking: a Telegram user (or the terminal's local user) and their chat."""

    user_id: int
    chat_id: int
    name: str = ""
    username: str | None = None
    language: str | None = None
