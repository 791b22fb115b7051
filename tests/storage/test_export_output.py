"""What each export format writes for a fixed set of stored examples, pinned byte for byte.

The examples are stored rows (contributors, interviews, answers, drafts) covering every
consent case, an erased contributor, staff-edited and drafted quotes, formula-like and
control characters, HTML, non-ASCII text and a contact card. Each format's file is compared
with the one kept under ``export_golden/``, on SQLite and PostgreSQL alike, so a faster
reading or writing path can never change what an admin receives.

After an intended change of output, rewrite the files with ``COPRO_UPDATE_GOLDEN=1`` and
review their diff.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import StaticPool

from conversations.drafting import DraftField, DraftRecord, DraftSentence
from conversations.lens import LensSuggestion
from conversations.model import Answer, MediaRef
from storage import export_parallel
from storage.database import Database
from storage.export_parallel import export_database, worker_url
from storage.export_source import stream_examples
from storage.exports import ExportFilters, ExportResult, export
from storage.models import AnswerRow, Contributor, Draft, Interview, ScriptVersion

GOLDEN = Path(__file__).resolve().parent / "export_golden"
UPDATE = os.environ.get("COPRO_UPDATE_GOLDEN") == "1"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WINDOW_FILTERS = ExportFilters(
    status=frozenset({"new", "in_review", "ready", "archived"}),
    since=START + timedelta(hours=2),
    until=START + timedelta(hours=11),
    include_raw=True,
)
"""Every status, raw answers in, a nine-hour window of the pinned set."""
EXPORTED_AT = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
STATUSES = ("new", "in_review", "ready", "published", "needs_info", "archived")


def _answer(question_id: str, text: str = "", *choices: str, **extra: object) -> Answer:
    return Answer(question_id, text, choices=tuple(choices), **extra)  # type: ignore[arg-type]


def _consent(number: int) -> list[tuple[Answer, str]]:
    """Each example's consent answers, a different case each (with the text staff see)."""
    yes, no = ("yes",), ("no",)
    cases: list[list[Answer]] = [
        [  # named, contact allowed by a shared contact card, a typed name
            _answer("consent", "", *yes),
            _answer("credit", "", "named"),
            _answer("credit_name", "  Ann   Smith. "),
            _answer("credit_org", "Riverside Tenants"),
            _answer("contact_ok", "", *yes),
            _answer(
                "contact_how",
                "ann@example.org",
                media=(
                    MediaRef(
                        "contact",
                        meta={"first_name": "Ann", "last_name": "Smith", "phone_number": "+44 1"},
                    ),
                ),
            ),
        ],
        [  # organisation credit, contact refused, quotes allowed apart, media refused
            _answer("consent", "", *yes),
            _answer("credit", "", "organisation"),
            _answer("credit_name", "Bob Hidden"),
            _answer("credit_org", "=Council <b>Team</b>"),
            _answer("contact_ok", "", *no),
            _answer("contact_how", "bob@example.org"),
            _answer("quotes_ok", "", *yes),
            _answer("media_ok", "", *no),
        ],
        [  # anonymous, no consent to use the answers
            _answer("consent", "", *no),
            _answer("credit", "", "anonymous"),
            _answer("credit_org", "Hidden Org"),
        ],
        [  # named without a typed name (the Telegram name is used), skipped contact
            _answer("consent", "", *yes),
            _answer("credit", "", "named"),
            _answer("contact_ok", "", *yes),
            Answer("contact_how", skipped=True),
        ],
        [],  # erased: the answers were removed with the contributor
        [  # no consent questions answered at all
        ],
    ]
    answers = cases[number % len(cases)]
    texts = {"consent": "Yes", "credit": "Credit", "contact_ok": "OK"}
    stored = [(a, texts.get(a.question_id, a.text)) for a in answers]
    stored.append((_answer("project", f"Project {number}: Zażółć gęślą jaźń\t=1+1"), ""))
    stored.append((Answer("extra", skipped=True), "skipped text"))
    return [(answer, text or answer.text) for answer, text in stored]


