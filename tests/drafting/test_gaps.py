"""Follow-up questions for what a draft is missing, in the contributor's own terms."""

from __future__ import annotations

from conversations.drafting import build_draft
from conversations.gaps import Gap, mentioned_group
from conversations.model import Answer
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]


def answers(**texts: str) -> dict[str, Answer]:
    return {qid: Answer(qid, text=text) for qid, text in texts.items()}


def test_missing_final_say_names_the_group_and_the_budget() -> None:
    given = answers(
        project="A youth budget for the borough", who="a youth panel and two council officers"
    )
    given["together"] = Answer("together", choices=("resources",))
    draft = build_draft(FULL, given)
    power = [g for g in draft.gaps if g.field == "power_sharing"]
    assert power == [
        Gap(
            "power_sharing",
            "You mentioned a youth panel: who had the final say on the budget?",
            "missing",
        )
    ]


def test_generic_question_when_no_group_is_mentioned() -> None:
    draft = build_draft(FULL, answers(project="A mural on the high street"))
    power = [g.question for g in draft.gaps if g.field == "power_sharing"]
    assert power == ["Who had the final say on the big decisions?"]


def test_a_decision_without_a_final_say_is_thin() -> None:
    draft = build_draft(
        FULL, answers(project="A new park", who="parents", decision="we voted on the slide")
    )
    power = [g for g in draft.gaps if g.field == "power_sharing"]
    assert power == [
        Gap("power_sharing", "You mentioned parents: who had the final say on decisions?", "thin")
    ]


def test_short_answer_below_the_scripts_threshold_is_thin() -> None:
    draft = build_draft(FULL, answers(project="garden"))
    assert [g.reason for g in draft.gaps if g.field == "summary"] == ["thin"]


def test_filled_fields_have_no_gaps() -> None:
    draft = build_draft(
        FULL,
        answers(
            project="A community fridge run by volunteers in the church hall every day",
            hard="finding volunteers for Sundays was the hardest part",
        ),
    )
    assert {"summary", "challenges"} & {g.field for g in draft.gaps} == set()


def test_group_phrases_keep_the_contributors_article() -> None:
    assert [
        mentioned_group(answers(who="our steering group and some parents")),
        mentioned_group(answers(who="the Hillside Residents Forum")),
        mentioned_group(answers(who="residents")),
        mentioned_group(answers(who="just me")),
    ] == ["your steering group", "the Hillside Residents Forum", "residents", None]


def test_gap_round_trips_through_json() -> None:
    gap = Gap("outcomes", "What changed because of it?", "missing")
    assert Gap.from_json(gap.to_json()) == gap
