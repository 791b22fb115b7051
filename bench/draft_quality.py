"""How much of an interview its draft keeps, once, and whether the title is usable.

Run ``python bench/draft_quality.py [--misses]``. For the tuning fixtures
(``tests/drafting/fixtures/*.yaml``) and, apart, the held-out ones (``fixtures/held_out/``,
written before the drafter they measure and never tuned on), it prints: answer sentences
placed exactly once / dropped / repeated in two or more fields, must-keep facts found in the
draft's own fields, and titles that are the project's own name / usable. Goals: 0 dropped,
0 repeated, 100% of facts, usable titles in at least 9 of 10. Always exits 0: figures to
watch, not a test; ``tests/drafting/test_invariants.py`` asserts the invariants.

``--text`` counts placements by matching sentence text instead of the sentences' recorded
answer-sentence references, for drafts made before references existed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversations.drafting import DraftRecord, build_draft
from tests.drafting.fixture_data import (
    Interview,
    all_interviews,
    held_out_interviews,
)
from tests.drafting.quality import (
    answer_units,
    facts_missing,
    placement_counts,
    text_placement_counts,
    title_verdict,
)

TITLE_GOAL = 0.9


def _draft(interview: Interview) -> DraftRecord:
    return build_draft(
        interview.script,
        interview.answers,
        contributor_name=interview.contributor_name,
        language=interview.language,
    )


def report(name: str, interviews: list[Interview], *, by_text: bool, misses: bool) -> None:
    placed = dropped = repeated = 0
    facts = found = 0
    named = named_ok = usable = 0
    lines: list[str] = []
    for interview in interviews:
        draft = _draft(interview)
        units = answer_units(interview)
        counts: Counter[str] = (
            text_placement_counts(draft, interview, units) if by_text else placement_counts(draft)
        )
        for ref, _ in units:
            seen = counts.get(ref, 0)
            placed += seen == 1
            dropped += seen == 0
            repeated += seen > 1
            if misses and seen != 1:
                lines.append(f"  {interview.name}: {ref} placed {seen}x")
        missing = facts_missing(draft, interview)
        facts += len(interview.must_keep)
        found += len(interview.must_keep) - len(missing)
        if misses:
            lines += [f"  {interview.name}: fact missing: {fact}" for fact in missing]
        is_name, ok = title_verdict(interview, draft.title)
        if interview.title and interview.title.get("name"):
            named += 1
            named_ok += is_name
        usable += ok
        if misses and not ok:
            lines.append(f"  {interview.name}: title not usable: {draft.title!r}")
    total = placed + dropped + repeated
    share = found / facts if facts else 1.0
    titles = usable / len(interviews) if interviews else 1.0
    print(f"{name}: {len(interviews)} interviews, {total} answer sentences")
    print(f"  sentences placed once {placed}, dropped {dropped}, repeated {repeated}")
    print(f"  must-keep facts in fields {found}/{facts} ({share:.0%})")
    print(f"  titles: project's own name {named_ok}/{named}, usable {usable}/{len(interviews)}")
    goals = dropped == 0 and repeated == 0 and found == facts and titles >= TITLE_GOAL
    print(f"  goals {'met' if goals else 'NOT met'}")
    for line in lines:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list what missed a goal")
    parser.add_argument("--text", action="store_true", help="count placements by text")
    parser.add_argument("--no-writer", action="store_true", help="skip the writer model")
    args = parser.parse_args()
    report("tuning set", all_interviews(), by_text=args.text, misses=args.misses)
    report("held-out set", held_out_interviews(), by_text=args.text, misses=args.misses)
    if not args.no_writer:
        # The writer model, against a fake server that also invents facts the checker must
        # catch (see bench/writer_quality.py for the figures per answer mode).
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from writer_quality import measure

        print("\nwriter model (fake server, invented facts offered):")
        for mode, figures in measure().items():
            print(
                f"  {mode:<22} fields rewritten {figures.fields_rewritten}, sentences dropped "
                f"{figures.sentences_dropped}, invented facts passing the checker "
                f"{figures.invented_facts_passed} (goal 0)"
            )


if __name__ == "__main__":
    main()
