"""One writer per format. Each takes examples one at a time (consent already applied)
and writes them straight to its file, so an export never holds the whole data set.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from storage.exports.columns import COLUMN_WIDTHS, COLUMNS, row
from storage.exports.document import Report, add_example
from storage.exports.markdown import markdown_file_name, render_markdown
from storage.exports.model import ExportExample, as_utc, iso_utc
from storage.exports.schema import to_record
from storage.exports.text import XLSX_CELL_LIMIT, spreadsheet_cells
from storage.exports.zipstream import StreamingZipFile


class ExampleWriter(Protocol):
    """Writes one export file: ``write`` per example, then ``finish`` (or ``abort``)."""

    def write(self, example: ExportExample) -> None: ...

    def finish(self) -> None: ...

    def abort(self) -> None: ...


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    utc = as_utc(moment)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def csv_line(values: list[str]) -> str:
    """``values`` as one line of ``csv.writer``'s default (Excel) dialect, two or more
    fields: a field holding a quote, comma or line break quoted, its quotes doubled.

    Made with string methods because ``csv.writer`` copies each field a character at a
    time, several times slower on the long texts of an example (tests compare the two).
    """
    return (
        ",".join(
            [
                '"' + value.replace('"', '""') + '"'
                if '"' in value or "," in value or "\n" in value or "\r" in value
                else value
                for value in values
            ]
        )
        + "\r\n"
    )


class CsvWriter:
    """UTF-8 with a byte order mark, so Excel opens it as UTF-8; formulas neutralised."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._file.write("\ufeff" + csv_line(list(COLUMNS)))

    def write(self, example: ExportExample) -> None:
        self._file.write(csv_line(spreadsheet_cells(row(example))))

    def finish(self) -> None:
        self._file.close()

    def abort(self) -> None:
        self._file.close()


# ``json.dumps(record, ensure_ascii=False)``, without making an encoder per record.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class JsonLinesWriter:
    """One schema record per line, UTF-8."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._file: IO[bytes] = path.open("wb")

    def write(self, example: ExportExample) -> None:
        self._file.write(_ENCODE(to_record(example)).encode() + b"\n")

    def finish(self) -> None:
        self._file.close()

    def abort(self) -> None:
        self._file.close()


class JsonWriter:
    """``{"exported_at", "count", "examples": [...]}`` with the array streamed.

    The count is unknown until the end, so a blank slot is reserved for it after
    ``"count":`` and filled in by ``finish`` (JSON allows the spare spaces).
    """

    _COUNT_SLOT = 20

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._file: IO[bytes] = path.open("wb")
        head = b'{"exported_at": ' + json.dumps(iso_utc(exported_at)).encode() + b', "count": '
        self._count_at = len(head)
        self._file.write(head + b" " * self._COUNT_SLOT + b',\n"examples": [')
        self._count = 0

    def write(self, example: ExportExample) -> None:
        record = _ENCODE(to_record(example)).encode()
        self._file.write((b",\n" if self._count else b"\n") + record)
        self._count += 1

    def finish(self) -> None:
        self._file.write(b"\n]}\n")
        self._file.seek(self._count_at)
        self._file.write(str(self._count).encode().ljust(self._COUNT_SLOT))
        self._file.close()

    def abort(self) -> None:
        self._file.close()


class XlsxWriter:
    """A write-only (streamed) workbook: bold, frozen header row and set column widths."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        # openpyxl loads in a few hundred ms: only when a workbook is written.
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self._path = path
        self._book = Workbook(write_only=True)
        self._book.properties.title = "Co-production examples"
        self._sheet = self._book.create_sheet("Examples")
        self._sheet.freeze_panes = "A2"
        for index, name in enumerate(COLUMNS, start=1):
            self._sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS[name]
        bold = Font(bold=True)
        header = []
        for name in COLUMNS:
            cell = WriteOnlyCell(self._sheet, value=name)
            cell.font = bold
            header.append(cell)
        self._sheet.append(header)
        self._media_count = COLUMNS.index("media_count")

    def write(self, example: ExportExample) -> None:
        cells: list[Any] = spreadsheet_cells(row(example), XLSX_CELL_LIMIT, quote=False)
        for index, value in enumerate(cells):
            if value.startswith("="):
                cells[index] = self._text_cell(value)
        cells[self._media_count] = len(example.media)
        self._sheet.append(cells)

    def _text_cell(self, value: str) -> Any:
        """A string cell for text openpyxl would store as a formula (a leading ``=``): typed
        as text explicitly and quote-prefixed, so Excel shows and keeps it as typed."""
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self._sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    def finish(self) -> None:
        self._book.save(self._path)

    def abort(self) -> None:
        # Saving is the only public way to end openpyxl's streaming writer cleanly; the
        # caller deletes the partial file.
        with contextlib.suppress(Exception):
            self._book.save(self._path)


class MarkdownZipWriter:
    """A ZIP of ``<reference>-<slug>.md`` pages, each with YAML front matter."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._zip = StreamingZipFile(path)
        self._time = _zip_time(exported_at)

    def write(self, example: ExportExample) -> None:
        page = render_markdown(example).encode()
        self._zip.add(markdown_file_name(example), page, self._time)

    def finish(self) -> None:
        self._zip.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._zip.close()


class DocxWriter:
    """One Word document, a page per example (built in memory: see ``document``)."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._path = path
        self._report = Report(exported_at)
        self._count = 0

    def write(self, example: ExportExample) -> None:
        if self._count:
            self._report.page_break()
        add_example(self._report, example)
        self._count += 1

    def finish(self) -> None:
        if not self._count:
            self._report.paragraph("No examples matched this export.")
        self._report.save(str(self._path))

    def abort(self) -> None:
        return None


class DocxZipWriter:
    """A ZIP with one small Word document per example: bounded memory at any size.

    One document is reused (emptied after each save) so the template is parsed once.
    """

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._zip = StreamingZipFile(path)
        self._report = Report(exported_at)
        self._time = _zip_time(exported_at)

    def write(self, example: ExportExample) -> None:
        self._report.clear()
        add_example(self._report, example)
        buffer = io.BytesIO()
        self._report.save(buffer)
        name = markdown_file_name(example).removesuffix(".md") + ".docx"
        self._zip.add(name, buffer.getvalue(), self._time, compress=False)

    def finish(self) -> None:
        self._zip.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._zip.close()
