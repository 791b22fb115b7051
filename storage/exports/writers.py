"""One writer per format. Each takes examples one at a time (consent already applied)
and writes them straight to its file, so an export never holds the whole data set.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
import zipfile
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


def get_column_letter(index: int) -> str:
    """The spreadsheet letters of column ``index`` (1 is ``A``, 27 is ``AA``)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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


# What a CSV file starts with: a byte order mark, so Excel opens it as UTF-8, and the header.
CSV_HEAD = "\ufeff" + csv_line(list(COLUMNS))


class CsvWriter:
    """UTF-8 with a byte order mark, so Excel opens it as UTF-8; formulas neutralised."""

    def __init__(self, path: Path, exported_at: datetime) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._file.write(CSV_HEAD)

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


# Cell text openpyxl stores as an error value, not as text (``Cell.ERROR_CODES``).
_XLSX_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_XLSX_SHEET = "xl/worksheets/sheet1.xml"
_XLSX_END_OF_ROWS = b"</sheetData>"
# Deflate level of the sheet, by far the largest part: zlib's fastest level compresses it
# several times faster than the default at about 1.4 times the size.
_XLSX_SHEET_LEVEL = 1
# Cell values are joined with a character no cell can hold (XML cannot) to escape a row at once.
_CELL_SEPARATOR = "\x00"
_ROW_BUFFER = 1 << 16


def xlsx_row(number: int, cells: list[Any], letters: list[str], text_style: int) -> str:
    """Row ``number`` as the ``<row>`` element openpyxl's write-only sheet writes for these
    values (XML-safe strings, or ints) in the columns named ``letters``, before its ASCII
    encoding with character references.

    A string starting with ``=`` is a text cell in ``text_style`` (quote-prefixed), never a
    formula; tests hold every case to openpyxl's own output.
    """
    r = str(number)
    texts = [value if isinstance(value, str) else "" for value in cells]
    escaped = (
        _CELL_SEPARATOR.join(texts)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
        .split(_CELL_SEPARATOR)
    )
    out = [f'<row r="{r}">']
    for column, value in enumerate(cells):
        ref = f'<c r="{letters[column]}{r}"'
        if not isinstance(value, str):
            out.append(f'{ref} t="n"><v>{value}</v></c>')
        elif not value:
            out.append(f'{ref} t="inlineStr"></c>')
        elif value in _XLSX_ERRORS:
            out.append(f'{ref} t="e"><v>{escaped[column]}</v></c>')
        else:
            style = f' s="{text_style}"' if value[0] == "=" else ""
            space = ' xml:space="preserve"' if value != value.strip() else ""
            out.append(f'{ref}{style} t="inlineStr"><is><t{space}>{escaped[column]}</t></is></c>')
    out.append("</row>")
    return "".join(out)


class XlsxRows:
    """The sheet rows of examples, as :func:`xlsx_row` makes them, ASCII-encoded into
    ``file`` (buffered), numbered on from ``last_row``."""

    def __init__(self, file: IO[bytes], last_row: int, text_style: int) -> None:
        self._file = file
        self._text_style = text_style
        self._buffer: list[str] = []
        self._buffered = 0
        self.number = last_row
        self._media_count = COLUMNS.index("media_count")
        self._letters = [get_column_letter(index) for index in range(1, len(COLUMNS) + 1)]

    def write(self, example: ExportExample) -> None:
        cells: list[Any] = spreadsheet_cells(row(example), XLSX_CELL_LIMIT, quote=False)
        cells[self._media_count] = len(example.media)
        self.number += 1
        line = xlsx_row(self.number, cells, self._letters, self._text_style)
        self._buffer.append(line)
        self._buffered += len(line)
        if self._buffered > _ROW_BUFFER:
            self.flush()

    def flush(self) -> None:
        # openpyxl writes ASCII, anything else as a character reference.
        self._file.write("".join(self._buffer).encode("ascii", "xmlcharrefreplace"))
        self._buffer.clear()
        self._buffered = 0


class XlsxWriter:
    """A workbook with a bold, frozen header row and set column widths.

    openpyxl makes the workbook around the sheet (styles, properties, the header row); the
    rows are written here as the XML openpyxl's write-only sheet writes, into a temporary
    file, and joined to the rest when the workbook is finished. openpyxl made a cell object
    and an XML element per cell, most of an export's time.
    """

    def __init__(self, path: Path, exported_at: datetime) -> None:
        # openpyxl loads in a few hundred ms: only when a workbook is written.
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        book.properties.title = "Co-production examples"
        sheet = book.create_sheet("Examples")
        sheet.freeze_panes = "A2"
        for index, name in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS[name]
        bold = Font(bold=True)
        header = []
        for name in COLUMNS:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        # The style of formula-like text (a quote prefix), registered after the header's.
        text_cell = WriteOnlyCell(sheet, value="")
        text_cell.quotePrefix = True
        self.text_style = int(text_cell.style_id)
        template = io.BytesIO()
        book.save(template)
        self._template = zipfile.ZipFile(template)
        self._path = path
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish)
        self._rows = XlsxRows(self._file, 1, self.text_style)

    def write(self, example: ExportExample) -> None:
        self._rows.write(example)

    def append_rows(self, rows: IO[bytes], count: int) -> None:
        """Add ``count`` rows written elsewhere by :class:`XlsxRows` (numbered on from this
        writer's last row, in this writer's text style)."""
        self._rows.flush()
        shutil.copyfileobj(rows, self._file, _ROW_BUFFER)
        self._rows.number += count

    def finish(self) -> None:
        self._rows.flush()
        with zipfile.ZipFile(self._path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as book:
            for info in self._template.infolist():
                if info.filename != _XLSX_SHEET:
                    book.writestr(info, self._template.read(info))
                    continue
                head, tail = self._template.read(info).split(_XLSX_END_OF_ROWS)
                sheet = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                sheet.external_attr = info.external_attr
                sheet.compress_type = zipfile.ZIP_DEFLATED
                sheet._compresslevel = _XLSX_SHEET_LEVEL  # type: ignore[attr-defined]
                sheet.file_size = len(head) + self._file.tell() + len(_XLSX_END_OF_ROWS + tail)
                with book.open(sheet, "w") as stream:
                    stream.write(head)
                    self._file.seek(0)
                    shutil.copyfileobj(self._file, stream, _ROW_BUFFER)
                    stream.write(_XLSX_END_OF_ROWS + tail)
        self.abort()

    def abort(self) -> None:
        self._file.close()
        self._template.close()


class XlsxRowsWriter:
    """Only the sheet rows of an XLSX export, numbered on from ``last_row``: the part of a
    workbook a worker process writes (:mod:`storage.export_parallel`)."""

    def __init__(self, path: Path, last_row: int, text_style: int) -> None:
        self._file: IO[bytes] = path.open("wb")
        self._rows = XlsxRows(self._file, last_row, text_style)

    def write(self, example: ExportExample) -> None:
        self._rows.write(example)

    def finish(self) -> None:
        self._rows.flush()
        self._file.close()

    def abort(self) -> None:
        self._file.close()


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
