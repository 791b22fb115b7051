"""Dialog tables for engine tests: ``[(what the contributor does, what the bot says), ...]``.

A plain string is a typed message (with a fresh message id), ``press(data)`` a button,
``cmd(name)`` a command. The clock is explicit: a third item in a step moves it forward.
Every state along the way must survive a JSON round trip.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from conversations.engine import begin, step
from conversations.model import (
    AnswerSaved,
    CommandSent,
    Effect,
    Event,
    MediaRef,
    MediaSent,
    Pressed,
    Script,
    TextSent,
)
from conversations.state import InterviewState, Outcome

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

Step = tuple[Event | str, str] | tuple[Event | str, str, timedelta]


def press(data: str) -> Pressed:
    return Pressed(data)


def cmd(name: str) -> CommandSent:
    return CommandSent(name)


def media(n: int, kind: str = "photo", group: str | None = None, caption: str = "") -> MediaSent:
    """The n-th file sent in a test (message id 900 + n)."""
    ref = MediaRef(
        kind=kind, file_id=f"f{n}", file_unique_id=f"u{n}", caption=caption, group_id=group
    )
    return MediaSent(media=ref, message_id=900 + n)


def transcript(outcome: Outcome) -> str:
    """Everything the contributor would see: headings, texts, button labels, the toast."""
    parts: list[str] = []
    for reply in outcome.replies:
        if reply.heading:
            parts.append(reply.heading)
        parts.append(reply.text)
        parts.extend(button.label for row in reply.buttons for button in row)
    if outcome.notice:
        parts.append(outcome.notice)
    return "\n".join(parts)


def button_data(outcome: Outcome) -> list[str]:
    return [b.data for reply in outcome.replies for row in reply.buttons for b in row]


@dataclass
class Dialog:
    """A running conversation with a fake clock."""

    script: Script
    state: InterviewState
    now: datetime
    outcomes: list[Outcome] = field(default_factory=list)
    next_message_id: int = 1

    @classmethod
    def start(cls, script: Script, now: datetime = T0, language: str = "en") -> Dialog:
        outcome = begin(script, now, language)
        dialog = cls(script, outcome.state, now, [outcome])
        dialog.check_round_trip()
        return dialog

    def send(self, event: Event | str, after: timedelta = timedelta(0)) -> Outcome:
        self.now += after
        if isinstance(event, str):
            event = TextSent(event, message_id=self.next_message_id)
            self.next_message_id += 1
        outcome = step(self.script, self.state, event, self.now)
        self.state = outcome.state
        self.outcomes.append(outcome)
        self.check_round_trip()
        return outcome

    def check_round_trip(self) -> None:
        stored = json.loads(json.dumps(self.state.to_json()))  # as storage keeps it
        assert InterviewState.from_json(stored) == self.state

    @property
    def last(self) -> Outcome:
        return self.outcomes[-1]

    @property
    def effects(self) -> list[Effect]:
        return [e for o in self.outcomes for e in o.effects]

    def saved(self) -> list[AnswerSaved]:
        return [e for e in self.effects if isinstance(e, AnswerSaved)]


def run_dialog(script: Script, steps: Sequence[Step], dialog: Dialog | None = None) -> Dialog:
    """Play a table of steps, asserting each bot turn contains the expected words."""
    dialog = dialog or Dialog.start(script)
    for number, item in enumerate(steps, start=1):
        event, expected = item[0], item[1]
        after = item[2] if len(item) == 3 else timedelta(0)
        outcome = dialog.send(event, after)
        seen = transcript(outcome)
        assert expected in seen, f"step {number} ({event!r}): {expected!r} not in:\n{seen}"
    return dialog
