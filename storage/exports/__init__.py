"""Exports of collected examples for admins: CSV, JSON Lines, JSON, Markdown (ZIP), XLSX,
DOCX and DOCX (ZIP). Formats and columns are documented in ``docs/exports.md``.
"""

from storage.exports.columns import COLUMNS, FIELD_HEADINGS, TEXT_FIELDS
from storage.exports.consent import apply_consent, credit_line
from storage.exports.export import (
    EXPORT_FORMATS,
    TELEGRAM_UPLOAD_LIMIT,
    default_file_name,
    export,
    media_type,
    zip_if_large,
)
from storage.exports.model import (
    ExportExample,
    ExportFilters,
    ExportResult,
    MediaItem,
    Tag,
    matches,
)
from storage.exports.schema import SCHEMA_PATH, load_schema, to_record

__all__ = [
    "COLUMNS",
    "EXPORT_FORMATS",
    "FIELD_HEADINGS",
    "SCHEMA_PATH",
    "TELEGRAM_UPLOAD_LIMIT",
    "TEXT_FIELDS",
    "ExportExample",
    "ExportFilters",
    "ExportResult",
    "MediaItem",
    "Tag",
    "apply_consent",
    "credit_line",
    "default_file_name",
    "export",
    "load_schema",
    "matches",
    "media_type",
    "to_record",
    "zip_if_large",
]
