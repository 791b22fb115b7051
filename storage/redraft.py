"""Draft (or redraft) an interview's example record from its stored answers.

Called in the same transaction as the change that prompted it: the submission, an edited
answer, a follow-up reply. Fields staff edited are kept, with new material beside them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from weakref import WeakKeyDictionary

from conversations.drafting import build_draft, merge_regenerated
from conversations.lens_model import model_ready, warm_up
from conversations.model import Script
from conversations.script import script_from_json
from storage.database import Database
from storage.drafts import DraftInfo
from storage.scripts import UNCOMMITTED
from storage.uow import UnitOfWork

# Snapshots never change once stored, so each is read and parsed once per process: by
# database (ids are per database) and id, and by content hash across databases.
_by_id: WeakKeyDictionary[Database, dict[int, Script]] = WeakKeyDictionary()
_parsed: dict[str, Script] = {}  # snapshot sha256 -> script


async def script_of_snapshot(uow: UnitOfWork, snapshot_id: int) -> Script:
    """The script an interview was begun with (its stored snapshot, read and parsed once)."""
    known = _by_id.setdefault(uow.database, {})
    script = known.get(snapshot_id)
    if script is not None:
        return script
    snapshot = await uow.scripts.get(snapshot_id)
    if snapshot is None:
        raise LookupError(f"script snapshot {snapshot_id} is missing")
    script = _parsed.get(snapshot.sha256)
    if script is None:
        script = script_from_json(snapshot.body)
        _parsed[snapshot.sha256] = script
    if snapshot_id not in uow.session.info.get(UNCOMMITTED, ()):
        known[snapshot_id] = script
    return script


async def redraft(
    uow: UnitOfWork, interview_id: int, now: datetime, *, learned: bool = False
) -> DraftInfo | None:
    """Create the draft of a submitted interview, or regenerate the existing one; with
    ``learned``, the lens's learned model suggests tags beside its rules (LENS_MODEL).

    Returns ``None`` for an interview that has no reference (never submitted) or whose
    contributor erased their data.
    """
    interview = await uow.interviews.get(interview_id)
    if interview is None or interview.reference is None or interview.state is None:
        return None
    contributor = await uow.contributors.get(interview.contributor_id)
    if contributor is None or contributor.erased:
        return None
    script = await script_of_snapshot(uow, interview.script_version_id)
    answers = {
        stored.question_id: stored.answer for stored in await uow.interviews.answers(interview_id)
    }
    if learned and not model_ready():
        await asyncio.to_thread(warm_up)  # the lens model's libraries load off the event loop
    fresh = build_draft(
        script,
        answers,
        reference=interview.reference,
        contributor_name=contributor.display_name or None,
        language=interview.language,
        learned=learned,
    )
    existing = await uow.drafts.by_interview(interview_id, lock=True)
    if existing is None:
        return await uow.drafts.create(interview_id, interview.reference, fresh, now)
    merged = merge_regenerated(existing.record, set(existing.staff_edited), fresh)
    return await uow.drafts.regenerate(existing.id, merged, now)
