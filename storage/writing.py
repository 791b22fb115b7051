"""Rewriting drafts with the writer model, after they are stored (``DRAFT_WRITER=llm``).

Never inside the transaction that stores an answer: a draft is read in one short
transaction, the model is asked with no transaction open (it may take seconds, or fail),
and the checked rewrite is saved in another, as a new draft version, only if the draft is
still at the version that was read. A staff edit (or a regeneration) in between wins; the
draft is looked at again on the next round. ``drafts.written_version`` records the version
the writer last handled; a draft waits for the writer when it was created or redrafted
after that version (a staff edit, a status move or a note never sends anything).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, or_, select, update

from conversations.drafting import DraftRecord
from conversations.review_text import field_label
from conversations.workflow import DraftStatus
from conversations.writer import (
    LEFT_OUT_FIELD,
    NO_ANSWER,
    FieldRewrite,
    Withheld,
    check_rewrite,
    fallback,
    prompt_messages,
    withheld_terms,
)
from conversations.writer_record import apply_rewrites, field_requests
from storage.database import Database
from storage.export_view import export_view
from storage.models import Draft, DraftEvent
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

WRITER_ACTOR = "writer model"
# A published or archived record is final: the model never touches it.
WRITABLE = (DraftStatus.NEW, DraftStatus.IN_REVIEW, DraftStatus.NEEDS_INFO, DraftStatus.READY)


class WriterModel(Protocol):
    """Anything that completes a chat: the model's text, or ``None`` on any failure."""

    async def complete(self, messages: list[dict[str, str]]) -> str | None: ...


@dataclass(frozen=True)
class PendingDraft:
    """A draft whose current version the writer has not handled yet, with what it needs."""

    draft_id: int
    version: int
    record: DraftRecord
    staff_edited: frozenset[str]
    withheld: Withheld


@dataclass
class WritingReport:
    """What one round did, for logs and the benchmark."""

    drafts_written: int = 0
    fields_rewritten: int = 0
    fields_kept: int = 0
    sentences_left_out: int = 0
    stale: int = 0
    reasons: list[str] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)


async def pending_drafts(
    database: Database, *, limit: int = 5, waiting: Collection[int] = ()
) -> list[PendingDraft]:
    """Up to ``limit`` drafts (oldest change first) whose version the writer has not handled,
    leaving out ``waiting`` (drafts whose retry is not due yet)."""
    # Only the drafter's text is sent: a draft waits for the writer once created or redrafted
    # after the version it last handled, never because staff edited or moved it.
    redrafted = select(DraftEvent.id).where(
        DraftEvent.draft_id == Draft.id,
        DraftEvent.kind.in_(["created", "regenerated"]),
        DraftEvent.version > func.coalesce(Draft.written_version, 0),
    )
    async with UnitOfWork(database) as uow:
        statement = (
            select(Draft.id, Draft.version, Draft.interview_id)
            .where(
                Draft.status.in_([s.value for s in WRITABLE]),
                or_(Draft.written_version.is_(None), Draft.written_version < Draft.version),
                redrafted.exists(),
            )
            .order_by(Draft.updated_at, Draft.id)
            .limit(limit)
        )
        if waiting:
            statement = statement.where(Draft.id.not_in(list(waiting)))
        rows = (await uow.session.execute(statement)).all()
        pending = []
        for draft_id, _version, interview_id in rows:
            draft = await uow.drafts.get(draft_id)
            if draft is None:
                continue
            pending.append(
                PendingDraft(
                    draft.id,
                    draft.version,
                    draft.record,
                    frozenset(draft.staff_edited),
                    await _withheld(uow, interview_id),
                )
            )
        return pending


async def _withheld(uow: UnitOfWork, interview_id: int) -> Withheld:
    """What the contributor's credit choice keeps from the model (see ``withheld_terms``)."""
    interview = await uow.interviews.get(interview_id)
    answers = (
        {a.question_id: a.answer for a in await uow.interviews.answers(interview_id)}
        if interview is not None
        else {}
    )
    contributor = await uow.contributors.get(interview.contributor_id) if interview else None
    credit = answers.get("credit")
    choice = credit.choices[0] if credit is not None and credit.choices else None

    def text(question_id: str) -> str | None:
        answer = answers.get(question_id)
        return None if answer is None or answer.skipped else answer.text

    names = (contributor.display_name, contributor.username) if contributor is not None else ()
    return withheld_terms(
        credit_choice=choice,
        contributor_names=names,
        credit_name=text("credit_name"),
        credit_org=text("credit_org"),
        contact=text("contact_how"),
    )


