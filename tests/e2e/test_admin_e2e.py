"""The team's commands end to end: ``/export`` for admins and ``/stats`` for staff, on the
real bot against the fake Bot API, with five collected examples in its database."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest

from bot import admin as admin_commands
from bot.roles import REFUSAL
from bot.settings import Settings, load_settings
from storage.database import Database
from storage.export_source import stream_examples
from storage.exports import COLUMNS, ExportFilters, export, zip_if_large
from tests.e2e.conftest import RunningBot, bot_environment, buttons
from tests.e2e.fake_bot_api import JSON, FakeBotApi, FakeUser, RecordedCall
from tests.storage.seed_examples import Seeded, seeded_sqlite_file

ADMIN = 900
STAFF = 800
CONTRIBUTOR = 1001


@pytest.fixture
async def seeded(bot_database_url: str) -> Seeded:
    return await seeded_sqlite_file(Path(bot_database_url.removeprefix("sqlite:///")))


@pytest.fixture
def settings(fake: FakeBotApi, bot_database_url: str, seeded: Seeded) -> Settings:
    return load_settings(
        bot_environment(
            fake, bot_database_url, ADMIN_USER_IDS=str(ADMIN), STAFF_USER_IDS=str(STAFF)
        )
    )


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the bot's temporary export files go during the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def current(fake: FakeBotApi, message: JSON) -> JSON:
    """The message as it is now, after the bot's edits."""
    found = fake.bot_message(int(message["chat"]["id"]), int(message["message_id"]))
    assert found is not None
    return found


async def choose_export(fake: FakeBotApi, admin: FakeUser, *labels: str) -> JSON:
    """``/export``, then tap ``labels`` in turn on the menu; the menu message at the end."""
    admin.send_command("export")
    menu = await admin.reply()
    for label in labels:
        since = fake.mark()
        admin.press_button(current(fake, menu), label)
        await fake.wait_for(lambda c: c.method == "answerCallbackQuery", since=since)
        await fake.wait_for(lambda c: c.method == "editMessageText", since=since)
    return current(fake, menu)


async def sent_document(fake: FakeBotApi, since: int) -> RecordedCall:
    return await fake.wait_for(lambda c: c.method == "sendDocument", 15, since=since)


