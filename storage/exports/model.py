"""What the exporters read: one plain record per collected example, and the export filters.

Decoupled on purpose from the drafter's ``DraftRecord`` and from the ORM rows: the storage
query maps its rows to :class:`ExportExample`, and every format reads only this type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STATUSES: tuple[str, ...] = ("new", "in_review", "needs_info", "ready", "published", "archived")
CREDIT_KINDS: tuple[str, ...] = ("named", "organisation", "anonymous")
TAG_STATUSES: tuple[str, ...] = ("suggested", "confirmed", "rejected")


@dataclass(frozen=True)
class MediaItem:
    """A photo, video or document the contributor sent (kept as a Telegram file id)."""

    kind: str
    file_id: str
    caption: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Tag:
    """A co-production lens tag on an example, with the staff decision on it."""

    framework: str
    tag: str
    label: str
    status: str  # suggested | confirmed | rejected
    evidence: str = ""


@dataclass(frozen=True)
class ExportExample:
    """One collected example as it may leave the system (before consent is applied)."""

    reference: str
    status: str
    script_id: str
    submitted_at: datetime
    updated_at: datetime
    fields: Mapping[str, str]
    quotes: tuple[str, ...] = ()
    credit: str = "anonymous"
    contributor_name: str | None = None
    organisation: str | None = None
    contact: str | None = None
    contact_allowed: bool = False
    quotes_allowed: bool = True
    media_allowed: bool = True
    media: tuple[MediaItem, ...] = ()
    links: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()
    raw_answers: Mapping[str, str] | None = None
    erased: bool = False
    language: str = "en"  # the interview's; the texts are as the contributor gave them


@dataclass(frozen=True)
class ExportFilters:
    """Which examples an export holds.

    ``since`` is inclusive and ``until`` exclusive, both on ``submitted_at``; a naive
    datetime is read as UTC. ``None`` means "no limit". The SQL source pushes the same
    filters into its query and must keep exactly these semantics.
    """

    status: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    script: str | None = None
    include_raw: bool = False


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: how many examples, where, and the file size in bytes."""

    count: int
    path: Path
    bytes: int


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, with a ``Z``: what every format prints for a time."""
    utc = moment if moment.tzinfo is UTC else as_utc(moment)  # stored times are UTC already
    return utc.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def matches(example: ExportExample, filters: ExportFilters) -> bool:
    """Whether ``example`` belongs in an export with ``filters`` (see :class:`ExportFilters`)."""
    if filters.status is not None and example.status not in filters.status:
        return False
    if filters.script is not None and example.script_id != filters.script:
        return False
    submitted = as_utc(example.submitted_at)
    if filters.since is not None and submitted < as_utc(filters.since):
        return False
    return not (filters.until is not None and submitted >= as_utc(filters.until))