def _body(number: int) -> DraftRecord:
    staff_quotes = number % 2 == 0
    quotes = DraftField(
        "quotes",
        "We did it together\n\n  Everyone had a say  " if staff_quotes else "“We did it”",
        sentences=(DraftSentence("“We did it”", ("decision",)),),
        generated_text="“We did it”" if staff_quotes else None,
    )
    fields = {
        "title": DraftField("title", f"Garden #{number} — café <script>" if number else ""),
        "summary": DraftField(
            "summary",
            "Residents\x07 and the council met.\nTwice.",
            sentences=(DraftSentence("Residents and the council met.", ("summary",)),),
            generated_text="Residents and the council met.",
        ),
        "place": DraftField("place", "Leeds,\n  Yorkshire"),
        "outcomes": DraftField("outcomes", "+More trust" if number % 3 else "-"),
        "tips": DraftField("tips", "@everyone: listen"),
        "quotes": quotes,
    }
    return DraftRecord(
        script_id="full-story",
        reference=f"CP-2026-{number:05d}",
        fields=fields,
        lens=(
            LensSuggestion("ladder", "co_design", "Co-design", "they planned it", "origin"),
            LensSuggestion("nsce", "impact", "Impact", "it changed", "changed", "confirmed"),
        ),
        media=(
            MediaRef("photo", f"PHOTO{number}", caption="The  garden\nat night"),
            MediaRef("document", f"DOC{number}", meta={"url": "https://example.org/a b"}),
            MediaRef("contact", "C1", meta={"phone_number": "+44"}),
            MediaRef("location", meta={"latitude": 53.8}),
        ),
        links=("https://example.org/garden", "javascript:alert(1)"),
    )


async def _store(database: Database, count: int) -> None:
    async with database.session() as session:
        version = (
            await session.execute(
                insert(ScriptVersion)
                .values(
                    script_id="full-story", version=1, sha256="0" * 64, body={}, created_at=START
                )
                .returning(ScriptVersion.id)
            )
        ).scalar_one()
        for n in range(count):
            when = START + timedelta(hours=n)
            await session.execute(
                insert(Contributor).values(
                    id=n + 1,
                    telegram_user_id=500 + n,
                    chat_id=500 + n,
                    display_name=f"Telegram Name {n}",
                    created_at=when,
                    updated_at=when,
                    erased_at=when if n % 6 == 4 else None,
                )
            )
            await session.execute(
                insert(Interview).values(
                    id=n + 1,
                    contributor_id=n + 1,
                    script_version_id=version,
                    script_id="full-story",
                    status="submitted",
                    state={},
                    started_at=when,
                    updated_at=when,
                    submitted_at=None if n == 7 else when + timedelta(minutes=30),
                    reference=f"CP-2026-{n:05d}",
                    language="pl" if n % 4 == 1 else "en",
                )
            )
            if n % 6 != 4:
                await session.execute(
                    insert(AnswerRow),
                    [
                        {
                            "interview_id": n + 1,
                            "question_id": answer.question_id,
                            "value": answer.to_json(),
                            "text": text,
                            "revision": 1,
                            "created_at": when,
                            "updated_at": when,
                        }
                        for answer, text in _consent(n)
                    ],
                )
            await session.execute(
                insert(Draft).values(
                    interview_id=n + 1,
                    reference=f"CP-2026-{n:05d}",
                    script_id="full-story",
                    status=STATUSES[n % len(STATUSES)],
                    title="",
                    body=_body(n).to_json(),
                    staff_edited={},
                    version=1,
                    created_at=when + timedelta(minutes=45),
                    updated_at=when + timedelta(days=1, seconds=7),
                    status_changed_at=when,
                )
            )
        await session.commit()


