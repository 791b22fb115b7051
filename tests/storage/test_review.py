"""Staff use cases on SQLite and PostgreSQL: the queue, polishing through prompts with
optimistic versions, the status workflow, lens decisions, notes, staff membership and
follow-up questions that reach contributors only at a natural pause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from conversations.model import CommandSent, Person, Pressed, Started, TextSent
from conversations.review_text import PAGE_SIZE
from conversations.script import ScriptCatalog, builtin_scripts
from conversations.workflow import DraftStatus
from storage.database import Database
from storage.drafts import Actor, DraftRefused
from storage.review import ReviewService
from storage.service import InterviewService
from storage.uow import UnitOfWork
from tests.storage.seed_examples import Contributor, choose, seeded_database, submit

NIA = Actor(user_id=900, name="Nia Staff")
OWEN = Actor(user_id=901, name="Owen Staff")
STAFF_CHAT = -100500
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class ManualClock:
    """Time that stands still until the test moves it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def spotted(user_id: int, name: str, project: str) -> Contributor:
    return Contributor(
        Person(user_id, user_id, name),
        "spotted",
        {
            "consent": choose("consent", "yes"),
            "project": TextSent(project),
            "credit": choose("credit", "anonymous"),
        },
    )


ADA = spotted(42, "Ada Lovelace", "Parents and the school redesigned the playground together.")


@dataclass
class Desk:
    """The contributor-side service and the staff-side one, on one database and clock."""

    database: Database
    clock: ManualClock
    interviews: InterviewService
    review: ReviewService

    async def submit(self, contributor: Contributor) -> int:
        reference = await submit(self.interviews, contributor)
        self.clock.advance(minutes=1)
        card = await self.review.card_by_reference(reference)
        assert card is not None
        return card.id


def desk_on(database: Database) -> Desk:
    clock = ManualClock()
    catalog = ScriptCatalog(dict(builtin_scripts()), default_id="spotted")
    return Desk(
        database, clock, InterviewService(database, catalog, clock), ReviewService(database, clock)
    )


@pytest.fixture
def desk(database: Database) -> Desk:
    return desk_on(database)


async def edit(desk: Desk, actor: Actor, draft_id: int, field: str, text: str) -> str:
    await desk.review.start_prompt(actor.user_id, STAFF_CHAT, "edit", draft_id, field)
    return (await desk.review.finish_prompt(actor, STAFF_CHAT, text)).kind


# --- the queue ---------------------------------------------------------------------------


async def test_the_queue_pages_to_do_drafts_oldest_first(desk: Desk) -> None:
    ids = [
        await desk.submit(spotted(100 + n, f"Person {n}", f"Project number {n} in the park."))
        for n in range(PAGE_SIZE + 2)
    ]
    await desk.review.set_status(NIA, ids[0], DraftStatus.ARCHIVED)

    first = await desk.review.queue("todo", 0)
    second = await desk.review.queue("todo", PAGE_SIZE)
    beyond = await desk.review.queue("todo", 500)

    assert [e.id for e in first.entries] == ids[1 : PAGE_SIZE + 1]
    assert [e.id for e in second.entries] == ids[PAGE_SIZE + 1 :]
    assert (first.total, second.offset) == (PAGE_SIZE + 1, PAGE_SIZE)
    assert beyond.offset == PAGE_SIZE  # past the end: the last page
    assert first.counts[DraftStatus.NEW] == PAGE_SIZE + 1
    assert first.counts[DraftStatus.ARCHIVED] == 1
    archived = await desk.review.queue("archived")
    assert [e.id for e in archived.entries] == [ids[0]]


async def test_the_queue_filters_by_status(migrated_url: str) -> None:
    database, seeded = await seeded_database(migrated_url)
    try:
        review = ReviewService(database, ManualClock())
        ready = await review.queue("ready")
        todo = await review.queue("todo")
        everything = await review.queue("all")
        unknown = await review.queue("nonsense")
    finally:
        await database.dispose()

    refs = seeded.references
    assert [e.reference for e in ready.entries] == [refs["ann"], refs["dan"]]
    assert [e.reference for e in todo.entries] == [refs["cat"], refs["eve"]]
    assert everything.total == 5
    assert unknown.filter == "todo"


