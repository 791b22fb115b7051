"""What contributors send, end to end: albums, files, voice and video notes, places,
contacts, links, edits, very long answers, text that looks like HTML, and content the
interview cannot take. Checked in the chat and in what is stored."""

from __future__ import annotations

from typing import Any

from storage.service import InterviewService
from tests.e2e.conftest import (
    STAFF_CHAT_ID,
    RunningBot,
    buttons,
    converse,
    says,
    sends,
    stored_answers,
    stored_interviews,
    taps,
    texts,
)
from tests.e2e.fake_bot_api import FakeBotApi, FakeUser, utf16_len

JSON = dict[str, Any]
MESSAGE_LIMIT = 4096
PROJECT = "A community garden run by residents and the council together in Leeds"


def body(message: JSON) -> str:
    """The message without its ``Question n of m`` heading line."""
    return str(message["text"]).split("\n", 1)[-1]


async def full_story_at(user: FakeUser, prompt: str) -> JSON:
    """Start the full interview, answer what is required and skip to the question whose
    prompt begins with ``prompt``; the bot's message asking it."""
    user.send_command("start")
    _, first = await user.replies(2)
    last = await converse(user, first, [(taps("Yes"), "Question 2"), (says(PROJECT), "Question 3")])
    for _ in range(25):
        if body(last).startswith(prompt):
            return last
        user.send_command("skip")
        last = await user.reply()
    raise AssertionError(f"never reached {prompt!r}; last: {last['text']!r}")


