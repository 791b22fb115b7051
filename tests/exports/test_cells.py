"""Cell text for spreadsheets: CSV lines exactly as ``csv.writer`` writes them, and no
character an XLSX file cannot hold."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given
from hypothesis import strategies as st

from storage.exports.text import spreadsheet_cells
from storage.exports.writers import csv_line

# Text rich in what CSV quoting is about: quotes, commas, line breaks, spaces.
CELL = st.text(alphabet=st.sampled_from(list("ab ,\"\r\n\t'é—;")) | st.characters(), max_size=40)


@given(st.lists(CELL.filter(lambda v: "\x00" not in v), min_size=2, max_size=8))
def test_a_csv_line_is_what_the_csv_module_writes(values: list[str]) -> None:
    expected = io.StringIO(newline="")
    csv.writer(expected).writerow(values)
    assert csv_line(values) == expected.getvalue()


@given(st.lists(CELL, min_size=2, max_size=8))
def test_a_csv_line_reads_back_as_the_cells_it_was_given(values: list[str]) -> None:
    cells = spreadsheet_cells(values)
    assert next(csv.reader(io.StringIO(csv_line(cells), newline=""))) == cells


XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def test_every_character_xml_cannot_hold_is_left_out_of_a_cell_and_only_those() -> None:
    for code in range(0x10000):
        char = chr(code)
        kept = spreadsheet_cells([f"a{char}b", "x"], quote=False)
        expected = "ab" if XML_ILLEGAL.match(char) else f"a{char}b"
        assert kept == [expected, "x"], hex(code)
