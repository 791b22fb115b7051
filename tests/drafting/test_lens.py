"""The co-production lens: rules from YAML, negation, the ``together`` mapping, extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.lens import LensError, LensSuggestion, load_lens, suggest_tags
from conversations.model import Answer
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]


def keys(text: str, question: str = "") -> set[str]:
    return {m.key for m in load_lens().match(text, question)}


def test_builtin_lens_covers_the_three_frameworks() -> None:
    lens = load_lens()
    by_framework: dict[str, set[str]] = {}
    for rule in lens.rules:
        by_framework.setdefault(rule.framework, set()).add(rule.tag)
    assert by_framework == {
        "nef": {"assets", "capacity", "mutuality", "networks", "blurring_of_roles", "catalysts"},
        "stages": {"co_commissioning", "co_design", "co_decision", "co_delivery", "co_evaluation"},
        "nsce": {
            "inclusion",
            "support",
            "planning",
            "working_together",
            "methods",
            "communication",
            "impact",
        },
    }


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("we all voted on it", "stages/co_decision", None),
        ("we didn't really have a say", None, "stages/co_decision"),
        ("we didn't vote, the manager decided", None, "stages/co_decision"),
        ("we never vote", None, "stages/co_decision"),
        ("it wasn't planned, but we voted anyway", "stages/co_decision", None),
        ("people co-designed the service", "stages/co_design", None),
        ("we had an interpreter", "nsce/inclusion", None),
        ("not much has changed", None, "nsce/impact"),
        ("they voted-ish", None, None),
        ("we didnt vote on it", None, "stages/co_decision"),
        ("the residents picked the artist", "stages/co_decision", None),
        ("the residents never picked anything, the council did", None, "stages/co_decision"),
        ("the council decided everything", None, "stages/co_decision"),
    ],
)
def test_match_respects_words_and_negation(
    text: str, present: str | None, absent: str | None
) -> None:
    found = keys(text)
    assert (present is None or present in found, absent is None or absent not in found) == (
        True,
        True,
    )


def test_whole_words_only() -> None:
    assert "stages/co_decision" not in keys("the devote of the parish")


def test_question_scoped_phrases_count_only_in_that_answer() -> None:
    assert ("nef/assets" in keys("time", "brought"), "nef/assets" in keys("time", "hard")) == (
        True,
        False,
    )


def test_together_choices_suggest_stages_with_the_option_label_as_evidence() -> None:
    answers = {"together": Answer("together", choices=("design", "resources"))}
    assert suggest_tags(load_lens(), FULL, answers) == (
        LensSuggestion("stages", "co_design", "Co-design", "Designing it", "together"),
        LensSuggestion(
            "stages",
            "co_decision",
            "Co-decision",
            "Deciding where money or resources go",
            "together",
        ),
    )


def test_suggestions_are_one_per_tag_with_typed_words_preferred() -> None:
    answers = {
        "project": Answer("project", text="We voted on everything. We voted again later."),
        "decision": Answer("decision", text="We voted on the opening times."),
        "together": Answer("together", choices=("resources",)),
    }
    decisions = [s for s in suggest_tags(load_lens(), FULL, answers) if s.tag == "co_decision"]
    assert decisions == [
        LensSuggestion(
            "stages", "co_decision", "Co-decision", "We voted on the opening times.", "decision"
        )
    ]


def test_evidence_is_verbatim_from_the_answer() -> None:
    raw = "um so like   the residents VOTED on it , honestly. Then tea."
    answers = {"decision": Answer("decision", text=raw)}
    suggestions = suggest_tags(load_lens(), FULL, answers)
    assert [s.evidence for s in suggestions if s.tag == "co_decision"] == [
        "um so like   the residents VOTED on it , honestly."
    ]
    assert all(s.evidence in raw for s in suggestions)


def test_staff_file_extends_known_tags_and_adds_new_ones(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "tags:\n"
        "  - id: stages/co_decision\n"
        "    en: {phrases: [show of hands]}\n"
        "  - id: local/food\n"
        "    label: Food\n"
        "    en: {phrases: [soup]}\n",
        encoding="utf-8",
    )
    lens = load_lens().extend(load_lens(extra))
    found = {m.key for m in lens.match("a show of hands over soup")}
    assert found >= {"stages/co_decision", "local/food"}
    rule = lens.rule("stages/co_decision")
    assert rule is not None and rule.label == "Co-decision"


def test_invalid_lens_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "colour: blue\n"
        "together: {design: stages/nope}\n"
        "tags:\n"
        "  - id: no-slash\n"
        "  - id: nef/assets\n"
        "    en: {phrases: [ok], patterns: ['(unclosed']}\n"
        "  - id: nef/assets\n"
        "    fr: {words: [x]}\n",
        encoding="utf-8",
    )
    with pytest.raises(LensError) as caught:
        load_lens(bad)
    text = str(caught.value)
    assert [
        part in text
        for part in ("unknown key 'colour'", "framework/tag", "not a valid regex", "listed twice")
    ] == [True, True, True, True]
    assert "unknown tag 'stages/nope'" in text
    assert "unknown key 'words'" in text


def test_missing_lens_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LensError, match="cannot be read"):
        load_lens(tmp_path / "nowhere.yaml")


def test_lens_suggestion_round_trips_through_json() -> None:
    s = LensSuggestion("nef", "assets", "Assets", "skills", "brought", "confirmed")
    assert LensSuggestion.from_json(s.to_json()) == s
