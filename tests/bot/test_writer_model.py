"""The OpenAI-compatible client against the fake server: a good answer comes back as text,
every kind of failure as ``None`` (the draft then keeps its deterministic text)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.privacy import privacy_text, writer_host
from bot.settings import load_settings
from bot.writer_model import DraftWriter, OpenAICompatibleModel
from storage.database import Database
from tests.fake_llm_api import FakeLlmApi
from tests.storage.test_drafts import spotted_service
from tests.storage.test_service import START
from tests.storage.test_writing import submit

MESSAGES = [
    {"role": "system", "content": "Rewrite."},
    {"role": "user", "content": "Section: Outcomes\nSentences:\n1. we met 3 times"},
]


@pytest.fixture
async def llm() -> AsyncIterator[FakeLlmApi]:
    async with FakeLlmApi() as api:
        yield api


async def test_a_completion_is_posted_with_the_model_and_bearer_key(llm: FakeLlmApi) -> None:
    model = OpenAICompatibleModel(llm.base_url + "/", "llama3", api_key="sk-test")
    try:
        text = await model.complete(MESSAGES)
    finally:
        await model.close()
    assert text == "They met 3 times."
    [request] = llm.requests
    assert (request.path, request.authorization) == ("/v1/chat/completions", "Bearer sk-test")
    assert (request.body["model"], request.body["messages"]) == ("llama3", MESSAGES)


async def test_without_a_key_no_authorization_header_is_sent(llm: FakeLlmApi) -> None:
    model = OpenAICompatibleModel(llm.base_url, "llama3")
    try:
        await model.complete(MESSAGES)
    finally:
        await model.close()
    assert llm.requests[0].authorization is None


@pytest.mark.parametrize("mode", ["error", "garbage", "wrong_shape", "empty"])
async def test_a_failed_or_malformed_answer_is_none(llm: FakeLlmApi, mode: str) -> None:
    llm.mode = mode
    model = OpenAICompatibleModel(llm.base_url, "llama3")
    try:
        assert await model.complete(MESSAGES) is None
    finally:
        await model.close()


async def test_a_model_slower_than_the_timeout_is_given_up_in_time(llm: FakeLlmApi) -> None:
    llm.mode, llm.hang_seconds = "timeout", 3.0
    model = OpenAICompatibleModel(llm.base_url, "llama3", timeout_seconds=0.3)
    started = time.monotonic()
    try:
        assert await model.complete(MESSAGES) is None
    finally:
        await model.close()
    assert time.monotonic() - started < 2.0


async def test_an_unreachable_server_is_none() -> None:
    model = OpenAICompatibleModel("http://127.0.0.1:9/v1", "llama3", timeout_seconds=1)
    try:
        assert await model.complete(MESSAGES) is None
    finally:
        await model.close()


def test_privacy_names_the_writer_model_host_only_when_one_is_used() -> None:
    plain = load_settings({})
    llm = load_settings(
        {
            "DRAFT_WRITER": "llm",
            "LLM_BASE_URL": "https://api.example-llm.com/v1",
            "LLM_MODEL": "small",
        }
    )
    assert writer_host(plain) is None and "writer model" not in privacy_text(plain)
    assert writer_host(llm) == "api.example-llm.com"
    assert "writer model at api.example-llm.com" in privacy_text(llm)
    assert "never your name unless you chose to be named" in privacy_text(llm)


class SteppedClock:
    """Time the test sets; the writer's loop is driven by calling ``tick`` by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("the test drives the writer by hand")


async def test_the_writer_waits_longer_each_time_the_model_fails_then_gives_up(
    database: Database, llm: FakeLlmApi
) -> None:
    llm.mode = "error"
    await submit(spotted_service(database))
    clock = SteppedClock(START)
    writer = DraftWriter(database, OpenAICompatibleModel(llm.base_url, "m"), clock)
    asked_at: list[int] = []
    try:
        for minute in range(0, 40):
            clock.current = START + timedelta(minutes=minute)
            before = len(llm.requests)
            await writer.tick()
            if len(llm.requests) > before:
                asked_at.append(minute)
        llm.mode = "good"
        clock.current += timedelta(hours=1)
        await writer.tick()
    finally:
        await writer.model.close()
    # Asked at once, then after 1, 2, 4, 8 and 16 minutes; then left alone for good.
    assert asked_at == [0, 1, 3, 7, 15, 31]
    assert [r.authorization for r in llm.requests] == [None] * 6
