"""The field order, headings and spreadsheet columns, defined once for every format.

CSV and XLSX share :data:`COLUMNS`; their names are stable and documented in
``docs/exports.md``. Multi-valued cells join their values with a newline (links, quotes,
media, raw answers as ``question: answer`` lines) except tags, joined with ``"; "`` so a
spreadsheet filter can search them on one line.
"""

from __future__ import annotations

from storage.exports.model import ExportExample, iso_utc

# Polished text fields in reading order, with the heading they get in Markdown and DOCX.
# ``title`` heads each example; ``quotes`` and ``credit_line`` are rendered from consent.
FIELD_HEADINGS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("place", "Place"),
    ("dates_and_stage", "Dates and stage"),
    ("organisations", "Organisations"),
    ("people_involved", "People involved"),
    ("how_it_started", "How it started"),
    ("done_together", "What was done together"),
    ("power_sharing", "How power was shared"),
    ("what_people_brought", "What people brought"),
    ("what_people_got_back", "What people got back"),
    ("what_helped", "What helped"),
    ("outcomes", "Outcomes"),
    ("challenges", "Challenges"),
    ("how_people_heard_back", "How people heard back"),
    ("tips", "Tips for others"),
    ("links_and_media", "Links and media"),
)

TEXT_FIELDS: tuple[str, ...] = ("title", *(name for name, _ in FIELD_HEADINGS))

LIST_SEPARATOR = "\n"
TAG_SEPARATOR = "; "

# (column name, width in characters for XLSX)
_COLUMN_WIDTHS: tuple[tuple[str, int], ...] = (
    ("reference", 16),
    ("status", 12),
    ("script", 14),
    ("language", 10),
    ("submitted_at", 21),
    ("updated_at", 21),
    ("title", 40),
    *((name, 24 if name in ("place", "dates_and_stage") else 50) for name, _ in FIELD_HEADINGS),
    ("links", 40),
    ("media_count", 12),
    ("credit", 13),
    ("contributor_name", 24),
    ("organisation", 28),
    ("contact", 28),
    ("quotes", 50),
    ("tags_confirmed", 40),
    ("tags_suggested", 40),
    ("raw_answers", 60),
)

COLUMNS: tuple[str, ...] = tuple(name for name, _ in _COLUMN_WIDTHS)
COLUMN_WIDTHS: dict[str, int] = dict(_COLUMN_WIDTHS)


def tag_names(example: ExportExample, status: str) -> list[str]:
    """``framework:tag`` for each of the example's tags with ``status``."""
    return [f"{tag.framework}:{tag.tag}" for tag in example.tags if tag.status == status]


def row(example: ExportExample) -> list[str]:
    """The example's cells in :data:`COLUMNS` order, as plain (not yet neutralised) text.

    Expects an example that consent was applied to; ``raw_answers`` is empty unless the
    export included raw answers.
    """
    raw = example.raw_answers
    fields = example.fields
    # In COLUMNS order, built directly (a dictionary by name cost more than the cells); the
    # pinned files in tests/storage/export_golden hold every column in its place.
    return [
        example.reference,
        example.status,
        example.script_id,
        example.language,
        iso_utc(example.submitted_at),
        iso_utc(example.updated_at),
        *[fields.get(name, "") for name in TEXT_FIELDS],
        LIST_SEPARATOR.join(example.links),
        str(len(example.media)),
        example.credit,
        example.contributor_name or "",
        example.organisation or "",
        example.contact or "",
        LIST_SEPARATOR.join(example.quotes),
        TAG_SEPARATOR.join(tag_names(example, "confirmed")),
        TAG_SEPARATOR.join(tag_names(example, "suggested")),
        LIST_SEPARATOR.join(f"{q}: {a}" for q, a in raw.items()) if raw else "",
    ]
