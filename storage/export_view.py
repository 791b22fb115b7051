"""What an export shows of a draft, kept beside the draft as ``drafts.export_view``.

A draft's JSON stores each field's text three times (the text, its sentences with their
provenance, the generated text), and an export shows about a third of it. Reading and
parsing the whole body for every example was most of an export's time, so every writer of
a draft body stores :func:`export_view` of the same record in the same statement, and
exports read that small JSON instead. A row whose view is missing (written before the
view existed, or inserted directly) or in an older :data:`VIEW_FORMAT` is read from its
body, through :func:`parts_of_body`, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conversations.drafting import DraftRecord
from storage.exports.columns import TEXT_FIELDS
from storage.exports.model import MediaItem, Tag

# Bump when the view's shape or what it holds changes: views in another format are then
# ignored (read from the body) until rewritten.
VIEW_FORMAT = 1


@dataclass(frozen=True)
class DraftParts:
    """What an export shows of a draft: field texts, quotes, tags, media and links."""

    fields: dict[str, str]
    quotes: tuple[str, ...]
    tags: tuple[Tag, ...]
    media: tuple[MediaItem, ...]
    links: tuple[str, ...]


def parts_of_record(record: DraftRecord) -> DraftParts:
    """What an export shows of ``record``: the definition every other reading must match."""
    return DraftParts(
        fields={name: record.field(name).text for name in TEXT_FIELDS},
        quotes=record.quotes,
        tags=tuple(Tag(s.framework, s.tag, s.label, s.status, s.evidence) for s in record.lens),
        media=tuple(
            MediaItem(
                kind=m.kind,
                file_id=m.file_id,
                caption=m.caption or None,
                url=str(m.meta["url"]) if m.meta.get("url") else None,
            )
            for m in record.media
            if m.file_id and m.kind != "contact"
        ),
        links=record.links,
    )


def export_view(record: DraftRecord) -> dict[str, Any]:
    """The ``drafts.export_view`` JSON of ``record``: written with its body, always."""
    parts = parts_of_record(record)
    return {
        "format": VIEW_FORMAT,
        "fields": {name: text for name, text in parts.fields.items() if text},
        "quotes": list(parts.quotes),
        "tags": [[t.framework, t.tag, t.label, t.status, t.evidence] for t in parts.tags],
        "media": [[m.kind, m.file_id, m.caption, m.url] for m in parts.media],
        "links": list(parts.links),
    }


def parts_of_view(view: Mapping[str, Any]) -> DraftParts | None:
    """The parts a stored view holds, or ``None`` for a view in another format."""
    if view.get("format") != VIEW_FORMAT:
        return None
    fields = view["fields"]
    return DraftParts(
        fields={name: fields.get(name, "") for name in TEXT_FIELDS},
        quotes=tuple(view["quotes"]),
        tags=tuple(Tag(*tag) for tag in view["tags"]),
        media=tuple(MediaItem(*media) for media in view["media"]),
        links=tuple(view["links"]),
    )


def parts_of_body(data: Mapping[str, Any]) -> DraftParts:
    """:func:`parts_of_record` of ``DraftRecord.from_json(data)``, reading only what an
    export shows (a draft's sentences and their provenance are most of its JSON)."""
    by_name = {str(f["name"]): f for f in data.get("fields") or ()}
    quotes_field = by_name.get("quotes")
    if quotes_field is None:
        quotes: tuple[str, ...] = ()
    elif quotes_field.get("generated_text") is not None:  # staff wrote the lines
        lines = str(quotes_field.get("text") or "").splitlines()
        quotes = tuple(line.strip() for line in lines if line.strip())
    else:
        quotes = tuple(str(s["text"]) for s in quotes_field.get("sentences") or ())
    media = []
    for m in data.get("media") or ():
        meta = m.get("meta") or {}
        if m.get("file_id") and m["kind"] != "contact":
            media.append(
                MediaItem(
                    kind=str(m["kind"]),
                    file_id=m["file_id"],
                    caption=str(m.get("caption") or "") or None,
                    url=str(meta["url"]) if meta.get("url") else None,
                )
            )
    return DraftParts(
        fields={name: str((by_name.get(name) or {}).get("text") or "") for name in TEXT_FIELDS},
        quotes=quotes,
        tags=tuple(
            Tag(
                str(s["framework"]),
                str(s["tag"]),
                str(s["label"]),
                str(s.get("status", "suggested")),
                str(s["evidence"]),
            )
            for s in data.get("lens") or ()
        ),
        media=tuple(media),
        links=tuple(str(u) for u in data.get("links") or ()),
    )
