"""Staff decisions on lens suggestions, read back as labelled examples for the learned model.

Every confirm or reject on a draft's card says whether one tag fits one quoted sentence:
``bench/lens_train.py --from-database`` trains on them beside the labelled snippets.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from conversations.lens import LensSuggestion
from conversations.tidy import DEFAULT_LANGUAGE
from storage.database import Database
from storage.models import Draft


@dataclass(frozen=True)
class LensDecision:
    """One staff decision: whether ``tag`` fits the ``quote`` from the answer to ``question``."""

    question: str
    quote: str
    tag: str
    confirmed: bool


async def lens_decisions(
    database: Database, language: str = DEFAULT_LANGUAGE
) -> list[LensDecision]:
    """Every confirmed or rejected lens suggestion in drafts of ``language``, oldest first.

    Suggestions nobody has decided on say nothing and are left out.
    """
    decisions: list[LensDecision] = []
    async with database.read_session() as session:
        bodies = await session.stream_scalars(
            select(Draft.body).order_by(Draft.id).execution_options(yield_per=500)
        )
        async for body in bodies:
            if str(body.get("language") or DEFAULT_LANGUAGE) != language:
                continue
            for raw in body.get("lens") or ():
                suggestion = LensSuggestion.from_json(raw)
                if suggestion.status == "suggested":
                    continue
                decisions.append(
                    LensDecision(
                        suggestion.question_id,
                        suggestion.evidence,
                        suggestion.key,
                        suggestion.status == "confirmed",
                    )
                )
    return decisions
