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


@dataclass(frozen=True)
class Interview:
    name: str
    script: Script
    answers: dict[str, Answer]
    contributor_name: str | None
    expect: dict[str, Any]


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
    )


def all_interviews() -> list[Interview]:
    return [load_interview(p) for p in sorted(FIXTURES.glob("*.yaml"))]
