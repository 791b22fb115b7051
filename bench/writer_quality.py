"""How the writer model's checker holds up: the drafting fixtures, rewritten by a fake
OpenAI-compatible server that invents facts.

Run ``python bench/writer_quality.py``. Every fixture interview in
``tests/drafting/fixtures/`` is drafted, and each field the writer would send is rewritten by
the fake server on 127.0.0.1 in three ways: faithfully, with invented facts in sentences of
their own, and with invented facts slipped into a faithful sentence. It prints, per way:
fields sent, fields rewritten, fields that kept the deterministic text, sentences the
checker dropped, invented facts that passed the checker (the goal is 0), and how many of
the fixtures' must-keep phrases no longer appear word for word in their field (a faithful
rewrite rewords "we" as "they", and an anonymous contributor's name as "the contributor";
a lost fact makes the field keep the deterministic text). It always exits 0: these are
figures to watch, not a test. ``measure()`` returns the same figures for other benches.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.writer_model import OpenAICompatibleModel
from conversations.drafting import DraftRecord, build_draft
from conversations.writer import (
    LEFT_OUT_FIELD,
    Withheld,
    check_rewrite,
    prompt_messages,
    withheld_terms,
)
from conversations.writer_record import apply_rewrites, field_requests
from tests.drafting.fixture_data import Interview, all_interviews
from tests.fake_llm_api import INVENTED_FACTS, FakeLlmApi

MODES = ("good", "invent", "invent_inside")


@dataclass
class WriterFigures:
    interviews: int = 0
    fields_sent: int = 0
    fields_rewritten: int = 0
    fields_kept: int = 0
    sentences_dropped: int = 0
    invented_facts_offered: int = 0
    invented_facts_passed: int = 0
    must_keep_facts: int = 0
    must_keep_facts_reworded: int = 0


def _withheld(interview: Interview) -> Withheld:
    answers = interview.answers
    credit = answers.get("credit")

    def text(qid: str) -> str | None:
        answer = answers.get(qid)
        return answer.text if answer is not None and not answer.skipped else None

    return withheld_terms(
        credit_choice=credit.choices[0] if credit is not None and credit.choices else None,
        contributor_names=[interview.contributor_name],
        credit_name=text("credit_name"),
        credit_org=text("credit_org"),
        contact=text("contact_how"),
    )


def _text(record: DraftRecord) -> dict[str, str]:
    return {n: f.text for n, f in record.fields.items() if n != LEFT_OUT_FIELD}


async def _measure_mode(mode: str, interviews: list[Interview]) -> WriterFigures:
    figures = WriterFigures(interviews=len(interviews))
    async with FakeLlmApi(mode=mode) as llm:
        model = OpenAICompatibleModel(llm.base_url, "fake-model", timeout_seconds=5)
        try:
            for interview in interviews:
                record = build_draft(
                    interview.script,
                    interview.answers,
                    contributor_name=interview.contributor_name,
                )
                withheld = _withheld(interview)
                rewrites = []
                for request in field_requests(record, set(), withheld):
                    figures.fields_sent += 1
                    content = await model.complete(prompt_messages(request))
                    rewrite = check_rewrite(request, content or "")
                    rewrites.append(rewrite)
                    figures.sentences_dropped += len(rewrite.flagged)
                    if rewrite.used:
                        figures.fields_rewritten += 1
                    else:
                        figures.fields_kept += 1
                    if mode != "good":
                        figures.invented_facts_offered += sum(
                            len(f) for f in INVENTED_FACTS.values()
                        )
                written = apply_rewrites(record, rewrites)
                before, after = _text(record), _text(written)
                for name, text in after.items():
                    for facts in INVENTED_FACTS.values():
                        figures.invented_facts_passed += sum(
                            1 for f in facts if f in text and f not in before.get(name, "")
                        )
                for name, facts in (interview.expect.get("fields") or {}).items():
                    for fact in facts:
                        if fact.casefold() in before.get(name, "").casefold():
                            figures.must_keep_facts += 1
                            if fact.casefold() not in after.get(name, "").casefold():
                                figures.must_keep_facts_reworded += 1
        finally:
            await model.close()
    return figures


def measure(modes: tuple[str, ...] = MODES) -> dict[str, WriterFigures]:
    """Figures per way of answering, over every drafting fixture."""
    interviews = all_interviews()

    async def run() -> dict[str, WriterFigures]:
        return {mode: await _measure_mode(mode, interviews) for mode in modes}

    return asyncio.run(run())


def main() -> int:
    results = measure()
    print("writer model over the drafting fixtures (fake server on 127.0.0.1)")
    for mode, figures in results.items():
        print(f"\n{mode}:")
        for key, value in asdict(figures).items():
            print(f"  {key.replace('_', ' '):<26} {value}")
        if mode != "good":
            verdict = "PASS" if figures.invented_facts_passed == 0 else "FAIL"
            print(f"  invented facts passing: goal 0 -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
