"""`copro-bot chat` on a pseudo-terminal, as a person at a keyboard uses it: Ctrl-C leaves at
once, and an answer far longer than a tty line (4,095 characters) is kept whole."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).parents[2]
# prompt_toolkit switches bracketed paste on as it shows the prompt: the sign it is waiting.
PROMPT_READY = "\x1b[?2004h"
LONG_ANSWER = "".join(f"word{n:05d} " for n in range(1000))[:-1] + "."


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[pexpect.spawn]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))
    }
    # The pseudo-terminal answers no cursor position requests; a real terminal does.
    environment.update(PYTHONPATH=str(ROOT), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot.cli", "chat", "--script", "spotted"],
        cwd=str(tmp_path),
        env=environment,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    try:
        yield child
    finally:
        child.close(force=True)


def answer(child: pexpect.spawn, text: str, *, chunk: int = 1000) -> None:
    """Type ``text`` and Enter once the prompt is up, in chunks while reading the echo."""
    child.expect_exact(PROMPT_READY)
    for start in range(0, len(text), chunk):
        child.send(text[start : start + chunk])
        with_echo_read(child)
    child.send("\r")


def with_echo_read(child: pexpect.spawn) -> None:
    """Drain what the chat echoed so far, so it never blocks writing to the terminal."""
    try:
        while True:
            child.read_nonblocking(size=65536, timeout=0.05)
    except pexpect.TIMEOUT:
        return


def stored_answers(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "copro-bot.db") as connection:
        return dict(connection.execute("SELECT question_id, text FROM answers").fetchall())


def test_ctrl_c_at_the_prompt_leaves_at_once_with_the_carry_on_line(
    chat: pexpect.spawn, tmp_path: Path
) -> None:
    chat.expect_exact("Question 1 of about 8")
    answer(chat, "1")
    chat.expect_exact("Question 2 of about 8")
    chat.expect_exact(PROMPT_READY)
    pressed = time.monotonic()
    chat.sendintr()
    chat.expect_exact("Bye for now: your answers are saved. Run the chat again to carry on.")
    chat.expect(pexpect.EOF, timeout=10)
    left_after = time.monotonic() - pressed
    chat.close()

    assert left_after < 10
    assert chat.exitstatus == 0
    assert stored_answers(tmp_path) == {"consent": "Yes"}


def test_a_10000_character_paste_is_kept_whole(chat: pexpect.spawn, tmp_path: Path) -> None:
    chat.expect_exact("Question 1 of about 8")
    answer(chat, "1")
    chat.expect_exact("Question 2 of about 8")
    # What a terminal sends for a paste. (Typed key by key it is kept whole too, but takes
    # seconds here, so that stays out of the suite.)
    answer(chat, f"\x1b[200~{LONG_ANSWER}\x1b[201~")
    chat.expect_exact("Question 3 of about 8")
    answer(chat, "/quit")
    chat.expect(pexpect.EOF)

    assert len(LONG_ANSWER) == 10_000
    assert stored_answers(tmp_path)["project"] == LONG_ANSWER
