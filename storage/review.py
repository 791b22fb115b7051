"""Staff use cases over drafts: the review queue, a draft's card, polishing through prompts,
status moves, lens decisions, notes, history, follow-up questions, and staff membership.

Each public method is one unit of work (one transaction) and takes the time from the
injected clock. Results are plain data (the views of :mod:`conversations.review_text`), so
adapters only render them. Nothing here knows Telegram: a follow-up that should go out now
comes back as a :class:`Delivery` for the adapter to send, and the adapter reports back if
it could not (:meth:`ReviewService.delivery_failed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select

from conversations.drafting import FIELD_ORDER
from conversations.gaps import HOME_QUESTION
from conversations.lens import LensStatus
from conversations.model import QuestionKind, Reply
from conversations.render import draft_to_markdown
from conversations.review_text import (
    PAGE_SIZE,
    QUESTION_LIMIT,
    QUEUE_FILTERS,
    DraftCard,
    EventLine,
    QueueEntry,
    QueuePage,
    StaffLine,
    follow_up_message,
)
from conversations.workflow import DraftStatus
from storage.database import Database
from storage.drafts import Actor, DraftEventInfo, DraftInfo, DraftRefused, StaleDraft
from storage.followups import FollowUpRecord
from storage.models import Contributor, DraftEvent, StaffMember
from storage.outbox import OutboxMessage
from storage.prompts import PromptKind, PromptRecord
from storage.redraft import script_of_snapshot
from storage.uow import UnitOfWork

TYPED_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.LINK, QuestionKind.MEDIA})
PROMPT_TTL = timedelta(hours=2)
"""A prompt left unanswered this long is forgotten: a message days later is not an edit."""

AskOutcome = Literal[
    "sent",
    "queued_interview",
    "queued_waiting",
    "already",
    "unreachable",
    "empty",
    "too_long",
    "changed",
    "gone",
]


@dataclass(frozen=True)
class Delivery:
    """A follow-up question to send to a contributor's chat now."""

    follow_up_id: int
    chat_id: int
    message: Reply


@dataclass(frozen=True)
class AskResult:
    outcome: AskOutcome
    card: DraftCard | None = None
    delivery: Delivery | None = None
    question: str = ""


@dataclass(frozen=True)
class PromptOutcome:
    """What a staff member's prompted message did.

    ``kind``: ``saved`` (a field), ``conflict`` (a colleague changed that field meanwhile;
    ``theirs`` and ``yours`` hold both texts, ``event_id`` the history entry keeping
    yours), ``noted``, ``asked`` (see ``ask``), ``empty`` (nothing to use; the prompt
    stays), ``gone`` (the draft no longer exists) or ``none`` (no prompt was waiting).
    """

    kind: Literal["saved", "conflict", "noted", "asked", "empty", "gone", "none"]
    card: DraftCard | None = None
    field: str | None = None
    theirs: str = ""
    yours: str = ""
    changed_by: str = ""
    changed_at: datetime | None = None
    event_id: int | None = None
    ask: AskResult | None = None


def _line(event: DraftEventInfo) -> EventLine:
    return EventLine(
        kind=event.kind,
        field=event.field,
        before=event.before,
        after=event.after,
        actor_name=event.actor_name,
        created_at=event.created_at,
    )


def _touches(event: DraftEventInfo, name: str) -> bool:
    """Whether ``event`` changed the text of field ``name``."""
    if event.kind == "field":
        return event.field == name
    if event.kind == "regenerated":
        return name in [n.strip() for n in (event.after or "").split(",")]
    return False


