"""The terminal chat and `script check`, run as a person would: the installed command,
a fresh working directory, no token, SQLite by default."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.terminal import keyboard_wording
from tests.bot.test_cli import run_cli

SPOTTED_TO_THE_END = "\n".join(
    [
        "1",  # consent: yes
        "Kids & <b>parents</b> redid the playground",
        "/skip",  # its name
        "Leeds, spring 2025",
        "2",  # tick "Designing it"
        "7",  # Done
        "heard it on local radio",
        "2",  # keep it anonymous
        "/review",
        "",
    ]
)


def answers_in(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT question_id, text FROM answers").fetchall())


def test_chat_needs_no_token_and_stores_answers_in_a_local_sqlite_file(tmp_path: Path) -> None:
    result = run_cli(["chat", "--script", "spotted"], tmp_path, stdin=SPOTTED_TO_THE_END)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Question 1 of about 8" in result.stdout
    assert "[1] Yes" in result.stdout
    # The contributor's own markup comes back as they typed it, not interpreted.
    assert "Kids & <b>parents</b> redid the playground" in result.stdout
    database = tmp_path / "copro-bot.db"
    assert database.is_file()
    stored = answers_in(database)
    assert stored["project"] == "Kids & <b>parents</b> redid the playground"
    assert stored["place_when"] == "Leeds, spring 2025"
    assert stored["credit"] == "Keep it anonymous"


def test_chat_submits_from_the_review_card_and_gives_a_reference(tmp_path: Path) -> None:
    # On the review card of the seven questions asked, [8] is "Send it".
    result = run_cli(["chat", "--script", "spotted"], tmp_path, stdin=SPOTTED_TO_THE_END + "8\n")
    assert "[8] ✅ Send it" in result.stdout
    assert "CP-" in result.stdout, result.stdout
    with sqlite3.connect(tmp_path / "copro-bot.db") as connection:
        (status,) = connection.execute("SELECT status FROM interviews").fetchone()
        drafts = connection.execute("SELECT reference, title FROM drafts").fetchall()
    assert status == "submitted"
    assert len(drafts) == 1 and drafts[0][0].startswith("CP-")
    assert drafts[0][0] in result.stdout
    assert "playground" in drafts[0][1].lower()


def test_leaving_and_coming_back_resumes_where_it_was(tmp_path: Path) -> None:
    first = run_cli(
        ["chat", "--script", "spotted"],
        tmp_path,
        stdin="1\nA community fridge run by neighbours\n/quit\n",
    )
    assert "your answers are saved" in first.stdout
    second = run_cli(["chat", "--script", "spotted"], tmp_path, stdin="1\n/quit\n")
    assert "Welcome back" in second.stdout
    assert "question 3 of about 8" in second.stdout
    assert second.stdout.count("Question 1 of about 8") == 0
    assert answers_in(tmp_path / "copro-bot.db")["project"] == (
        "A community fridge run by neighbours"
    )


def test_unknown_script_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(["chat", "--script", "nope"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "copro-bot: unknown script 'nope'; choose from full-story, spotted"
    )


def test_script_check_accepts_the_shipped_scripts(tmp_path: Path) -> None:
    scripts = Path(__file__).parents[2] / "conversations" / "scripts"
    for name in ("full_story.yaml", "spotted.yaml"):
        result = run_cli(["script", "check", str(scripts / name)], tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith(": OK")


def test_script_check_names_file_question_and_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nversion: 1\ntitle: Bad\nwelcome: hi\nthanks: bye\nquestions:\n"
        "  - id: colour\n    kind: choice\n    label: Colour\n    prompt: Which?\n"
        "    options: []\n"
    )
    result = run_cli(["script", "check", str(bad)], tmp_path)
    assert result.returncode == 2
    assert "bad.yaml" in result.stderr
    assert "colour" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_answer_typed_right_after_a_long_one_answers_the_next_question(
    tmp_path: Path,
) -> None:
    long_answer = "We rebuilt the playground together. " * 110  # about 4,000 characters
    result = run_cli(
        ["chat", "--script", "spotted"],
        tmp_path,
        stdin=f"1\n{long_answer}\nThe Playground Project\n/quit\n",
    )
    assert "Added that to your previous answer" not in result.stdout
    assert "Question 4 of about 8" in result.stdout
    stored = answers_in(tmp_path / "copro-bot.db")
    assert stored["project"] == long_answer.strip()
    assert stored["name"] == "The Playground Project"


def test_button_hints_are_worded_for_typing_numbers(tmp_path: Path) -> None:
    lines = [
        "1",  # consent
        "A community fridge",
        "/skip",  # its name
        "Leeds",
        "/help",  # the multiple-choice question's help
        "2",  # numbers still press its buttons after /help
        "7",
        "heard it on local radio",
        "2",
        "/review",
        "/quit",
    ]
    result = run_cli(["chat", "--script", "spotted"], tmp_path, stdin="\n".join(lines) + "\n")
    shown = " ".join(result.stdout.split())  # the console wraps long lines
    assert re.findall(r"\b[Tt]ap\b", shown) == []
    assert "Type the numbers of all that fit, one per line, then Done." in shown
    assert "Type a number to tick it, again to untick." in shown
    assert "Type the number of a button, or reply with" not in shown
    assert "Type the number of a question to change it" in shown


def test_help_in_the_terminal_says_how_to_leave(tmp_path: Path) -> None:
    result = run_cli(["chat", "--script", "spotted"], tmp_path, stdin="/help\n/quit\n")
    help_text = " ".join(result.stdout.split()).split("/help – this message", 1)[1]
    assert "/quit – leave (your answers are kept" in help_text


def test_privacy_and_mydata_answer_in_the_terminal_also_after_sending(tmp_path: Path) -> None:
    result = run_cli(
        ["chat", "--script", "spotted"],
        tmp_path,
        stdin=SPOTTED_TO_THE_END + "8\n/privacy\n/mydata\n/quit\n",
    )
    after_sending = result.stdout.split("Reference: CP-", 1)[1]
    shown = " ".join(after_sending.split())
    assert "This interview is finished" not in shown
    assert "What I keep: your Telegram name" in shown
    assert "unfinished are deleted after 90 days" in shown
    data = json.loads(
        after_sending.split("Everything copro-bot stores about you:\n", 1)[1].split("\n\n")[0]
    )
    (interview,) = data["interviews"]
    assert interview["status"] == "submitted"
    assert {a["question_id"]: a["text"] for a in interview["answers"]}["place_when"] == (
        "Leeds, spring 2025"
    )


def test_a_contributors_own_tap_in_a_quoted_answer_is_left_as_written() -> None:
    text = "• What you spotted: We tap into local knowledge\n\nTap a question to change it."
    assert keyboard_wording(text) == (
        "• What you spotted: We tap into local knowledge\n\nType the number of a question to "
        "change it."
    )


def test_answers_can_be_redirected_from_a_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("1\nA repair café\n/quit\n", encoding="utf-8")
    with answers.open() as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "chat", "--script", "spotted"],
            cwd=tmp_path,
            stdin=stdin,
            capture_output=True,
            text=True,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
                "PYTHONPATH": str(Path(__file__).parents[2]),
            },
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert answers_in(tmp_path / "copro-bot.db")["project"] == "A repair café"


def test_the_terminal_chat_takes_a_language(tmp_path: Path) -> None:
    result = run_cli(["chat", "--script", "spotted", "--lang", "pl"], tmp_path, stdin="1\n/quit\n")
    assert "== Znasz ciekawy projekt? ==" in result.stdout
    assert "== Pytanie 1 z około 8 ==" in result.stdout
    assert "  [1] Tak\n  [2] Nie" in result.stdout
    assert "== Pytanie 2 z około 8 ==" in result.stdout
    refused = run_cli(["chat", "--lang", "xx"], tmp_path)
    assert refused.returncode == 2
    assert "invalid choice: 'xx'" in refused.stderr


def test_the_terminal_chat_in_welsh_answers_and_switches_language(tmp_path: Path) -> None:
    result = run_cli(
        ["chat", "--script", "spotted", "--lang", "cy"],
        tmp_path,
        stdin="1\nTrwsio beiciau yn y llyfrgell\n/language\n4\n/quit\n",
    )
    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert "/language" in shown.split("==", 1)[0]  # the opening line names it
    assert "== Cwestiwn 2 o tua 8 ==" in shown
    assert "[4] English" in shown
    assert "== Question 3 of about 8 ==" in shown  # asked again, now in English
    assert answers_in(tmp_path / "copro-bot.db")["project"] == "Trwsio beiciau yn y llyfrgell"


def test_every_hint_to_tap_in_the_bots_words_is_reworded_for_numbers() -> None:
    """The review card, the retry after a choice not understood and every other English
    text of the catalogue template that says to tap reads as typing a number."""
    with (Path(__file__).parents[2] / "conversations/locale/messages.pot").open("rb") as pot:
        catalogue = read_po(pot)
    texts = [
        text
        for message in catalogue
        for text in (message.id if isinstance(message.id, tuple) else (message.id,))
        if text and re.search(r"\btap", text, re.IGNORECASE)
    ]
    assert len(texts) >= 10
    left = [keyboard_wording(t) for t in texts if re.search(r"\btap", keyboard_wording(t), re.I)]
    assert left == []
    assert (
        keyboard_wording(
            "Tap a question (or reply with its number) to change it, or ✅ Send it "
            "when you're happy."
        )
        == "Type the number of a question to change it, or of ✅ Send it when you're happy."
    )