# --- polishing ---------------------------------------------------------------------------


async def test_a_field_edit_is_a_revision_with_who_and_when(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    before = await desk.review.card(draft_id)
    assert before is not None
    desk.clock.advance(minutes=5)

    assert await edit(desk, NIA, draft_id, "summary", "  A playground the children designed.  ")

    card = await desk.review.card(draft_id)
    history = await desk.review.history(draft_id)
    assert card is not None and history is not None
    assert card.record.summary == "A playground the children designed."
    assert card.version == before.version + 1
    assert card.staff_edited == ("summary",)
    last = history[1][-1]
    assert (last.kind, last.field, last.actor_name, last.created_at) == (
        "field",
        "summary",
        "Nia Staff",
        START + timedelta(minutes=6),
    )
    assert (last.before, last.after) == (before.record.summary, card.record.summary)


async def test_a_colleagues_edit_of_the_same_field_is_never_silently_overwritten(
    desk: Desk,
) -> None:
    draft_id = await desk.submit(ADA)
    await desk.review.start_prompt(NIA.user_id, STAFF_CHAT, "edit", draft_id, "summary")
    await desk.review.start_prompt(OWEN.user_id, 901, "edit", draft_id, "summary")

    saved = await desk.review.finish_prompt(NIA, STAFF_CHAT, "Nia's summary.")
    desk.clock.advance(minutes=2)
    clash = await desk.review.finish_prompt(OWEN, 901, "Owen's summary.")

    assert saved.kind == "saved"
    assert clash.kind == "conflict"
    assert (clash.theirs, clash.yours, clash.changed_by) == (
        "Nia's summary.",
        "Owen's summary.",
        "Nia Staff",
    )
    card = await desk.review.card(draft_id)
    assert card is not None and card.record.summary == "Nia's summary."
    history = await desk.review.history(draft_id)
    assert history is not None
    kept = history[1][-1]
    assert (kept.kind, kept.field, kept.after, kept.actor_name) == (
        "note",
        "summary",
        "Owen's summary.",
        "Owen Staff",
    )

    assert clash.event_id is not None
    mine = await desk.review.keep_mine(OWEN, draft_id, clash.event_id)
    assert mine.kind == "saved"
    card = await desk.review.card(draft_id)
    assert card is not None and card.record.summary == "Owen's summary."


async def test_edits_of_different_fields_from_the_same_version_both_land(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    await desk.review.start_prompt(NIA.user_id, STAFF_CHAT, "edit", draft_id, "title")
    await desk.review.start_prompt(OWEN.user_id, 901, "edit", draft_id, "place")

    first = await desk.review.finish_prompt(NIA, STAFF_CHAT, "The playground")
    second = await desk.review.finish_prompt(OWEN, 901, "Leeds")

    assert (first.kind, second.kind) == ("saved", "saved")
    card = await desk.review.card(draft_id)
    assert card is not None
    assert (card.record.title, card.record.field("place").text) == ("The playground", "Leeds")


async def test_a_prompt_is_for_one_chat_and_goes_stale(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    await desk.review.start_prompt(NIA.user_id, STAFF_CHAT, "note", draft_id)

    assert await desk.review.pending_prompt(NIA.user_id, 12345) is None
    assert await desk.review.pending_prompt(NIA.user_id, STAFF_CHAT) is not None
    empty = await desk.review.finish_prompt(NIA, STAFF_CHAT, "   ")
    assert empty.kind == "empty"  # and the prompt still waits
    assert await desk.review.pending_prompt(NIA.user_id, STAFF_CHAT) is not None

    desk.clock.advance(hours=3)
    assert await desk.review.pending_prompt(NIA.user_id, STAFF_CHAT) is None
    assert (await desk.review.finish_prompt(NIA, STAFF_CHAT, "late")).kind == "none"


async def test_clear_empties_a_field_and_notes_go_into_the_history(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    await desk.review.start_prompt(NIA.user_id, STAFF_CHAT, "edit", draft_id, "credit_line")
    cleared = await desk.review.finish_prompt(NIA, STAFF_CHAT, "", clear=True)
    await desk.review.start_prompt(NIA.user_id, STAFF_CHAT, "note", draft_id)
    noted = await desk.review.finish_prompt(NIA, STAFF_CHAT, "Check the dates with the school")

    assert (cleared.kind, noted.kind) == ("saved", "noted")
    assert cleared.card is not None and cleared.card.record.credit_line == ""
    history = await desk.review.history(draft_id)
    assert history is not None
    assert (history[1][-1].kind, history[1][-1].after) == (
        "note",
        "Check the dates with the school",
    )


async def test_an_unknown_field_cannot_be_edited(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    with pytest.raises(DraftRefused):
        await desk.review.start_prompt(NIA.user_id, STAFF_CHAT, "edit", draft_id, "salary")


# --- workflow and lens -------------------------------------------------------------------


async def test_status_moves_record_who_and_when_and_bad_moves_say_why(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)

    with pytest.raises(DraftRefused) as refused:
        await desk.review.set_status(NIA, draft_id, DraftStatus.PUBLISHED)
    assert str(refused.value) == "A new draft has to be reviewed before it can be published."

    desk.clock.advance(minutes=10)
    card = await desk.review.set_status(NIA, draft_id, DraftStatus.IN_REVIEW)
    assert (card.status, card.status_changed_by, card.status_changed_at) == (
        DraftStatus.IN_REVIEW,
        "Nia Staff",
        desk.clock.now,
    )
    with pytest.raises(DraftRefused) as again:
        await desk.review.set_status(OWEN, draft_id, DraftStatus.IN_REVIEW)
    assert str(again.value) == "It is already in review."
    for target in (DraftStatus.NEEDS_INFO, DraftStatus.READY, DraftStatus.PUBLISHED):
        card = await desk.review.set_status(OWEN, draft_id, target)
    assert (card.status, card.status_changed_by) == (DraftStatus.PUBLISHED, "Owen Staff")
    history = await desk.review.history(draft_id)
    assert history is not None
    moves = [(e.before, e.after, e.actor_name) for e in history[1] if e.kind == "status"]
    assert moves == [
        ("new", "in_review", "Nia Staff"),
        ("in_review", "needs_info", "Owen Staff"),
        ("needs_info", "ready", "Owen Staff"),
        ("ready", "published", "Owen Staff"),
    ]


async def test_lens_tags_are_confirmed_or_rejected_by_key_or_number(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    card = await desk.review.card(draft_id)
    assert card is not None and card.record.lens, "the story should suggest a lens tag"
    key = card.record.lens[0].key

    confirmed, label = await desk.review.decide_tag(NIA, draft_id, key, "confirmed")
    rejected, _ = await desk.review.decide_tag(NIA, draft_id, "1", "rejected")

    assert label == card.record.lens[0].label
    assert confirmed.record.lens[0].status == "confirmed"
    assert rejected.record.lens[0].status == "rejected"
    with pytest.raises(DraftRefused):
        await desk.review.decide_tag(NIA, draft_id, "nef/not_a_tag", "confirmed")
    with pytest.raises(DraftRefused):
        await desk.review.decide_tag(NIA, draft_id, "99", "confirmed")


# --- staff membership --------------------------------------------------------------------


async def test_admins_add_and_remove_staff_in_chat(desk: Desk) -> None:
    await desk.submit(ADA)  # Ada has talked to the bot, so she can be found by name

    assert await desk.review.add_staff(NIA, 42, "") is True
    assert await desk.review.add_staff(NIA, 42, "") is False
    lines = await desk.review.staff_lines([900], [800])
    assert [(line.user_id, line.name, line.source) for line in lines] == [
        (900, "", "admin"),
        (800, "", "settings"),
        (42, "Ada Lovelace", "chat"),
    ]
    assert await desk.review.remove_staff(42) is True
    assert await desk.review.remove_staff(42) is False
    async with UnitOfWork(desk.database) as uow:
        assert await uow.staff.is_member(42) is False


# --- follow-up questions -----------------------------------------------------------------


async def test_a_question_reaches_an_idle_contributor_at_once(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)

    result = await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who chose the new swings?")

    assert result.outcome == "sent"
    assert result.delivery is not None
    assert result.delivery.chat_id == ADA.person.chat_id
    assert result.delivery.message.heading == "💬 A question from the team"
    assert "Who chose the new swings?" in result.delivery.message.text
    assert result.card is not None and result.card.follow_ups_waiting == 1


async def test_a_question_waits_for_the_pause_of_an_interview_in_progress(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    await desk.interviews.handle(ADA.person, Started("spotted"))  # a second story begins

    result = await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who chose the new swings?")
    answered = await desk.interviews.handle(ADA.person, choose("consent", "yes"))
    cancel = await desk.interviews.handle(ADA.person, CommandSent("cancel"))
    confirmed = await desk.interviews.handle(ADA.person, Pressed("xy"))

    assert (result.outcome, result.delivery) == ("queued_interview", None)
    assert answered.deliveries == ()  # never in the middle of the interview
    assert cancel.deliveries == ()
    assert [d.heading for d in confirmed.deliveries] == ["💬 A question from the team"]
    assert "Who chose the new swings?" in confirmed.deliveries[0].text


async def test_the_reply_is_an_answer_with_provenance_redrafts_and_tells_staff(
    desk: Desk,
) -> None:
    draft_id = await desk.submit(ADA)
    before = await desk.review.card(draft_id)
    assert before is not None
    await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who decided on the budget?")
    desk.clock.advance(hours=1)

    handled = await desk.interviews.handle(
        ADA.person, TextSent("The parents' forum voted on the budget in June.")
    )

    assert [r.text for r in handled.replies] == [
        "Thank you! I've passed your answer on to the team. 🙏"
    ]
    [notice] = handled.notices
    assert notice.chat_id == STAFF_CHAT
    assert notice.reply.heading == (f"💬 Ada Lovelace answered your question on {before.reference}")
    assert "Who decided on the budget?" in notice.reply.text
    assert "The parents' forum voted on the budget in June." in notice.reply.text
    assert notice.reply.buttons[0][0].data == f"st|o|{draft_id}"

    card = await desk.review.card(draft_id)
    assert card is not None
    assert card.version > before.version
    assert (card.follow_ups_waiting, card.follow_ups_answered) == (0, 1)
    cited = [
        (name, s.text)
        for name, s in card.record.sentences()
        if any(q.startswith("followup_") for q in s.question_ids)
    ]
    assert cited and all("forum" in text for _, text in cited)
    async with UnitOfWork(desk.database) as uow:
        draft = await uow.drafts.get(draft_id)
        assert draft is not None
        answers = {a.question_id: a for a in await uow.interviews.answers(draft.interview_id)}
    [stored] = [a for q, a in answers.items() if q.startswith("followup_")]
    assert stored.text == "The parents' forum voted on the budget in June."
    assert stored.answer.answered_at == desk.clock.now
    # The next message is the interview's again: no question is waiting.
    after = await desk.interviews.handle(ADA.person, TextSent("thanks"))
    assert after.notices == ()


async def test_skip_declines_a_question_and_staff_hear_so(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Any photos?")

    handled = await desk.interviews.handle(ADA.person, CommandSent("skip"))

    assert [r.text for r in handled.replies] == [
        "No problem, I've let the team know you'd rather not answer."
    ]
    assert handled.notices[0].reply.heading is not None
    assert handled.notices[0].reply.heading.startswith("Ada Lovelace would rather not answer")
    card = await desk.review.card(draft_id)
    assert card is not None and card.follow_ups_waiting == 0


async def test_one_question_is_out_at_a_time(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    first = await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who chose the swings?")
    second = await desk.review.ask(OWEN, 901, draft_id, "When did it open?")
    again = await desk.review.ask(OWEN, 901, draft_id, "When did it open?")

    answered = await desk.interviews.handle(ADA.person, TextSent("The children did."))

    assert (first.outcome, second.outcome, again.outcome) == ("sent", "queued_waiting", "already")
    assert [n.chat_id for n in answered.notices] == [STAFF_CHAT]
    assert ["When did it open?" in d.text for d in answered.deliveries] == [True]
    answered_second = await desk.interviews.handle(ADA.person, TextSent("In May."))
    assert [n.chat_id for n in answered_second.notices] == [901]


async def test_a_blocked_contributor_fails_the_question_for_good(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    result = await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who chose the swings?")
    assert result.delivery is not None

    await desk.review.delivery_failed(result.delivery.follow_up_id, blocked=True)

    card = await desk.review.card(draft_id)
    assert card is not None and card.follow_ups_waiting == 0
    history = await desk.review.history(draft_id)
    assert history is not None
    assert history[1][-1].after == (
        "could not deliver the question: the contributor has blocked the bot"
    )
    # A later message from them is not mistaken for an answer.
    handled = await desk.interviews.handle(ADA.person, TextSent("hello again"))
    assert handled.notices == ()


async def test_a_question_that_could_not_be_sent_goes_out_at_their_next_message(
    desk: Desk,
) -> None:
    draft_id = await desk.submit(ADA)
    result = await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who chose the swings?")
    assert result.delivery is not None
    await desk.review.delivery_failed(result.delivery.follow_up_id, blocked=False)

    handled = await desk.interviews.handle(ADA.person, CommandSent("status"))

    assert ["Who chose the swings?" in d.text for d in handled.deliveries] == [True]


async def test_a_contributor_who_erased_their_data_cannot_be_asked(migrated_url: str) -> None:
    database, seeded = await seeded_database(migrated_url)
    try:
        review = ReviewService(database, ManualClock())
        card = await review.card_by_reference(seeded.references["dan"])
        assert card is not None
        result = await review.ask(NIA, STAFF_CHAT, card.id, "Still running?")
        with pytest.raises(DraftRefused):
            await review.start_prompt(NIA.user_id, STAFF_CHAT, "ask", card.id)
    finally:
        await database.dispose()

    assert (card.contributor_reachable, result.outcome) == (False, "unreachable")


async def test_erasing_a_contributor_removes_their_follow_ups(desk: Desk) -> None:
    draft_id = await desk.submit(ADA)
    await desk.review.ask(NIA, STAFF_CHAT, draft_id, "Who chose the swings?")
    await desk.interviews.handle(ADA.person, TextSent("The children."))

    await desk.interviews.erase_person(ADA.person.user_id)

    async with UnitOfWork(desk.database) as uow:
        contributor = await uow.contributors.by_user_id(ADA.person.user_id)
        assert contributor is not None
        assert await uow.followups.awaiting_answer(contributor.id) is None
        assert await uow.followups.for_draft(draft_id) == []


async def test_a_reply_to_a_gap_adds_to_the_answer_the_gap_was_about(desk: Desk) -> None:
    leeds = spotted(44, "Lee", "Parents and the school redesigned the playground together.")
    leeds.answers["place_when"] = TextSent("Leeds")
    draft_id = await desk.submit(leeds)
    card = await desk.review.card(draft_id)
    assert card is not None
    number = 1 + [g.field for g in card.record.gaps].index("place")

    stale = await desk.review.ask_gap(NIA, STAFF_CHAT, draft_id, number, card.version - 1)
    asked = await desk.review.ask_gap(NIA, STAFF_CHAT, draft_id, number, card.version)
    await desk.interviews.handle(leeds.person, TextSent("Chapeltown, by the old mill."))

    assert stale.outcome == "changed"
    assert asked.outcome == "sent"
    after = await desk.review.card(draft_id)
    assert after is not None
    assert "Chapeltown, by the old mill" in after.record.field("place").text
    assert "place" not in [g.field for g in after.record.gaps]
    async with UnitOfWork(desk.database) as uow:
        draft = await uow.drafts.get(draft_id)
        assert draft is not None
        interview = await uow.interviews.get(draft.interview_id)
        stored = {a.question_id: a for a in await uow.interviews.answers(draft.interview_id)}
        revisions = await uow.interviews.revisions(draft.interview_id, "place_when")
    assert stored["place_when"].answer.text == "Leeds\nChapeltown, by the old mill."
    assert [r.reason for r in revisions] == ["answer", "followup"]
    assert interview is not None and interview.state is not None
    assert interview.state.answers["place_when"].text == "Leeds\nChapeltown, by the old mill."
