"""XLSX rows are written as XML directly: exactly what openpyxl's write-only sheet writes."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from storage.exports import ExportFilters, export
from storage.exports.text import xml_safe
from storage.exports.writers import get_column_letter, xlsx_row
from tests.exports.factories import make_example, source

_PIECES = st.sampled_from(
    [
        *("a", " ", "  ", "\n", "\r", "\t", "&", "<", ">", '"', "'", "=", "#N/A", "#REF!"),
        *("é", "—", "Zażółć", "中文", "😀", "\x85", "\xa0", "]]>", "&amp;", "1", "-", "@", "+"),
    ]
)
_TEXTS = st.one_of(
    st.lists(_PIECES, max_size=8).map("".join),
    st.text(max_size=30).map(xml_safe),
)


def _openpyxl_row(values: list[Any]) -> tuple[str, int]:
    """Row 2 as openpyxl writes it (formula-like text as a quote-prefixed text cell, as
    exports always wrote it), and the style id of such cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Examples")
    sheet.append(["header"])
    cells: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)
    probe = WriteOnlyCell(sheet, value="")
    probe.quotePrefix = True
    style = int(probe.style_id)
    saved = io.BytesIO()
    book.save(saved)
    xml = zipfile.ZipFile(saved).read("xl/worksheets/sheet1.xml").decode("ascii")
    found = re.search(r'<row r="2">.*?</row>', xml, re.DOTALL)
    assert found is not None
    return found.group(0), style


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_TEXTS, st.integers(0, 10**6)), min_size=1, max_size=30))
def test_a_row_is_the_xml_openpyxl_writes(values: list[Any]) -> None:
    expected, style = _openpyxl_row(values)
    letters = [get_column_letter(index) for index in range(1, len(values) + 1)]
    got = xlsx_row(2, values, letters, style).encode("ascii", "xmlcharrefreplace").decode()
    assert got == expected


def test_column_letters_run_past_z() -> None:
    names = [get_column_letter(index) for index in (1, 26, 27, 52, 53, 702, 703, 16_384)]
    assert names == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


async def test_a_workbook_reads_back_with_text_numbers_and_styles(tmp_path: Path) -> None:
    """What a spreadsheet program reads from an export: every cell as typed."""
    example = make_example(1)
    fields = {**example.fields, "summary": "  spaced \r\nlines ", "place": "café & <b>"}
    example = replace(example, fields=fields, organisation="=1+1", contact="#N/A")
    rows = [make_example(n) for n in range(2, 40)]
    path = tmp_path / "book.xlsx"
    await export(source([example, *rows]), "xlsx", path, filters=ExportFilters())

    book = load_workbook(path)
    sheet = book["Examples"]
    cells = {name.value: cell for name, cell in zip(sheet[1], sheet[2], strict=True)}
    assert cells["summary"].value == "  spaced \r\nlines "
    assert cells["place"].value == "café & <b>"
    assert (cells["organisation"].value, cells["organisation"].quotePrefix) == ("=1+1", True)
    assert cells["organisation"].data_type == "s"
    assert cells["contributor_name"].value == "Person 1"
    assert cells["contact"].value == "#N/A"
    assert (cells["media_count"].value, cells["media_count"].data_type) == (1, "n")
    assert cells["links_and_media"].value == example.fields["links_and_media"]
    assert sheet.max_row == 40
    assert [sheet.cell(row=r, column=1).value for r in (3, 40)] == [
        "CP-2026-00002",
        "CP-2026-00039",
    ]
