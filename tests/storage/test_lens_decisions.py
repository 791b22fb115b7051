"""Staff confirms and rejects of lens suggestions, read back as training snippets for the
lens's learned model (``bench/lens_train.py --from-database``)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from conversations.lens import LensSuggestion, load_lens
from storage.database import Database
from storage.lens_decisions import LensDecision, lens_decisions
from storage.migrate import upgrade
from tests.storage.test_review import NIA, OWEN, desk_on, spotted

BENCH = Path(__file__).resolve().parents[2] / "bench"
PLAYGROUND = (
    "Parents and the school redesigned the playground together and split the jobs between us."
)
FOOD_BANK = "Tenants run the food bank every Friday and we voted on the opening hours."


async def review_two_drafts(database: Database) -> tuple[LensSuggestion, ...]:
    """Two submitted stories: on the first, staff confirm its first tag and reject its
    second; on the second they confirm one tag and leave the rest undecided."""
    desk = desk_on(database)
    playground = await desk.submit(spotted(42, "Ada Lovelace", PLAYGROUND))
    food_bank = await desk.submit(spotted(43, "Grace Hopper", FOOD_BANK))
    first = await desk.review.card(playground)
    second = await desk.review.card(food_bank)
    assert first is not None and second is not None
    design, together = first.record.lens[:2]
    delivery = next(s for s in second.record.lens if s.key == "stages/co_delivery")
    await desk.review.decide_tag(NIA, playground, design.key, "confirmed")
    await desk.review.decide_tag(OWEN, playground, together.key, "rejected")
    await desk.review.decide_tag(NIA, food_bank, delivery.key, "confirmed")
    return design, together, delivery


async def test_decided_suggestions_are_read_back_and_undecided_ones_are_not(
    database: Database,
) -> None:
    design, together, delivery = await review_two_drafts(database)

    assert await lens_decisions(database) == [
        LensDecision("project", design.evidence, design.key, True),
        LensDecision("project", together.evidence, together.key, False),
        LensDecision("project", delivery.evidence, delivery.key, True),
    ]
    assert await lens_decisions(database, "cy") == []


def test_lens_train_turns_decisions_into_snippets_that_speak_only_for_their_tags(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'reviewed.db'}"

    async def prepare() -> tuple[LensSuggestion, ...]:
        await upgrade(url)
        database = Database.from_url(url)
        try:
            return await review_two_drafts(database)
        finally:
            await database.dispose()

    design, together, delivery = asyncio.run(prepare())
    sys.path.insert(0, str(BENCH))
    from lens_train import staff_snippets

    snippets = staff_snippets(url, [r.key for r in load_lens().rules])

    by_quote = {s.text: s for s in snippets}
    assert set(by_quote) == {PLAYGROUND, FOOD_BANK}
    playground, food_bank = by_quote[PLAYGROUND], by_quote[FOOD_BANK]
    assert (playground.tags, playground.known) == (
        {design.key},
        {design.key, together.key},
    )
    assert (food_bank.tags, food_bank.known) == ({delivery.key}, {delivery.key})
    assert not food_bank.speaks_for("stages/co_decision")  # suggested, never decided
