"""``evolve`` is ``dataclasses.replace`` for a state, field for field."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from conversations.model import Answer
from conversations.state import InterviewState, Mode, Status, evolve


def test_evolve_is_replace() -> None:
    state = InterviewState("s", 2, answers={"q": Answer("q", text="hi")}, trail=("q",))
    changes: dict[str, object] = {
        "status": Status.SUBMITTED,
        "mode": Mode.REVIEW,
        "current": None,
        "last_event_at": datetime(2026, 1, 2, tzinfo=UTC),
        "language": "de",
    }
    evolved = evolve(state, changes)
    assert evolved == dataclasses.replace(state, **changes)  # type: ignore[arg-type]
    assert evolved.__dict__ == dataclasses.replace(state, **changes).__dict__  # type: ignore[arg-type]
    assert state.status is Status.ACTIVE and state.language == "en"  # the original untouched
    assert evolve(state, {}) == state and evolve(state, {}) is not state


def test_evolve_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError, match="nope"):
        evolve(InterviewState("s", 1), {"nope": 1})


def test_state_has_nothing_for_evolve_to_skip() -> None:
    # evolve copies fields without __init__: a __post_init__ or slots would need it back.
    assert not hasattr(InterviewState, "__post_init__")
    assert not hasattr(InterviewState, "__slots__")
