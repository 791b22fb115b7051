"""The copro-bot command: clear one-line failures, and the terminal chat end to end."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from bot.cli import build_parser, main, read_environment

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def run_cli(
    args: list[str], cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**environment, "PYTHONPATH": str(Path(__file__).parents[2])},
        timeout=120,
        check=False,
    )


def test_run_without_token_says_how_to_get_one_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.env").touch()
    code = main(["--env-file", str(tmp_path / "empty.env"), "run"], environ={})
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "@BotFather" in err


def test_bad_setting_in_env_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=Nowhere/Land\n")
    result = run_cli(["chat"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "copro-bot: setting TIMEZONE: unknown time zone 'Nowhere/Land'"
    ]
    assert "Traceback" not in result.stderr


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    (tmp_path / "x.env").write_text("LOG_LEVEL=LOUD\nTIMEZONE=Europe/Paris\n")
    values = read_environment(str(tmp_path / "x.env"), {"LOG_LEVEL": "INFO"})
    assert (values["LOG_LEVEL"], values["TIMEZONE"]) == ("INFO", "Europe/Paris")


def test_webhook_mode_requires_url_and_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.env").touch()
    code = main(
        ["--env-file", str(tmp_path / "empty.env"), "run", "--webhook"],
        environ={"TELEGRAM_BOT_TOKEN": TOKEN},
    )
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "copro-bot: setting WEBHOOK_URL: required for `copro-bot run --webhook`"
    )


def test_a_missing_env_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(["--env-file", "prod.env", "chat"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["copro-bot: --env-file: no such file 'prod.env'"]
    assert not (tmp_path / "copro-bot.db").exists()


def test_every_command_and_action_has_a_description_in_its_help() -> None:
    def commands(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield sub
                    yield from commands(sub)

    found = {sub.prog: sub.description for sub in commands(build_parser())}
    assert "copro-bot stats" in found and "copro-bot db upgrade" in found
    assert [prog for prog, description in found.items() if not description] == []


def test_stats_help_says_what_it_shows(tmp_path: Path) -> None:
    result = run_cli(["stats", "--help"], tmp_path)
    assert result.returncode == 0
    assert "Examples by status, script and month; completion rate" in result.stdout


def test_postgresql_without_its_driver_says_which_extra_to_install(tmp_path: Path) -> None:
    # A stand-in package that fails to import the way a missing asyncpg does.
    shim = tmp_path / "shim" / "asyncpg"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'asyncpg'\", name='asyncpg')\n"
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "stats"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **environment,
            "DATABASE_URL": "postgresql://copro@127.0.0.1:5432/copro",
            "PYTHONPATH": os.pathsep.join([str(tmp_path / "shim"), str(Path(__file__).parents[2])]),
        },
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "copro-bot: PostgreSQL needs the asyncpg driver: pip install 'copro-bot[postgres]' "
        "(or pip install asyncpg)"
    ]


def test_a_plain_install_brings_the_postgresql_driver_and_an_spdx_licence() -> None:
    requirements = [Requirement(r) for r in metadata.requires("copro-bot") or []]
    plain = {r.name for r in requirements if r.marker is None}
    assert "asyncpg" in plain
    assert metadata.metadata("copro-bot")["License-Expression"] == "MIT"


def test_a_database_that_cannot_be_opened_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://copro:hunter2-secret@127.0.0.1:1/copro"
    (tmp_path / "empty.env").write_text("")
    code = main(
        ["--env-file", str(tmp_path / "empty.env"), "db", "upgrade"], environ={"DATABASE_URL": url}
    )
    err = capsys.readouterr().err

    assert code == 2
    assert "cannot open the database (postgresql://copro:***@127.0.0.1:1/copro)" in err
    assert "hunter2" not in err
