"""Properties of the engine under random event sequences, for both shipped scripts.

For every step of every sequence:
(a) the engine does not raise (``step`` lets a bug raise, for the service to log);
(b) every button's data is at most 64 bytes of UTF-8;
(c) no answer is lost: an answer in the state only changes together with an AnswerSaved
    effect carrying exactly the new answer, and no answer is ever removed. So at the end,
    for every question that had an AnswerSaved, the latest saved answer equals the state's
    answer. This holds whatever the final status, including ABANDONED and DECLINED: the
    engine keeps answers and storage decides what to delete;
(d) the state survives a JSON round trip exactly.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from conversations.engine import _step, begin
from conversations.model import (
    Answer,
    AnswerSaved,
    CommandSent,
    Event,
    MediaRef,
    MediaSent,
    MessageEdited,
    Pressed,
    Script,
    Started,
    TextSent,
    Unsupported,
)
from conversations.script import builtin_scripts
from conversations.state import InterviewState, Outcome
from tests.conversations.dialogs import T0

SCRIPTS = builtin_scripts()

SPECIAL_TEXTS = [
    "",
    " ",
    "yes",
    "no",
    "1",
    "2,3",
    "design and delivery",
    "example.org/x",
    "heard it on local radio",
    "sam@example.org",
    "Ünïcødé ✨ 😀 مرحبا",
    "x" * 10_000,
    "word " * 2_000,
]
GOOD_ANSWER = "Residents and staff planned the new garden together over many evenings"
COMMANDS = ["skip", "skip", "back", "review", "cancel", "submit", "done", "help", "status"]
MEDIA_KINDS = ["photo", "document", "voice", "video", "link", "contact", "location", "sticker"]
# mostly quick replies; now and then a pause, a split message's next part, or a long break
# (rare values sit in the middle: Hypothesis favours the ends of an integer range)
JUMPS = [timedelta(0)] * 250 + [timedelta(seconds=5)] * 6 + [timedelta(seconds=25)] * 3
JUMPS += [timedelta(days=1)] + [timedelta(0)] * 250
UNCOOPERATIVE = ("x", "xy", "wr", "c|consent|no")  # buttons that end an interview early

texts = st.one_of(st.sampled_from(SPECIAL_TEXTS), st.text(max_size=40))


def forged_data(script: Script) -> st.SearchStrategy[str]:
    qids = [q.id for q in script.questions] + ["nope", ""]
    oids = [o.id for q in script.questions for o in q.options] + ["zz"]
    structured = st.builds(
        lambda a, q, o: "|".join(p for p in (a, q, o) if p is not None),
        st.sampled_from(["c", "t", "d", "k", "s", "b", "e", "x", "?"]),
        st.sampled_from(qids),
        st.one_of(st.none(), st.sampled_from(oids)),
    )
    fixed = st.sampled_from(["sub", "x", "xy", "xn", "wc", "wr", "h", "", "|", "c||", "é" * 70])
    return st.one_of(structured, fixed, st.text(max_size=80))


class OfferedButton:
    """Press the n-th button of the last replies (modulo how many there were)."""

    def __init__(self, index: int) -> None:
        self.index = index


def events(script: Script, *, cooperative: bool) -> st.SearchStrategy[Event | OfferedButton]:
    """Random events; a cooperative contributor mostly answers and presses what is offered,
    so runs get deep into the script (review, submission); the other kind does anything."""
    media = st.builds(
        lambda kind, group, caption, mid: MediaSent(
            MediaRef(
                kind=kind, file_id="f", group_id=group, caption=caption, meta={"url": "u.org"}
            ),
            message_id=mid,
        ),
        st.sampled_from(MEDIA_KINDS),
        st.sampled_from([None, "g1", "g2"]),
        texts,
        st.one_of(st.none(), st.integers(1, 30)),
    )
    weighted: list[
        tuple[int, st.SearchStrategy[Event | OfferedButton]]
    ] = [  # (weight, strategy): mostly what a contributor does, sometimes odd things
        (40, st.builds(OfferedButton, st.integers(0, 40))),
        (20, st.builds(TextSent, texts, st.one_of(st.none(), st.integers(1, 30)))),
        (15, st.builds(TextSent, st.just(GOOD_ANSWER), st.integers(1, 30))),
        (5, st.builds(Pressed, forged_data(script))),
        (8, media),
        (6, st.builds(CommandSent, st.one_of(st.sampled_from(COMMANDS), st.text(max_size=10)))),
        (8, st.builds(MessageEdited, st.integers(1, 30), texts)),
        (3, st.builds(Unsupported, st.one_of(st.just("sticker"), st.text(max_size=20)))),
        (2, st.builds(Started, st.sampled_from([None, "spotted", "full-story"]))),
        (1, st.builds(CommandSent, st.just("start"))),
    ]
    if cooperative:
        weighted = [(w * 10 if i in (0, 2) else w, strat) for i, (w, strat) in enumerate(weighted)]
    table = [strategy for weight, strategy in weighted for _ in range(weight)]
    table.append(table[0])  # Hypothesis favours the ends of an integer range
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


EVENTS = {
    (script_id, cooperative): events(script, cooperative=cooperative)
    for script_id, script in SCRIPTS.items()
    for cooperative in (False, True)
}


def check_step(before: InterviewState, outcome: Outcome) -> None:
    after = outcome.state
    for reply in outcome.replies:
        for row in reply.buttons:
            for button in row:
                assert len(button.data.encode("utf-8")) <= 64, button.data
    saved: dict[str, Answer] = {}
    for effect in outcome.effects:
        if isinstance(effect, AnswerSaved):
            saved[effect.answer.question_id] = effect.answer
    assert set(before.answers) <= set(after.answers), "an answer was removed"
    for qid, answer in after.answers.items():
        if qid in saved:
            assert answer == saved[qid]
        else:
            assert answer == before.answers.get(qid), f"{qid} changed without AnswerSaved"
    assert InterviewState.from_json(json.loads(json.dumps(after.to_json()))) == after


@pytest.mark.parametrize("cooperative", [False, True], ids=["anything", "cooperative"])
@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_event_sequences_keep_the_engine_sound(
    script_id: str, cooperative: bool, data: st.DataObject
) -> None:
    script = SCRIPTS[script_id]
    now = T0
    outcome = begin(script, now)
    check_step(InterviewState(script.id, script.version), outcome)
    latest: dict[str, Answer] = {}
    if data.draw(st.integers(0, 4), label="consent first") > 0:
        before = outcome.state
        outcome = _step(script, before, Pressed("c|consent|yes"), now)
        check_step(before, outcome)
        latest["consent"] = outcome.state.answers["consent"]
    seen_modes: set[str] = set()
    for _ in range(data.draw(st.integers(1, 80), label="length")):
        offered = [b.data for r in outcome.replies for row in r.buttons for b in row]
        if cooperative:
            offered = [d for d in offered if d not in UNCOOPERATIVE] or offered
        drawn = data.draw(EVENTS[script_id, cooperative], label="event")
        if isinstance(drawn, OfferedButton):
            event: Event = Pressed(offered[drawn.index % len(offered)] if offered else "x")
        else:
            event = drawn
        now += JUMPS[data.draw(st.integers(0, len(JUMPS) - 1), label="jump")]
        before = outcome.state
        outcome = _step(script, before, event, now)
        check_step(before, outcome)
        assert outcome.state.last_event_at == now
        seen_modes.add(f"{outcome.state.status.value}/{outcome.state.mode.value}")
        for effect in outcome.effects:
            if isinstance(effect, AnswerSaved):
                latest[effect.answer.question_id] = effect.answer
    assert {qid: outcome.state.answers[qid] for qid in latest} == latest
    for seen in sorted(seen_modes):
        hypothesis_event(f"reached {seen}")