def _zip_entries(data: bytes, only: str | None = None) -> bytes:
    """A ZIP's entries in order (or just ``only``), as ``== name ==`` and the text of each."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if only is not None and info.filename != only:
                continue
            out.write(f"== {info.filename} ==\n".encode())
            out.write(archive.read(info) + b"\n")
    return out.getvalue()


def _comparable(fmt: str, data: bytes) -> bytes:
    """What is pinned of a file: all of it, or for XLSX and DOCX the part that holds the
    examples (the rest is the library's template and its time stamp)."""
    if fmt == "md":
        return _zip_entries(data)
    if fmt == "xlsx":
        return _zip_entries(data, only="xl/worksheets/sheet1.xml")
    if fmt == "docx":
        return _zip_entries(data, only="word/document.xml")
    return data


@pytest.fixture
async def stored(database: Database) -> Database:
    await _store(database, 12)
    return database


@pytest.mark.parametrize("include_raw", [False, True], ids=["consented", "raw"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "md", "xlsx", "docx"])
async def test_each_format_writes_exactly_the_pinned_file(
    stored: Database, tmp_path: Path, fmt: str, include_raw: bool
) -> None:
    filters = ExportFilters(include_raw=include_raw)
    path = tmp_path / f"out.{fmt}"
    result = await export(
        stream_examples(stored, filters, batch_size=5),
        fmt,
        path,
        filters=filters,
        exported_at=EXPORTED_AT,
    )
    assert result.count == 12
    got = _comparable(fmt, path.read_bytes())
    golden = GOLDEN / f"{'raw' if include_raw else 'consented'}.{fmt}.txt"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(got)
    assert got == golden.read_bytes()


async def test_filters_pick_the_same_examples_from_the_pinned_set(
    stored: Database, tmp_path: Path
) -> None:
    filters = WINDOW_FILTERS
    path = tmp_path / "some.jsonl"
    await export(stream_examples(stored, filters, batch_size=2), "jsonl", path, filters=filters)
    text = path.read_text(encoding="utf-8")
    # new: 0, 6; in review: 1, 7; ready: 2, 8; archived: 5, 11; from hour 2 until before
    # hour 11. Number 7 has no submission time: its draft's creation, at 7:45, counts.
    wanted = [f"CP-2026-{n:05d}" for n in (2, 5, 6, 7, 8)]
    assert [line.split('"reference": "')[1][:13] for line in text.splitlines()] == wanted


@pytest.mark.parametrize("include_raw", [False, True], ids=["consented", "raw"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md", "xlsx"])
async def test_an_export_in_worker_processes_writes_exactly_the_pinned_file(
    stored: Database, tmp_path: Path, fmt: str, include_raw: bool
) -> None:
    """Cut into ranges of 5 draft ids, exported by two processes and joined: the same bytes
    as the serial export (the pinned Markdown is each page's, so the ZIP is read as well)."""
    filters = ExportFilters(include_raw=include_raw)
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / f"out.{fmt}"
    seen: list[int] = []
    result = await _in_ranges(stored, fmt, path, filters, 5, seen)
    assert result.count == 12
    assert result.bytes == path.stat().st_size
    assert seen == [5, 10, 12]  # after each range, in order
    golden = GOLDEN / f"{'raw' if include_raw else 'consented'}.{fmt}.txt"
    assert _comparable(fmt, path.read_bytes()) == golden.read_bytes()
    assert _names(folder) == [path.name]  # no part left behind
    if fmt in ("md", "xlsx"):  # the pinned files are what the ZIP holds: the ZIP itself too
        serial = tmp_path / f"serial.{fmt}"
        await _serial(stored, fmt, serial, filters)
        assert _same_file(fmt, path.read_bytes(), serial.read_bytes())
        with zipfile.ZipFile(path) as joined:
            assert joined.testzip() is None


async def _serial(stored: Database, fmt: str, path: Path, filters: ExportFilters) -> None:
    await export(
        stream_examples(stored, filters), fmt, path, filters=filters, exported_at=EXPORTED_AT
    )


async def _in_ranges(
    stored: Database,
    fmt: str,
    path: Path,
    filters: ExportFilters,
    range_size: int,
    progress: list[int] | None = None,
) -> ExportResult:
    """Exported by two worker processes over ranges of ``range_size`` draft ids."""
    return await export_database(
        stored,
        fmt,
        path,
        filters=filters,
        progress=progress.append if progress is not None else None,
        exported_at=EXPORTED_AT,
        workers=2,
        range_size=range_size,
        min_parallel_span=1,
    )


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _same_file(fmt: str, one: bytes, other: bytes) -> bool:
    """The same bytes; for XLSX, whose workbook around the sheet openpyxl stamps with the
    time it was made, every entry the same but that stamp."""
    if fmt != "xlsx":
        return one == other
    return _workbook(one) == _workbook(other)


def _workbook(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return [
            (info.filename, book.read(info) if info.filename != "docProps/core.xml" else b"")
            for info in book.infolist()
        ]


@pytest.mark.parametrize("fmt", ["jsonl", "xlsx"])
async def test_an_export_in_worker_processes_keeps_the_filters(
    stored: Database, tmp_path: Path, fmt: str
) -> None:
    """Filtered, ranges hold 0 to 3 examples (a sheet's rows numbered from their counts)."""
    filters = WINDOW_FILTERS
    serial, parallel = tmp_path / f"serial.{fmt}", tmp_path / f"parallel.{fmt}"
    await _serial(stored, fmt, serial, filters)
    result = await _in_ranges(stored, fmt, parallel, filters, 3)
    assert result.count == 5
    assert _same_file(fmt, parallel.read_bytes(), serial.read_bytes())


async def test_a_sheet_whose_drafts_changed_after_counting_is_exported_serially(
    stored: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft that leaves the filters between the count of its range and its export would
    misnumber every later row: the workbook is then made by the serial export instead."""
    counted = export_parallel.count_examples

    async def one_more(database: Database, filters: ExportFilters, **within: int) -> int:
        return await counted(database, filters, **within) + 1

    monkeypatch.setattr(export_parallel, "count_examples", one_more)
    filters = ExportFilters(include_raw=True)
    folder = tmp_path / "exports"
    folder.mkdir()
    serial, parallel = folder / "serial.xlsx", folder / "parallel.xlsx"
    await _serial(stored, "xlsx", serial, filters)
    seen: list[int] = []
    result = await _in_ranges(stored, "xlsx", parallel, filters, 5, seen)
    assert result.count == 12
    assert seen == list(range(1, 13))  # a serial export's progress
    assert _same_file("xlsx", parallel.read_bytes(), serial.read_bytes())
    assert _names(folder) == ["parallel.xlsx", "serial.xlsx"]  # no part left behind


@pytest.mark.parametrize(("load", "workers"), [(0.0, 4), (2.5, 4), (4.9, 4), (5.0, 1), (9.0, 1)])
def test_workers_are_the_cores_unless_the_machine_is_busy(
    monkeypatch: pytest.MonkeyPatch, load: float, workers: int
) -> None:
    monkeypatch.setattr(export_parallel.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    monkeypatch.setattr(export_parallel.os, "getloadavg", lambda: (load, 0.0, 0.0))
    assert export_parallel.export_workers() == workers


def test_an_in_memory_database_is_never_handed_to_worker_processes() -> None:
    memory = Database(create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool))
    assert worker_url(memory) is None
    assert (
        worker_url(Database.from_url("sqlite:////tmp/some.db"))
        == "sqlite+aiosqlite:////tmp/some.db"
    )


async def test_a_draft_with_very_many_fields_exports_them_all(
    database: Database, tmp_path: Path
) -> None:
    """Drafts with more fields than the database is asked for by position are read whole."""
    await _store(database, 1)
    record = _body(1)
    extra = {f"note_{i}": DraftField(f"note_{i}", f"note {i}") for i in range(60)}
    body = record.to_json()
    body["fields"] = [*(f.to_json() for f in extra.values()), *body["fields"]]
    async with database.session() as session:
        await session.execute(update(Draft).values(body=body))
        await session.commit()
    filters = ExportFilters()
    path = tmp_path / "many.jsonl"
    await export(stream_examples(database, filters), "jsonl", path, filters=filters)
    [record_out] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert record_out["fields"]["title"] == "Garden #1 — café <script>"
    assert record_out["fields"]["tips"] == "@everyone: listen"
    assert record_out["quotes"] == ["“We did it”"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yes",
        "No",
        "null",
        "~",
        "1.5",
        "0x1F",
        "2026-01-01",
        "- item",
        "a: b",
        "#tag",
        "'quoted'",
        '"double"',
        " leading",
        "trailing ",
        "two\nlines",
        "Zażółć — café",
        "[x]",
        "{y}",
        "@at",
        "%",
    ],
)
def test_markdown_front_matter_is_what_the_yaml_dumper_would_write(text: str) -> None:
    """Front matter nodes are built directly; the YAML must be the safe dumper's, byte for byte."""
    import yaml

    from storage.exports.markdown import _node

    matter: dict[str, object] = {"title": text, "tags": [text, "ladder:co_design"], "empty": []}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    expected = yaml.dump(
        matter, Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=False
    )
    assert yaml.serialize(_node(matter), Dumper=dumper, allow_unicode=True) == expected
