"""The copro-bot command: clear one-line failures, and the terminal chat end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main, read_environment

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
    code = main(["--env-file", str(tmp_path / "none.env"), "run"], environ={})
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
    code = main(
        ["--env-file", str(tmp_path / "none.env"), "run", "--webhook"],
        environ={"TELEGRAM_BOT_TOKEN": TOKEN},
    )
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "copro-bot: setting WEBHOOK_URL: required for `copro-bot run --webhook`"
    )


def test_a_database_that_cannot_be_opened_is_named_without_its_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://copro:hunter2-secret@127.0.0.1:1/copro"
    code = main(
        ["--env-file", str(tmp_path / "none.env"), "db", "upgrade"], environ={"DATABASE_URL": url}
    )
    err = capsys.readouterr().err

    assert code == 2
    assert "cannot open the database (postgresql://copro:***@127.0.0.1:1/copro)" in err
    assert "hunter2" not in err
