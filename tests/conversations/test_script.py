"""Loading, validating and snapshotting interview scripts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conversations.model import Condition, Option, QuestionKind
from conversations.script import (
    ScriptCatalog,
    ScriptError,
    builtin_script_path,
    builtin_scripts,
    check_script_file,
    load_script,
    parse_script,
    script_from_json,
    script_to_json,
)

FULL_STORY_IDS = [
    "consent",
    "project",
    "name",
    "place_when",
    "stage",
    "role",
    "who",
    "origin",
    "together",
    "decision",
    "final_say",
    "brought",
    "got_back",
    "helped",
    "changed",
    "media",
    "hard",
    "heard_back",
    "tip",
    "contact_ok",
    "contact_how",
    "credit",
    "credit_name",
    "credit_org",
]
TOGETHER_IDS = ["needs", "design", "resources", "delivery", "evaluation", "none"]

BASE: dict[str, Any] = {
    "id": "demo",
    "version": 1,
    "title": "Demo",
    "welcome": "Hi",
    "thanks": "Thanks",
    "questions": [
        {"id": "consent", "kind": "yes_no", "prompt": "OK?", "stop_on": ["no"]},
        {
            "id": "stage",
            "kind": "choice",
            "prompt": "Stage?",
            "options": [{"id": "idea", "label": "Idea"}, {"id": "done", "label": "Done"}],
        },
        {"id": "story", "kind": "text", "prompt": "Tell me", "probe": "More?"},
    ],
}


def problems_of(data: object) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        parse_script(data, "t.yaml")
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def with_question(index: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["questions"][index].update(changes)
    for key, value in changes.items():
        if value is None:
            del data["questions"][index][key]
    return data


# --- the shipped scripts -------------------------------------------------------------------


def test_both_shipped_scripts_load_with_their_ids() -> None:
    scripts = builtin_scripts()
    assert sorted(scripts) == ["full-story", "spotted"]
    assert [s.id for s in scripts.values()] == list(scripts)
    assert {s.id: s.version for s in scripts.values()} == {"full-story": 2, "spotted": 3}


def test_full_story_has_the_question_ids_the_drafter_reads() -> None:
    script = builtin_scripts()["full-story"]
    assert [q.id for q in script.questions] == FULL_STORY_IDS
    together = script.question("together")
    assert together is not None
    assert [o.id for o in together.options] == TOGETHER_IDS


def test_full_story_requires_only_consent_project_and_credit() -> None:
    script = builtin_scripts()["full-story"]
    assert [q.id for q in script.questions if not q.optional] == ["consent", "project", "credit"]


def test_full_story_conditions_follow_earlier_answers() -> None:
    script = builtin_scripts()["full-story"]
    when = {q.id: q.when for q in script.questions if q.when}
    assert when == {
        "decision": (Condition("together", (), True),),
        "contact_how": (Condition("contact_ok", ("yes",)),),
        "credit_name": (Condition("credit", ("named",)),),
        "credit_org": (Condition("credit", ("named", "organisation")),),
    }


def test_spotted_has_seven_questions_and_asks_the_name_to_credit() -> None:
    script = builtin_scripts()["spotted"]
    assert [q.id for q in script.questions] == [
        "consent",
        "project",
        "name",
        "place_when",
        "together",
        "source",
        "credit",
        "credit_name",
    ]
    credit = script.question("credit")
    assert credit is not None
    assert [o.id for o in credit.options] == ["named", "anonymous"]


def test_every_shipped_question_has_help() -> None:
    for script in builtin_scripts().values():
        assert [q.id for q in script.questions if not q.help] == []


def test_consent_no_stops_both_scripts_with_a_message() -> None:
    for script in builtin_scripts().values():
        consent = script.question("consent")
        assert consent is not None
        assert consent.stop_on == ("no",)
        assert consent.stop_message


def test_builtin_script_path_names_the_yaml_file() -> None:
    assert builtin_script_path("full-story").name == "full_story.yaml"
    assert check_script_file(builtin_script_path("spotted")) == []


# --- defaults ------------------------------------------------------------------------------


def test_yes_no_questions_default_to_yes_and_no_options() -> None:
    consent = parse_script(BASE, "t.yaml").questions[0]
    assert consent.options == (Option("yes", "Yes"), Option("no", "No"))


def test_label_defaults_to_the_id_with_spaces() -> None:
    script = parse_script(with_question(2, id="what_changed"), "t.yaml")
    assert script.questions[2].label == "what changed"


def test_top_level_defaults() -> None:
    script = parse_script(BASE, "t.yaml")
    assert (script.language, script.description, script.resume_after_hours) == ("en", "", 6.0)


def test_yaml_yes_and_no_stay_option_ids(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "id: s\nversion: 1\ntitle: T\nwelcome: W\nthanks: T\nquestions:\n"
        "  - {id: ok, kind: yes_no, prompt: Ready, stop_on: [no]}\n"
        "  - {id: more, kind: text, prompt: More, when: [{question: ok, any_of: [yes]}]}\n",
        encoding="utf-8",
    )
    script = load_script(path)
    assert script.questions[0].stop_on == ("no",)
    assert script.questions[1].when == (Condition("ok", ("yes",)),)


# --- validation: each rule, with its exact message ------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            ["a list"],
            "t.yaml: the file must be a mapping of keys (id, version, title, ... questions)",
        ),
        (
            {**BASE, "titel": "x"},
            "t.yaml: unknown key 'titel' (known keys: description, id, language, questions, "
            "resume_after_hours, thanks, title, version, welcome)",
        ),
        (
            {**BASE, "id": "Demo Script"},
            "t.yaml: id 'Demo Script' must be 1-32 lowercase letters, digits, _ or -",
        ),
        ({**BASE, "version": 0}, "t.yaml: 'version' must be a positive whole number"),
        ({**BASE, "version": "1"}, "t.yaml: 'version' must be a positive whole number"),
        ({**BASE, "title": " "}, "t.yaml: 'title' must be non-empty text"),
        ({**BASE, "welcome": None}, "t.yaml: 'welcome' is required"),
        (
            {**BASE, "resume_after_hours": 0},
            "t.yaml: 'resume_after_hours' must be a number greater than 0",
        ),
        ({**BASE, "questions": []}, "t.yaml: 'questions' must be a non-empty list"),
        ({**BASE, "questions": None}, "t.yaml: 'questions' is required"),
    ],
)
def test_top_level_problems_are_reported(data: object, expected: str) -> None:
    assert problems_of(data) == [expected]


@pytest.mark.parametrize(
    ("index", "changes", "expected"),
    [
        (
            2,
            {"promt": "x"},
            "unknown key 'promt' (known keys: allow_media, help, id, kind, label, optional, "
            "options, probe, prompt, stop_message, stop_on, thin_words, when)",
        ),
        (2, {"id": "Story 1"}, "id 'Story 1' must be lowercase letters, digits or _"),
        (2, {"id": "a" * 25}, f"id '{'a' * 25}' is longer than 24 characters"),
        (2, {"id": "stage"}, "id 'stage' is used twice"),
        (
            2,
            {"kind": "essay"},
            "kind 'essay' is not one of text, choice, multi, yes_no, media, link, contact",
        ),
        (2, {"prompt": None}, "'prompt' is required"),
        (2, {"optional": "yes"}, "'optional' must be true or false"),
        (1, {"probe": "More?"}, "'probe' only applies to text, link or contact questions"),
        (2, {"thin_words": 0}, "'thin_words' must be a whole number of at least 1"),
        (1, {"options": None}, "choice questions need a non-empty list of 'options'"),
        (1, {"options": []}, "choice questions need a non-empty list of 'options'"),
        (
            2,
            {"options": [{"id": "a", "label": "A"}]},
            "'options' only apply to choice, multi or yes_no questions",
        ),
        (1, {"allow_media": True}, "'allow_media' only applies to text, link or contact questions"),
        (2, {"stop_on": ["x"]}, "'stop_on' only applies to choice or yes_no questions"),
        (1, {"stop_on": ["maybe"]}, "stop_on option 'maybe' is not an option here"),
        (1, {"stop_message": "Bye"}, "'stop_message' needs 'stop_on'"),
    ],
)
def test_question_problems_name_the_question(
    index: int, changes: dict[str, Any], expected: str
) -> None:
    qid = changes.get("id") or BASE["questions"][index]["id"]
    assert problems_of(with_question(index, **changes)) == [f"t.yaml: question '{qid}': {expected}"]


def test_option_problems_are_reported_exactly() -> None:
    options = [
        {"id": "x y", "label": "X"},
        {"id": "a" * 17, "label": "A"},
        {"id": "idea", "label": "Idea"},
        {"id": "idea", "label": "Again"},
        {"id": "blank", "label": ""},
    ]
    assert problems_of(with_question(1, options=options)) == [
        "t.yaml: question 'stage': option id 'x y' must be lowercase letters, digits, _ or -",
        f"t.yaml: question 'stage': option id '{'a' * 17}' is longer than 16 characters",
        "t.yaml: question 'stage': option id 'idea' is used twice",
        "t.yaml: question 'stage': option 'blank' needs a non-empty 'label'",
    ]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (
            [{"question": "story", "answered": True}],
            "'when' refers to 'story', which is not an earlier question",
        ),
        (
            [{"question": "nowhere", "answered": True}],
            "'when' refers to 'nowhere', which is not an earlier question",
        ),
        (
            [{"question": "consent", "any_of": ["maybe"]}],
            "'any_of' option 'maybe' is not an option of 'consent'",
        ),
        ([{"question": "consent"}], "a 'when' condition needs 'any_of' or 'answered'"),
        ([{"question": "consent", "answered": "yes"}], "'answered' must be true or false"),
        ("consent", "'when' must be a non-empty list of conditions"),
    ],
)
def test_condition_problems_are_reported(when: object, expected: str) -> None:
    assert problems_of(with_question(1, when=when)) == [f"t.yaml: question 'stage': {expected}"]


def test_all_problems_are_reported_together() -> None:
    data = copy.deepcopy(BASE)
    data["version"] = -1
    data["questions"][1]["options"][0]["id"] = "x y"
    data["questions"][2]["kind"] = "essay"
    assert problems_of(data) == [
        "t.yaml: 'version' must be a positive whole number",
        "t.yaml: question 'stage': option id 'x y' must be lowercase letters, digits, _ or -",
        "t.yaml: question 'story': kind 'essay' is not one of text, choice, multi, yes_no, "
        "media, link, contact",
    ]


def test_button_data_over_64_bytes_is_caught() -> None:
    long_id = "q" * 60
    problems = problems_of(with_question(1, id=long_id))
    assert (
        f"t.yaml: question '{long_id}': button data 'c|{long_id}|idea' is over 64 bytes" in problems
    )


def test_check_script_file_reports_bad_yaml_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    problems = check_script_file(bad)
    assert len(problems) == 1
    assert problems[0].startswith("bad.yaml: not valid YAML: ")
    assert check_script_file(tmp_path / "missing.yaml")[0].startswith(
        "missing.yaml: cannot read the file"
    )


def test_check_script_file_lists_validation_problems(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(json.dumps({**BASE, "thankyou": "x"}), encoding="utf-8")
    assert check_script_file(path) == [
        "typo.yaml: unknown key 'thankyou' (known keys: description, id, language, questions, "
        "resume_after_hours, thanks, title, version, welcome)"
    ]


# --- snapshots -----------------------------------------------------------------------------


def test_json_snapshot_round_trips_exactly() -> None:
    for script in builtin_scripts().values():
        data = json.loads(json.dumps(script_to_json(script)))
        assert script_from_json(data) == script


def test_json_snapshot_keeps_kinds_and_conditions() -> None:
    script = builtin_scripts()["full-story"]
    data = script_to_json(script)
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["contact_how"]["kind"] == "contact"
    assert by_id["contact_how"]["when"] == [
        {"question": "contact_ok", "any_of": ["yes"], "answered": None}
    ]
    assert script_from_json(data).questions[20].kind == QuestionKind.CONTACT


# --- catalogue -----------------------------------------------------------------------------


def test_catalog_finds_scripts_by_id_and_snapshots_by_version() -> None:
    scripts = builtin_scripts()
    catalog = ScriptCatalog(scripts, default_id="full-story")
    assert catalog.ids == ("full-story", "spotted")
    assert catalog.default == scripts["full-story"]
    assert catalog.get("spotted") == scripts["spotted"]
    assert catalog.get("nope") is None
    old = script_from_json({**script_to_json(scripts["spotted"]), "version": 0, "title": "Old"})
    assert catalog.get_version("spotted", 0) is None
    catalog.remember(old)
    assert catalog.get_version("spotted", 0) == old
    assert catalog.get_version("spotted", 3) == scripts["spotted"]


def test_catalog_rejects_an_unknown_default() -> None:
    with pytest.raises(ValueError, match="default script 'x'"):
        ScriptCatalog(builtin_scripts(), default_id="x")
