"""Staff updates are applied once per update id; a staff member's message meant for a prompt
that has expired is answered as such, never taken into an interview of their own; a staff
handler that fails parks its update and stops it there."""

from __future__ import annotations

import json
import logging

import pytest

from bot.telegram_app import SORRY
from storage.intake import parked_updates
from storage.review import ReviewService
from tests.e2e.conftest import RunningBot, buttons
from tests.e2e.fake_bot_api import JSON, FakeBotApi, FakeUser
from tests.e2e.staff_support import STAFF, BotClock, Desk, story, submit_story, tap_and_wait


async def open_card(fake: FakeBotApi, sam: FakeUser, reference: str) -> JSON:
    """Send /draft and wait for the card the outbox sends; later replies come after it."""
    sam.send_command("draft", reference)

    def cards() -> list[JSON]:
        return [m for m in sam.bot_messages() if "🗒 Note" in buttons(m)]

    await fake.wait_until(lambda: bool(cards()))
    await fake.wait_idle(quiet=0.05)
    sam.skip_replies()
    return cards()[-1]


async def test_a_redelivered_staff_note_is_added_once(
    fake: FakeBotApi, bot: RunningBot, desk: Desk
) -> None:
    draft_id, reference = await submit_story(desk, story(201, "Ann", "Tenants rebuilt the hall"))
    sam = fake.user(STAFF, "Sam")
    card = await open_card(fake, sam, reference)
    await tap_and_wait(fake, sam, card, "🗒 Note")
    sam.skip_replies()

    with fake.capture_updates() as captured:
        sam.send_text("Ask the housing office for a photo")
    [note] = captured
    fake.queue_update(note)
    [noted] = await sam.replies(1)
    fake.queue_update(note)  # Telegram delivers it again (our acknowledgement was lost)
    await fake.wait_idle(quiet=0.2)

    assert noted["text"] == "🗒 Note added to the history."
    assert sam.bot_messages()[-1] == noted  # nothing else: no second note, no interview
    history = await desk.review.history(draft_id)
    assert history is not None
    notes = [line.after for line in history[1] if line.kind == "note"]
    assert notes == ["Ask the housing office for a photo"]


async def test_a_message_after_an_expired_prompt_is_told_so_and_starts_no_interview(
    fake: FakeBotApi, bot: RunningBot, desk: Desk, clock: BotClock
) -> None:
    _, reference = await submit_story(desk, story(202, "Ben", "Residents planted an orchard"))
    sam = fake.user(STAFF, "Sam")
    card = await open_card(fake, sam, reference)
    fields = await tap_and_wait(fake, sam, card, "✏️ Edit a field")
    sam.press_button(fields, "Summary")
    await sam.replies(2)  # the field as it is, and the prompt for its new text
    await fake.wait_idle(quiet=0.05)

    clock.advance(hours=3)
    sam.send_text("Residents and the parks team planted a street orchard together")
    [expired] = await sam.replies(1)
    await fake.wait_idle(quiet=0.2)

    assert expired["text"] == "That edit expired — tap Edit again."
    assert sam.bot_messages()[-1] == expired  # no welcome, no consent question
    assert await desk.interviews.status_of(STAFF) is None  # nothing stored as theirs


@pytest.mark.bot_errors_expected
async def test_a_staff_handler_that_fails_is_parked_and_goes_no_further(
    fake: FakeBotApi,
    bot: RunningBot,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*_args: object) -> object:
        raise RuntimeError("a bug in the queue")

    monkeypatch.setattr(ReviewService, "queue", broken)
    sam = fake.user(STAFF, "Sam")
    with fake.capture_updates() as captured:
        sam.send_command("drafts", "ready")
    update_id = fake.queue_update(captured[0])
    [apology] = await sam.replies(1)
    await fake.wait_idle(quiet=0.2)

    assert apology["text"] == SORRY
    assert sam.bot_messages()[-1] == apology  # the interview never saw it: no welcome
    [parked] = await parked_updates(desk.database)
    assert (parked.update_id, parked.error) == (update_id, "RuntimeError: a bug in the queue")
    assert json.loads(parked.raw)["message"]["text"] == "/drafts ready"
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in failures] == [
        f"update {update_id} failed (RuntimeError); parked"
    ]
    assert "/drafts ready" not in caplog.text

    monkeypatch.undo()
    sam.send_command("drafts")
    [listing] = await sam.replies(1)
    assert listing["text"].startswith("Drafts")
