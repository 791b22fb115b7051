"""Interviews in Welsh, Gaelic and Polish, switching language mid-way, and the rough edges
of the review screen, the question count and required button questions."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.engine import _step, begin, possible_questions
from conversations.model import Button, LanguageChosen, Pressed, QuestionKind, TextSent
from conversations.script import builtin_scripts
from conversations.state import Mode, Status
from tests.conversations.dialogs import T0, Dialog, button_data, cmd, press, run_dialog, transcript

SCRIPTS = builtin_scripts()
SPOTTED = SCRIPTS["spotted"]
FULL = SCRIPTS["full-story"]


def labels(dialog: Dialog) -> list[str]:
    return [b.label for reply in dialog.last.replies for row in reply.buttons for b in row]


# --- a whole short interview in each language, as a table ---------------------------------

WELSH = [
    (press("c|consent|yes"), "Cwestiwn 2 o tua 8\nBeth weloch chi? Mae brawddeg neu ddwy"),
    (
        "Fe wnaeth y rhieni a'r ysgol ailgynllunio'r iard",
        "Cwestiwn 3 o tua 8\nYdych chi'n gwybod beth yw ei enw?",
    ),
    (cmd("skip"), "Ble a phryd oedd e, yn fras? (dewisol"),
    (cmd("skip"), "Tapiwch bob un sy'n addas"),
    ("1,2", "Oes gennych chi ddolen?"),
    ("clywais i ar y radio", "gawn ni ddefnyddio'ch enw?"),
    ("5", "Tapiwch yr un sy'n addas, neu atebwch gyda'i rif (1 i 2)."),
    (press("c|credit|named"), "Cwestiwn 8 o 8\nPa enw ddylen ni ei ddefnyddio?"),
    ("Siân", "Dyma beth ddywedoch chi wrtha i"),
    ("anfon", "Diolch am y wybodaeth!"),
]
GAELIC = [
    (press("c|consent|yes"), "Ceist 2 à mu 8\nDè a mhothaich sibh?"),
    (
        "Dh'ath-dhealbh na pàrantan an raon-cluiche",
        "Ceist 3 à mu 8\nA bheil fios agaibh dè an t-ainm a th' air?",
    ),
    (cmd("skip"), "Càite agus cuin a bha e, mu thuairmse?"),
    (cmd("skip"), "Thoiribh gnogag air gach tè a fhreagras"),
    ("1,2", "A bheil ceangal agaibh?"),
    ("chuala mi air an rèidio", "am faod sinn ur n-ainm a chleachdadh?"),
    (press("c|credit|anonymous"), "Seo na dh'innis sibh dhomh"),
    ("cuir", "Tapadh leibh airson an fhiosrachaidh!"),
]
POLISH = [
    (press("c|consent|yes"), "Pytanie 2 z około 8\nCo to za projekt?"),
    ("Rodzice i szkoła przebudowali boisko", "Pytanie 3 z około 8\nWiesz, jak to się nazywa?"),
    (cmd("skip"), "Gdzie i kiedy to było, mniej więcej?"),
    (cmd("skip"), "Dotknij wszystkich pasujących"),
    ("1,2", "Masz link?"),
    ("słyszałam w radiu", "czy możemy podać Twoje imię?"),
    (press("c|credit|anonymous"), "Oto co mi powiedziano"),
    ("wyślij", "Dzięki za cynk!"),
]


def test_a_short_interview_in_welsh_keeps_the_answers_as_given() -> None:
    dialog = Dialog.start(SPOTTED, language="cy")
    assert [r.heading for r in dialog.last.replies] == [
        "Wedi gweld prosiect?",
        "Cwestiwn 1 o tua 8",
    ]
    assert labels(dialog) == ["Iawn", "Na"]
    dialog = run_dialog(SPOTTED, WELSH, dialog)
    assert dialog.state.status == Status.SUBMITTED
    assert (
        dialog.state.answers["project"].text == "Fe wnaeth y rhieni a'r ysgol ailgynllunio'r iard"
    )
    assert dialog.state.answers["credit_name"].text == "Siân"
    assert dialog.state.answers["together"].choices == ("needs", "design")


def test_a_short_interview_in_gaelic() -> None:
    dialog = run_dialog(SPOTTED, GAELIC, Dialog.start(SPOTTED, language="gd"))
    assert dialog.state.status == Status.SUBMITTED
    assert dialog.state.answers["source"].text == "chuala mi air an rèidio"


def test_a_short_interview_in_polish() -> None:
    dialog = run_dialog(SPOTTED, POLISH, Dialog.start(SPOTTED, language="pl"))
    assert dialog.state.status == Status.SUBMITTED
    assert dialog.state.answers["credit"].choices == ("anonymous",)


def test_review_card_in_polish_counts_files_the_polish_way() -> None:
    dialog = Dialog.start(FULL, language="pl")
    dialog.send(press("c|consent|yes"))
    dialog.send("Ogród społeczny prowadzony przez mieszkańców i urząd razem")
    dialog.state = replace(dialog.state, current="media", mode=Mode.ASKING)
    from tests.conversations.dialogs import media

    for n in range(1, 4):
        dialog.send(media(n))
    dialog.send(press("d|media"))
    card = transcript(dialog.send(cmd("review")))
    assert "Zdjęcia i pliki: 3 zdjęcia" in card
    assert "Projekt: Ogród społeczny prowadzony przez mieszkańców i urząd razem" in card


def test_the_full_story_is_asked_in_welsh_throughout() -> None:
    dialog = Dialog.start(FULL, language="cy")
    dialog.send(press("c|consent|yes"))
    dialog.send("Gardd gymunedol sy'n cael ei rhedeg gan drigolion a'r cyngor gyda'i gilydd")
    outcome = dialog.send(cmd("skip"))
    assert outcome.replies[0].heading == "Cwestiwn 4 o tua 24"
    assert outcome.replies[0].text.startswith("Ble a phryd mae (neu roedd) e'n digwydd?")
    outcome = dialog.send(cmd("skip"))
    assert outcome.replies[0].heading == "Cwestiwn 5 o tua 24"
    assert outcome.replies[0].text.startswith("Ble mae arni ar hyn o bryd? (dewisol — /skip)")
    assert labels(dialog)[:5] == [
        "Syniad o hyd",
        "Newydd ddechrau",
        "Ar waith",
        "Wedi gorffen",
        "Wedi oedi neu stopio",
    ]
    assert button_data(outcome)[:2] == ["c|stage|idea", "c|stage|starting"]  # ids unchanged


def test_a_language_the_script_lacks_still_gets_the_bots_own_words() -> None:
    script = replace(SPOTTED, translations=())
    outcome = begin(script, T0, "pl")
    assert outcome.replies[1].heading == "Pytanie 1 z około 8"
    assert outcome.replies[1].text.startswith("Quick check first")  # the script's own words


# --- /language ---------------------------------------------------------------------------


def test_language_mid_interview_keeps_answers_and_asks_again_in_the_new_language() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), "What did you spot?"),
            ("Parents and the school redesigned the playground", "Do you know what it's called?"),
            (cmd("skip"), "Where and when"),
            (cmd("language"), "Which language would you like me to use?"),
        ],
    )
    assert labels(dialog) == ["Cymraeg", "Gàidhlig", "Polski", "English"]
    answers = dialog.state.answers
    outcome = dialog.send(press("l|cy"))
    assert outcome.replies[0].text.startswith("Iawn, o hyn ymlaen fe siarada i â chi yn Gymraeg.")
    assert outcome.replies[1].heading == "Cwestiwn 4 o tua 8"
    assert outcome.replies[1].text.startswith("Ble a phryd oedd e, yn fras?")
    assert outcome.effects == (LanguageChosen("cy"),)
    assert outcome.notice == "Cymraeg"
    assert dialog.state.answers == answers
    assert dialog.state.language == "cy"
    assert dialog.state.current == "place_when"
    run_dialog(
        SPOTTED,
        [
            ("Wrecsam, 2024", "Tapiwch bob un sy'n addas"),
            (cmd("language"), "Pa iaith hoffech chi i mi ei defnyddio?"),
            (press("l|en"), "Which parts did people seem to do together?"),
        ],
        dialog,
    )
    assert dialog.state.answers["place_when"].text == "Wrecsam, 2024"
    assert dialog.state.language == "en"


def test_language_on_the_review_and_in_a_confirmation_shows_them_again() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), ""),
            ("A fridge", ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (press("c|credit|anonymous"), "Here's what you told me"),
            (press("l|gd"), "Seo na dh'innis sibh dhomh"),
            (cmd("cancel"), "A bheil sibh cinnteach"),
            (press("l|pl"), "Na pewno chcesz przerwać?"),
            (press("xn"), "Oto co mi powiedziano"),
        ],
    )
    assert dialog.state.mode == Mode.REVIEW


def test_language_after_the_interview_is_remembered_without_reopening_it() -> None:
    dialog = run_dialog(SPOTTED, [(press("c|consent|no"), "No problem")])
    outcome = dialog.send(press("l|pl"))
    assert transcript(outcome) == (
        "Dobrze, od teraz rozmawiamy po polsku. Twoje odpowiedzi są zachowane.\nPolski"
    )
    assert outcome.effects == (LanguageChosen("pl"),)
    assert dialog.state.status == Status.DECLINED


def test_a_forged_language_button_is_stale() -> None:
    dialog = Dialog.start(SPOTTED)
    outcome = dialog.send(press("l|xx"))
    assert outcome.notice == "That button is from an earlier message — here's where we are."
    assert dialog.state.language == "en"


# --- rough edge: numbers and "send" on the review screen -----------------------------------


def at_review() -> Dialog:
    return run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), ""),
            ("A community fridge", ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (press("c|credit|anonymous"), "Here's what you told me"),
        ],
    )


def test_after_status_on_the_review_numbers_still_pick_a_question() -> None:
    dialog = at_review()
    status = dialog.send(cmd("status"))
    assert "Reply with a question's number to change it" in transcript(status)
    assert button_data(status)[:2] == ["e|consent", "e|project"]  # numbered in the terminal
    outcome = dialog.send("4")
    assert outcome.replies[0].text.startswith("Where and when was it, roughly?")
    assert dialog.state.current == "place_when"
    run_dialog(SPOTTED, [("Leeds", "4. Where and when: Leeds")], dialog)
    assert dialog.state.mode == Mode.REVIEW


def test_typed_text_on_the_review_says_how_and_numbers_work_after_it() -> None:
    dialog = at_review()
    assert "reply with its number (like 2)" in transcript(dialog.send("hmm what now"))
    assert "What did you spot?" in transcript(dialog.send("2"))


def test_a_number_beyond_the_card_explains_instead_of_guessing() -> None:
    dialog = at_review()
    assert "reply with its number" in transcript(dialog.send("9"))
    assert dialog.state.mode == Mode.REVIEW


def test_typed_send_words_submit_from_the_review_as_the_button_does() -> None:
    for word in ("send", "Send it!", "done", "DONE."):
        dialog = at_review()
        assert "Thanks for the tip!" in transcript(dialog.send(word)), word
        assert dialog.state.status == Status.SUBMITTED
    dialog = at_review()
    dialog.send(cmd("done"))
    assert dialog.state.status == Status.SUBMITTED


def test_send_words_translate() -> None:
    dialog = at_review()
    dialog.send(press("l|cy"))
    dialog.send("Anfon")
    assert dialog.state.status == Status.SUBMITTED


def test_send_is_an_answer_not_a_submission_while_questions_are_asked() -> None:
    dialog = Dialog.start(SPOTTED)
    dialog.send(press("c|consent|yes"))
    dialog.send("send")
    assert dialog.state.answers["project"].text == "send"
    assert dialog.state.status == Status.ACTIVE


# --- rough edge: required button question and wrong numbers -------------------------------


def test_skip_on_a_required_button_question_asks_for_a_tap_not_words() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), ""),
            ("A community fridge", ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), "can we use your name?"),
        ],
    )
    outcome = dialog.send(cmd("skip"))
    text = transcript(outcome)
    assert "just tap the one that fits" in text
    assert "a few words is plenty" not in text
    assert button_data(outcome)[:2] == ["c|credit|named", "c|credit|anonymous"]


def test_a_wrong_number_names_the_choices_once() -> None:
    dialog = Dialog.start(FULL)
    dialog.send(press("c|consent|yes"))
    dialog.send("A community garden run by residents and the council together")
    dialog.send(cmd("skip"))
    dialog.send(cmd("skip"))
    outcome = dialog.send("9")
    text = transcript(outcome)
    for label in ("Still an idea", "Up and running", "Paused or stopped"):
        assert text.count(label) == 1, label
    assert "reply with its number (1 to 5)" in text


def test_use_my_name_in_the_short_script_asks_for_the_name() -> None:
    dialog = run_dialog(
        SPOTTED,
        [
            (press("c|consent|yes"), ""),
            ("A community fridge", ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (cmd("skip"), ""),
            (press("c|credit|named"), "Question 8 of 8\nWhat name should we use?"),
            ("Sam P.", "8. Name to use: Sam P."),
        ],
    )
    assert dialog.state.answers["credit_name"].text == "Sam P."


# --- rough edge: the question count never grows --------------------------------------------

HEADING = re.compile(r"^(?:Question) (\d+) of (about )?(\d+)$")


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_question_count_never_grows_and_moves_one_at_a_time(data: st.DataObject) -> None:
    script = data.draw(st.sampled_from([FULL, SPOTTED]))
    outcome = begin(script, T0)
    state = outcome.state
    seen: list[tuple[int, int, bool]] = []
    for _ in range(60):
        for reply in outcome.replies:
            match = HEADING.match(reply.heading or "")
            if match:
                seen.append((int(match[1]), int(match[3]), bool(match[2])))
        if state.status != Status.ACTIVE or state.mode != Mode.ASKING or state.current is None:
            break
        question = script.question(state.current)
        assert question is not None
        if question.id == "consent":
            event: TextSent | Pressed = Pressed("c|consent|yes")
        elif question.kind in (QuestionKind.CHOICE, QuestionKind.YES_NO):
            option = data.draw(st.sampled_from(question.options))
            event = Pressed(f"c|{question.id}|{option.id}")
        elif question.optional and data.draw(st.booleans()):
            event = Pressed(f"s|{question.id}")
        elif question.kind == QuestionKind.MULTI:
            event = TextSent("1")
        elif question.kind == QuestionKind.MEDIA:
            event = Pressed(f"s|{question.id}")
        else:
            event = TextSent("An answer long enough not to be probed at all, thank you kindly")
        outcome = _step(script, state, event, T0)
        state = outcome.state
    assert state.mode == Mode.REVIEW or state.status != Status.ACTIVE
    positions = [p for p, _, _ in seen]
    totals = [t for _, t, _ in seen]
    assert positions == list(range(1, len(positions) + 1))
    assert totals == sorted(totals, reverse=True)
    assert all(p <= t for p, t, _ in seen)
    assert all(about for _, t, about in seen if t > min(totals))  # only "about" may shrink
    final, _ = possible_questions(script, state.answers)
    assert totals[-1] >= len(final)


def test_buttons_are_named_in_their_language_and_carry_the_same_data() -> None:
    english = begin(FULL, T0, "en").replies[1].buttons
    welsh = begin(FULL, T0, "cy").replies[1].buttons
    assert [b.data for row in english for b in row] == [b.data for row in welsh for b in row]
    assert [b.label for row in welsh for b in row] == ["Iawn", "Na"]
    assert isinstance(welsh[0][0], Button)


def test_yes_and_no_are_understood_in_the_interviews_language() -> None:
    for language, word in (("cy", "ie"), ("gd", "seadh"), ("pl", "jasne"), ("pl", "yes")):
        dialog = Dialog.start(SPOTTED, language=language)
        dialog.send(word)
        assert dialog.state.answers["consent"].choices == ("yes",), (language, word)
    dialog = Dialog.start(SPOTTED, language="pl")
    dialog.send("nie")
    assert dialog.state.status == Status.DECLINED
