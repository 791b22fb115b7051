"""A bug met while handling a contributor's update: rolled back, logged with the update id
(never their words), apologised for once, parked for the operator; the next message works."""

from __future__ import annotations

import json
import logging

import pytest

from bot.telegram_app import SORRY
from conversations import engine
from conversations.i18n import Words
from storage.database import Database
from storage.intake import parked_updates
from storage.service import InterviewService
from tests.e2e.conftest import RunningBot, stored_answers, texts
from tests.e2e.fake_bot_api import FakeBotApi

PRIVATE = "the name of my neighbour's child"


@pytest.mark.bot_errors_expected
async def test_an_engine_bug_is_apologised_for_once_and_the_interview_carries_on(
    fake: FakeBotApi,
    bot: RunningBot,
    service: InterviewService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ana = fake.user(8001, "Ana")
    ana.send_command("start")
    _, consent = await ana.replies(2)
    ana.press_button(consent, "Yes")
    await ana.replies(1)

    def broken(*_args: object) -> object:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine, "step", broken)
    with fake.capture_updates() as captured:
        ana.send_text(PRIVATE)
    update_id = fake.queue_update(captured[0])
    [apology] = await ana.replies(1)
    await fake.wait_idle(quiet=0.2)
    monkeypatch.undo()
    ana.send_text("A community garden run by residents and the council together")
    [next_question] = await ana.replies(1)

    assert apology["text"] == SORRY
    assert texts(ana.bot_messages()).count(SORRY) == 1
    assert next_question["text"].startswith("Question 3 of about 24")
    assert "project" in await stored_answers(service, ana)
    database = Database.from_url(bot.settings.database_url)
    try:
        [parked] = await parked_updates(database)
    finally:
        await database.dispose()
    assert parked.update_id == update_id
    assert json.loads(parked.raw)["message"]["text"] == PRIVATE
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [f"update {update_id} failed (ZeroDivisionError)"]
    assert PRIVATE not in caplog.text


@pytest.mark.bot_errors_expected
async def test_the_apology_for_an_engine_bug_is_in_the_contributors_language(
    fake: FakeBotApi, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ola = fake.user(8002, "Ola", language_code="pl")
    ola.send_command("start")
    await ola.replies(2)

    def broken(*_args: object) -> object:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine, "step", broken)
    ola.send_text("Ogród społeczny")
    [apology] = await ola.replies(1)
    await fake.wait_idle(quiet=0.2)

    assert apology["text"] == Words("pl")._(SORRY)
    assert apology["text"].startswith("Przepraszam, coś poszło nie tak")
