"""Settings: defaults for a fresh machine, and one clear error per bad variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_empty_environment_gives_terminal_ready_defaults() -> None:
    settings = load_settings({})
    assert (settings.telegram_bot_token, settings.database_url, settings.interview_script) == (
        None,
        DEFAULT_DATABASE_URL,
        "full-story",
    )
    assert (settings.webhook_port, settings.retention_days, settings.remind_after) == (
        8443,
        90,
        timedelta(hours=24),
    )


def test_full_environment_is_parsed_into_typed_values() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot/",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/test",
            "STAFF_CHAT_ID": "-100200300",
            "STAFF_USER_IDS": "11, 12 13",
            "ADMIN_USER_IDS": "99",
            "TIMEZONE": "Europe/London",
            "LOG_LEVEL": "debug",
            "DIGEST_SCHEDULE": "Weekly  MON 09:00",
            "REMIND_AFTER": "90m",
            "RETENTION_DAYS": "30",
        }
    )
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert settings.bot_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.staff_chat_id == -100200300
    assert settings.staff_user_ids == frozenset({11, 12, 13})
    assert settings.admin_user_ids == frozenset({99})
    assert str(settings.timezone) == "Europe/London"
    assert settings.log_level == "DEBUG"
    assert settings.digest_schedule == "weekly mon 09:00"
    assert settings.remind_after == timedelta(minutes=90)
    assert settings.retention_days == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_BASE_URL", "ftp://example"),
        ("DATABASE_URL", "mysql://x"),
        ("STAFF_CHAT_ID", "staff"),
        ("STAFF_USER_IDS", "12,abc"),
        ("ADMIN_USER_IDS", "1;2"),
        ("TIMEZONE", "Mars/Olympus"),
        ("LOG_LEVEL", "LOUD"),
        ("WEBHOOK_URL", "http://insecure.example/hook"),
        ("WEBHOOK_SECRET", "has spaces"),
        ("WEBHOOK_PORT", "70000"),
        ("DIGEST_SCHEDULE", "hourly"),
        ("REMIND_AFTER", "soon"),
        ("RETENTION_DAYS", "0"),
    ],
)
def test_bad_setting_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value})
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: ")


def test_the_deterministic_drafter_is_the_default_and_needs_no_model() -> None:
    settings = load_settings({"LLM_BASE_URL": "http://127.0.0.1:11434/v1"})
    assert (settings.draft_writer, settings.uses_writer_model) == ("deterministic", False)


def test_the_writer_model_settings_are_parsed() -> None:
    settings = load_settings(
        {
            "DRAFT_WRITER": "LLM",
            "LLM_BASE_URL": "http://127.0.0.1:11434/v1/chat/completions",
            "LLM_MODEL": "llama3.2",
            "LLM_API_KEY": "sk-local",
            "LLM_TIMEOUT_SECONDS": "12.5",
        }
    )
    assert settings.uses_writer_model
    assert (settings.llm_base_url, settings.llm_model, settings.llm_api_key) == (
        "http://127.0.0.1:11434/v1",
        "llama3.2",
        "sk-local",
    )
    assert settings.llm_timeout_seconds == 12.5


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DRAFT_WRITER": "gpt"}, "DRAFT_WRITER"),
        ({"DRAFT_WRITER": "llm", "LLM_MODEL": "m"}, "LLM_BASE_URL"),
        ({"DRAFT_WRITER": "llm", "LLM_BASE_URL": "http://127.0.0.1:1/v1"}, "LLM_MODEL"),
        ({"LLM_BASE_URL": "localhost:11434"}, "LLM_BASE_URL"),
        ({"LLM_TIMEOUT_SECONDS": "soon"}, "LLM_TIMEOUT_SECONDS"),
        ({"LLM_TIMEOUT_SECONDS": "0"}, "LLM_TIMEOUT_SECONDS"),
    ],
)
def test_bad_writer_model_settings_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert caught.value.name == name


def test_a_chat_gets_three_messages_at_once_then_one_a_second_unless_set_otherwise() -> None:
    from bot.wiring import send_limits

    defaults = send_limits(load_settings({}))
    assert (defaults.chat_burst, defaults.chat_per_second, defaults.per_second) == (3, 1.0, 30)
    raised = send_limits(
        load_settings({"SEND_RATE_LIMIT": "1000", "CHAT_SEND_RATE": "20", "CHAT_SEND_BURST": "50"})
    )
    assert (raised.chat_burst, raised.chat_per_second, raised.per_second) == (50, 20.0, 1000)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"CHAT_SEND_RATE": "0"}, "CHAT_SEND_RATE"),
        ({"CHAT_SEND_RATE": "fast"}, "CHAT_SEND_RATE"),
        ({"CHAT_SEND_RATE": "nan"}, "CHAT_SEND_RATE"),
        ({"CHAT_SEND_BURST": "0"}, "CHAT_SEND_BURST"),
        ({"CHAT_SEND_BURST": "2.5"}, "CHAT_SEND_BURST"),
    ],
)
def test_bad_chat_send_limits_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert caught.value.name == name


def test_send_rate_limit_defaults_to_telegrams_30_a_second_and_can_be_raised() -> None:
    assert load_settings({}).send_rate_limit == 30
    assert load_settings({"SEND_RATE_LIMIT": "1000"}).send_rate_limit == 1000
    with pytest.raises(SettingsError) as raised:
        load_settings({"SEND_RATE_LIMIT": "0"})
    assert raised.value.name == "SEND_RATE_LIMIT"


def test_the_lens_uses_its_learned_model_unless_the_rules_alone_are_asked_for() -> None:
    assert load_settings({}).lens_model == "learned"
    assert load_settings({"LENS_MODEL": "Rules"}).lens_model == "rules"
    with pytest.raises(SettingsError) as caught:
        load_settings({"LENS_MODEL": "neural"})
    assert caught.value.name == "LENS_MODEL"
