"""Who may use the staff tools, end to end: everyone who is not staff gets the polite refusal
to every staff and admin command and to every staff button, forged ones included, and
nothing else happens (their interview carries on untouched); admins manage staff in chat."""

from __future__ import annotations

from bot.roles import REFUSAL
from conversations.review_text import VERBS
from tests.e2e.conftest import STAFF_CHAT_ID, RunningBot, buttons
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.staff_support import (
    ADMIN,
    STAFF,
    Chat,
    Desk,
    callback_answers,
    data_for,
    story,
    submit_story,
)

# Made-up arguments of the right shape for every staff button there is.
ARGS = {
    "l": ("todo", "0"),
    "e": ("summary",),
    "ty": ("1",),
    "tn": ("stages/co_design",),
    "m": ("published",),
    "ag": ("1", "1"),
    "ac": ("1", "1"),
    "k": ("1",),
}


def forged_buttons(draft_id: int) -> list[str]:
    data = []
    for verb, (takes_id, _) in VERBS.items():
        parts = ["st", verb] + ([str(draft_id)] if takes_id else []) + list(ARGS.get(verb, ()))
        data.append("|".join(parts))
    return [*data, "st|zz|1", "st|o|nope", "st|"]


async def test_a_contributor_is_refused_every_staff_command_and_button_and_carries_on(
    fake: FakeBotApi, bot: RunningBot, desk: Desk
) -> None:
    draft_id, reference = await submit_story(desk, story(300, "Bea", "A tenants' repair cafe."))
    before = await desk.review.card(draft_id)
    ana = fake.user(1001, "Ana")
    ana.send_command("start")
    _welcome, consent = await ana.replies(2)

    for command, payload in [
        ("drafts", ""),
        ("drafts", "ready"),
        ("draft", reference),
        ("staff", ""),
        ("staff", "list"),
        ("staff", "add 1001"),
        ("staff", "remove 800"),
    ]:
        ana.send_command(command, payload)
        [reply] = await ana.replies(1)
        assert reply["text"] == REFUSAL, (command, payload)
        assert "reply_markup" not in reply

    forged = forged_buttons(draft_id)
    since = fake.mark()
    for data in forged:
        ana.press(consent, data)
    await fake.wait_until(lambda: len(callback_answers(fake, since)) == len(forged))
    await fake.wait_idle()

    answers = callback_answers(fake, since)
    assert [(c.params.get("text"), c.params.get("show_alert")) for c in answers] == [
        (REFUSAL, True)
    ] * len(forged)
    assert ana.bot_messages()[-1]["text"] == REFUSAL  # no message came with any refusal
    assert [c.method for c in fake.calls[since:] if c.method.startswith(("send", "edit"))] == []
    # The draft is as it was, and nobody's next message is waiting to be used.
    after = await desk.review.card(draft_id)
    assert after == before
    assert await desk.review.pending_prompt(1001, ana.chat_id) is None

    # The interview was never disturbed: the consent question still takes its answer.
    ana.press_button(consent, "Yes")
    [question] = await ana.replies(1)
    assert question["text"].startswith("Question 2 of about 24")


async def test_in_the_staff_group_only_staff_are_answered(
    fake: FakeBotApi, bot: RunningBot, desk: Desk
) -> None:
    await submit_story(desk, story(300, "Bea", "A tenants' repair cafe."))
    group = Chat(fake, STAFF_CHAT_ID)
    stranger = fake.user(1002, "Cy")
    sam = fake.user(STAFF, "Sam")

    stranger.send_text_in_group("/drafts", group_id=STAFF_CHAT_ID)
    [refused] = await group.replies(1)
    sam.send_text_in_group("/drafts", group_id=STAFF_CHAT_ID)
    [listing] = await group.replies(1)
    since = fake.mark()
    stranger.press_button(listing, buttons(listing)[0])
    await fake.wait_until(lambda: len(callback_answers(fake, since)) == 1)
    await fake.wait_idle()

    assert refused["text"] == REFUSAL
    assert listing["text"].startswith("Drafts\nTo review: new 1")
    assert callback_answers(fake, since)[0].params["text"] == REFUSAL
    assert group.unread() == []

    # Staff buttons in any other group (a forwarded digest, say) show no draft there.
    elsewhere = {**listing, "chat": {"id": -100777, "type": "supergroup", "title": "Other"}}
    since = fake.mark()
    sam.press(elsewhere, data_for(listing, buttons(listing)[0]))
    await fake.wait_until(lambda: len(callback_answers(fake, since)) == 1)
    await fake.wait_idle()
    assert callback_answers(fake, since)[0].params["text"] == (
        "Staff tools work in a private chat with me or in the staff group."
    )
    assert fake.sent_messages(-100777) == []


