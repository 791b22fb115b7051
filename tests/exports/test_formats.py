"""Every format, read back as an admin (or a site generator) would read it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from storage.exports import (
    COLUMNS,
    EXPORT_FORMATS,
    TEXT_FIELDS,
    ExportExample,
    ExportFilters,
    MediaItem,
    default_file_name,
    export,
    load_schema,
    media_type,
    zip_if_large,
)
from tests.exports.factories import file_bytes, make_example, source

EXPORTED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ALL_RAW = ExportFilters(include_raw=True)


async def run(
    tmp_path: Path, fmt: str, examples: list[ExportExample], filters: ExportFilters = ALL_RAW
) -> Path:
    output = tmp_path / default_file_name(fmt, EXPORTED_AT)
    result = await export(source(examples), fmt, output, filters=filters, exported_at=EXPORTED_AT)
    assert result.path == output
    assert result.bytes == output.stat().st_size
    return output


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def xlsx_rows(path: Path) -> list[list[object]]:
    book = load_workbook(path, read_only=True)
    try:
        return [list(values) for values in book["Examples"].iter_rows(values_only=True)]
    finally:
        book.close()


def markdown_pages(path: Path) -> dict[str, tuple[dict[str, object], str]]:
    """File name -> (front matter, body)."""
    pages = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            _, matter, body = text.split("---\n", 2)
            pages[name] = (yaml.safe_load(matter), body)
    return pages


def docx_paragraphs(data: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(data))
    return [(p.style.name if p.style else "", p.text) for p in document.paragraphs]


# --- consent, in every format -------------------------------------------------------------

SECRET_NAME = "Zebediah Quartermain"
SECRET_ORG = "Wexford Hollow Collective"
SECRET_CONTACT = "zeb@hidden.example"
SECRET_QUOTE = "Nobody asked us before"
SECRET_RAW = "my unpolished private words"
SECRET_MEDIA = "Secret caption of the photo"


def secretive(number: int, **changes: Any) -> ExportExample:
    return make_example(
        number,
        contributor_name=SECRET_NAME,
        organisation=SECRET_ORG,
        contact=SECRET_CONTACT,
        quotes=(SECRET_QUOTE,),
        raw_answers={"story": SECRET_RAW},
        media=(MediaItem("photo", "FILE-ID", SECRET_MEDIA),),
        **changes,
    )


CONSENT_CASES = {
    "anonymous": (secretive(1, credit="anonymous"), [SECRET_NAME, SECRET_ORG]),
    "organisation": (secretive(2, credit="organisation"), [SECRET_NAME]),
    "no contact": (secretive(3, contact_allowed=False), [SECRET_CONTACT]),
    "no quotes": (secretive(4, quotes_allowed=False), [SECRET_QUOTE]),
    "no media": (secretive(5, media_allowed=False), [SECRET_MEDIA]),
    "erased": (
        secretive(6, erased=True),
        [SECRET_NAME, SECRET_ORG, SECRET_CONTACT, SECRET_QUOTE, SECRET_RAW, SECRET_MEDIA],
    ),
}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("case", CONSENT_CASES)
async def test_withheld_personal_data_appears_nowhere_in_the_file(
    tmp_path: Path, fmt: str, case: str
) -> None:
    example, withheld = CONSENT_CASES[case]

    content = file_bytes(await run(tmp_path, fmt, [example]))

    assert [secret for secret in withheld if secret.encode() in content] == []
    assert example.reference.encode() in content


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
async def test_allowed_personal_data_is_exported(tmp_path: Path, fmt: str) -> None:
    content = file_bytes(await run(tmp_path, fmt, [secretive(7)]))

    expected = [SECRET_NAME, SECRET_ORG, SECRET_QUOTE]
    if fmt in ("csv", "xlsx", "json", "jsonl"):
        expected += [SECRET_CONTACT, SECRET_RAW]
    if fmt not in ("csv", "xlsx"):  # spreadsheets carry media_count only
        expected += [SECRET_MEDIA]
    assert [secret for secret in expected if secret.encode() not in content] == []


async def test_spreadsheet_media_count_honours_media_consent(tmp_path: Path) -> None:
    examples = [secretive(1), secretive(2, media_allowed=False)]

    rows = csv_rows(await run(tmp_path, "csv", examples))

    assert [row["media_count"] for row in rows] == ["1", "0"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl"])
async def test_raw_answers_only_when_requested(tmp_path: Path, fmt: str) -> None:
    content = file_bytes(await run(tmp_path, fmt, [secretive(8)], ExportFilters()))

    assert SECRET_RAW.encode() not in content


# --- filtering, counting, failure -----------------------------------------------------------


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
async def test_export_counts_only_matching_examples_and_reports_progress(
    tmp_path: Path, fmt: str
) -> None:
    examples = [make_example(n, status="ready" if n % 2 else "new") for n in range(1, 7)]
    seen: list[int] = []
    output = tmp_path / default_file_name(fmt, EXPORTED_AT)

    result = await export(
        source(examples),
        fmt,
        output,
        filters=ExportFilters(status=frozenset({"ready"})),
        progress=seen.append,
    )

    content = file_bytes(output)
    assert (result.count, seen) == (3, [1, 2, 3])
    assert [n for n in range(1, 7) if f"CP-2026-{n:05d}".encode() in content] == [1, 3, 5]


def files_in(folder: Path) -> list[Path]:
    return list(folder.iterdir())


async def failing_source() -> AsyncIterator[ExportExample]:
    yield make_example(1)
    raise RuntimeError("database went away")


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
async def test_failed_export_leaves_no_file(tmp_path: Path, fmt: str) -> None:
    output = tmp_path / default_file_name(fmt, EXPORTED_AT)

    with pytest.raises(RuntimeError, match="database went away"):
        await export(failing_source(), fmt, output, filters=ExportFilters())

    assert files_in(tmp_path) == []


async def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        await export(source([]), "pdf", tmp_path / "x.pdf", filters=ExportFilters())


def test_file_names_and_media_types() -> None:
    now = datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC)

    assert {fmt: (default_file_name(fmt, now), media_type(fmt)) for fmt in EXPORT_FORMATS} == {
        "csv": ("copro-examples-20260302-080005Z.csv", "text/csv"),
        "jsonl": ("copro-examples-20260302-080005Z.jsonl", "application/x-ndjson"),
        "json": ("copro-examples-20260302-080005Z.json", "application/json"),
        "md": ("copro-examples-20260302-080005Z.md.zip", "application/zip"),
        "xlsx": (
            "copro-examples-20260302-080005Z.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "docx": (
            "copro-examples-20260302-080005Z.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "docx-zip": ("copro-examples-20260302-080005Z.docx.zip", "application/zip"),
    }


# --- CSV and XLSX ---------------------------------------------------------------------------

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example","x")',
    "summary": "+1+1",
    "place": "-2",
    "tips": "@SUM(A1)",
    "outcomes": "\t=1",
    "challenges": "\r=1",
}


def formula_example() -> ExportExample:
    example = make_example(1)
    return replace(example, fields={**example.fields, **FORMULAS})


async def test_csv_has_bom_stable_columns_and_readable_multi_values(tmp_path: Path) -> None:
    path = await run(
        tmp_path, "csv", [make_example(1, links=("https://a.example", "https://b.example"))]
    )

    rows = csv_rows(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(rows[0]) == list(COLUMNS)
    assert {
        k: rows[0][k]
        for k in (
            "reference",
            "submitted_at",
            "links",
            "tags_confirmed",
            "tags_suggested",
            "media_count",
            "credit",
            "raw_answers",
        )
    } == {
        "reference": "CP-2026-00001",
        "submitted_at": "2026-03-01T10:30:00Z",
        "links": "https://a.example\nhttps://b.example",
        "tags_confirmed": "ladder:co_design",
        "tags_suggested": "ladder:consultation",
        "media_count": "1",
        "credit": "named",
        "raw_answers": "story: raw story words 1\nplace: Leeds",
    }


async def test_csv_neutralises_formulas(tmp_path: Path) -> None:
    rows = csv_rows(await run(tmp_path, "csv", [formula_example()]))

    assert {name: rows[0][name] for name in FORMULAS} == {
        name: "'" + value for name, value in FORMULAS.items()
    }


async def test_xlsx_keeps_formula_like_text_as_text_cells_without_a_quote(
    tmp_path: Path,
) -> None:
    path = await run(tmp_path, "xlsx", [formula_example()])

    sheet = load_workbook(path)["Examples"]
    cells = {name.value: cell for name, cell in zip(sheet[1], sheet[2], strict=True)}
    assert {name: cells[name].value for name in FORMULAS} == FORMULAS
    assert {name: cells[name].data_type for name in FORMULAS} == dict.fromkeys(FORMULAS, "s")
    assert cells["title"].quotePrefix is True


async def test_xlsx_header_is_bold_frozen_and_columns_sized(tmp_path: Path) -> None:
    path = await run(tmp_path, "xlsx", [make_example(1), make_example(2)])

    book = load_workbook(path)
    sheet = book["Examples"]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["H"].width) == (16, 50)
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == ["CP-2026-00001", "CP-2026-00002"]
    assert sheet.cell(row=2, column=COLUMNS.index("media_count") + 1).value == 1


async def test_xlsx_strips_control_characters_and_truncates_huge_cells(tmp_path: Path) -> None:
    example = make_example(1)
    example = replace(
        example, fields={**example.fields, "summary": "a\x00b\x07c", "tips": "x" * 40_000}
    )

    header, values = xlsx_rows(await run(tmp_path, "xlsx", [example]))
    cells = dict(zip(header, values, strict=True))
    assert cells["summary"] == "abc"
    assert len(str(cells["tips"])) == 32_767
    assert str(cells["tips"]).endswith("[…truncated]")


# --- JSON and JSON Lines ---------------------------------------------------------------------

VALIDATOR = Draft202012Validator(load_schema())


def test_schema_is_valid_and_requires_every_text_field() -> None:
    schema = load_schema()

    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["fields"]["required"] == list(TEXT_FIELDS)


MIXED = [
    make_example(1),
    make_example(2, credit="anonymous", quotes_allowed=False),
    make_example(3, credit="organisation", erased=True, raw_answers=None),
]


async def test_json_lines_records_follow_the_schema(tmp_path: Path) -> None:
    lines = (await run(tmp_path, "jsonl", MIXED)).read_text(encoding="utf-8").splitlines()

    records = [json.loads(line) for line in lines]
    assert [list(VALIDATOR.iter_errors(record)) for record in records] == [[], [], []]
    assert [r["credit"]["line"] for r in records] == [
        "Person 1, Trust 1",
        "Anonymous contributor",
        "Anonymous contributor",
    ]


async def test_json_document_has_envelope_and_valid_records(tmp_path: Path) -> None:
    document = json.loads((await run(tmp_path, "json", MIXED)).read_text(encoding="utf-8"))

    assert list(document) == ["exported_at", "count", "examples"]
    assert (document["exported_at"], document["count"]) == ("2026-03-02T08:00:00Z", 3)
    assert [list(VALIDATOR.iter_errors(r)) for r in document["examples"]] == [[], [], []]
    assert document["examples"][0]["raw_answers"] == {
        "story": "raw story words 1",
        "place": "Leeds",
    }


async def test_empty_json_export_is_a_valid_document(tmp_path: Path) -> None:
    document = json.loads((await run(tmp_path, "json", [])).read_text(encoding="utf-8"))

    assert document == {"exported_at": "2026-03-02T08:00:00Z", "count": 0, "examples": []}


# --- Markdown ----------------------------------------------------------------------------


async def test_markdown_zip_has_one_page_per_example_with_safe_front_matter(
    tmp_path: Path,
) -> None:
    tricky = make_example(9)
    tricky = replace(
        tricky,
        fields={**tricky.fields, "title": "Ça: 'quoted' #1 / ../etc", "place": 'Leeds: "north"'},
    )
    pages = markdown_pages(await run(tmp_path, "md", [make_example(1), tricky]))

    assert sorted(pages) == [
        "CP-2026-00001-community-garden-1.md",
        "CP-2026-00009-ca-quoted-1-etc.md",
    ]
    matter, _ = pages["CP-2026-00009-ca-quoted-1-etc.md"]
    assert matter == {
        "reference": "CP-2026-00009",
        "title": "Ça: 'quoted' #1 / ../etc",
        "status": "ready",
        "script": "full_story",
        "language": "en",
        "submitted_at": "2026-03-01T18:30:00Z",
        "credit": "Person 9, Trust 9",
        "tags": ["ladder:co_design"],
        "place": 'Leeds: "north"',
    }


async def test_markdown_body_has_headings_blockquotes_and_credit(tmp_path: Path) -> None:
    example = make_example(1, quotes=("First line\nsecond line",))
    example = replace(example, fields={**example.fields, "tips": "Use <script>alert(1)</script>"})
    ((_, body),) = markdown_pages(await run(tmp_path, "md", [example])).values()

    assert body.startswith("\n# Community garden 1\n\n## Summary\n\nSummary of example 1.\n")
    assert "## Tips for others\n\nUse &lt;script&gt;alert(1)&lt;/script&gt;\n" in body
    assert "## In their words\n\n> First line\n> second line\n" in body
    assert "- <https://example.org/garden/1>\n" in body
    assert body.endswith("*Shared by Person 1, Trust 1.*\n")


# --- DOCX ---------------------------------------------------------------------------------


async def test_docx_has_title_heading_per_example_quotes_and_page_breaks(tmp_path: Path) -> None:
    path = await run(tmp_path, "docx", [make_example(1), make_example(2, credit="anonymous")])

    paragraphs = docx_paragraphs(path.read_bytes())
    assert paragraphs[0] == ("Title", "Co-production examples")
    assert [text for style, text in paragraphs if style == "Heading 1"] == [
        "Community garden 1",
        "Community garden 2",
    ]
    headings = [text for style, text in paragraphs if style == "Heading 2"]
    assert headings[:3] == ["Summary", "Place", "Dates and stage"]
    assert ("Quote", "We planted it together 1.") in paragraphs
    assert ("Normal", "Shared by Anonymous contributor.") in paragraphs
    assert file_bytes(path).count(b'w:type="page"') == 1


async def test_docx_zip_has_one_document_per_example(tmp_path: Path) -> None:
    path = await run(tmp_path, "docx-zip", [make_example(1), make_example(2)])

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        first = docx_paragraphs(archive.read(names[0]))
    assert names == [
        "CP-2026-00001-community-garden-1.docx",
        "CP-2026-00002-community-garden-2.docx",
    ]
    assert [text for style, text in first if style == "Heading 1"] == ["Community garden 1"]


# --- zip for Telegram ----------------------------------------------------------------------


def test_zip_if_large_keeps_small_files_and_zips_large_ones(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("reference\n" + "CP-2026-00001\n" * 1000, encoding="utf-8")

    small = zip_if_large(path, limit_bytes=1_000_000)
    large = zip_if_large(path, limit_bytes=100)

    assert small == path
    assert large == tmp_path / "export.csv.zip"
    with zipfile.ZipFile(large) as archive:
        assert archive.read("export.csv") == path.read_bytes()
