"""Script translations beside each script: checked against it, used per text, snapshotted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from conversations.script import (
    SCRIPTS_DIR,
    builtin_scripts,
    check_script_file,
    load_script,
    localise,
    script_from_json,
    script_to_json,
)

SPOTTED_YAML = SCRIPTS_DIR / "spotted.yaml"


def copy_spotted(tmp_path: Path, translation: dict[str, object] | None) -> Path:
    target = tmp_path / "spotted.yaml"
    shutil.copy(SPOTTED_YAML, target)
    if translation is not None:
        (tmp_path / "spotted.cy.yaml").write_text(
            yaml.safe_dump(translation, allow_unicode=True), encoding="utf-8"
        )
    return target


def welsh() -> dict[str, object]:
    data = yaml.load((SCRIPTS_DIR / "spotted.cy.yaml").read_text("utf-8"), Loader=yaml.BaseLoader)
    assert isinstance(data, dict)
    return data


def test_every_shipped_script_has_complete_welsh_gaelic_and_polish() -> None:
    for script in builtin_scripts().values():
        assert sorted(t.language for t in script.translations) == ["cy", "gd", "pl"]
        assert not any(t.partial for t in script.translations)
        for language in ("cy", "gd", "pl"):
            local = localise(script, language)
            for mine, theirs in zip(local.questions, script.questions, strict=True):
                assert mine.prompt != theirs.prompt, (script.id, language, mine.id)
                assert [o.id for o in mine.options] == [o.id for o in theirs.options]


def test_a_missing_question_is_named(tmp_path: Path) -> None:
    data = welsh()
    del data["questions"]["source"]  # type: ignore[attr-defined]
    problems = check_script_file(copy_spotted(tmp_path, data))
    assert problems == [
        "spotted.cy.yaml: question 'source': the question is missing "
        "(or mark the translation 'partial: true')"
    ]


def test_a_missing_option_and_text_are_named(tmp_path: Path) -> None:
    data = welsh()
    questions = data["questions"]
    assert isinstance(questions, dict)
    del questions["together"]["options"]["delivery"]
    del questions["project"]["help"]
    problems = check_script_file(copy_spotted(tmp_path, data))
    assert problems == [
        "spotted.cy.yaml: question 'project': 'help' is missing "
        "(or mark the translation 'partial: true')",
        "spotted.cy.yaml: question 'together': option 'delivery' has no label "
        "(or mark the translation 'partial: true')",
    ]


def test_unknown_questions_options_and_keys_are_named(tmp_path: Path) -> None:
    data = welsh()
    questions = data["questions"]
    assert isinstance(questions, dict)
    questions["nope"] = {"prompt": "Beth?"}
    questions["credit"]["options"]["maybe"] = "Efallai"
    questions["project"]["promt"] = "typo"
    problems = check_script_file(copy_spotted(tmp_path, data))
    assert "spotted.cy.yaml: question 'nope' is not a question of spotted" in problems
    assert (
        "spotted.cy.yaml: question 'credit': option 'maybe' is not an option of this question"
        in problems
    )
    assert any("question 'project': unknown key 'promt'" in p for p in problems)


def test_a_partial_translation_falls_back_to_english_per_text(tmp_path: Path) -> None:
    data = {
        "language": "cy",
        "partial": True,
        "welcome": "Helo!",
        "questions": {"project": {"prompt": "Beth weloch chi?"}, "credit": {"options": {}}},
    }
    path = copy_spotted(tmp_path, data)
    assert check_script_file(path) == []
    script = load_script(path)
    local = localise(script, "cy")
    assert (local.welcome, local.title) == ("Helo!", "Spotted a project?")
    project = local.question("project")
    assert project is not None
    assert (project.prompt, project.label) == ("Beth weloch chi?", "What you spotted")
    credit = local.question("credit")
    assert credit is not None
    assert [o.label for o in credit.options] == ["Use my name", "Keep it anonymous"]


def test_the_language_must_match_the_file_name(tmp_path: Path) -> None:
    data = welsh()
    data["language"] = "pl"
    assert check_script_file(copy_spotted(tmp_path, data)) == [
        "spotted.cy.yaml: language 'pl' does not match the file name (…cy.yaml)"
    ]


def test_checking_a_translation_file_checks_it_with_its_script(tmp_path: Path) -> None:
    data = welsh()
    del data["title"]
    copy_spotted(tmp_path, data)
    assert check_script_file(tmp_path / "spotted.cy.yaml") == [
        "spotted.cy.yaml: 'title' is missing (or mark the translation 'partial: true')"
    ]


def test_snapshots_keep_translations_and_scripts_without_any_keep_their_form() -> None:
    script = builtin_scripts()["spotted"]
    again = script_from_json(script_to_json(script))
    assert again == script
    assert localise(again, "gd").welcome == localise(script, "gd").welcome
    bare = script_to_json(localise(script, "en"))
    assert "translations" in bare
    from dataclasses import replace

    assert "translations" not in script_to_json(replace(script, translations=()))


def test_script_check_command_names_the_missing_translation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = welsh()
    del data["questions"]["credit_name"]  # type: ignore[attr-defined]
    path = copy_spotted(tmp_path, data)
    assert main(["script", "check", str(path)]) == 2
    assert capsys.readouterr().err == (
        "spotted.cy.yaml: question 'credit_name': the question is missing "
        "(or mark the translation 'partial: true')\n"
    )
    (tmp_path / "spotted.cy.yaml").unlink()
    assert main(["script", "check", str(path)]) == 0