async def rewrite_fields(pending: PendingDraft, model: WriterModel) -> list[FieldRewrite]:
    """Ask the model for each field to rewrite, one at a time, and check every answer.

    Once the model fails to answer, the draft's other fields are not sent this round (a
    server that is down would otherwise cost a timeout per field); they are retried later.
    """
    rewrites: list[FieldRewrite] = []
    for request in field_requests(pending.record, pending.staff_edited, pending.withheld):
        if rewrites and not rewrites[-1].answered:
            rewrites.append(fallback(request.field, NO_ANSWER))
            continue
        try:
            content = await model.complete(prompt_messages(request))
        except Exception:  # a writer model must never stop the round
            log.exception("the writer model failed on draft %s", pending.draft_id)
            content = None
        if content is None:
            rewrites.append(fallback(request.field, NO_ANSWER))
        else:
            rewrites.append(check_rewrite(request, content))
    return rewrites


async def save_rewrites(
    database: Database,
    pending: PendingDraft,
    rewrites: Sequence[FieldRewrite],
    now: datetime,
    *,
    handled: bool = True,
) -> bool:
    """Store the rewritten record as the next version if the draft is still at the version
    read (False when someone changed it meanwhile); with nothing to store, only note that
    this version was handled. Unless ``handled``, the draft stays waiting for the writer
    (fields the model did not answer for are asked again later)."""
    record = apply_rewrites(pending.record, rewrites)
    changed = record.to_json() != pending.record.to_json()
    if not changed and not handled:
        return True
    async with UnitOfWork(database) as uow:
        values: dict[str, object] = {"written_version": pending.version}
        if changed:
            values = {
                "body": record.to_json(),
                "export_view": export_view(record),
                "title": record.title,
                "version": pending.version + 1,
                "updated_at": now,
            }
            if handled:
                values["written_version"] = pending.version + 1
        result = await uow.session.execute(
            update(Draft)
            .where(Draft.id == pending.draft_id, Draft.version == pending.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        if changed:
            uow.session.add(
                DraftEvent(
                    draft_id=pending.draft_id,
                    version=pending.version + 1,
                    kind="note",
                    field=None,
                    before=None,
                    after=_event_text(record, rewrites),
                    actor_user_id=None,
                    actor_name=WRITER_ACTOR,
                    created_at=now,
                )
            )
        await uow.commit()
    return True


def _event_text(record: DraftRecord, rewrites: Sequence[FieldRewrite]) -> str:
    """The history line (a note by the writer model): which fields it rewrote, how many of
    its sentences the checker left out and where staff find them."""
    written = [field_label(record, r.field) for r in rewrites if r.used]
    left_out = sum(len(r.flagged) for r in rewrites)
    text = f"rewrote {', '.join(written)}" if written else "rewrote nothing"
    if left_out:
        plural = "s" if left_out != 1 else ""
        where = field_label(record, LEFT_OUT_FIELD)
        text += f"; {left_out} sentence{plural} left out by the checker (see {where})"
    return text


async def write_pending(
    database: Database,
    model: WriterModel,
    now: datetime,
    *,
    limit: int = 5,
    waiting: Collection[int] = (),
    give_up: Collection[int] = (),
) -> WritingReport:
    """One round: rewrite the drafts waiting for the writer model and store what passes.

    A draft the model did not answer for stays waiting (its id is in
    ``report.unanswered``) unless it is in ``give_up``: then it keeps the deterministic
    text for good, until its next change. Drafts in ``waiting`` are left for a later round.
    """
    report = WritingReport()
    for pending in await pending_drafts(database, limit=limit, waiting=waiting):
        report.seen.append(pending.draft_id)
        rewrites = await rewrite_fields(pending, model)
        answered = all(r.answered for r in rewrites)
        handled = answered or pending.draft_id in give_up
        if not answered:
            report.unanswered.append(pending.draft_id)
        if await save_rewrites(database, pending, rewrites, now, handled=handled):
            report.drafts_written += 1
        else:
            report.stale += 1
            continue
        for rewrite in rewrites:
            report.sentences_left_out += len(rewrite.flagged)
            if rewrite.used:
                report.fields_rewritten += 1
            else:
                report.fields_kept += 1
                report.reasons.append(f"{rewrite.field}: {rewrite.fallback}")
    return report
