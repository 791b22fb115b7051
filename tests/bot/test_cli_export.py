"""``copro-bot export`` and ``copro-bot stats`` on a database of collected examples."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.export_cli import FORMATS
from storage.database import Database
from storage.exports import COLUMNS, EXPORT_FORMATS
from storage.intake import park_update
from tests.storage.seed_examples import Seeded, seeded_sqlite_file

ROOT = Path(__file__).parents[2]


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    """The seeded examples in ``bot.db``; the tests are synchronous, as the command is."""
    return asyncio.run(seeded_sqlite_file(tmp_path / "bot.db"))


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", **extra}


def copro_bot(tmp_path: Path, *args: str, **extra: str) -> int:
    (tmp_path / "empty.env").touch()
    return main(
        ["--env-file", str(tmp_path / "empty.env"), *args], environ=environment(tmp_path, **extra)
    )


def csv_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def exported_references(tmp_path: Path, *args: str, **extra: str) -> list[str]:
    out = tmp_path / "out.csv"
    assert copro_bot(tmp_path, "export", "--output", str(out), *args, **extra) == 0
    return [row["reference"] for row in csv_rows(out)]


def subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return {**env, **environment(tmp_path), "PYTHONPATH": str(ROOT)}


def test_csv_export_has_a_bom_the_documented_columns_and_one_row_per_example(
    tmp_path: Path, seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "examples.csv"
    code = copro_bot(tmp_path, "export", "--format", "csv", "--output", str(out))

    assert code == 0
    assert capsys.readouterr().out == f"exported 5 examples to {out}\n"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header) == COLUMNS
    assert [row["reference"] for row in csv_rows(out)] == list(seeded.references.values())


def test_status_filter_takes_repeated_options_and_comma_lists(
    tmp_path: Path, seeded: Seeded
) -> None:
    ready_or_published = [seeded.references[n] for n in ("ann", "bob", "dan")]
    assert exported_references(tmp_path, "--status", "ready", "--status", "published") == (
        ready_or_published
    )
    assert exported_references(tmp_path, "--status", "ready,published") == ready_or_published


def test_dates_are_whole_days_in_the_organisations_time_zone_until_included(
    tmp_path: Path, seeded: Seeded
) -> None:
    # Ann submitted at 09:48 UTC on 10 January: still 9 January in Honolulu.
    ann, bob, cat = (seeded.references[n] for n in ("ann", "bob", "cat"))
    assert exported_references(tmp_path, "--since", "2026-02-01", "--until", "2026-02-20") == [
        bob,
        cat,
    ]
    assert exported_references(tmp_path, "--until", "2026-01-09") == []
    assert exported_references(tmp_path, "--until", "2026-01-09", TIMEZONE="Pacific/Honolulu") == [
        ann
    ]


def test_script_filter_and_raw_answers_on_request(tmp_path: Path, seeded: Seeded) -> None:
    assert exported_references(tmp_path, "--script", "spotted") == [
        seeded.references["cat"],
        seeded.references["eve"],
    ]
    out = tmp_path / "raw.csv"
    assert copro_bot(tmp_path, "export", "--output", str(out)) == 0
    assert {row["raw_answers"] for row in csv_rows(out)} == {""}
    assert copro_bot(tmp_path, "export", "--include-raw", "--output", str(out)) == 0
    raw = {row["reference"]: row["raw_answers"] for row in csv_rows(out)}
    assert "credit_name: Ann Lee" in raw[seeded.references["ann"]].splitlines()
    assert raw[seeded.references["dan"]] == ""  # erased: never raw answers


def test_jsonl_export_honours_consent(tmp_path: Path, seeded: Seeded) -> None:
    out = tmp_path / "examples.jsonl"
    assert copro_bot(tmp_path, "export", "--format", "jsonl", "--output", str(out)) == 0
    records = {r["reference"]: r for r in map(json.loads, out.read_text().splitlines())}
    credits = {name: records[ref]["credit"]["line"] for name, ref in seeded.references.items()}
    assert credits == {
        "ann": "Ann Lee, Hill Trust",
        "bob": "Bramley Food CIC",
        "cat": "Anonymous contributor",
        "dan": "Anonymous contributor",
        "eve": "Eve Adams",
    }
    contacts = {name: records[ref]["contact"] for name, ref in seeded.references.items()}
    assert contacts == {
        "ann": "ann@example.org",
        "bob": None,
        "cat": None,
        "dan": None,
        "eve": None,
    }


def test_without_output_the_file_gets_the_default_name_here(
    tmp_path: Path,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert copro_bot(tmp_path, "export", "--format", "md") == 0
    written = sorted(p.name for p in (tmp_path / "exports").glob("copro-examples-*"))
    assert len(written) == 1 and written[0].endswith("Z.md.zip")
    assert capsys.readouterr().out == (
        f"exported 5 examples to exports/{written[0]}\n"
        "(exports/ is git-ignored: exports hold personal data)\n"
    )


def test_a_default_export_inside_a_git_repository_is_ignored_by_git(
    tmp_path: Path, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("*.db\n*.env\n.gitignore\n")
    monkeypatch.chdir(tmp_path)
    assert copro_bot(tmp_path, "export", "--format", "xlsx") == 0
    assert copro_bot(tmp_path, "export", "--format", "csv") == 0
    untracked = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert len(list((tmp_path / "exports").glob("copro-examples-*"))) == 2
    assert untracked == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "copro-bot: export --format: unknown 'pdf'; choose from "),
        (["--since", "1 March"], "copro-bot: export --since: expected a date as YYYY-MM-DD"),
        (["--status", "ready,done"], "copro-bot: export --status: unknown done; choose from "),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "copro-bot: export --since is after"),
        (["--output", "/no/such/folder/x.csv"], "copro-bot: export --output: no such folder"),
        (["--frmat", "csv"], "copro-bot: unrecognized arguments: --frmat csv"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "export",
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=subprocess_env(tmp_path),
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(message)
    assert list(tmp_path.glob("*.csv*")) == []


def test_a_terminal_sees_a_progress_bar_and_the_summary(tmp_path: Path, seeded: Seeded) -> None:
    out = tmp_path / "examples.xlsx"
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "export",
                "--format",
                "xlsx",
                "--output",
                str(out),
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            env={**subprocess_env(tmp_path), "COLUMNS": "100"},
            timeout=120,
            check=False,
        )
    finally:
        os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert result.returncode == 0
    assert result.stdout == f"exported 5 examples to {out}\n"
    assert b"Exporting" in shown and b"5/5" in shown


def test_stats_prints_what_staff_see_in_telegram(
    tmp_path: Path, seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    assert copro_bot(tmp_path, "stats") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Examples: 5"
    assert "  ready: 2" in lines
    assert "Interviews: 5 started, 5 submitted, completion 100%" in lines


def test_stats_tells_the_operator_about_parked_updates(
    tmp_path: Path, seeded: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    assert copro_bot(tmp_path, "stats") == 0
    assert "Parked" not in capsys.readouterr().out

    async def park_two() -> None:
        database = Database.from_url(f"sqlite:///{tmp_path / 'bot.db'}")
        try:
            for update_id in (5, 6):
                await park_update(database, update_id, "TypeError", "{}", datetime.now(UTC))
        finally:
            await database.dispose()

    asyncio.run(park_two())
    assert copro_bot(tmp_path, "stats") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "Parked updates (see the parked_updates table): 2"


def test_help_lists_every_export_format() -> None:
    assert set(FORMATS) == set(EXPORT_FORMATS)
