"""The JSON shape of one exported example, and the JSON Schema that documents it.

``storage/schemas/example.schema.json`` is the published contract for JSON and JSON Lines
exports; :func:`to_record` is the only place that builds a record, and the tests validate
its output against the schema file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage.exports.columns import TEXT_FIELDS
from storage.exports.consent import credit_line
from storage.exports.model import ExportExample, iso_utc

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "example.schema.json"


def load_schema() -> dict[str, Any]:
    """The example JSON Schema (draft 2020-12) as a dictionary."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def to_record(example: ExportExample) -> dict[str, Any]:
    """The JSON record of an example that consent was applied to."""
    return {
        "reference": example.reference,
        "status": example.status,
        "script": example.script_id,
        "language": example.language,
        "submitted_at": iso_utc(example.submitted_at),
        "updated_at": iso_utc(example.updated_at),
        "fields": {name: example.fields.get(name, "") for name in TEXT_FIELDS},
        "quotes": list(example.quotes),
        "credit": {
            "kind": example.credit,
            "line": credit_line(example),
            "name": example.contributor_name,
            "organisation": example.organisation,
        },
        "contact": example.contact,
        "links": list(example.links),
        "media": [
            {"kind": m.kind, "file_id": m.file_id, "caption": m.caption, "url": m.url}
            for m in example.media
        ],
        "tags": [
            {
                "framework": t.framework,
                "tag": t.tag,
                "label": t.label,
                "status": t.status,
                "evidence": t.evidence,
            }
            for t in example.tags
        ],
        "raw_answers": dict(example.raw_answers) if example.raw_answers is not None else None,
    }
