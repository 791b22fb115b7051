"""The interview service: one update in, one transaction, replies out.

``handle`` wraps the pure engine in a unit of work: skip a redelivered update, record the
contributor, lock their active interview, step it with the script snapshot it began with,
apply the effects (answers, submission, restart...), save, commit. Replies are returned
only after the commit, so every answer is stored before the contributor sees a reply.

When a contributor has no active interview:

* ``Started`` begins one (with the requested script, else the catalog's default);
* any other event from someone whose last interview is over is stepped against that
  finished interview, so the engine answers it (say, "that story is already sent; /start
  to tell another"); finished interviews are read-only, only a ``RestartRequested`` from
  that step is honoured (it begins a new interview);
* any other event at first contact (or after /delete) begins an interview: the welcome is
  the right answer to a first "hello".

Follow-up questions from staff (see ``storage.followups``) reach the contributor only at a
natural pause, never in the middle of an interview: at once when none is active, else right
after the interview is sent or cancelled. While one is out and no interview is active, the
contributor's next message (text or media) is its answer: stored as an answer of the
interview with provenance, the draft redrafted, the staff member told; /skip declines it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from conversations import engine
from conversations.i18n import parse_language_code
from conversations.model import (
    Answer,
    AnswerSaved,
    CommandSent,
    Effect,
    Event,
    InterviewCancelled,
    InterviewDeclined,
    InterviewSubmitted,
    LanguageChosen,
    MediaSent,
    MessageEdited,
    Person,
    Reply,
    RestartRequested,
    Script,
    Started,
    TextSent,
)
from conversations.review_text import (
    FOLLOW_UP_SKIPPED,
    FOLLOW_UP_THANKS,
    answered_notice,
    declined_notice,
)
from conversations.script import ScriptCatalog, script_to_json
from conversations.state import InterviewState, Mode, Outcome, Status, evolve
from storage.contributors import ContributorRecord
from storage.database import Database
from storage.drafts import Actor, DraftEventInfo, DraftInfo
from storage.followups import FollowUpRecord
from storage.interviews import InterviewRecord, RevisionReason
from storage.outbox import OutboxMessage
from storage.redraft import redraft, script_of_snapshot
from storage.review import follow_up_reply
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatNotice:
    """A message for another chat than the contributor's (a staff member's)."""

    chat_id: int
    reply: Reply


@dataclass(frozen=True)
class Handled:
    """What one event led to, already committed."""

    replies: tuple[Reply, ...]
    notice: str | None
    effects: tuple[Effect, ...]
    interview_id: int | None
    submitted_reference: str | None
    duplicate: bool = False
    draft_title: str | None = None
    draft_id: int | None = None
    deliveries: tuple[Reply, ...] = ()
    """Follow-up questions for the contributor, to send after everything else."""
    notices: tuple[ChatNotice, ...] = ()
    failed: bool = False
    """Handling failed and was rolled back; ``replies`` holds the one apology."""
    failure: str | None = None
    """What failed (the exception's type and message), for the operator."""
    credit_as: str | None = None
    """How a just-submitted story may name its contributor to staff; ``None``: anonymous."""
    language: str = "en"
    """The interview's language after this event, for the adapter's own words."""
    delivering: int | None = None
    """The follow-up that ``deliveries`` puts for the first time: it counts as delivered once
    Telegram accepts the message (see ``storage.outbox``)."""
    began: bool = False
    """A new interview was begun (for the ``interviews started`` metric)."""


Compose = Callable[[Handled], Sequence[OutboxMessage]]
"""The adapter's rendering of what an update led to, owed in the update's transaction."""


DUPLICATE = Handled(
    replies=(), notice=None, effects=(), interview_id=None, submitted_reference=None, duplicate=True
)
# The Telegram adapter sends this text in the contributor's language (its ``SORRY``).
APOLOGY = (
    "Sorry, something went wrong on my side. Your answers so far are safe: "
    "please try again in a moment."
)
FAILED = Handled(
    replies=(Reply(APOLOGY),),
    notice=None,
    effects=(),
    interview_id=None,
    submitted_reference=None,
    failed=True,
)


def searchable_text(script: Script, answer: Answer) -> str:
    """The answer as plain text for search: typed text, chosen labels, media captions."""
    question = script.question(answer.question_id)
    labels = []
    for choice in answer.choices:
        option = question.option(choice) if question is not None else None
        labels.append(option.label if option is not None else choice)
    parts = [answer.text, *labels, *(m.caption for m in answer.media)]
    # A caption that became the answer's text (a photo sent with words) is there once.
    unique = dict.fromkeys(part.strip() for part in parts if part.strip())
    return "\n".join(unique)


def revision_reason(before: InterviewState, event: Event, answer: Answer) -> RevisionReason:
    """Why an answer changed: typed anew, an edited message, a probe's reply, or more."""
    if isinstance(event, MessageEdited):
        return "edit"
    if answer.question_id not in before.answers:
        return "answer"
    if before.mode is Mode.PROBING and before.current == answer.question_id:
        return "probe"
    return "followup"


_FINISHED_STATUS: dict[type[Effect], Status] = {
    InterviewSubmitted: Status.SUBMITTED,
    InterviewCancelled: Status.CANCELLED,
    InterviewDeclined: Status.DECLINED,
    RestartRequested: Status.ABANDONED,
}


class InterviewService:
    """Use cases for contributors: handle an event, export or erase their data."""

    def __init__(
        self,
        database: Database,
        catalog: ScriptCatalog,
        clock: Callable[[], datetime],
        *,
        lens_model: bool = False,
    ) -> None:
        self._database = database
        self._catalog = catalog
        self._clock = clock
        self._lens_model = lens_model

    @property
    def database(self) -> Database:
        """The database this service works on (staff and admin tools read it too)."""
        return self._database

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock this service reads (staff tools share it)."""
        return self._clock

    # --- handling events ----------------------------------------------------------------

    async def handle(
        self,
        person: Person,
        event: Event,
        *,
        update_id: int | None = None,
        fingerprint: str | None = None,
        compose: Compose | None = None,
    ) -> Handled:
        """Apply one event in one transaction; a redelivered update is a ``DUPLICATE``.

        An unexpected error (a bug in the engine, a database fault) rolls everything back, is
        logged with the update id (exception and stack, never what was said), recorded as
        that update's outcome so a redelivery does not fail again, and answered with one
        apology: the contributor's earlier answers are untouched.

        With ``compose`` (the Telegram adapter), every message the update leads to is owed in
        the outbox in that same transaction, so a crash after the commit loses no reply and a
        redelivered update needs none; without it (the terminal chat), the caller shows
        ``Handled`` itself.
        """
        try:
            return await self._handle(person, event, update_id, fingerprint, compose)
        except Exception as error:
            log.exception("update %s failed (%s)", update_id, type(error).__name__)
            if update_id is not None:
                await self._record_failure(update_id, fingerprint, error)
            return replace(FAILED, failure=f"{type(error).__name__}: {error}"[:500])

    async def _record_failure(
        self, update_id: int, fingerprint: str | None, error: Exception
    ) -> None:
        try:
            async with UnitOfWork(self._database) as uow:
                if await uow.updates.claim(update_id, self._clock(), fingerprint):
                    await uow.updates.record_outcome(update_id, f"failed: {type(error).__name__}")
                await uow.commit()
        except Exception:  # the database itself is down: Telegram will deliver it again
            log.exception("could not record the failure of update %s", update_id)

    async def _handle(
        self,
        person: Person,
        event: Event,
        update_id: int | None,
        fingerprint: str | None,
        compose: Compose | None,
    ) -> Handled:
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            if update_id is not None and not await uow.updates.claim(update_id, now, fingerprint):
                return DUPLICATE
            found = await uow.interviews.active_of_person(person)
            active: InterviewRecord | None
            if found is not None and found.contributor_current:
                contributor_id, active = found.contributor_id, found.record
            else:
                contributor_id = await uow.contributors.upsert(person, now)
                active = await uow.interviews.active_for(contributor_id, lock=True)
            # Read the time again now that this person's earlier events are committed, so
            # the engine never sees time run backwards between two of their events.
            now = self._clock()
            edited = await self._edited_submission(uow, person, contributor_id, event)
            if edited is not None and edited.state is not None:
                handled = await self._step_finished(uow, person, edited, edited.state, event, now)
            elif active is not None and active.state is not None:
                handled = await self._step(uow, person, active, active.state, event, now)
            else:
                follow_up = None
                if _may_answer(event):
                    follow_up = await uow.followups.awaiting_answer(contributor_id, lock=True)
                    if follow_up is None and compose is not None:
                        follow_up = await _arriving_follow_up(uow, contributor_id, now)
                finished = None
                if follow_up is None and not isinstance(event, Started):
                    finished = await uow.interviews.latest_finished_for(contributor_id)
                if follow_up is not None:
                    handled = await self._answer_follow_up(uow, person, follow_up, event, now)
                elif finished is not None and finished.state is not None:
                    handled = await self._step_finished(
                        uow, person, finished, finished.state, event, now
                    )
                else:
                    script_id = event.script_id if isinstance(event, Started) else None
                    handled = await self._begin(uow, person, contributor_id, script_id, now)
                    if _asks_for_help(event):
                        handled = await self._then(uow, person, handled, event, now)
            language = active.state.language if active and active.state else None
            for effect in handled.effects:
                if isinstance(effect, LanguageChosen):
                    await uow.contributors.choose_language(contributor_id, effect.language, now)
                    language = effect.language
            if language is None:
                contributor = await uow.contributors.get(contributor_id)
                chosen = contributor.chosen_language if contributor else None
                language = chosen or parse_language_code(person.language)
            handled = replace(handled, language=language)
            if not _still_active(active, edited, handled):
                handled = await self._at_pause(
                    uow,
                    contributor_id,
                    handled,
                    active is not None,
                    now,
                    outbox=compose is not None,
                )
            if update_id is not None and handled.submitted_reference:
                # An ordinary step needs no note: the claim above says it was processed.
                await uow.updates.record_outcome(update_id, _describe(handled))
            if compose is not None:
                await uow.outbox.add_all(compose(handled), now)
            await uow.commit()
        return handled

    async def _then(
        self, uow: UnitOfWork, person: Person, so_far: Handled, event: Event, now: datetime
    ) -> Handled:
        """Step the interview just begun with the event that began it (a first /help gets
        the welcome, the first question and then the help it asked for)."""
        record = await uow.interviews.get(so_far.interview_id or 0, lock=True)
        if record is None or record.state is None:
            return so_far
        after = await self._step(uow, person, record, record.state, event, now)
        return replace(after, replies=so_far.replies + after.replies, began=so_far.began)

    async def _edited_submission(
        self, uow: UnitOfWork, person: Person, contributor_id: int, event: Event
    ) -> InterviewRecord | None:
        """The submitted interview an edited message belongs to, if it is one: an answer of
        a story already sent can be corrected even after another interview has begun."""
        if not isinstance(event, MessageEdited):
            return None
        found = await uow.interviews.answer_for_message(person.chat_id, event.message_id)
        if found is None:
            return None
        record = await uow.interviews.get(found[0], lock=True)
        if (
            record is None
            or record.contributor_id != contributor_id
            or record.status is not Status.SUBMITTED
        ):
            return None
        return record

    async def _script_of(self, uow: UnitOfWork, snapshot_id: int) -> Script:
        return await script_of_snapshot(uow, snapshot_id)

    async def _begin(
        self,
        uow: UnitOfWork,
        person: Person,
        contributor_id: int,
        script_id: str | None,
        now: datetime,
    ) -> Handled:
        script = (self._catalog.get(script_id) if script_id else None) or self._catalog.default
        snapshot = await uow.scripts.snapshot(
            script.id, script.version, script_to_json(script), now
        )
        contributor = await uow.contributors.get(contributor_id)
        chosen = contributor.chosen_language if contributor is not None else None
        outcome = engine.begin(script, now, chosen or parse_language_code(person.language))
        record = await uow.interviews.create(contributor_id, snapshot.id, outcome.state, now)
        for effect in outcome.effects:
            if isinstance(effect, AnswerSaved):
                await _store(uow, record.id, script, effect.answer, "answer", person, now)
        return Handled(
            replies=outcome.replies,
            notice=outcome.notice,
            effects=outcome.effects,
            interview_id=record.id,
            submitted_reference=None,
            began=True,
        )

    async def _step(
        self,
        uow: UnitOfWork,
        person: Person,
        record: InterviewRecord,
        before: InterviewState,
        event: Event,
        now: datetime,
    ) -> Handled:
        script = await self._script_of(uow, record.script_version_id)
        outcome = engine.step(script, before, event, now)
        status = outcome.state.status
        restart: RestartRequested | None = None
        for effect in outcome.effects:
            if isinstance(effect, AnswerSaved):
                await _store(
                    uow,
                    record.id,
                    script,
                    effect.answer,
                    revision_reason(before, event, effect.answer),
                    person,
                    now,
                    new=effect.answer.question_id not in before.answers,
                )
            else:
                status = _FINISHED_STATUS.get(type(effect), status)
                if isinstance(effect, RestartRequested):
                    restart = effect
        state = evolve(outcome.state, {"status": status})
        if status is Status.DECLINED:
            # Consent refused: keep the refusal, nothing that was said before it.
            await uow.interviews.delete_answers(record.id)
            state = replace(state, answers={})
        await uow.interviews.save_state(record, state, now)
        reference = None
        draft_title = None
        draft_id = None
        if status is Status.SUBMITTED and record.reference is None:
            reference = await uow.interviews.mark_submitted(record.id, now)
            draft = await redraft(uow, record.id, now, learned=self._lens_model)
            if draft is not None:
                draft_title, draft_id = draft.title, draft.id
        handled = Handled(
            replies=outcome.replies,
            notice=outcome.notice,
            effects=outcome.effects,
            interview_id=record.id,
            submitted_reference=reference,
            draft_title=draft_title,
            draft_id=draft_id,
            credit_as=credit_as(state, person.name) if reference is not None else None,
        )
        if restart is not None:
            handled = await self._restart(uow, person, record.contributor_id, restart, now, handled)
        return handled

    async def _step_finished(
        self,
        uow: UnitOfWork,
        person: Person,
        record: InterviewRecord,
        state: InterviewState,
        event: Event,
        now: datetime,
    ) -> Handled:
        script = await self._script_of(uow, record.script_version_id)
        outcome: Outcome = engine.step(script, state, event, now)
        saved = [e for e in outcome.effects if isinstance(e, AnswerSaved)]
        if saved and record.status is Status.SUBMITTED:
            # An answer of a submitted story was corrected: store it, then redraft.
            for effect in saved:
                await _store(
                    uow,
                    record.id,
                    script,
                    effect.answer,
                    revision_reason(state, event, effect.answer),
                    person,
                    now,
                )
            await uow.interviews.save_state(record, outcome.state, now)
            await redraft(uow, record.id, now, learned=self._lens_model)
        handled = Handled(
            replies=outcome.replies,
            notice=outcome.notice,
            effects=outcome.effects,
            interview_id=record.id,
            submitted_reference=None,
        )
        restart = next((e for e in outcome.effects if isinstance(e, RestartRequested)), None)
        if restart is not None:
            handled = await self._restart(uow, person, record.contributor_id, restart, now, handled)
        return handled

    async def _restart(
        self,
        uow: UnitOfWork,
        person: Person,
        contributor_id: int,
        restart: RestartRequested,
        now: datetime,
        so_far: Handled,
    ) -> Handled:
        begun = await self._begin(uow, person, contributor_id, restart.script_id, now)
        return Handled(
            replies=so_far.replies + begun.replies,
            notice=so_far.notice or begun.notice,
            effects=so_far.effects + begun.effects,
            interview_id=begun.interview_id,
            submitted_reference=so_far.submitted_reference,
        )

    # --- follow-up questions from staff -------------------------------------------------

    async def _answer_follow_up(
        self,
        uow: UnitOfWork,
        person: Person,
        follow_up: FollowUpRecord,
        event: Event,
        now: datetime,
    ) -> Handled:
        """The contributor's reply to a staff question: stored, redrafted, passed on."""
        draft = await uow.drafts.get(follow_up.draft_id)
        reference = draft.reference if draft is not None else ""
        actor = Actor(person.user_id, person.name)
        if isinstance(event, CommandSent):  # /skip: they would rather not answer
            await uow.followups.mark_cancelled(follow_up.id, now)
            await uow.drafts.log_follow_up(
                follow_up.draft_id, "would rather not answer the question", actor=actor, now=now
            )
            notice = declined_notice(follow_up.draft_id, reference, person.name, follow_up.question)
            return Handled(
                replies=(Reply(FOLLOW_UP_SKIPPED),),
                notice=None,
                effects=(),
                interview_id=draft.interview_id if draft is not None else None,
                submitted_reference=None,
                notices=(ChatNotice(follow_up.notify_chat_id, notice),),
            )
        if isinstance(event, MediaSent):
            reply = Answer(follow_up.question_id, text=event.media.caption, media=(event.media,))
        else:
            assert isinstance(event, TextSent)
            reply = Answer(follow_up.question_id, text=event.text)
        reply = replace(reply, answered_at=now)
        said = searchable_text(_NO_SCRIPT, reply) or f"({_media_words(reply)})"
        version = None
        if draft is not None:
            await self._add_to_interview(uow, draft.interview_id, reply, now)
            await uow.drafts.log_follow_up(draft.id, f"answered: {said}", actor=actor, now=now)
            redrafted = await redraft(uow, draft.interview_id, now, learned=self._lens_model)
            version = redrafted.version if redrafted is not None else None
        await uow.followups.mark_answered(follow_up.id, follow_up.question_id, reply, now)
        notice = answered_notice(
            follow_up.draft_id, reference, person.name, follow_up.question, said, version
        )
        return Handled(
            replies=(Reply(FOLLOW_UP_THANKS),),
            notice=None,
            effects=(),
            interview_id=draft.interview_id if draft is not None else None,
            submitted_reference=None,
            notices=(ChatNotice(follow_up.notify_chat_id, notice),),
        )

    async def _add_to_interview(
        self, uow: UnitOfWork, interview_id: int, reply: Answer, now: datetime
    ) -> None:
        """Store a follow-up reply as an answer of the interview (revision reason
        "followup"), added after what was said before, as a probe's reply is. A reply to a
        question of the script is also put into the interview's state, so a later edit of
        an earlier message cannot drop it."""
        interview = await uow.interviews.get(interview_id, lock=True)
        if interview is None:
            return
        earlier = next(
            (
                stored.answer
                for stored in await uow.interviews.answers(interview_id)
                if stored.question_id == reply.question_id
            ),
            None,
        )
        answer = reply
        if earlier is not None and not earlier.skipped and not earlier.is_empty():
            text = "\n".join(t for t in (earlier.text, reply.text) if t.strip())
            answer = replace(earlier, text=text, media=earlier.media + reply.media, answered_at=now)
        answer = replace(answer, skipped=False)
        script = await self._script_of(uow, interview.script_version_id)
        # Not mapped to its chat message: the reply belongs to the staff question.
        await uow.interviews.save_answer(
            interview_id,
            answer,
            text=searchable_text(script, answer),
            reason="followup",
            chat_id=None,
            now=now,
        )
        if interview.state is not None and script.question(reply.question_id) is not None:
            answers = {**interview.state.answers, reply.question_id: answer}
            await uow.interviews.save_state(
                interview, replace(interview.state, answers=answers), now
            )

    async def _at_pause(
        self,
        uow: UnitOfWork,
        contributor_id: int,
        handled: Handled,
        was_active: bool,
        now: datetime,
        *,
        outbox: bool = False,
    ) -> Handled:
        """Put the next staff question to the contributor if no interview is active now:
        the oldest waiting one, or (right after an interview ended) the one they have not
        answered yet, again. Through the ``outbox``, a question is delivered only once
        Telegram accepted it (the sender marks it), and one still owed is not put twice."""
        awaiting = await uow.followups.awaiting_answer(contributor_id)
        if awaiting is not None and not was_active:
            return handled  # already out there, and nothing new is finished
        pending = None
        if awaiting is None:
            pending = await uow.followups.next_pending(contributor_id, lock=True)
            if pending is None:
                return handled
        if await uow.interviews.active_for(contributor_id, lock=False) is not None:
            return handled
        if pending is not None:
            if outbox:
                if await uow.outbox.waits_for_follow_up(pending.id):
                    return handled
            else:
                await uow.followups.mark_delivered(pending.id, now)
            message = await follow_up_reply(uow, pending)
            handled = replace(handled, delivering=pending.id)
        else:
            assert awaiting is not None
            message = await follow_up_reply(uow, awaiting, again=True)
        return replace(handled, deliveries=(*handled.deliveries, message))

    # --- the contributor's own data -----------------------------------------------------

    async def export_person_data(self, user_id: int) -> dict[str, Any]:
        """Everything stored about a contributor, as JSON-able data (for /mydata)."""
        async with UnitOfWork(self._database, read_only=True) as uow:
            contributor = await uow.contributors.by_user_id(user_id)
            if contributor is None:
                return {"contributor": None, "interviews": []}
            interviews = []
            for record in await uow.interviews.for_contributor(contributor.id):
                answers = []
                for stored in await uow.interviews.answers(record.id):
                    revisions = await uow.interviews.revisions(record.id, stored.question_id)
                    answers.append(
                        {
                            "question_id": stored.question_id,
                            "text": stored.text,
                            "value": stored.answer.to_json(),
                            "revision": stored.revision,
                            "created_at": stored.created_at.isoformat(),
                            "updated_at": stored.updated_at.isoformat(),
                            "revisions": [
                                {
                                    "revision": r.revision,
                                    "reason": r.reason,
                                    "value": r.answer.to_json(),
                                    "created_at": r.created_at.isoformat(),
                                }
                                for r in revisions
                            ],
                        }
                    )
                interview = _interview_json(record, answers)
                draft = await uow.drafts.by_interview(record.id)
                if draft is not None:
                    history = await uow.drafts.history(draft.id, limit=HISTORY_LIMIT)
                    follow_ups = await uow.followups.for_draft(draft.id)
                    interview["draft"] = _draft_json(draft, history, follow_ups, user_id)
                else:
                    interview["draft"] = None
                interviews.append(interview)
        return {"contributor": _contributor_json(contributor), "interviews": interviews}

    async def erase_person(self, user_id: int) -> bool:
        """Erase a contributor's answers, revisions, message maps and interview states.

        A tombstone stays (Telegram id, no name) and interview rows keep their status and
        reference, so references are never handed out twice. Returns whether there was
        anything to erase.
        """
        now = self._clock()
        async with UnitOfWork(self._database) as uow:
            contributor = await uow.contributors.by_user_id(user_id, lock=True)
            if contributor is None:
                return False
            held = await uow.interviews.erase_for_contributor(contributor.id, now)
            await uow.followups.erase_for_contributor(contributor.id)
            held += await uow.drafts.delete_for_contributor(contributor.id)
            await uow.contributors.mark_erased(contributor.id, now)
            await uow.commit()
        return contributor.erased_at is None or held > 0

    async def status_of(self, user_id: int) -> str | None:
        """A line for /status when no interview is active; ``None`` if there is nothing to say
        (no finished interview, or one is active: the engine answers then)."""
        async with UnitOfWork(self._database, read_only=True) as uow:
            contributor = await uow.contributors.by_user_id(user_id)
            if contributor is None:
                return None
            if await uow.interviews.active_for(contributor.id, lock=False) is not None:
                return None
            last = await uow.interviews.latest_finished_for(contributor.id)
        if last is None:
            return None
        day = f"{last.updated_at:%Y-%m-%d}"
        if last.status is Status.SUBMITTED:
            when = f"{(last.submitted_at or last.updated_at):%Y-%m-%d}"
            return f"Your last interview {last.reference} was submitted on {when}."
        if last.status is Status.CANCELLED:
            return f"Your last interview was cancelled on {day}. Send /start to begin a new one."
        if last.status is Status.DECLINED:
            return f"You declined to take part on {day}. Send /start if you change your mind."
        return "You have no interview in progress. Send /start to begin one."


_NO_SCRIPT = Script(id="", version=0, title="", language="en", welcome="", thanks="", questions=())


async def _arriving_follow_up(
    uow: UnitOfWork, contributor_id: int, now: datetime
) -> FollowUpRecord | None:
    """A staff question Telegram has (or is being) handed but the sender has not marked
    delivered yet: a reply that quick is its answer, so it is marked delivered now."""
    pending = await uow.followups.next_pending(contributor_id, lock=True)
    if pending is None or not await uow.outbox.follow_up_handed_over(pending.id):
        return None
    await uow.followups.mark_delivered(pending.id, now)
    return replace(pending, status="delivered", delivered_at=now)


def _may_answer(event: Event) -> bool:
    """Whether ``event`` can answer a staff question: a message, or /skip to decline."""
    if isinstance(event, CommandSent):
        return event.name == "skip"
    return isinstance(event, TextSent | MediaSent)


def _media_words(answer: Answer) -> str:
    kinds = sorted({m.kind.replace("_", " ") for m in answer.media})
    return ", ".join(kinds) or "no text"


async def _store(
    uow: UnitOfWork,
    interview_id: int,
    script: Script,
    answer: Answer,
    reason: RevisionReason,
    person: Person,
    now: datetime,
    *,
    new: bool = False,
) -> None:
    """Store an answer the engine saved, mapped to the chat message(s) it came from."""
    await uow.interviews.save_answer(
        interview_id,
        answer,
        text=searchable_text(script, answer),
        reason=reason,
        chat_id=person.chat_id,
        now=now,
        new=new,
    )


def _still_active(
    active: InterviewRecord | None, edited: InterviewRecord | None, handled: Handled
) -> bool:
    """Whether the active interview was stepped and is still going (or a restart began
    another): then no staff question can be put now, so none is looked up."""
    if active is None or edited is not None:
        return False
    return not any(type(effect) in _FINISHED_STATUS for effect in handled.effects) or any(
        isinstance(effect, RestartRequested) for effect in handled.effects
    )


def credit_as(state: InterviewState, name: str) -> str | None:
    """The name a story's credit choice lets staff see: the contributor's (or the name they
    gave) when they chose to be named, their organisation's when they chose that; ``None``
    when they chose to stay anonymous or did not say."""
    credit = state.answers.get("credit")
    choice = credit.choices[0] if credit is not None and credit.choices else "anonymous"

    def said(question_id: str) -> str:
        answer = state.answers.get(question_id)
        return " ".join(answer.text.split()) if answer is not None and not answer.skipped else ""

    if choice == "named":
        return said("credit_name") or name or None
    if choice == "organisation":
        org = said("credit_org")
        return f"someone from {org}" if org else None
    return None


def _asks_for_help(event: Event) -> bool:
    return isinstance(event, CommandSent) and event.name.strip().lstrip("/").lower() in {
        "help",
        "status",
        "language",
    }


def _describe(handled: Handled) -> str:
    if handled.submitted_reference:
        return f"submitted {handled.submitted_reference}"
    return f"interview {handled.interview_id}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _contributor_json(contributor: ContributorRecord) -> dict[str, Any]:
    return {
        "telegram_user_id": contributor.telegram_user_id,
        "chat_id": contributor.chat_id,
        "display_name": contributor.display_name,
        "username": contributor.username,
        "language": contributor.language,
        "chosen_language": contributor.chosen_language,
        "reminders_enabled": contributor.reminders_enabled,
        "created_at": _iso(contributor.created_at),
        "updated_at": _iso(contributor.updated_at),
        "erased_at": _iso(contributor.erased_at),
    }


HISTORY_LIMIT = 100_000


def _draft_json(
    draft: DraftInfo,
    history: list[DraftEventInfo],
    follow_ups: list[FollowUpRecord],
    user_id: int,
) -> dict[str, Any]:
    """A story's draft as /mydata shows it: the text, its history (staff notes included)
    and staff's follow-up questions; who on the staff did what is not the contributor's
    data, so an event says only whether it was them or staff."""

    def by(actor_user_id: int | None) -> str:
        if actor_user_id is None:
            return "copro-bot"
        return "you" if actor_user_id == user_id else "staff"

    events = [
        {
            "kind": event.kind,
            "field": event.field,
            "before": event.before,
            "after": event.after,
            "by": by(event.actor_user_id),
            "version": event.version,
            "created_at": _iso(event.created_at),
        }
        for event in history
    ]
    return {
        "reference": draft.reference,
        "status": draft.status.value,
        "version": draft.version,
        "created_at": _iso(draft.created_at),
        "updated_at": _iso(draft.updated_at),
        "body": draft.record.to_json(),
        "staff_notes": [
            {"text": e["after"], "created_at": e["created_at"]}
            for e in events
            if e["kind"] == "note"
        ],
        "history": events,
        "follow_ups": [
            {
                "question": f.question,
                "status": f.status,
                "answer": f.answer.to_json() if f.answer is not None else None,
                "created_at": _iso(f.created_at),
                "delivered_at": _iso(f.delivered_at),
                "answered_at": _iso(f.answered_at),
            }
            for f in follow_ups
        ],
    }


def _interview_json(record: InterviewRecord, answers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": record.id,
        "language": record.language,
        "script_id": record.script_id,
        "status": record.status.value,
        "reference": record.reference,
        "started_at": _iso(record.started_at),
        "updated_at": _iso(record.updated_at),
        "submitted_at": _iso(record.submitted_at),
        "state": record.state.to_json() if record.state is not None else None,
        "answers": answers,
    }