class ReviewService:
    """What staff do with drafts, one transaction per call."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        *,
        owe_delivery: Callable[[Delivery], Sequence[OutboxMessage]] | None = None,
    ) -> None:
        """With ``owe_delivery`` (the Telegram adapter's rendering), a question that goes out
        at once is owed in the outbox in the asking transaction, and counts as delivered
        only once Telegram accepted it; without it, the caller sends ``AskResult.delivery``."""
        self._database = database
        self._clock = clock
        self._owe_delivery = owe_delivery

    # --- reading ------------------------------------------------------------------------

    async def queue(self, filter_key: str = "todo", offset: int = 0) -> QueuePage:
        """A page of drafts in ``filter_key`` (see ``QUEUE_FILTERS``), oldest first."""
        if filter_key not in QUEUE_FILTERS:
            filter_key = "todo"
        statuses = QUEUE_FILTERS[filter_key][1]
        async with UnitOfWork(self._database) as uow:
            counts = await uow.drafts.count_by_status()
            total = await uow.drafts.count(statuses)
            offset = max(0, min(offset, max(0, total - 1) // PAGE_SIZE * PAGE_SIZE))
            drafts = await uow.drafts.page(statuses, offset=offset, limit=PAGE_SIZE)
        entries = tuple(
            QueueEntry(d.id, d.reference, d.title, d.status, d.created_at) for d in drafts
        )
        return QueuePage(filter_key, entries, offset, total, counts)

    async def card(self, draft_id: int) -> DraftCard | None:
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
            return await _card(uow, draft) if draft is not None else None

    async def card_by_reference(self, reference: str) -> DraftCard | None:
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.by_reference(reference)
            return await _card(uow, draft) if draft is not None else None

    async def history(
        self, draft_id: int, limit: int = 15
    ) -> tuple[DraftCard, list[EventLine]] | None:
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
            if draft is None:
                return None
            events = await uow.drafts.history(draft_id, limit=limit)
            return await _card(uow, draft), [_line(e) for e in events]

    async def markdown(self, draft_id: int) -> tuple[str, str] | None:
        """``(file name, Markdown)`` of a draft."""
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
        if draft is None:
            return None
        return f"{draft.reference}.md", draft_to_markdown(draft.record)

    # --- prompts: what a staff member's next message is for ------------------------------

    async def start_prompt(
        self,
        user_id: int,
        chat_id: int,
        kind: PromptKind,
        draft_id: int,
        field: str | None = None,
    ) -> DraftCard:
        """Remember that ``user_id``'s next message in ``chat_id`` is for this draft (its
        ``field`` when editing), against the version they are looking at now."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
            if draft is None:
                raise DraftRefused("That draft no longer exists.")
            if kind == "edit" and (field is None or not _is_field(draft, field)):
                raise DraftRefused("That draft has no such field.")
            if kind == "ask" and not await _reachable(uow, draft):
                raise DraftRefused(
                    "The contributor erased their data, so they can't be asked anything."
                )
            await uow.prompts.put(
                PromptRecord(user_id, chat_id, kind, draft_id, field, draft.version, now)
            )
            card = await _card(uow, draft)
            await uow.commit()
        return card

    async def pending_prompt(self, user_id: int, chat_id: int) -> PromptRecord | None:
        """The prompt waiting for ``user_id``'s next message in ``chat_id``, if any and fresh."""
        prompt, _ = await self.waiting_prompt(user_id, chat_id)
        return prompt

    async def waiting_prompt(self, user_id: int, chat_id: int) -> tuple[PromptRecord | None, bool]:
        """The fresh prompt waiting for ``user_id``'s next message in ``chat_id``, and whether
        one had expired (it is forgotten now): that message was meant for it all the same."""
        now = self._clock()
        async with UnitOfWork(self._database, read_only=True) as uow:
            prompt = await uow.prompts.get(user_id)
        if prompt is None or prompt.chat_id != chat_id:
            return None, False
        if now - prompt.created_at > PROMPT_TTL:
            async with UnitOfWork(self._database) as uow:
                await uow.prompts.clear(user_id)
                await uow.commit()
            return None, True
        return prompt, False

    async def cancel_prompt(self, user_id: int) -> PromptRecord | None:
        async with UnitOfWork(self._database) as uow:
            prompt = await uow.prompts.get(user_id, lock=True)
            if prompt is not None:
                await uow.prompts.clear(user_id)
                await uow.commit()
        return prompt

    async def finish_prompt(
        self, actor: Actor, chat_id: int, text: str, *, clear: bool = False
    ) -> PromptOutcome:
        """Use ``text`` for what the staff member's prompt asked for.

        A field edit is checked against the version seen when the edit began: if a
        colleague changed *that field* meanwhile, nothing is overwritten and both texts come
        back (the refused one kept in the history); changes to other parts of the draft do
        not get in the way.
        """
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            prompt = await uow.prompts.get(actor.user_id, lock=True)
            if prompt is None or prompt.chat_id != chat_id or now - prompt.created_at > PROMPT_TTL:
                return PromptOutcome("none")
            text = "" if clear else text.strip()
            if not text and not (clear and prompt.kind == "edit"):
                return PromptOutcome("empty")
            await uow.prompts.clear(actor.user_id)
            draft = await uow.drafts.get(prompt.draft_id)
            if draft is None:
                await uow.commit()
                return PromptOutcome("gone")
            if prompt.kind == "edit":
                assert prompt.field is not None
                outcome = await _edit(uow, draft, prompt.field, text, prompt.version, actor, now)
            elif prompt.kind == "note":
                await uow.drafts.add_note(draft.id, text, actor=actor, now=now)
                outcome = PromptOutcome("noted", card=await _card(uow, draft))
            else:
                asked = await _ask(uow, draft, text, actor, chat_id, now, owe=self._owe_delivery)
                outcome = PromptOutcome("asked", card=asked.card, ask=asked)
            await uow.commit()
        return outcome

    async def keep_mine(self, actor: Actor, draft_id: int, event_id: int) -> PromptOutcome:
        """Apply an edit that was refused in a conflict (kept in the history) after all."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            event = (
                await uow.session.execute(
                    select(DraftEvent).where(
                        DraftEvent.id == event_id,
                        DraftEvent.draft_id == draft_id,
                        DraftEvent.kind == "note",
                        DraftEvent.field.is_not(None),
                    )
                )
            ).scalar_one_or_none()
            draft = await uow.drafts.get(draft_id)
            if event is None or draft is None or event.field is None:
                return PromptOutcome("gone")
            name, text = event.field, event.after or ""
            outcome = await _edit(uow, draft, name, text, draft.version, actor, now)
            await uow.commit()
        return outcome

    # --- direct changes -----------------------------------------------------------------

    async def set_status(self, actor: Actor, draft_id: int, target: DraftStatus) -> DraftCard:
        """Move a draft; an invalid move raises :class:`DraftRefused` with the reason."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.set_status(
                draft_id, target, expected_version=None, actor=actor, now=now
            )
            card = await _card(uow, draft)
            await uow.commit()
        return card

    async def decide_tag(
        self, actor: Actor, draft_id: int, ref: str, decision: LensStatus
    ) -> tuple[DraftCard, str]:
        """Confirm or reject a lens tag named by key (or 1-based number); the card and the
        tag's label."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
            if draft is None:
                raise DraftRefused("That draft no longer exists.")
            lens = draft.record.lens
            if ref.isdigit():
                index = int(ref) - 1
                suggestion = lens[index] if 0 <= index < len(lens) else None
            else:
                suggestion = next((s for s in lens if s.key == ref), None)
            if suggestion is None:
                raise DraftRefused("That tag is no longer suggested for this draft.")
            if suggestion.status != decision:
                draft = await uow.drafts.decide_tag(
                    draft_id,
                    suggestion.key,
                    decision,
                    expected_version=draft.version,
                    actor=actor,
                    now=now,
                )
            card = await _card(uow, draft)
            await uow.commit()
        return card, suggestion.label

    # --- follow-up questions ------------------------------------------------------------

    async def ask(
        self, actor: Actor, notify_chat_id: int, draft_id: int, question: str
    ) -> AskResult:
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
            if draft is None:
                return AskResult("gone")
            result = await _ask(
                uow, draft, question, actor, notify_chat_id, now, owe=self._owe_delivery
            )
            await uow.commit()
        return result

    async def ask_gap(
        self, actor: Actor, notify_chat_id: int, draft_id: int, number: int, version: int
    ) -> AskResult:
        """Ask the question of the draft's gap ``number`` (1-based), if the draft is still at
        ``version`` (else its gaps may have changed: ``changed``, with the current card)."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            draft = await uow.drafts.get(draft_id)
            if draft is None:
                return AskResult("gone")
            gaps = draft.record.gaps
            if draft.version != version or not 1 <= number <= len(gaps):
                return AskResult("changed", card=await _card(uow, draft))
            gap = gaps[number - 1]
            target = await _gap_question(uow, draft, gap.field)
            result = await _ask(
                uow, draft, gap.question, actor, notify_chat_id, now, target, owe=self._owe_delivery
            )
            await uow.commit()
        return result

    async def delivery_failed(self, follow_up_id: int, *, blocked: bool) -> None:
        """A follow-up could not be sent: ``blocked`` (it never will be: failed), else it
        goes back to the queue for the contributor's next message."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            follow_up = await uow.followups.get(follow_up_id, lock=True)
            if follow_up is None or follow_up.status != "delivered":
                return
            if blocked:
                await uow.followups.mark_failed(follow_up_id)
                await uow.drafts.log_follow_up(
                    follow_up.draft_id,
                    "could not deliver the question: the contributor has blocked the bot",
                    actor=None,
                    now=now,
                )
            else:
                await uow.followups.mark_pending(follow_up_id)
            await uow.commit()

    # --- staff membership ---------------------------------------------------------------

    async def staff_lines(
        self, admin_ids: Iterable[int], staff_ids: Iterable[int]
    ) -> list[StaffLine]:
        async with UnitOfWork(self._database) as uow:
            lines = [StaffLine(i, await _name_of(uow, i), "admin") for i in sorted(set(admin_ids))]
            lines += [
                StaffLine(i, await _name_of(uow, i), "settings") for i in sorted(set(staff_ids))
            ]
            for member in await uow.staff.all():
                added = f"added {member.added_at:%Y-%m-%d} by {member.added_by}"
                lines.append(StaffLine(member.user_id, member.display_name, "chat", added))
        return lines

    async def add_staff(self, actor: Actor, user_id: int, name: str) -> bool:
        """Add a staff member; ``False`` when they already were one (in chat)."""
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            added = await uow.staff.add(
                user_id, name or await _name_of(uow, user_id), actor.user_id, now
            )
            await uow.commit()
        return added

    async def remove_staff(self, user_id: int) -> bool:
        async with UnitOfWork(self._database) as uow:
            removed = await uow.staff.remove(user_id)
            await uow.prompts.clear(user_id)
            await uow.commit()
        return removed

    async def find_user(self, username: str) -> tuple[int, str] | None:
        """A Telegram user who has talked to the bot, by @username: (id, name)."""
        async with UnitOfWork(self._database) as uow:
            row = (
                await uow.session.execute(
                    select(Contributor.telegram_user_id, Contributor.display_name).where(
                        Contributor.username.ilike(username.lstrip("@")),
                        Contributor.erased_at.is_(None),
                    )
                )
            ).first()
        return (int(row[0]), str(row[1])) if row is not None else None

    async def name_of(self, user_id: int) -> str:
        async with UnitOfWork(self._database) as uow:
            return await _name_of(uow, user_id)


# --- shared steps ------------------------------------------------------------------------


def _is_field(draft: DraftInfo, name: str) -> bool:
    return name in draft.record.fields or name in FIELD_ORDER


async def _name_of(uow: UnitOfWork, user_id: int) -> str:
    """The name a user goes by here: as staff added in chat, else as a contributor."""
    staff_name = (
        await uow.session.execute(
            select(StaffMember.display_name).where(StaffMember.user_id == user_id)
        )
    ).scalar_one_or_none()
    if staff_name:
        return staff_name
    contributor = await uow.contributors.by_user_id(user_id)
    return contributor.display_name if contributor is not None else ""


async def _reachable(uow: UnitOfWork, draft: DraftInfo) -> bool:
    interview = await uow.interviews.get(draft.interview_id)
    if interview is None:
        return False
    contributor = await uow.contributors.get(interview.contributor_id)
    return contributor is not None and not contributor.erased


async def _card(uow: UnitOfWork, draft: DraftInfo) -> DraftCard:
    interview = await uow.interviews.get(draft.interview_id)
    contributor = (
        await uow.contributors.get(interview.contributor_id) if interview is not None else None
    )
    reachable = contributor is not None and not contributor.erased
    changed_by = ""
    if draft.status_changed_by is not None:
        changed_by = (
            await uow.session.execute(
                select(DraftEvent.actor_name)
                .where(DraftEvent.draft_id == draft.id, DraftEvent.kind == "status")
                .order_by(DraftEvent.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none() or ""
    follow_ups = await uow.followups.for_draft(draft.id)
    return DraftCard(
        id=draft.id,
        reference=draft.reference,
        status=draft.status,
        version=draft.version,
        record=draft.record,
        created_at=draft.created_at,
        status_changed_at=draft.status_changed_at,
        status_changed_by=changed_by,
        contributor_name=contributor.display_name if contributor and reachable else "",
        contributor_reachable=reachable,
        follow_ups_waiting=sum(f.status in ("pending", "delivered") for f in follow_ups),
        follow_ups_answered=sum(f.status == "answered" for f in follow_ups),
        staff_edited=tuple(n for n in FIELD_ORDER if n in draft.staff_edited)
        + tuple(n for n in draft.staff_edited if n not in FIELD_ORDER),
        language=interview.language if interview is not None else "en",
    )


async def _edit(
    uow: UnitOfWork,
    draft: DraftInfo,
    name: str,
    text: str,
    seen_version: int,
    actor: Actor,
    now: datetime,
) -> PromptOutcome:
    """Edit a field against ``seen_version``; see :meth:`ReviewService.finish_prompt`."""
    if not _is_field(draft, name):
        return PromptOutcome("gone")
    try:
        updated = await uow.drafts.edit_field(
            draft.id, name, text, expected_version=seen_version, actor=actor, now=now
        )
    except StaleDraft as stale:
        since = [
            e for e in await uow.drafts.history(draft.id, limit=200) if e.version > seen_version
        ]
        clashes = [e for e in since if _touches(e, name)]
        updated = None
        if not clashes:
            # Only other parts changed: the text this staff member replaced is still current.
            try:
                updated = await uow.drafts.edit_field(
                    draft.id,
                    name,
                    text,
                    expected_version=stale.current.version,
                    actor=actor,
                    now=now,
                )
            except StaleDraft as again:
                stale = again
        if updated is None:
            current = stale.current
            last = clashes[-1] if clashes else None
            event_id = await _keep_unsaved(uow, draft.id, current.version, name, text, actor, now)
            return PromptOutcome(
                "conflict",
                card=await _card(uow, current),
                field=name,
                theirs=current.record.field(name).text,
                yours=text,
                changed_by=last.actor_name if last else "",
                changed_at=last.created_at if last else current.updated_at,
                event_id=event_id,
            )
    assert updated is not None
    return PromptOutcome("saved", card=await _card(uow, updated), field=name)


async def _keep_unsaved(
    uow: UnitOfWork,
    draft_id: int,
    version: int,
    name: str,
    text: str,
    actor: Actor,
    now: datetime,
) -> int:
    """Keep a refused edit in the history (a note naming the field); its event id."""
    event = DraftEvent(
        draft_id=draft_id,
        version=version,
        kind="note",
        field=name,
        before=None,
        after=text,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        created_at=now,
    )
    uow.session.add(event)
    await uow.session.flush()
    return event.id


async def _ask(
    uow: UnitOfWork,
    draft: DraftInfo,
    question: str,
    actor: Actor,
    notify_chat_id: int,
    now: datetime,
    target: str | None = None,
    *,
    owe: Callable[[Delivery], Sequence[OutboxMessage]] | None = None,
) -> AskResult:
    """Queue a question for the draft's contributor; deliver it now when they are not in an
    interview and no earlier question waits for their answer. The reply will add to the
    interview question ``target`` when given (see :func:`_gap_question`)."""
    question = question.strip()
    if not question:
        return AskResult("empty")
    if len(question) > QUESTION_LIMIT:
        return AskResult("too_long")
    interview = await uow.interviews.get(draft.interview_id)
    contributor = (
        await uow.contributors.get(interview.contributor_id) if interview is not None else None
    )
    if contributor is None or contributor.erased:
        return AskResult("unreachable", card=await _card(uow, draft))
    # Lock the contributor like their own updates do, so a question and their message never
    # cross (two questions out at once, or one sent mid-interview).
    await uow.contributors.by_user_id(contributor.telegram_user_id, lock=True)
    for earlier in await uow.followups.for_draft(draft.id):
        if earlier.status in ("pending", "delivered") and earlier.question == question:
            return AskResult("already", card=await _card(uow, draft), question=question)
    follow_up = await uow.followups.add(
        draft.id,
        contributor.id,
        question,
        asked_by=actor.user_id,
        asked_by_name=actor.name,
        notify_chat_id=notify_chat_id,
        now=now,
        answer_question_id=target,
    )
    await uow.drafts.log_follow_up(
        draft.id, f"asked the contributor: {question}", actor=actor, now=now
    )
    delivery = None
    oldest = await uow.followups.next_pending(contributor.id)
    if await uow.interviews.active_for(contributor.id, lock=False) is not None:
        outcome: AskOutcome = "queued_interview"
    elif await uow.followups.awaiting_answer(contributor.id) is not None or (
        oldest is not None and oldest.id != follow_up.id
    ):
        outcome = "queued_waiting"
    else:
        message = await follow_up_reply(uow, follow_up)
        delivery = Delivery(follow_up.id, contributor.chat_id, message)
        outcome = "sent"
        if owe is not None:
            await uow.outbox.add_all(owe(delivery), now)
            delivery = None
        else:
            await uow.followups.mark_delivered(follow_up.id, now)
    return AskResult(outcome, card=await _card(uow, draft), delivery=delivery, question=question)


async def _gap_question(uow: UnitOfWork, draft: DraftInfo, field: str) -> str | None:
    """The interview question a gap's field rests on, for its follow-up reply to add to, so
    the reply lands in that field as if it had been said in the interview. ``None`` when the
    field rests on no single typed question (the reply then gets a question id of its own
    and the drafter files it by its words)."""
    question_id = HOME_QUESTION.get(field)
    interview = await uow.interviews.get(draft.interview_id)
    if question_id is None or interview is None:
        return None
    script = await script_of_snapshot(uow, interview.script_version_id)
    question = script.question(question_id)
    if question is not None and question.kind not in TYPED_KINDS:
        return None
    return question_id


async def follow_up_reply(
    uow: UnitOfWork, follow_up: FollowUpRecord, *, again: bool = False
) -> Reply:
    """The message that puts a follow-up question to its contributor."""
    draft = await uow.drafts.get(follow_up.draft_id)
    reference = draft.reference if draft is not None else ""
    title = draft.record.title if draft is not None else ""
    return follow_up_message(reference, title, follow_up.question, again=again)
