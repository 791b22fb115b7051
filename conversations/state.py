"""The state of one interview, kept by storage as JSON between two messages.

It is the whole memory of the conversation: restarts, other workers and days-long breaks
all resume from it. Fields are plain data so the JSON form stays stable across releases;
unknown keys are ignored and missing ones defaulted when reading an older form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from conversations.model import Answer, Effect, Reply


class Status(StrEnum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    ABANDONED = "abandoned"


class Mode(StrEnum):
    """Where inside an active interview the contributor is."""

    ASKING = "asking"
    PROBING = "probing"
    REVIEW = "review"
    CONFIRM_CANCEL = "confirm_cancel"
    WELCOME_BACK = "welcome_back"


@dataclass(frozen=True)
class InterviewState:
    script_id: str
    script_version: int
    status: Status = Status.ACTIVE
    mode: Mode = Mode.ASKING
    current: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    trail: tuple[str, ...] = ()
    probed: tuple[str, ...] = ()
    return_to_review: bool = False
    pending_choices: tuple[str, ...] = ()
    held_text: str | None = None
    resume_mode: Mode | None = None
    started_at: datetime | None = None
    last_event_at: datetime | None = None
    continuation_until: datetime | None = None
    last_media_group: str | None = None
    language: str = "en"

    def to_json(self) -> dict[str, Any]:
        def ts(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "script_id": self.script_id,
            "script_version": self.script_version,
            "status": self.status.value,
            "mode": self.mode.value,
            "current": self.current,
            "answers": {k: a.to_json() for k, a in self.answers.items()},
            "trail": list(self.trail),
            "probed": list(self.probed),
            "return_to_review": self.return_to_review,
            "pending_choices": list(self.pending_choices),
            "held_text": self.held_text,
            "resume_mode": self.resume_mode.value if self.resume_mode else None,
            "started_at": ts(self.started_at),
            "last_event_at": ts(self.last_event_at),
            "continuation_until": ts(self.continuation_until),
            "last_media_group": self.last_media_group,
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InterviewState:
        def ts(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        resume = data.get("resume_mode")
        return cls(
            script_id=str(data["script_id"]),
            script_version=int(data["script_version"]),
            status=Status(data.get("status", Status.ACTIVE.value)),
            mode=Mode(data.get("mode", Mode.ASKING.value)),
            current=data.get("current"),
            answers={str(k): Answer.from_json(v) for k, v in (data.get("answers") or {}).items()},
            trail=tuple(data.get("trail") or ()),
            probed=tuple(data.get("probed") or ()),
            return_to_review=bool(data.get("return_to_review", False)),
            pending_choices=tuple(data.get("pending_choices") or ()),
            held_text=data.get("held_text"),
            resume_mode=Mode(resume) if resume else None,
            started_at=ts(data.get("started_at")),
            last_event_at=ts(data.get("last_event_at")),
            continuation_until=ts(data.get("continuation_until")),
            last_media_group=data.get("last_media_group"),
            language=str(data.get("language") or "en"),
        )


_STATE_FIELDS = frozenset(f.name for f in fields(InterviewState))


def evolve(state: InterviewState, changes: Mapping[str, object]) -> InterviewState:
    """``dataclasses.replace(state, **changes)`` in a fraction of its time: the fields are
    copied as they are instead of passed through ``__init__`` again, one frozen
    ``__setattr__`` each (the state has no ``__post_init__`` to run). A step changes its
    state several times."""
    unknown = changes.keys() - _STATE_FIELDS
    if unknown:
        raise TypeError(f"InterviewState has no field {min(unknown)!r}")
    new = object.__new__(InterviewState)
    new.__dict__.update(state.__dict__)
    new.__dict__.update(changes)
    return new


@dataclass(frozen=True)
class Outcome:
    """What one step decided: the new state, messages to send, things storage must do.

    ``notice`` is a short acknowledgement for a button press (a toast on Telegram).
    """

    state: InterviewState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    notice: str | None = None
