"""``copro-bot run --webhook``, end to end: the fake Telegram posts updates to the bot's own
webhook server on 127.0.0.1, with and without the secret token."""

from __future__ import annotations

import aiohttp

from bot.settings import Settings
from storage.service import InterviewService
from tests.e2e.conftest import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    RunningBot,
    stored_answers,
    stored_interviews,
    texts,
    webhook_address,
)
from tests.e2e.fake_bot_api import FakeBotApi


async def test_the_webhook_is_registered_with_its_secret(
    fake: FakeBotApi, webhook_bot: RunningBot
) -> None:
    [call] = fake.calls_to("setWebhook")
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert "callback_query" in call.params["allowed_updates"]
    assert (fake.webhook_url, fake.webhook_secret) == (WEBHOOK_URL, WEBHOOK_SECRET)
    assert fake.calls_to("setMyCommands")  # the command menu is set in webhook mode too


async def test_a_request_without_the_right_secret_is_refused_and_nothing_happens(
    fake: FakeBotApi,
    webhook_bot: RunningBot,
    webhook_settings: Settings,
    service: InterviewService,
) -> None:
    ana = fake.user(4001, "Ana")
    with fake.capture_updates() as updates:
        ana.send_command("start")
    [update] = updates
    address = webhook_address(webhook_settings)

    statuses = [
        await fake.post_webhook(address, update),
        await fake.post_webhook(address, update, secret="wrong-secret"),
        await fake.post_webhook(address, update, secret=WEBHOOK_SECRET + "x"),
        await fake.post_webhook(address, update, secret=WEBHOOK_SECRET[:-1]),
    ]
    assert statuses == [403, 403, 403, 403]
    assert fake.sent_messages() == []
    assert await stored_interviews(service, ana) == []

    # The same update with the right secret is handled, and it is the first time.
    assert await fake.post_webhook(address, update, secret=WEBHOOK_SECRET) == 200
    welcome, first = await ana.replies(2)
    assert welcome["text"].startswith("Tell us about a project")
    assert first["text"].startswith("Question 1 of about 24")
    assert len(await stored_interviews(service, ana)) == 1


async def test_a_secret_with_characters_outside_ascii_is_refused_not_an_error(
    fake: FakeBotApi, webhook_bot: RunningBot, webhook_settings: Settings
) -> None:
    ben = fake.user(4002, "Ben")
    with fake.capture_updates() as updates:
        ben.send_text("hello")
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(
            webhook_address(webhook_settings),
            json=updates[0],
            headers={"X-Telegram-Bot-Api-Secret-Token": "sécret".encode().decode("latin-1")},
        ) as response,
    ):
        assert response.status == 403
    assert fake.sent_messages() == []


async def test_the_webhook_answers_after_the_update_is_handled_and_applies_a_repeat_once(
    fake: FakeBotApi,
    webhook_bot: RunningBot,
    webhook_settings: Settings,
    service: InterviewService,
) -> None:
    cy = fake.user(4003, "Cy")
    address = webhook_address(webhook_settings)
    with fake.capture_updates() as updates:
        cy.send_command("start", "spotted")
    assert await fake.post_webhook(address, updates[0], secret=WEBHOOK_SECRET) == 200
    # Handled and committed before the 200, with its replies owed: they follow at once.
    assert (await stored_answers(service, cy)) == {}
    welcome, consent = await cy.replies(2)
    assert [t.split("\n")[0] for t in texts([welcome, consent])] == [
        "Spotted a project?",
        "Question 1 of about 8",
    ]

    with fake.capture_updates() as updates:
        cy.press_button(consent, "Yes")
        cy.send_text("A tenants panel runs the estate budget with the council")
    for update in updates:
        assert await fake.post_webhook(address, update, secret=WEBHOOK_SECRET) == 200
    await cy.replies(2)
    count = len(cy.bot_messages())
    # Telegram did not get our answer in time and sends the answer again.
    assert await fake.post_webhook(address, updates[-1], secret=WEBHOOK_SECRET) == 200
    await fake.wait_idle()
    assert len(cy.bot_messages()) == count
    assert cy.bot_messages()[-1]["text"].startswith("Question 3 of about 8")
    answers = await stored_answers(service, cy)
    assert answers["project"]["revision"] == 1
    assert "place_when" not in answers


async def test_a_body_that_is_not_an_update_is_a_bad_request(
    fake: FakeBotApi, webhook_bot: RunningBot, webhook_settings: Settings
) -> None:
    timeout = aiohttp.ClientTimeout(total=10)
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(webhook_address(webhook_settings), data=b"{not json", headers=headers) as r,
    ):
        assert r.status == 400
    assert fake.sent_messages() == []
