"""The interview engine, tested as dialogs: what the contributor does, what the bot says."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from conversations.engine import applicable_questions, begin, progress, step
from conversations.model import (
    Answer,
    AnswerSaved,
    InterviewCancelled,
    InterviewDeclined,
    InterviewSubmitted,
    MediaRef,
    MediaSent,
    MessageEdited,
    RestartRequested,
    Started,
    TextSent,
    Unsupported,
)
from conversations.script import builtin_scripts
from conversations.state import Mode, Status
from tests.conversations.dialogs import (
    T0,
    Dialog,
    button_data,
    cmd,
    media,
    press,
    run_dialog,
    transcript,
)

SCRIPTS = builtin_scripts()
SPOTTED = SCRIPTS["spotted"]
FULL = SCRIPTS["full-story"]
STALE = "That button is from an earlier message — here's where we are."


def spotted_at_together() -> Dialog:
    return run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), "Question 2 of about 8"),
            ("Parents and the school redesigned the playground", "Question 3 of about 8"),
            (press("s|name"), "Question 4 of about 8"),
            ("Leeds, last spring", "Question 5 of about 8"),
        ],
    )


def full_story_at(question_id: str, **answers: Answer) -> Dialog:
    """A full-story dialog on ``question_id``, with every earlier question answered."""
    dialog = Dialog.start(FULL)
    filled: dict[str, Answer] = {"consent": Answer("consent", choices=("yes",))}
    for question in FULL.questions:
        if question.id == question_id:
            break
        if question.id not in filled:
            filled[question.id] = Answer(question.id, text="so far", skipped=question.optional)
    filled.update(answers)
    dialog.state = replace(dialog.state, current=question_id, answers=filled)
    return dialog


# --- whole interviews ----------------------------------------------------------------------


def test_begin_sends_welcome_then_first_question() -> None:
    outcome = begin(SPOTTED, T0)
    assert [r.heading for r in outcome.replies] == ["Spotted a project?", "Question 1 of about 8"]
    assert button_data(outcome) == ["c|consent|yes", "c|consent|no"]
    assert (outcome.state.current, outcome.state.mode) == ("consent", Mode.ASKING)
    assert (outcome.state.started_at, outcome.state.last_event_at) == (T0, T0)


def test_a_whole_spotted_interview_ends_in_submission() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            ("yeah", "Question 2 of about 8"),
            ("Parents and the school redesigned the playground", "Do you know what it's called?"),
            ("Playground Makeover", "Where and when"),
            (press("s|place_when"), "Which parts did people seem to do together?"),
            (press("t|together|design"), "✅ Designing it"),
            (press("t|together|delivery"), "✅ Running it"),
            (press("d|together"), "Got a link?"),
            ("example.org/playground", "can we use your name?"),
            (press("c|credit|anonymous"), "Here's what you told me"),
            (press("sub"), "Thanks for the tip!"),
        ],
    )
    state = dialog.state
    assert state.status == Status.SUBMITTED
    assert state.answers["consent"].choices == ("yes",)
    assert state.answers["name"].text == "Playground Makeover"
    assert state.answers["place_when"].skipped is True
    assert state.answers["together"].choices == ("design", "delivery")
    assert state.answers["source"].text == "https://example.org/playground"
    assert state.answers["credit"].choices == ("anonymous",)
    assert dialog.effects[-1] == InterviewSubmitted()


def test_a_whole_full_story_interview_with_buttons_probe_and_media() -> None:
    dialog = run_dialog(
        FULL,
        [
            (press("c|consent|yes"), "What's the project?"),
            ("A community garden run by residents and the council together", "Has it got a name?"),
            ("Leeds Community Garden", "Where and when"),
            ("Leeds, since 2023", "Where's it at right now?"),
            (press("c|stage|running"), "What's your part in it?"),
            ("I organise the volunteers", "Who's involved?"),
            ("tenants and council staff", "Anyone else?"),
            ("a local charity too", "How did it start?"),
            (cmd("skip"), "Which parts did people do together?"),
            (press("t|together|needs"), "✅ Working out what was needed"),
            (press("t|together|design"), "✅ Designing it"),
            (press("d|together"), "Tell me about one decision"),
            ("We chose the opening hours together at a meeting", "Who had the final say"),
            (press("s|final_say"), "What did people bring?"),
            (press("s|brought"), "What did people get back"),
            (press("s|got_back"), "What helped people take part?"),
            (press("s|helped"), "What changed because of it?"),
            (media(1), "Thanks, attached. Add words too, or tap Done."),
            ("Far more people use the park every single week now", "Got any photos"),
            (media(2, group="album"), "Got your album. Send more or tap Done."),
            (media(3, group="album"), ""),
            (press("d|media"), "What was hard about it?"),
            (press("s|hard"), "How did people hear"),
            (press("s|heard_back"), "top tip"),
            ("Start small and keep going", "OK for someone from our team to get in touch"),
            (press("c|contact_ok|yes"), "best way to reach you"),
            ("sam@example.org", "how should we credit you?"),
            (press("c|credit|named"), "What name should we use?"),
            ("Sam P.", "organisation's name?"),
            ("Green Leeds", "Here's what you told me"),
            (press("sub"), "Thank you so much!"),
        ],
    )
    state = dialog.state
    assert state.status == Status.SUBMITTED
    assert state.answers["name"].text == "Leeds Community Garden"
    assert state.answers["who"].text == "tenants and council staff\na local charity too"
    assert state.answers["origin"].skipped is True
    assert state.answers["together"].choices == ("needs", "design")
    assert [m.file_id for m in state.answers["changed"].media] == ["f1"]
    assert state.answers["changed"].text == "Far more people use the park every single week now"
    assert [m.file_id for m in state.answers["media"].media] == ["f2", "f3"]
    assert state.answers["contact_how"].text == "sam@example.org"
    assert progress(FULL, state) == (24, 24)
    card = transcript(dialog.outcomes[-2])
    assert "3. Its name: Leeds Community Garden" in card
    assert "16. Photos and files: 2 photos" in card
    assert "15. What changed: Far more people use the park every single week now; 1 photo" in card
    assert "11. Final say: — skipped" in card
    assert "9. Done together: Working out what was needed, Designing it" in card


def test_album_gets_one_acknowledgement() -> None:
    dialog = full_story_at("media")
    first = dialog.send(media(1, group="g1"))
    second = dialog.send(media(2, group="g1"))
    third = dialog.send(media(3, group="g1"))
    assert [len(o.replies) for o in (first, second, third)] == [1, 0, 0]
    assert [len(o.effects) for o in (first, second, third)] == [1, 1, 1]
    assert len(dialog.state.answers["media"].media) == 3
    single = dialog.send(media(4))
    assert transcript(single).startswith("Got it (4 so far).")


# --- skipping, going back, reviewing ---------------------------------------------------------


def test_required_question_refuses_skip() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), "What did you spot?"),
            (cmd("skip"), "This one's needed, so I can't skip it"),
        ],
    )
    assert (dialog.state.current, set(dialog.state.answers)) == ("project", {"consent"})
    assert "s|project" not in button_data(dialog.outcomes[-2])


def test_back_shows_the_answer_and_keep_moves_on_without_saving() -> None:
    dialog = spotted_at_together()
    back = dialog.send(cmd("back"))
    assert "Your answer now: Leeds, last spring" in transcript(back)
    assert button_data(back)[-3:] == ["b|place_when", "k|place_when", "s|place_when"]
    kept = dialog.send(press("k|place_when"))
    assert kept.effects == ()
    assert dialog.state.current == "together"


def test_back_then_new_answer_returns_to_where_you_were() -> None:
    dialog = spotted_at_together()
    dialog.send(press("b|together"))
    dialog.send(press("b|place_when"))
    dialog.send(press("b|name"))
    assert dialog.state.current == "project"
    outcome = dialog.send("A new playground designed with the kids")
    assert dialog.state.current == "together"
    assert outcome.effects[0].answer.text == "A new playground designed with the kids"  # type: ignore[union-attr]


def test_back_on_the_first_question_says_so() -> None:
    dialog = Dialog.start(SPOTTED)
    assert "nothing to go back to" in transcript(dialog.send(cmd("back")))
    assert dialog.state.current == "consent"


def test_edit_from_review_returns_to_review() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            ("yes", ""),
            ("Parents and the school redesigned the playground", ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            ("2", "Here's what you told me"),
            (press("e|place_when"), "Where and when"),
            ("Bradford, 2022", "4. Where and when: Bradford, 2022"),
        ],
    )
    assert dialog.state.mode == Mode.REVIEW
    assert dialog.state.answers["place_when"].text == "Bradford, 2022"


def test_back_while_editing_returns_to_review() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            ("yes", ""),
            ("Parents and the school redesigned the playground", ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            ("anonymous", "Here's what you told me"),
            (press("e|project"), "Your answer now"),
            (press("b|project"), "Here's what you told me"),
        ],
    )
    assert dialog.state.mode == Mode.REVIEW


def test_changing_an_answer_asks_newly_applicable_questions_then_reviews() -> None:
    dialog = full_story_at("credit_name", credit=Answer("credit", choices=("anonymous",)))
    dialog.state = replace(dialog.state, mode=Mode.REVIEW, current=None)
    run_dialog(
        FULL,
        [
            (press("e|credit"), "how should we credit you?"),
            (press("c|credit|organisation"), "organisation's name?"),
            ("Green Leeds", "Here's what you told me"),
        ],
        dialog,
    )
    assert dialog.state.mode == Mode.REVIEW
    assert "credit_name" not in dialog.state.answers


def test_answers_to_questions_that_stop_applying_are_kept_but_hidden() -> None:
    dialog = full_story_at(
        "credit_org",
        credit=Answer("credit", choices=("named",)),
        credit_name=Answer("credit_name", text="Sam P."),
        credit_org=Answer("credit_org", skipped=True),
    )
    dialog.state = replace(dialog.state, mode=Mode.REVIEW, current=None)
    dialog.send(press("e|credit"))
    card = transcript(dialog.send(press("c|credit|anonymous")))
    assert "Sam P." not in card
    assert "Name to use" not in card
    assert dialog.state.answers["credit_name"].text == "Sam P."
    assert "credit_name" not in [q.id for q in applicable_questions(FULL, dialog.state.answers)]


def test_review_midway_shows_answers_then_the_current_question() -> None:
    dialog = spotted_at_together()
    outcome = dialog.send(cmd("review"))
    text = transcript(outcome)
    assert "3. Its name: — skipped" in text
    assert "4. Where and when: Leeds, last spring" in text
    assert "Credit" not in text
    assert "3 more questions to go." in text
    assert "sub" not in button_data(outcome)
    assert outcome.replies[-1].heading == "Question 5 of about 8"
    assert dialog.state.mode == Mode.ASKING


def test_text_in_review_says_how_to_pick_and_shows_the_buttons_again() -> None:
    dialog = spotted_at_together()
    dialog.state = replace(dialog.state, mode=Mode.REVIEW, current=None)
    outcome = dialog.send("is that it?")
    assert outcome.replies[0].text == (
        "To change an answer, reply with its number (like 2) or tap it. "
        "To send your story, type “send” or tap ✅ Send it."
    )
    assert button_data(outcome)[:4] == ["e|consent", "e|project", "e|name", "e|place_when"]
    assert button_data(outcome)[-2:] == ["sub", "x"]


def test_submit_is_only_offered_from_review() -> None:
    dialog = spotted_at_together()
    assert "Almost there" in transcript(dialog.send(cmd("submit")))
    assert dialog.state.status == Status.ACTIVE
    assert dialog.send(press("sub")).notice == STALE


# --- answers of each kind ------------------------------------------------------------------


def test_probe_is_asked_once_only() -> None:
    dialog = run_dialog(
        FULL,
        [
            (press("c|consent|yes"), ""),
            ("A garden", "Could you tell me a little more?"),
            ("It grows food", "Has it got a name?"),
            (cmd("back"), "What's the project?"),
            ("Still a garden", "Has it got a name?"),
        ],
    )
    assert dialog.state.probed == ("project",)
    assert dialog.state.answers["project"].text == "Still a garden"
    dialog.state = replace(
        dialog.state,
        answers={
            **dialog.state.answers,
            "project": Answer("project", text="A garden\nIt grows food"),
        },
    )
    assert "2. The project: A garden / It grows food" in transcript(dialog.send(cmd("review")))
    probe_saves = [s.answer.text for s in dialog.saved() if s.answer.question_id == "project"]
    assert probe_saves == ["A garden", "A garden\nIt grows food", "Still a garden"]


def test_probe_thats_all_keeps_the_answer_and_moves_on() -> None:
    dialog = run_dialog(
        FULL,
        [
            (press("c|consent|yes"), ""),
            ("A garden", "That's all"),
            (press("d|project"), "Has it got a name?"),
        ],
    )
    assert dialog.state.answers["project"].text == "A garden"
    assert dialog.state.mode == Mode.ASKING


def test_choice_accepts_number_label_or_id_and_retries_otherwise() -> None:
    dialog = run_dialog(
        FULL,
        [
            (press("c|consent|yes"), ""),
            ("A community garden run by residents and the council together", ""),
            (cmd("skip"), "Where and when"),
            (cmd("skip"), "Where's it at right now?"),
            ("sometimes", "Tap the one that fits, or reply with its number (1 to 5)."),
            ("9", "Sorry, I didn't catch that."),
            ("Up and Running!", "What's your part in it?"),
            (cmd("back"), "Your answer now: Up and running"),
            ("paused", "What's your part in it?"),
        ],
    )
    assert dialog.state.answers["stage"].choices == ("paused",)


def test_multi_accepts_typed_numbers_and_labels() -> None:
    dialog = spotted_at_together()
    run_dialog(
        SPOTTED,
        [
            ("1, 3, 9", "reply with their numbers (1 to 6) separated by commas, like 1,3"),
            ("1,3", "Got a link?"),
            (cmd("back"), "Your answer now: Working out what was needed, Deciding where"),
            ("designing it; running it", "Got a link?"),
        ],
        dialog,
    )
    assert dialog.state.answers["together"].choices == ("design", "delivery")


def test_none_of_these_unticks_the_others() -> None:
    dialog = spotted_at_together()
    pending = []
    for option in ["needs", "none", "design", "design"]:
        pending.append(dialog.send(press(f"t|together|{option}")).state.pending_choices)
    assert pending == [("needs",), ("none",), ("design",), ()]
    dialog.send(press("d|together"))
    assert dialog.state.answers["together"].skipped is True


def test_link_question_adds_a_scheme_takes_three_words_and_retries_on_one() -> None:
    dialog = spotted_at_together()
    run_dialog(
        SPOTTED,
        [
            (press("s|together"), "Got a link?"),
            ("radio", "That doesn't look like a link."),
            ("heard it on local radio", "can we use your name?"),
            (cmd("back"), "Got a link?"),
            ("www.example.org/x?y=1", "can we use your name?"),
        ],
        dialog,
    )
    saved = [s.answer.text for s in dialog.saved() if s.answer.question_id == "source"]
    assert saved == ["heard it on local radio", "https://www.example.org/x?y=1"]


def test_link_question_takes_a_shared_link() -> None:
    dialog = spotted_at_together()
    dialog.send(press("s|together"))
    link = MediaRef(kind="link", meta={"url": "https://example.org/a"})
    dialog.send(MediaSent(link, message_id=77))
    assert dialog.state.answers["source"].text == "https://example.org/a"
    assert dialog.state.current == "credit"


def test_contact_question_takes_a_shared_contact() -> None:
    dialog = full_story_at("contact_how", contact_ok=Answer("contact_ok", choices=("yes",)))
    contact = MediaRef(kind="contact", meta={"phone_number": "+441234"})
    dialog.send(MediaSent(contact, message_id=5))
    assert dialog.state.answers["contact_how"].media == (contact,)
    assert dialog.state.current == "credit"


def test_media_is_refused_where_a_question_takes_words_only() -> None:
    dialog = Dialog.start(SPOTTED)
    dialog.send(press("c|consent|yes"))
    outcome = dialog.send(media(1, kind="voice"))
    assert (
        outcome.replies[0].text
        == "I can't take a voice note for this one — please answer in words."
    )
    assert outcome.replies[1].heading == "Question 2 of about 8"
    assert (outcome.effects, set(dialog.state.answers)) == ((), {"consent"})


def test_caption_answers_a_question_that_allows_media() -> None:
    dialog = full_story_at("changed")
    dialog.send(media(1, caption="The park is busy every day now, all year round"))
    assert dialog.state.answers["changed"].text == "The park is busy every day now, all year round"
    assert dialog.state.current == "media"


def test_text_on_a_media_question_is_kept_as_a_note() -> None:
    dialog = full_story_at("media")
    dialog.send(media(1))
    dialog.send("These are from the opening day")
    answer = dialog.state.answers["media"]
    assert (answer.text, len(answer.media)) == ("These are from the opening day", 1)
    assert dialog.state.current == "hard"


def test_unsupported_content_gets_a_hint_and_changes_nothing() -> None:
    dialog = spotted_at_together()
    before = dialog.state
    outcome = dialog.send(Unsupported("sticker"))
    assert outcome.replies[0].text == (
        "Stickers are lovely, but I can only take text, photos, files, voice notes or links here."
    )
    assert outcome.replies[1].heading == "Question 5 of about 8"
    assert outcome.effects == ()
    assert dialog.state == replace(before, last_event_at=dialog.now)


def test_empty_text_is_not_an_answer() -> None:
    dialog = spotted_at_together()
    outcome = dialog.send(TextSent("   ", message_id=50))
    assert outcome.effects == ()
    assert "I didn't get any words there" in transcript(outcome)


# --- stopping ------------------------------------------------------------------------------


def test_cancel_asks_first_and_no_carries_on() -> None:
    dialog = spotted_at_together()
    run_dialog(
        SPOTTED,
        [
            (cmd("cancel"), "Sure you want to stop?"),
            (press("xn"), "Which parts did people seem to do together?"),
            (cmd("cancel"), "Sure you want to stop?"),
            ("hmm", "Sure you want to stop?"),
            (press("xy"), "OK, I've stopped."),
            ("hello?", "This interview is finished. Send /start to share another project."),
        ],
        dialog,
    )
    assert dialog.state.status == Status.CANCELLED
    assert dialog.effects[-1] == InterviewCancelled()
    assert dialog.state.answers["place_when"].text == "Leeds, last spring"


def test_consent_no_declines_with_the_stop_message() -> None:
    dialog = run_dialog(SPOTTED, [("nope", "No problem — I won't ask anything else")])
    assert dialog.state.status == Status.DECLINED
    assert dialog.effects == [
        AnswerSaved(Answer("consent", choices=("no",), message_ids=(1,), answered_at=T0)),
        InterviewDeclined(),
    ]


def test_finished_interview_says_so_and_buttons_are_stale() -> None:
    dialog = run_dialog(SPOTTED, [(press("c|consent|no"), "")])
    outcome = dialog.send(press("c|consent|yes"))
    assert outcome.notice == STALE
    assert transcript(outcome).startswith(FINISHED_TEXT := "This interview is finished.")
    assert dialog.state.answers["consent"].choices == ("no",)
    assert FINISHED_TEXT in transcript(dialog.send(Started()))
    assert dialog.send(MessageEdited(1, "yes")).replies == ()


# --- breaks, restarts, stale buttons, edits --------------------------------------------------


def test_resume_after_a_break_offers_to_use_the_held_text() -> None:
    dialog = spotted_at_together()
    run_dialog(
        SPOTTED,
        [
            (
                "design and delivery",
                "Welcome back! You were on question 5 of about 8 (Done together). "
                "Carry on or start over?",
                timedelta(hours=7),
            ),
            (press("wc"), "Use what you just sent"),
            (press("h"), "Got a link?"),
        ],
        dialog,
    )
    assert dialog.state.answers["together"].choices == ("design", "delivery")
    assert dialog.state.held_text is None


def test_an_album_after_a_break_gets_one_welcome_back() -> None:
    dialog = spotted_at_together()
    first = dialog.send(media(1, group="g"), timedelta(hours=7))
    rest = [dialog.send(media(n, group="g")) for n in (2, 3)]
    assert "Please send that file again afterwards." in transcript(first)
    assert [o.replies for o in rest] == [(), ()]
    assert dialog.state.mode == Mode.WELCOME_BACK


def test_carry_on_then_typing_answers_normally() -> None:
    dialog = spotted_at_together()
    dialog.send("1", timedelta(days=2))
    dialog.send(press("wc"))
    dialog.send("2")
    assert dialog.state.answers["together"].choices == ("design",)
    assert dialog.state.held_text is None


def test_buttons_after_a_break_work_without_welcome_back() -> None:
    dialog = spotted_at_together()
    outcome = dialog.send(press("t|together|needs"), timedelta(hours=7))
    assert outcome.replies[0].heading == "Question 5 of about 8"


def test_start_while_active_offers_welcome_back_and_start_over_restarts() -> None:
    dialog = spotted_at_together()
    run_dialog(
        SPOTTED,
        [
            (Started(), "Welcome back! You were on question 5 of about 8"),
            (press("wr"), "Starting over"),
        ],
        dialog,
    )
    assert dialog.state.status == Status.ABANDONED
    assert dialog.effects[-1] == RestartRequested("spotted")


def test_a_stale_button_resends_the_current_question_and_changes_nothing() -> None:
    dialog = spotted_at_together()
    before = dialog.state.answers
    for data in ["c|consent|no", "c|place_when|x", "sub", "xy", "wc", "e|nowhere", "zz|top"]:
        outcome = dialog.send(press(data))
        assert outcome.notice == STALE, data
        assert outcome.replies[-1].heading == "Question 5 of about 8", data
        assert outcome.effects == (), data
    assert dialog.state.answers == before


def test_editing_a_message_updates_the_answer_it_was() -> None:
    dialog = spotted_at_together()
    outcome = dialog.send(MessageEdited(message_id=2, text="Leeds, summer 2023"))
    assert transcript(outcome) == "Updated your answer about Where and when."
    assert dialog.state.answers["place_when"].text == "Leeds, summer 2023"
    assert dialog.state.current == "together"
    unknown = dialog.send(MessageEdited(message_id=99, text="x"))
    assert (unknown.replies, unknown.effects) == ((), ())


def test_edit_of_a_probed_answer_replaces_the_whole_text() -> None:
    dialog = run_dialog(
        FULL,
        [(press("c|consent|yes"), ""), ("A garden", "more"), ("It grows food", "")],
    )
    dialog.send(MessageEdited(message_id=2, text="A food garden for the estate"))
    assert dialog.state.answers["project"].text == "A food garden for the estate"


def test_a_long_answer_split_by_telegram_is_joined_back() -> None:
    dialog = Dialog.start(SPOTTED)
    dialog.send(press("c|consent|yes"))
    first = "word " * 800  # 4000 characters
    dialog.send(first)
    assert dialog.state.current == "name"
    outcome = dialog.send("and the rest of it", timedelta(seconds=3))
    assert outcome.replies[0].text == "Added that to your previous answer."
    assert outcome.replies[1].heading == "Question 3 of about 8"
    assert dialog.state.answers["project"].text == first + "\nand the rest of it"
    assert dialog.state.answers["project"].message_ids == (1, 2)
    later = dialog.send("Playground Makeover", timedelta(seconds=30))
    assert later.effects[0].answer.question_id == "name"  # type: ignore[union-attr]


def test_text_that_cannot_be_a_split_part_answers_the_next_question_at_once() -> None:
    dialog = Dialog.start(SPOTTED)
    dialog.send(press("c|consent|yes"))
    dialog.send(TextSent("word " * 800, message_id=1, may_continue=False))
    outcome = dialog.send(TextSent("Playground Makeover", message_id=2, may_continue=False))
    assert "Added that to your previous answer." not in [r.text for r in outcome.replies]
    assert dialog.state.answers["name"].text == "Playground Makeover"
    assert dialog.state.answers["project"].text == "word " * 800


def test_text_after_the_continuation_window_answers_the_next_question() -> None:
    dialog = Dialog.start(SPOTTED)
    dialog.send(press("c|consent|yes"))
    dialog.send("x" * 3600)
    dialog.send("Playground Makeover", timedelta(seconds=25))
    assert dialog.state.answers["name"].text == "Playground Makeover"


# --- help, status, odd states --------------------------------------------------------------


def test_status_help_and_unknown_commands() -> None:
    dialog = run_dialog(
        FULL,
        [
            (press("c|consent|yes"), ""),
            ("A community garden run by residents and the council together", ""),
            (cmd("skip"), ""),
            ("Leeds", ""),
            (press("c|stage|idea"), ""),
            (cmd("status"), "Question 6 of about 24 — about Your part; 18 left."),
            (cmd("help"), 'e.g. "I\'m a resident who helped organise it"'),
            (cmd("frobnicate"), "I don't know /frobnicate, sorry. Send /help"),
        ],
    )
    assert "/skip – skip an optional question" in transcript(dialog.outcomes[-2])
    assert progress(FULL, dialog.state) == (5, 20)


def test_a_state_naming_a_removed_question_recovers() -> None:
    dialog = spotted_at_together()
    dialog.state = replace(
        dialog.state,
        current="gone",
        answers={**dialog.state.answers, "ghost": Answer("ghost", text="boo")},
    )
    outcome = dialog.send("1")
    assert dialog.state.answers["together"].choices == ("needs",)
    assert outcome.replies[0].heading == "Question 6 of about 8"


def test_step_records_the_event_time_and_never_raises_on_naive_times() -> None:
    state = begin(SPOTTED, T0).state
    naive = T0.replace(tzinfo=None)
    outcome = step(SPOTTED, state, TextSent("yes"), naive)
    assert outcome.state.last_event_at == naive