async def test_staff_who_are_not_admins_cannot_manage_staff(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    sam = fake.user(STAFF, "Sam")
    sam.send_command("staff", "add 555")
    [reply] = await sam.replies(1)
    assert reply["text"] == REFUSAL


async def test_admins_add_list_and_remove_staff_in_chat(
    fake: FakeBotApi, bot: RunningBot, desk: Desk
) -> None:
    await submit_story(desk, story(301, "Dee Long", "A community fridge.", username="dee_l"))
    ada = fake.user(ADMIN, "Ada")
    newcomer = fake.user(555, "Nell")
    dee = fake.user(301, "Dee Long")

    newcomer.send_command("drafts")
    [before] = await newcomer.replies(1)
    ada.send_command("staff", "add 555 Nell Newcomer")
    [added] = await ada.replies(1)
    ada.send_command("staff", "add @dee_l")
    [by_username] = await ada.replies(1)
    ada.send_command("staff", "add 555")
    [again] = await ada.replies(1)
    ada.send_command("staff", "add 800")
    [from_settings] = await ada.replies(1)
    newcomer.send_command("drafts")
    [listing] = await newcomer.replies(1)
    dee.send_command("drafts")
    [dee_listing] = await dee.replies(1)
    ada.send_command("staff", "list")
    [members] = await ada.replies(1)

    assert before["text"] == REFUSAL
    assert added["text"] == "✅ Nell Newcomer (555) is now staff: they can use /drafts."
    assert by_username["text"] == "✅ Dee Long (301) is now staff: they can use /drafts."
    assert again["text"] == "Nell Newcomer (555) is already staff."
    assert from_settings["text"] == (
        "800 is staff through STAFF_USER_IDS; change that setting instead."
    )
    assert listing["text"].startswith("Drafts\n")
    assert dee_listing["text"].startswith("Drafts\n")
    lines = members["text"].splitlines()
    assert lines[:4] == [
        "Admins (ADMIN_USER_IDS):",
        "  • (900)",
        "Staff (STAFF_USER_IDS):",
        "  • (800)",
    ]
    assert lines[4] == "Staff added in chat:"
    assert lines[5].startswith("  • Nell Newcomer (555), added 2026-03-02 by 900")
    assert lines[6].startswith("  • Dee Long (301), added")

    ada.send_command("staff", "remove 555")
    [removed] = await ada.replies(1)
    newcomer.send_command("drafts")
    [after] = await newcomer.replies(1)
    ada.send_command("staff", "remove")
    [usage] = await ada.replies(1)

    assert removed["text"] == "Nell Newcomer (555) is no longer staff."
    assert after["text"] == REFUSAL
    assert usage["text"].startswith("Use /staff list, /staff add")


async def test_staff_and_admins_see_their_commands_in_the_menu_contributors_do_not(
    fake: FakeBotApi, bot: RunningBot
) -> None:
    menus: dict[object, set[str]] = {}
    for call in fake.calls_to("setMyCommands"):
        scope = call.params.get("scope")
        key = scope["chat_id"] if isinstance(scope, dict) else "everyone"
        menus[key] = {c["command"] for c in call.params["commands"]}

    assert {"start", "mydata", "delete"} <= menus["everyone"]
    assert not {"drafts", "stats", "export", "staff"} & menus["everyone"]
    assert {"drafts", "draft", "stats"} <= menus[STAFF]
    assert not {"export", "staff"} & menus[STAFF]
    assert {"drafts", "stats", "export", "staff"} <= menus[ADMIN]
    assert menus[STAFF_CHAT_ID] == {"drafts", "draft", "stats"}
