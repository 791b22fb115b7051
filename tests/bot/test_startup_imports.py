"""``copro-bot chat`` starts without the heavy libraries it does not need: no Telegram,
no spreadsheet or document writers, no learned-lens libraries and, once the database is
current, no Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("telegram", "openpyxl", "docx", "alembic", "sklearn", "scipy", "numpy")
PROBE = f"""
import sys
from bot.cli import main
code = main(["--env-file", "empty.env", "chat"], {{"DATABASE_URL": sys.argv[1]}})
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
print("LOADED", loaded, code)
"""


def chat(database_url: str, cwd: Path) -> str:
    (cwd / "empty.env").touch()
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, database_url],
        cwd=cwd,
        input="",
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return ran.stdout


def test_a_second_chat_start_shows_the_question_without_heavy_imports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    first = chat(url, tmp_path)
    assert "LOADED ['alembic'] 0" in first  # the first start creates the schema
    second = chat(url, tmp_path)
    assert "Welcome back!" in second or "Question 1 of" in second, second
    assert "LOADED [] 0" in second