def csv_references(content: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    return [row[0] for row in rows[1:]]


async def test_admin_picks_format_statuses_and_period_and_gets_the_file(
    fake: FakeBotApi, bot: RunningBot, seeded: Seeded, temp_folder: Path
) -> None:
    admin = fake.user(ADMIN, "Ada")
    admin.send_command("export")
    menu = await admin.reply()
    assert menu["text"] == "Export examples. Which format?"
    assert buttons(menu)[:2] == ["CSV", "Excel (XLSX)"]

    since = fake.mark()
    admin.press_button(menu, "CSV")
    await fake.wait_until(lambda: current(fake, menu)["text"] == "Export as CSV. Which examples?")
    admin.press_button(current(fake, menu), "Ready or published")
    await fake.wait_until(
        lambda: current(fake, menu)["text"] == "Export: CSV · Ready or published. Submitted when?"
    )
    assert buttons(current(fake, menu)) == ["All time", "Last 30 days", "This year", "Cancel"]
    admin.press_button(current(fake, menu), "All time")
    call = await sent_document(fake, since)

    upload = call.files["document"]
    assert upload.file_name.startswith("copro-examples-") and upload.file_name.endswith(".csv")
    assert upload.content.startswith(b"\xef\xbb\xbf")
    assert csv_references(upload.content) == [seeded.references[n] for n in ("ann", "bob", "dan")]
    assert call.params["caption"] == "3 examples · CSV · Ready or published · All time"
    await fake.wait_idle()
    assert current(fake, menu)["text"] == "Exporting: CSV · Ready or published · All time…"
    assert [m.get("document", {}).get("file_name") for m in admin.bot_messages()] == [
        None,
        upload.file_name,
    ]  # the menu, then the file: nothing from the interview
    assert list(temp_folder.glob("copro-export-*")) == []  # noqa: ASYNC240 - file deleted


async def test_json_export_by_button_honours_consent(
    fake: FakeBotApi, bot: RunningBot, seeded: Seeded
) -> None:
    admin = fake.user(ADMIN, "Ada")
    since = fake.mark()
    menu = await choose_export(fake, admin, "JSON", "All statuses")
    admin.press_button(menu, "All time")
    upload = (await sent_document(fake, since)).files["document"]

    records = {r["reference"]: r for r in json.loads(upload.content)["examples"]}
    lines = {name: records[ref]["credit"]["line"] for name, ref in seeded.references.items()}
    assert lines == {
        "ann": "Ann Lee, Hill Trust",
        "bob": "Bramley Food CIC",
        "cat": "Anonymous contributor",
        "dan": "Anonymous contributor",
        "eve": "Eve Adams",
    }
    assert [r["contact"] for r in records.values()] == ["ann@example.org", None, None, None, None]
    assert all(r["raw_answers"] is None for r in records.values())


async def test_an_export_over_the_upload_limit_is_sent_zipped(
    fake: FakeBotApi,
    bot: RunningBot,
    seeded: Seeded,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Size the limit between the plain and the zipped file of the same export.
    database = Database.from_url(bot.settings.database_url)
    try:
        plain = tmp_path / "plain.jsonl"
        await export(
            stream_examples(database, ExportFilters()), "jsonl", plain, filters=ExportFilters()
        )
    finally:
        await database.dispose()
    size = plain.stat().st_size
    zipped_size = zip_if_large(plain, 0).stat().st_size
    monkeypatch.setattr(admin_commands, "UPLOAD_LIMIT", (size + zipped_size) // 2)

    admin = fake.user(ADMIN, "Ada")
    since = fake.mark()
    menu = await choose_export(fake, admin, "JSON Lines", "All statuses")
    admin.press_button(menu, "All time")
    call = await sent_document(fake, since)

    upload = call.files["document"]
    assert upload.file_name.endswith(".jsonl.zip")
    assert call.params["caption"].endswith("· zipped to fit")
    with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
        (name,) = archive.namelist()
        lines = archive.read(name).decode("utf-8").splitlines()
    assert [json.loads(line)["reference"] for line in lines] == list(seeded.references.values())


async def test_an_export_too_large_even_zipped_points_to_the_command_line(
    fake: FakeBotApi, bot: RunningBot, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_commands, "UPLOAD_LIMIT", 100)
    admin = fake.user(ADMIN, "Ada")
    menu = await choose_export(fake, admin, "CSV", "All statuses")
    admin.press_button(menu, "All time")
    told = await admin.reply()

    assert "copro-bot export" in told["text"]
    assert fake.calls_to("sendDocument") == []


async def test_no_matching_examples_means_a_message_and_no_file(
    fake: FakeBotApi, bot: RunningBot, seeded: Seeded
) -> None:
    admin = fake.user(ADMIN, "Ada")
    menu = await choose_export(fake, admin, "Excel (XLSX)", "Archived")
    admin.press_button(menu, "Last 30 days")
    told = await admin.reply()

    assert told["text"] == (
        "No examples match (Excel (XLSX) · Archived · Last 30 days): nothing to send."
    )
    assert fake.calls_to("sendDocument") == []


async def test_cancel_ends_the_export_menu(fake: FakeBotApi, bot: RunningBot) -> None:
    admin = fake.user(ADMIN, "Ada")
    menu = await choose_export(fake, admin, "Word (DOCX)", "Cancel")

    assert (menu["text"], buttons(menu)) == ("Export cancelled.", [])


@pytest.mark.parametrize("user_id", [CONTRIBUTOR, STAFF])
async def test_export_is_refused_to_anyone_but_an_admin(
    fake: FakeBotApi, bot: RunningBot, user_id: int
) -> None:
    someone = fake.user(user_id, "Sam")
    someone.send_command("export")

    assert (await someone.reply())["text"] == REFUSAL
    await fake.wait_idle()
    assert len(someone.bot_messages()) == 1  # the interview did not react too
    assert fake.calls_to("sendDocument") == []


@pytest.mark.parametrize(
    "data", ["ex|p|csv|all|all", "ex|f|csv", "ex|p|json|ready,published|year", "ex|bogus"]
)
async def test_forged_export_buttons_are_refused_to_non_admins(
    fake: FakeBotApi, bot: RunningBot, data: str
) -> None:
    someone = fake.user(CONTRIBUTOR, "Sam")
    someone.send_command("export")
    refusal = await someone.reply()
    since = fake.mark()
    someone.press(refusal, data)

    answer = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", since=since)
    assert (answer.params.get("text"), answer.params.get("show_alert")) == (REFUSAL, True)
    await fake.wait_idle()
    assert fake.calls_to("sendDocument") == []
    assert len(someone.bot_messages()) == 1


async def test_a_forged_button_from_an_admin_is_out_of_date_not_an_export(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    admin = fake.user(ADMIN, "Ada")
    admin.send_command("export")
    menu = await admin.reply()
    since = fake.mark()
    admin.press(menu, "ex|p|pdf|all|all")

    answer = await fake.wait_for(lambda c: c.method == "answerCallbackQuery", since=since)
    assert answer.params.get("text") == admin_commands.STALE
    await fake.wait_idle()
    assert fake.calls_to("sendDocument") == []


@pytest.mark.parametrize("user_id", [STAFF, ADMIN])
async def test_stats_shows_staff_the_counts(
    fake: FakeBotApi, bot: RunningBot, user_id: int
) -> None:
    member = fake.user(user_id, "Sam")
    member.send_command("stats")
    lines = (await member.reply())["text"].splitlines()

    assert lines[0] == "Examples: 5"
    assert {"  new: 1", "  in review: 1", "  ready: 2", "  published: 1"} <= set(lines)
    assert {"  full-story: 3", "  spotted: 2"} <= set(lines)
    assert {"  2026-01: 1", "  2026-02: 2", "  2026-03: 2"} <= set(lines)
    assert "Interviews: 5 started, 5 submitted, completion 100%" in lines


async def test_stats_is_refused_to_contributors(fake: FakeBotApi, bot: RunningBot) -> None:
    someone = fake.user(CONTRIBUTOR, "Sam")
    someone.send_command("stats")

    assert (await someone.reply())["text"] == REFUSAL
    await fake.wait_idle()
    assert len(someone.bot_messages()) == 1
