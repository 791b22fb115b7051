"""Contributors in their own language, end to end: Telegram's language_code, /language."""

from __future__ import annotations

from storage.service import InterviewService
from tests.e2e.conftest import (
    RunningBot,
    buttons,
    converse,
    says,
    sends,
    stored_answers,
    stored_interviews,
    taps,
)
from tests.e2e.fake_bot_api import FakeBotApi


async def test_a_user_whose_telegram_speaks_welsh_is_interviewed_in_welsh(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    eleri = fake.user(4101, "Eleri", language_code="cy")
    eleri.send_command("start", "spotted")
    welcome, first = await eleri.replies(2)
    assert welcome["text"].startswith("Wedi gweld prosiect?\nHelo! 👋")
    assert first["text"].startswith("Cwestiwn 1 o tua 8\nGwiriad cyflym yn gyntaf")
    assert buttons(first) == ["Iawn", "Na"]
    last = await converse(
        eleri,
        first,
        [
            (taps("Iawn"), "Cwestiwn 2 o tua 8"),
            (says("Caffi trwsio yn Aberystwyth"), "Cwestiwn 3 o tua 8"),
            (sends("skip"), "Cwestiwn 4 o tua 8"),
            (sends("skip"), "Cwestiwn 5 o tua 8"),
            (sends("skip"), "Cwestiwn 6 o tua 8"),
            (sends("skip"), "Cwestiwn 7 o tua 8"),
            (taps("Cadw'n ddienw"), "Dyma beth ddywedoch chi wrtha i"),
        ],
    )
    eleri.press_button(last, "✅ Anfon")
    thanks, reference = await eleri.replies(2)
    assert thanks["text"].startswith("Diolch am y wybodaeth!")
    assert reference["text"].startswith("Eich cyfeirnod yw CP-")
    [interview] = await stored_interviews(service, eleri)
    assert interview["language"] == "cy"
    answers = await stored_answers(service, eleri)
    assert answers["project"]["text"] == "Caffi trwsio yn Aberystwyth"  # stored as given


async def test_a_region_code_and_an_unshipped_language(fake: FakeBotApi, bot: RunningBot) -> None:
    ola = fake.user(4102, "Ola", language_code="pl-PL")
    ola.send_command("start", "spotted")
    assert (await ola.replies(2))[1]["text"].startswith("Pytanie 1 z około 8")
    jean = fake.user(4103, "Jean", language_code="fr")
    jean.send_command("start", "spotted")
    assert (await jean.replies(2))[1]["text"].startswith("Question 1 of about 8")


async def test_language_mid_interview_switches_and_is_remembered_for_the_next_one(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    sam = fake.user(4104, "Sam", language_code="en-GB")
    sam.send_command("start", "spotted")
    _, first = await sam.replies(2)
    asked = await converse(
        sam,
        first,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (says("A lunch club run by the people who eat there"), "Question 3 of about 8"),
            (sends("language"), "Which language would you like me to use?"),
        ],
    )
    assert buttons(asked) == ["Cymraeg", "Gàidhlig", "Polski", "English"]
    asked = await converse(
        sam,
        asked,
        [
            (
                taps("Gàidhlig"),
                ("Ceart ma-thà, bhon seo a-mach", "Ceist 3 à mu 8\nA bheil fios agaibh"),
            ),
            (sends("skip"), "Ceist 4 à mu 8\nCàite agus cuin"),
            (says("Inbhir Nis, 2025"), "Ceist 5 à mu 8"),
        ],
    )
    answers = await stored_answers(service, sam)
    assert answers["project"]["text"] == "A lunch club run by the people who eat there"
    assert answers["place_when"]["text"] == "Inbhir Nis, 2025"
    await converse(sam, asked, [(sends("cancel"), "A bheil sibh cinnteach")])
    sam.send_text("tha")
    assert (await sam.reply())["text"].startswith("Ceart ma-thà, stad mi.")
    sam.send_command("start", "spotted")
    welcome, _ = await sam.replies(2)
    assert welcome["text"].startswith("An do mhothaich sibh do phròiseact?")
    sam.send_command("privacy")
    assert (await sam.reply())["text"].startswith("Na glèidhidh mi:")
