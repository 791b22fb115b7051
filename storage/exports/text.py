"""Making contributor text safe for each container: spreadsheets, XML and file names."""

from __future__ import annotations

import re
import unicodedata

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# XML 1.0 forbids most C0 controls; openpyxl and python-docx refuse strings holding them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The same characters one by one: ``c in text`` is a memchr-fast scan per character, which
# for text without any (nearly all of it) is several times faster than the pattern's search.
_XML_ILLEGAL_CHARS = tuple(
    chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")

XLSX_CELL_LIMIT = 32_767
TRUNCATED = " […truncated]"


def neutralise_formula(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would otherwise run as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def xml_safe(value: str) -> str:
    """``value`` without the control characters XML 1.0 cannot hold."""
    return _XML_ILLEGAL.sub("", value)


def spreadsheet_cell(value: str, limit: int | None = None, *, quote: bool = True) -> str:
    """A cell value that is XML-safe, not a formula and (with ``limit``) short enough.

    ``quote=False`` leaves the leading quote out: XLSX marks such a cell as text instead
    (the quote is the defence of CSV, which has no cell types).
    """
    value = xml_safe(value)
    if quote:
        value = neutralise_formula(value)
    if limit is not None and len(value) > limit:
        value = value[: limit - len(TRUNCATED)] + TRUNCATED
    return value


def spreadsheet_cells(
    values: list[str], limit: int | None = None, *, quote: bool = True
) -> list[str]:
    """:func:`spreadsheet_cell` of each value, with one search for control characters for
    the whole row (they are rare, and a search per cell was a large part of an export)."""
    joined = "".join(values)
    if any(char in joined for char in _XML_ILLEGAL_CHARS):
        values = [_XML_ILLEGAL.sub("", value) for value in values]
    if quote:
        values = ["'" + value if value.startswith(FORMULA_TRIGGERS) else value for value in values]
    if limit is not None:
        cut = limit - len(TRUNCATED)
        values = [value if len(value) <= limit else value[:cut] + TRUNCATED for value in values]
    return values


def slugify(value: str, max_length: int = 60) -> str:
    """Lower-case ASCII letters and digits joined by hyphens, for file names and URLs."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def safe_name(value: str) -> str:
    """``value`` reduced to letters, digits, ``_`` and ``-`` (never empty)."""
    return _NOT_NAME.sub("-", value).strip("-") or "example"
