"""The examples an export reads, streamed from the database in bounded memory.

Drafts are read in batches by keyset pagination on ``drafts.id`` (never ``OFFSET``), each
batch in a short transaction of its own, so a long export neither holds a transaction open
nor keeps more than one batch in memory, and writers go on while it runs. The export
filters are pushed into SQL with the semantics of :func:`storage.exports.matches`.

What a contributor allowed comes from their answers to the interview's consent questions
(``credit``, ``credit_name``, ``credit_org``, ``contact_ok``, ``contact_how`` and, where a
script asks them, ``quotes_ok`` and ``media_ok``; without those two, the answer to
``consent`` decides). A missing or skipped answer never allows anything. A contributor
who erased their data (``/delete``) is exported as erased: no name, no answers.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from conversations.drafting import DraftRecord
from conversations.model import Answer, MediaRef
from storage.database import Database
from storage.export_view import DraftParts, parts_of_body, parts_of_record, parts_of_view
from storage.exports.model import ExportExample, ExportFilters, as_utc
from storage.models import AnswerRow, Contributor, Draft, Interview

BATCH_SIZE = 500

CONSENT_QUESTION = "consent"
CREDIT_QUESTION = "credit"
CREDIT_NAME_QUESTION = "credit_name"
CREDIT_ORG_QUESTION = "credit_org"
CONTACT_OK_QUESTION = "contact_ok"
CONTACT_HOW_QUESTION = "contact_how"
QUOTES_OK_QUESTION = "quotes_ok"
MEDIA_OK_QUESTION = "media_ok"
CONSENT_QUESTIONS: tuple[str, ...] = (
    CONSENT_QUESTION,
    CREDIT_QUESTION,
    CREDIT_NAME_QUESTION,
    CREDIT_ORG_QUESTION,
    CONTACT_OK_QUESTION,
    CONTACT_HOW_QUESTION,
    QUOTES_OK_QUESTION,
    MEDIA_OK_QUESTION,
)
_CONSENT_SET = frozenset(CONSENT_QUESTIONS)
CREDIT_KINDS = frozenset({"named", "organisation", "anonymous"})


class StoredAnswerText(NamedTuple):
    """An answer as the export needs it: the value and its plain searchable text (a named
    tuple: an export makes one per answer, and a tuple is made the fastest)."""

    answer: Answer
    text: str


def _submitted() -> ColumnElement[datetime]:
    # Every draft's interview was submitted; the draft's creation is the fallback for rows
    # written before ``submitted_at`` was recorded.
    return func.coalesce(Interview.submitted_at, Draft.created_at)


def _conditions(filters: ExportFilters) -> list[ColumnElement[bool]]:
    """The filters as SQL, with the semantics of :func:`storage.exports.matches`."""
    conditions: list[ColumnElement[bool]] = []
    if filters.status is not None:
        conditions.append(Draft.status.in_(sorted(filters.status)))
    if filters.script is not None:
        conditions.append(Draft.script_id == filters.script)
    if filters.since is not None:
        conditions.append(_submitted() >= as_utc(filters.since))
    if filters.until is not None:
        conditions.append(_submitted() < as_utc(filters.until))
    return conditions


async def count_examples(
    database: Database, filters: ExportFilters, *, after: int = 0, through: int | None = None
) -> int:
    """How many examples an export with ``filters`` holds (for a progress bar's total);
    with ``after``/``through``, of drafts with ids in ``(after, through]`` only."""
    conditions = _conditions(filters)
    if after:
        conditions.append(Draft.id > after)
    if through is not None:
        conditions.append(Draft.id <= through)
    statement = (
        select(func.count())
        .select_from(Draft)
        .join(Interview, Interview.id == Draft.interview_id)
        .where(*conditions)
    )
    async with database.session() as session:
        return int((await session.execute(statement)).scalar_one())


async def draft_id_span(database: Database) -> tuple[int, int] | None:
    """The lowest and highest draft id, or ``None`` without drafts (two index look-ups)."""
    async with database.read_session() as session:
        low, high = (await session.execute(select(func.min(Draft.id), func.max(Draft.id)))).one()
    return None if low is None or high is None else (int(low), int(high))


async def stream_examples(
    database: Database,
    filters: ExportFilters,
    *,
    batch_size: int = BATCH_SIZE,
    after: int = 0,
    through: int | None = None,
) -> AsyncIterator[ExportExample]:
    """Every example matching ``filters``, oldest draft first, read ``batch_size`` at a time;
    with ``after``/``through``, only drafts with ids in ``(after, through]``.

    Consent is read but not applied here: :func:`storage.exports.export` applies it.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    conditions = _conditions(filters)
    if through is not None:
        conditions.append(Draft.id <= through)
    while True:
        batch, after = await _read_batch(
            database, conditions, after, batch_size, filters.include_raw
        )
        for example in batch:
            yield example
        if len(batch) < batch_size:
            return


# A draft without a stored view (``storage.export_view``) is read from its JSON, which is
# mostly its sentences and their provenance, which an export never shows: the database
# hands over only the rest, as one JSON array ``[lens, media, links, overflow,
# name 0, text 0, name 1, text 1, ...]`` and the last field named ``quotes`` whole (its
# sentences may be the quotes). SQLite reads the names and texts by position in one
# ``json_extract`` (far cheaper than walking the array with ``json_each``, and its parse of
# the JSON is reused for the quotes); ``overflow`` is then the name of the field past its
# ``_SQLITE_FIELD_SLOTS`` positions, and a draft that has one is read whole instead.
_SQLITE_FIELD_SLOTS = 40
_SQLITE_PARTS = (
    "json_extract(drafts.body, '$.lens', '$.media', '$.links', "
    f"'$.fields[{_SQLITE_FIELD_SLOTS}].name', "
    + ", ".join(f"'$.fields[{i}].name', '$.fields[{i}].text'" for i in range(_SQLITE_FIELD_SLOTS))
    + ")"
)
_SQLITE_QUOTES = (
    "(SELECT json_extract(drafts.body, f.fullkey) FROM json_each(drafts.body, '$.fields') AS f"
    " WHERE json_extract(drafts.body, f.fullkey || '.name') = 'quotes'"
    " ORDER BY f.key DESC LIMIT 1)"
)
_PG_FIELDS = (
    "jsonb_array_elements(CASE WHEN jsonb_typeof(drafts.body -> 'fields') = 'array'"
    " THEN drafts.body -> 'fields' ELSE '[]'::jsonb END) WITH ORDINALITY AS e(f, n)"
)
_PG_PARTS = (
    "(jsonb_build_array(drafts.body -> 'lens', drafts.body -> 'media', drafts.body -> 'links',"
    " NULL) || coalesce((SELECT jsonb_agg(v.x ORDER BY e.n, v.k) FROM " + _PG_FIELDS + ""
    " CROSS JOIN LATERAL (VALUES (1, e.f -> 'name'), (2, e.f -> 'text')) AS v(k, x)),"
    " '[]'::jsonb))::text"
)
_PG_QUOTES = (
    "(SELECT e.f::text FROM " + _PG_FIELDS + " WHERE e.f ->> 'name' = 'quotes'"
    " ORDER BY e.n DESC LIMIT 1)"
)


def _draft_columns(dialect: str) -> tuple[ColumnElement[Any], ...]:
    """The columns that carry what an export shows of a draft, for this database: its
    stored view, and only for a draft without one, the parts of its body."""
    view = cast(Draft.export_view, Text)
    if dialect == "sqlite":
        parts, quotes = _SQLITE_PARTS, _SQLITE_QUOTES
    elif dialect == "postgresql":
        parts, quotes = _PG_PARTS, _PG_QUOTES
    else:  # any other database: the whole JSON
        return view, case((Draft.export_view.is_(None), cast(Draft.body, Text))), null()
    return (
        view,
        case((Draft.export_view.is_(None), literal_column(parts, Text))),
        case((Draft.export_view.is_(None), literal_column(quotes, Text))),
    )


def _draft_data(dialect: str, parts: str, quotes: str | None) -> Mapping[str, Any] | None:
    """The draft JSON an export reads, rebuilt from :func:`_draft_columns` (``None`` when
    the draft has too many fields for them and must be read whole)."""
    if dialect not in ("sqlite", "postgresql"):
        data: Mapping[str, Any] = json.loads(parts)
        return data
    values = json.loads(parts)
    if values[3] is not None:
        return None
    quotes_field = json.loads(quotes) if quotes is not None else None
    fields = []
    for at in range(4, len(values), 2):
        name = values[at]
        if name is None and values[at + 1] is None:
            continue  # past the last field (SQLite's positions) or a field without either
        fields.append({"name": name, "text": values[at + 1]} if name != "quotes" else quotes_field)
    return {"lens": values[0], "media": values[1], "links": values[2], "fields": fields}


def _parts_from_view(view: str | None) -> DraftParts | None:
    """What an export shows of a draft, from its stored view (``None`` if it has none
    in the current format)."""
    return parts_of_view(json.loads(view)) if view is not None else None


async def _parts_from_body(
    connection: AsyncConnection, dialect: str, draft_id: int, parts: str | None, quotes: str | None
) -> DraftParts:
    """What an export shows of a draft without a usable view: read from its body."""
    data = _draft_data(dialect, parts, quotes) if parts is not None else None
    if data is None:  # a view in another format, or more fields than the columns carry
        whole = select(cast(Draft.body, Text)).where(Draft.id == draft_id)
        data = json.loads((await connection.execute(whole)).scalar_one())
    return parts_of_body(data)


async def _read_batch(
    database: Database,
    conditions: list[ColumnElement[bool]],
    after: int,
    batch_size: int,
    include_raw: bool,
) -> tuple[list[ExportExample], int]:
    """One batch of examples after draft id ``after``, and the last draft id read.

    Read with Core, not the ORM (rows are plain tuples), in a read-only transaction.
    """
    statement = (
        select(
            Draft.id,
            Draft.reference,
            Draft.status,
            Draft.script_id,
            *_draft_columns(database.dialect),
            Draft.created_at,
            Draft.updated_at,
            Interview.id,
            Interview.submitted_at,
            Interview.language,
            Contributor.display_name,
            Contributor.erased_at,
        )
        .join(Interview, Interview.id == Draft.interview_id)
        .join(Contributor, Contributor.id == Interview.contributor_id)
        .where(Draft.id > after, *conditions)
        .order_by(Draft.id)
        .limit(batch_size)
    )
    in_batch = (
        select(Draft.interview_id)
        .join(Interview, Interview.id == Draft.interview_id)
        .where(Draft.id > after, *conditions)
        .order_by(Draft.id)
        .limit(batch_size)
    )
    batch: list[ExportExample] = []
    async with database.read_session() as session:
        connection = await session.connection()
        answers = await _answers(connection, in_batch, include_raw)
        for row in (await connection.execute(statement)).all():
            draft_id, reference, status, script_id, view, parts, quotes, created_at = row[:8]
            updated_at, interview_id, submitted_at, language, display_name, erased_at = row[8:]
            shown = _parts_from_view(view)
            if shown is None:
                shown = await _parts_from_body(
                    connection, database.dialect, int(draft_id), parts, quotes
                )
            batch.append(
                _build(
                    shown,
                    reference=str(reference),
                    status=str(status),
                    script_id=str(script_id),
                    submitted_at=submitted_at if submitted_at is not None else created_at,
                    updated_at=updated_at,
                    answers=answers.get(int(interview_id), {}),
                    display_name=str(display_name or ""),
                    erased=erased_at is not None,
                    include_raw=include_raw,
                    language=str(language or "en"),
                )
            )
            after = int(draft_id)
    return batch, after


async def _answers(
    connection: AsyncConnection, interview_ids: Select[Any], include_raw: bool
) -> dict[int, dict[str, StoredAnswerText]]:
    """The answers of these interviews by question id: all of them for raw answers, else
    only the consent questions."""
    consent = AnswerRow.question_id.in_(CONSENT_QUESTIONS)
    statement = (
        select(
            AnswerRow.interview_id,
            AnswerRow.question_id,
            AnswerRow.value["skipped"].as_boolean(),
            AnswerRow.text,
            # What the consent rules read of a consent answer, taken out of its JSON by the
            # database (parsing every answer's JSON was much of an export's time): the first
            # choice and the typed text; the whole JSON only for the contact details, whose
            # media may hold a shared contact card. Media alone decide nothing for the
            # other questions, so theirs are not read.
            case((consent, AnswerRow.value[("choices", 0)].as_string()), else_=null()),
            case((consent, AnswerRow.value["text"].as_string()), else_=null()),
            case(
                (AnswerRow.question_id == CONTACT_HOW_QUESTION, cast(AnswerRow.value, Text)),
                else_=null(),
            ),
        )
        .where(AnswerRow.interview_id.in_(interview_ids.scalar_subquery()))
        .order_by(AnswerRow.interview_id, AnswerRow.id)
    )
    if not include_raw:
        statement = statement.where(consent)
    found: dict[int, dict[str, StoredAnswerText]] = {}
    # Answers are immutable and mostly alike (the same choices, or a skip): made once each.
    alike: dict[tuple[str, bool, str | None, str | None], Answer] = {}
    rows = (await connection.execute(statement)).all()
    for interview_id, question_id, skipped, text, choice, typed, whole in rows:
        qid = str(question_id)
        if whole is not None:
            answer = _consent_answer(qid, json.loads(whole))
        else:
            key = (qid, bool(skipped), choice, typed)
            made = alike.get(key)
            if made is None:
                made = alike[key] = Answer(
                    qid,
                    text=str(typed or ""),
                    choices=(str(choice),) if choice is not None else (),
                    skipped=bool(skipped),
                )
            answer = made
        found.setdefault(int(interview_id), {})[qid] = StoredAnswerText(answer, str(text or ""))
    return found


def _consent_answer(question_id: str, data: Mapping[str, Any]) -> Answer:
    """``Answer.from_json(data)`` less what exports never read (message ids, answer time)."""
    media = data.get("media")
    return Answer(
        question_id,
        text=str(data.get("text") or ""),
        choices=tuple(str(c) for c in data.get("choices") or ()),
        media=tuple(MediaRef.from_json(m) for m in media) if media else (),
        skipped=bool(data.get("skipped", False)),
    )


# --- from stored rows to an export example (pure) ---------------------------------------


def _given(answers: Mapping[str, StoredAnswerText], question_id: str) -> Answer | None:
    stored = answers.get(question_id)
    if stored is None or stored.answer.skipped or stored.answer.is_empty():
        return None
    return stored.answer


def _said_yes(answers: Mapping[str, StoredAnswerText], question_id: str) -> bool | None:
    """``True``/``False`` for a yes/no answer, ``None`` when it was not asked or answered."""
    answer = _given(answers, question_id)
    if answer is None or not answer.choices:
        return None
    return answer.choices[0] == "yes"


def _clean(text: str) -> str:
    return " ".join(text.split()).rstrip(".").strip()


def _contact(answer: Answer | None) -> str | None:
    if answer is None:
        return None
    parts = [" ".join(answer.text.split())]
    for media in answer.media:
        if media.kind == "contact":
            name = " ".join(
                str(media.meta.get(key) or "") for key in ("first_name", "last_name")
            ).strip()
            phone = str(media.meta.get("phone_number") or "").strip()
            parts.append(f"{name} {phone}".strip())
    joined = "; ".join(part for part in parts if part)
    return joined or None


def build_example(
    record: DraftRecord,
    *,
    reference: str,
    status: str,
    script_id: str,
    submitted_at: datetime,
    updated_at: datetime,
    answers: Mapping[str, StoredAnswerText],
    display_name: str = "",
    erased: bool = False,
    include_raw: bool = False,
    language: str = "en",
) -> ExportExample:
    """An export example from a draft and its interview's answers, consent read from them.

    The name is the one typed for the credit, else the contributor's Telegram name (as the
    drafter does), and only ever kept with ``named`` credit; raw answers leave out what the
    contributor withheld (a name or organisation under other credit, contact details when
    contact was not allowed).
    """
    return _build(
        parts_of_record(record),
        reference=reference,
        status=status,
        script_id=script_id,
        submitted_at=submitted_at,
        updated_at=updated_at,
        answers=answers,
        display_name=display_name,
        erased=erased,
        include_raw=include_raw,
        language=language,
    )


def _build(
    parts: DraftParts,
    *,
    reference: str,
    status: str,
    script_id: str,
    submitted_at: datetime,
    updated_at: datetime,
    answers: Mapping[str, StoredAnswerText],
    display_name: str = "",
    erased: bool = False,
    include_raw: bool = False,
    language: str = "en",
) -> ExportExample:
    consent = _ERASED if erased else _consent(answers, display_name, include_raw)
    return ExportExample(
        reference=reference,
        status=status,
        script_id=script_id,
        submitted_at=submitted_at,
        updated_at=updated_at,
        fields=parts.fields,
        quotes=parts.quotes,
        credit=consent.credit,
        contributor_name=consent.contributor_name,
        organisation=consent.organisation,
        contact=consent.contact,
        contact_allowed=consent.contact_allowed,
        quotes_allowed=consent.quotes_allowed,
        media_allowed=consent.media_allowed,
        media=parts.media,
        links=parts.links,
        tags=parts.tags,
        raw_answers=consent.raw_answers,
        erased=erased,
        language=language,
    )


@dataclass(frozen=True, slots=True)
class _Consent:
    """What a contributor's consent answers let an export show of their example."""

    credit: str = "anonymous"
    contributor_name: str | None = None
    organisation: str | None = None
    contact: str | None = None
    contact_allowed: bool = False
    quotes_allowed: bool = False
    media_allowed: bool = False
    raw_answers: Mapping[str, str] | None = None


_ERASED = _Consent()
"""An erased contributor's example shows no credit, contact, quotes, media or answers."""


def _consent(
    answers: Mapping[str, StoredAnswerText], display_name: str, include_raw: bool
) -> _Consent:
    credit_answer = _given(answers, CREDIT_QUESTION)
    credit = credit_answer.choices[0] if credit_answer and credit_answer.choices else "anonymous"
    credit = credit if credit in CREDIT_KINDS else "anonymous"
    name_answer = _given(answers, CREDIT_NAME_QUESTION)
    org_answer = _given(answers, CREDIT_ORG_QUESTION)
    name = _clean(name_answer.text) if name_answer else ""
    if credit == "named" and not name:
        name = _clean(display_name)
    organisation = _clean(org_answer.text) if org_answer else ""
    contact_allowed = _said_yes(answers, CONTACT_OK_QUESTION) is True
    consented = _said_yes(answers, CONSENT_QUESTION) is True
    quotes_ok = _said_yes(answers, QUOTES_OK_QUESTION)
    media_ok = _said_yes(answers, MEDIA_OK_QUESTION)
    withheld = set()
    if credit != "named":
        withheld.add(CREDIT_NAME_QUESTION)
    if credit == "anonymous":
        withheld.add(CREDIT_ORG_QUESTION)
    if not contact_allowed:
        withheld.add(CONTACT_HOW_QUESTION)
    raw = None
    if include_raw:
        raw = {
            question_id: stored.text
            for question_id, stored in answers.items()
            if question_id not in withheld and not stored.answer.skipped and stored.text.strip()
        }
    return _Consent(
        credit=credit,
        contributor_name=name or None,
        organisation=organisation or None,
        contact=_contact(_given(answers, CONTACT_HOW_QUESTION)) if contact_allowed else None,
        contact_allowed=contact_allowed,
        quotes_allowed=quotes_ok if quotes_ok is not None else consented,
        media_allowed=media_ok if media_ok is not None else consented,
        raw_answers=raw,
    )