async def test_an_album_of_three_photos_becomes_one_answer_with_one_reply(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ana = fake.user(2001, "Ana")
    asking = await full_story_at(ana, "Got any photos")
    assert buttons(asking)[0] == "Done"
    for _ in range(3):
        ana.send_photo(media_group_id="album-1")
    got = await ana.reply()
    assert got["text"] == "Got your album. Send more or tap Done."
    await fake.wait_idle()
    assert ana.bot_messages()[-1] == got  # one reply for the whole album

    done = await converse(ana, got, [(taps("Done"), "Question ")])
    assert body(done).startswith("What was hard about it?")
    media = (await stored_answers(service, ana))["media"]["value"]["media"]
    assert [m["kind"] for m in media] == ["photo", "photo", "photo"]
    assert {m["group_id"] for m in media} == {"album-1"}
    assert all(m["file_id"].endswith("-1280") for m in media)  # the largest size is kept
    assert media[0]["meta"] == {"width": 1280, "height": 960, "file_size": 51200}
    assert len({m["file_id"] for m in media}) == 3


async def test_an_album_with_a_caption_answers_a_question_that_takes_photos(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ben = fake.user(2002, "Ben")
    await full_story_at(ben, "What changed because of it?")
    ben.send_photo(caption="Far more people use the park every week now", media_group_id="a2")
    ben.send_photo(media_group_id="a2")
    ben.send_photo(media_group_id="a2")
    asked = await ben.reply()
    assert body(asked).startswith("Got any photos")
    await fake.wait_idle()
    assert ben.bot_messages()[-1] == asked

    changed = (await stored_answers(service, ben))["changed"]
    assert changed["text"] == "Far more people use the park every week now"
    assert len(changed["value"]["media"]) == 3
    assert len(changed["value"]["message_ids"]) == 3


async def test_files_voice_and_video_notes_and_places_are_stored_with_their_metadata(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    cy = fake.user(2003, "Cy")
    asking = await full_story_at(cy, "Got any photos")
    cy.send_document("minutes.pdf", "application/pdf", caption="Meeting notes")
    cy.send_voice(duration=7)
    cy.send_video_note(duration=4)
    cy.send_location(53.8, -1.55)
    cy.send_venue(53.79, -1.54, "Chapeltown Garden", "12 Leopold St")
    replies = await cy.replies(5, timeout=15)  # one a second: Telegram's limit for a chat
    assert texts(replies) == [f"Got it ({n} so far). Send more or tap Done." for n in range(1, 6)]
    done = await converse(cy, asking, [(taps("Done"), "Question ")])
    assert body(done).startswith("What was hard about it?")

    media = (await stored_answers(service, cy))["media"]["value"]["media"]
    assert [m["kind"] for m in media] == ["document", "voice", "video_note", "location", "location"]
    document, voice, note, place, venue = media
    assert document["file_id"].startswith("document-")
    assert document["caption"] == "Meeting notes"
    assert document["meta"] == {
        "file_name": "minutes.pdf",
        "mime_type": "application/pdf",
        "file_size": 2048,
    }
    assert voice["file_id"].startswith("voice-")
    assert voice["meta"] == {"duration": 7, "mime_type": "audio/ogg", "file_size": 4000}
    assert note["meta"] == {"duration": 4, "length": 240, "file_size": 30000}
    assert place["meta"] == {"latitude": 53.8, "longitude": -1.55}
    assert venue["meta"]["title"] == "Chapeltown Garden"


async def test_a_shared_contact_and_a_link_answer_the_questions_that_ask_for_them(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    dee = fake.user(2004, "Dee")
    asking = await full_story_at(dee, "Is it OK for someone from our team")
    how = await converse(dee, asking, [(taps("Yes"), "Question ")])
    assert body(how).startswith("What's the best way to reach you?")
    dee.send_contact("+44 113 496 0000", "Dee", "Okafor", user_id=2004)
    assert body(await dee.reply()).startswith("If we share this as an example")
    contact = (await stored_answers(service, dee))["contact_how"]["value"]["media"][0]
    assert contact["kind"] == "contact"
    assert contact["meta"] == {
        "phone_number": "+44 113 496 0000",
        "first_name": "Dee",
        "last_name": "Okafor",
        "user_id": 2004,
    }

    eve = fake.user(2005, "Eve")
    eve.send_command("start", "spotted")
    _, first = await eve.replies(2)
    await converse(
        eve,
        first,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (says("Tenants and the council run the estate budget together"), "Question 3"),
            (sends("skip"), "Question 4 of about 8"),
            (sends("skip"), "Question 5 of about 8"),
            (sends("skip"), "Question 6 of about 8\nGot a link?"),
            (says("hi"), "That doesn't look like a link."),
            (says("https://example.org/estate-budget"), "Question 7 of about 8"),
        ],
    )
    assert (await stored_answers(service, eve))["source"]["text"] == (
        "https://example.org/estate-budget"
    )


async def test_stickers_polls_and_dice_get_a_hint_and_the_question_again(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    fay = fake.user(2006, "Fay")
    fay.send_command("start", "spotted")
    _, first = await fay.replies(2)
    asked = await converse(fay, first, [(taps("Yes"), "Question 2 of about 8\nWhat did you spot?")])

    fay.send_sticker()
    hint, again = await fay.replies(2)
    assert hint["text"].startswith("Stickers are lovely, but I can only take text, photos")
    assert again["text"] == asked["text"]
    assert buttons(again) == buttons(asked)
    for send, what in ((fay.send_poll, "poll"), (fay.send_dice, "dice")):
        send()
        hint, again = await fay.replies(2)
        assert hint["text"].startswith(f"Sorry, I can't use a {what} here")
        assert again["text"] == asked["text"]
    fay.send_photo()  # a photo where words are wanted
    hint, again = await fay.replies(2)
    assert hint["text"] == "I can't take a photo for this one — please answer in words."
    assert again["text"] == asked["text"]

    assert "project" not in await stored_answers(service, fay)
    await converse(fay, again, [(says("A street that runs its own bus"), "Question 3 of about 8")])


async def test_an_edited_answer_is_updated_and_the_previous_text_kept_as_a_revision(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    gus = fake.user(2007, "Gus")
    gus.send_command("start", "spotted")
    _, first = await gus.replies(2)
    await converse(gus, first, [(taps("Yes"), "Question 2 of about 8")])
    answer_id = gus.send_text("A youth panel decides the park budget with the council")
    await gus.reply()

    gus.edit_text(answer_id, "A youth panel in Leeds decides the park budget with the council")
    notice = await gus.reply()
    assert notice["text"] == "Updated your answer about What you spotted."

    project = (await stored_answers(service, gus))["project"]
    assert project["text"] == "A youth panel in Leeds decides the park budget with the council"
    assert [(r["revision"], r["reason"], r["value"]["text"]) for r in project["revisions"]] == [
        (1, "answer", "A youth panel decides the park budget with the council"),
        (2, "edit", "A youth panel in Leeds decides the park budget with the council"),
    ]
    # The interview carries on where it was.
    await converse(
        gus,
        notice,
        [
            (sends("skip"), "Question 4 of about 8\nWhere and when"),
            (says("Leeds, 2024"), "Question 5 of about 8"),
        ],
    )


async def test_a_5000_character_answer_is_stored_whole_and_no_bot_message_is_too_long(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    hal = fake.user(2008, "Hal")
    hal.send_command("start", "spotted")
    _, first = await hal.replies(2)
    await converse(hal, first, [(taps("Yes"), "Question 2 of about 8")])
    sentence = "Residents & officers <met> weekly to plan the garden together. "
    long_answer = (sentence * 80)[:5000].strip()
    assert len(long_answer) >= 4990

    card = await converse(
        hal,
        first,
        [
            (says(long_answer), "Question 3 of about 8"),
            (sends("skip"), "Question 4 of about 8"),
            (sends("skip"), "Question 5 of about 8"),
            (sends("skip"), "Question 6 of about 8"),
            (sends("skip"), "Question 7 of about 8"),
            (taps("Keep it anonymous"), "Here's what you told me"),
            (taps("✏️ What you spotted"), "Question 2 of 7"),
        ],
    )
    [now] = [line for line in card["text"].splitlines() if line.startswith("Your answer now: ")]
    assert now.startswith("Your answer now: Residents & officers <met> weekly")
    assert now.endswith("…") and len(now) < 300  # shown shortened, stored whole

    stored = (await stored_answers(service, hal))["project"]
    assert stored["text"] == long_answer
    sent = fake.calls_to("sendMessage")
    assert all(c.ok for c in sent)
    assert max(utf16_len(m["text"]) for m in fake.sent_messages(hal.chat_id)) <= MESSAGE_LIMIT


async def test_an_answer_telegram_split_in_two_messages_is_joined_into_one(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    ivy = fake.user(2009, "Ivy")
    ivy.send_command("start", "spotted")
    _, first = await ivy.replies(2)
    await converse(ivy, first, [(taps("Yes"), "Question 2 of about 8")])
    words = " ".join(f"word{n}" for n in range(900))
    part_one, part_two = words[:4096].rsplit(" ", 1)[0], None
    part_two = words[len(part_one) + 1 :]
    assert len(part_one) <= 4096 and len(part_one) + len(part_two) > 5000

    await converse(
        ivy,
        first,
        [
            (says(part_one), "Question 3 of about 8"),
            (says(part_two), ("Added that to your previous answer.", "Question 3 of about 8")),
        ],
    )
    stored = (await stored_answers(service, ivy))["project"]
    assert stored["text"] == f"{part_one}\n{part_two}"
    assert "name" not in await stored_answers(service, ivy)


async def test_a_review_card_of_long_answers_fits_and_shows_them_shortened(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    joe = fake.user(2010, "Joe")
    asking = await full_story_at(joe, "Where and when")
    filler = "We <b>all</b> met & talked, then met & talked again about it at length. " * 5
    for _ in range(30):
        if asking["text"].startswith("Here's what you told me"):
            break
        if "Keep it anonymous" in buttons(asking):
            joe.press_button(asking, "Keep it anonymous")
        elif set(buttons(asking)) <= {"⬅ Back", "Keep", "Skip"}:  # answered in words
            joe.send_text(filler)
        else:
            joe.press_button(asking, "Skip")
        asking = await joe.reply()
    card = asking["text"]
    assert card.startswith("Here's what you told me")
    assert utf16_len(card) <= MESSAGE_LIMIT
    lines = [line for line in card.splitlines() if ". What was hard: " in line]
    assert lines[0].startswith("16. What was hard: We <b>all</b> met & talked")
    assert lines[0].endswith("…")
    answers = await stored_answers(service, joe)
    assert answers["tip"]["text"] == filler.strip()


async def test_text_the_contributor_typed_comes_back_exactly_as_typed(
    fake: FakeBotApi, bot: RunningBot, service: InterviewService
) -> None:
    kit = fake.user(2011, "Kit <b>&</b>", last_name="& Co")
    kit.send_command("start", "spotted")
    _, first = await kit.replies(2)
    typed = "We <b>love</b> it & so do <i>they</i> &amp; more <3"
    card = await converse(
        kit,
        first,
        [
            (taps("Yes"), "Question 2 of about 8"),
            (says(typed), "Question 3 of about 8"),
            (sends("review"), ("Here's what you told me", "Question 3 of about 8")),
        ],
    )
    review = kit.bot_messages()[-2]
    assert f"2. What you spotted: {typed}" in review["text"]
    assert "entities" not in review or all(e["type"] == "bold" for e in review["entities"])
    card = await converse(
        kit,
        card,
        [
            (sends("skip"), "Question 4 of about 8"),
            (sends("skip"), "Question 5 of about 8"),
            (sends("skip"), "Question 6 of about 8"),
            (sends("skip"), "Question 7 of about 8"),
            (taps("Use my name"), "Question 8 of 8\nWhat name should we use?"),
            (sends("skip"), "Here's what you told me"),
        ],
    )
    await converse(kit, card, [(taps("✅ Send it"), ("Thanks for the tip!", "Your reference"))])
    await fake.wait_for(
        lambda c: c.method == "sendMessage" and c.params.get("chat_id") == STAFF_CHAT_ID
    )
    [notice] = texts(fake.sent_messages(STAFF_CHAT_ID))
    assert notice.endswith(", from Kit <b>&</b> & Co.")
    assert typed[:20] in notice  # the title drawn from the typed project, exactly as typed
    [interview] = await stored_interviews(service, kit)
    assert interview["state"]["answers"]["project"]["text"] == typed
