"""Reading the drafting fixtures: interviews as YAML, with the facts each draft must hold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conversations.model import Answer, MediaRef, Option, Question, QuestionKind, Script
from conversations.script import builtin_scripts
from conversations.tidy import WordsLoader

FIXTURES = Path(__file__).parent / "fixtures"
# Written before the drafter they measure and never tuned on: the honest figures.
HELD_OUT = FIXTURES / "held_out"


@dataclass(frozen=True)
class Interview:
    name: str
    script: Script
    answers: dict[str, Answer]
    contributor_name: str | None
    expect: dict[str, Any]
    language: str = "en"
    held_out: bool = False
    # Facts the draft's own fields must hold, and the title rule: ``name`` (the project's
    # own name, when the contributor gave one) or ``any_of`` (words a usable title holds).
    must_keep: tuple[str, ...] = ()
    title: dict[str, Any] | None = None


def _script(raw: Any) -> Script:
    if isinstance(raw, str):
        return builtin_scripts()[raw]
    questions = tuple(
        Question(
            id=q["id"],
            kind=QuestionKind(q["kind"]),
            prompt=q.get("prompt", q["id"]),
            label=q.get("label", q["id"]),
            options=tuple(Option(o["id"], o["label"]) for o in q.get("options", ())),
        )
        for q in raw["questions"]
    )
    return Script(raw["id"], 1, raw["id"], "en", "hi", "thanks", questions)


def _answer(question_id: str, raw: Any) -> Answer:
    if isinstance(raw, str):
        return Answer(question_id, text=raw)
    return Answer(
        question_id,
        text=raw.get("text", ""),
        choices=tuple(raw.get("choices", ())),
        media=tuple(MediaRef.from_json(m) for m in raw.get("media", ())),
        skipped=bool(raw.get("skipped", False)),
    )


def load_interview(path: Path) -> Interview:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=WordsLoader)
    return Interview(
        name=path.stem,
        script=_script(data["script"]),
        answers={qid: _answer(qid, raw) for qid, raw in data["answers"].items()},
        contributor_name=data.get("contributor_name"),
        expect=data.get("expect") or {},
        language=str(data.get("language") or "en"),
        held_out=bool(data.get("held_out", False)),
        must_keep=tuple(str(f) for f in data.get("must_keep") or ()),
        title=data.get("title"),
    )


def all_interviews() -> list[Interview]:
    """The tuning set: interviews the drafter may be adjusted against."""
    return [load_interview(p) for p in sorted(FIXTURES.glob("*.yaml"))]


def held_out_interviews() -> list[Interview]:
    """The held-out set, reported apart and never tuned on."""
    return [load_interview(p) for p in sorted(HELD_OUT.glob("*.yaml"))]
