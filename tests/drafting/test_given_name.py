"""The name a contributor types when asked "Has it got a name?" becomes the draft's title,
read out of the way people answer: with "its called", a gloss, a typo put right, a "no"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.drafting import DraftRecord, build_draft
from conversations.drafting_given import corrected_elsewhere, given_name, holds_only, read_given
from conversations.model import Answer
from conversations.script import builtin_scripts
from conversations.tidy import tokens
from tests.drafting.fixture_data import Interview
from tests.drafting.quality import placement_counts, title_verdict


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("Fix It Fridays", "Fix It Fridays"),
        ("fix it fridays", "Fix It Fridays"),  # typed in lower case, written as a name
        ("yeah its called the Hive", "The Hive"),
        ("Bwyd i Bawb - food for all in welsh", "Bwyd i Bawb"),  # the gloss is not the name
        ("Straatpraat (street talk)", "Straatpraat"),
        ("the kids named it, Back Room", "Back Room"),  # the naming, then the name
        ("Back Room, thats what the kids named it", "Back Room"),
        ("Stratpraat, sorry Straatpraat", "Straatpraat"),  # the name after "sorry"
        ("splash sapce *space 🙈", "Splash Space"),  # a starred word puts a typo right
        ("Sugar Smrat Sisters *Smart lol typing fast", "Sugar Smart Sisters"),
        ("i think its called Green Streets? everyone just says the streets", "Green Streets"),
        ("Its the 7A on paper but everybody calls it the Gossip Bus", "The Gossip Bus"),
        (
            "YAP - young assessors panel. the kids love that it spells yap",
            "Young Assessors Panel (YAP)",
        ),
        ("Red Rover. a wee girl at the primary named it in a competition", "Red Rover"),
        ("de Buurtpot 🙂 pot like a money pot, a kitty", "De Buurtpot"),
        ("no official name but people call it the Hive", "The Hive"),
        # A name said first beats a nickname said after it, unless it is the official one.
        (
            "Sgwrs a Phaned - it means a chat and a cuppa. everyone just says y caffi tho",
            "Sgwrs a Phaned",
        ),
        (
            "officially the Tenant Scrutiny Panel but nobody calls it that. Jean called us the "
            "Nosy Parkers at the first meeting as a joke and it stuck",
            "The Nosy Parkers",
        ),
        ("iets als 'Straat van Ons'? niet 100% zeker, it was on a banner", "Straat van Ons"),
        ("SPARK. the young people came up with it and changed the words like 3 times", "SPARK"),
        ("Hapy Feet sorry HAPPY feet 🙄 fat fingers", "HAPPY feet"),
        # The official name is the title, unless it is only on paper or nobody uses it.
        (
            "officially its Bws Bro Hafren (Severn valley bus, roughly) but everyone calls it "
            "y bws bach, the little bus",
            "Bws Bro Hafren",
        ),
        (
            "officially its the Tenant Repairs Panel but everyone calls us the mould squad",
            ("The Tenant Repairs Panel"),
        ),
        # An acronym inside the name, then what it stands for.
        (
            "the DAMP panel 😂 stands for Decent And Mould-free Places, one of the lads came "
            "up with it",
            "Decent and Mould-free Places (DAMP)",
        ),
        # The same name said again in full, where it is written left out.
        (
            "youth spned.. *spend 🙄 its Youth Spend Knocknaheeny on the posters",
            ("Youth Spend Knocknaheeny"),
        ),
        # A starred name puts right as many words as it has; "autocorrect" names nothing.
        ("Ramp Rebles *Ramp Rebelz sorry autocorrect 🙄 thats the youth panel", "Ramp Rebelz"),
        # "it should be X": the name as put right.
        (
            "Clann na Tràigh. well, that's what we called it first, but the teacher said the "
            "grammar was wrong and it should be Clann na Tràghad so that's what's on the sign now",
            "Clann na Tràghad",
        ),
        # An elided article opens a name; a later "should be" not followed by a name puts
        # nothing right, and a gloss after "means" is no name.
        (
            "A' Chagailt. it means the hearth. So when we were thinking of a name Peigi said it "
            "should be somewhere you come in and sit at the fire. The young ones can't spell it",
            "A' Chagailt",
        ),
    ],
)
def test_the_name_is_read_out_of_the_answer(answer: str, name: str) -> None:
    assert given_name(answer, "en") == name


@pytest.mark.parametrize(
    "answer",
    [
        "no",
        "not yet!",
        "nah we just call it the group",  # a "no" and a description: no name
        "not really, its just the tuesday group",
        "dunno sorry",
        "its a garden for the street",  # what it is, not what it is called
        "its the community garden",
        "chan eil",
        "ah no not really. we just call it the cooking. 'are you going to the cooking thursday'",
        "nie wiem",
        # Another question's answer: who they are, who comes, when it runs.
        "I help run it, im one of the parents",
        "about 25 families come",
        "every other thursday at the community centre",
    ],
)
def test_an_answer_giving_no_name_gives_none(answer: str) -> None:
    assert given_name(answer, "en") is None


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("Ballymun", None),  # the place the where answer gives
        ("march 2024", None),
        ("Ballymun Bikes", "Ballymun Bikes"),  # a name holding the place is a name
        ("Fix It Fridays, started in 2019", "Fix It Fridays"),
    ],
)
def test_a_name_answer_saying_where_or_when_names_nothing(answer: str, name: str | None) -> None:
    answers = {
        "name": Answer("name", text=answer),
        "place_when": Answer("place_when", text="Ballymun, Dublin since 2020"),
    }
    given = read_given(answers, [], "en").given
    assert (given.name if given else None) == name


def test_a_typo_put_right_in_a_later_answer_is_put_right_in_the_name() -> None:
    later = ["*Apna not apan sorry autocorrect. its in Belgrave, leicester"]
    assert corrected_elsewhere("Apan Pantry", later) == "Apna Pantry"
    assert corrected_elsewhere("Apan Pantry", ["we meet on tuesdays, not fridays"]) == (
        "Apan Pantry"
    )
    # Another word, not the same one mistyped, puts nothing right.
    assert corrected_elsewhere("the Tenant Panel", ["its the scheme not the panel"]) == (
        "the Tenant Panel"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_a_name_is_only_ever_words_the_contributor_typed(answer: str) -> None:
    name = given_name(answer, "en")
    if name is None:
        return
    typed = set(tokens(answer))
    # The one word not typed as such is a starred fix's, and that was typed too ("*space").
    assert set(tokens(name)) <= typed, (answer, name)
    assert 0 < len(name) <= 200


def test_a_sentence_saying_only_the_name_is_held_by_the_title() -> None:
    assert holds_only("Yes its called Fix It Fridays.", "Fix It Fridays", "en")
    assert not holds_only("Fix It Fridays, the kids named it.", "Fix It Fridays", "en")


def _draft(name_answer: str) -> tuple[str, dict[str, list[str]], DraftRecord]:
    script = builtin_scripts()["full-story"]
    answers = {
        "consent": Answer("consent", choices=("yes",)),
        "project": Answer("project", text="we run a repair night in the church hall in hull"),
        "name": Answer("name", text=name_answer),
        "place_when": Answer("place_when", text="Bransholme, Hull, since 2022"),
    }
    draft = build_draft(script, answers)
    fields: dict[str, list[str]] = {}
    for field, sentence in draft.sentences():
        if "name" in sentence.question_ids:
            fields.setdefault(field, []).append(sentence.text)
    return draft.title, fields, draft


def test_the_typed_name_is_the_title_and_its_answer_is_placed_once_there() -> None:
    title, fields, draft = _draft("yes its called fix it fridays")
    assert title == "Fix It Fridays"
    assert fields == {"title": ["Fix It Fridays"]}
    assert placement_counts(draft)["name#0"] == 1


def test_what_the_name_answer_adds_is_kept_for_staff_under_more_from_the_contributor() -> None:
    title, fields, _ = _draft("Fix It Fridays, my daughter came up with it")
    assert title == "Fix It Fridays"
    assert fields["other_notes"] == ["Asked its name: Fix It Fridays, my daughter came up with it."]


def test_a_no_leaves_the_title_to_the_story_and_is_kept() -> None:
    title, fields, _ = _draft("nah")
    assert "repair night" in title.casefold()
    assert fields["other_notes"] == ["Asked its name: Nah."]


def _spotted(name_answer: str) -> str:
    script = builtin_scripts()["spotted"]
    text = {
        "project": "the homeless hostel in galway rewrote its house rules with the people "
        "staying there. residents and staff sat down together",
        "name": name_answer,
        "place_when": "galway city, last year",
        "source": "heard one of the lads talking about it on Galway Bay FM",
    }
    answers = {q: Answer(q, text=t) for q, t in text.items()}
    return build_draft(script, {"consent": Answer("consent", choices=("yes",)), **answers}).title


@pytest.mark.parametrize("answer", ["no", "not really", "no proper name, its just the rules thing"])
def test_a_project_said_to_have_no_name_is_described_not_named_from_the_story(answer: str) -> None:
    # The radio station the tip-off came from is never the title of a project with no name.
    title = _spotted(answer)
    assert "FM" not in title and "hostel" in title.casefold()


def test_a_no_name_label_saying_what_kind_of_group_it_is_is_the_title() -> None:
    assert _spotted("nah we just call it the house rules group") == "House Rules Group"
    # A single word says less than the description does.
    assert "hostel" in _spotted("nah we just call it the rules").casefold()


def test_a_name_too_long_for_a_title_leaves_its_answer_placed_once() -> None:
    long_name = "Wonderfully Extraordinary Intergenerational Storytelling Collective Llanfairfechan"
    assert given_name(long_name, "en") == long_name
    title, fields, draft = _draft(long_name)
    assert title != long_name and len(title) <= 75
    assert placement_counts(draft)["name#0"] == 1
    assert fields["other_notes"] == [f"Asked its name: {long_name}."]


def test_the_title_check_takes_a_name_with_its_acronym_either_way() -> None:
    script = builtin_scripts()["full-story"]

    def verdict(name: str, title: str) -> tuple[bool, bool]:
        interview = Interview("x", script, {}, None, {}, title={"name": name})
        return title_verdict(interview, title)

    assert verdict("YAP", "Young Assessors Panel (YAP)") == (True, True)
    assert verdict("Young Assessors Panel", "Young Assessors Panel (YAP)") == (True, True)
    assert verdict("Young Assessors Panel", "Youth Action Panel (YAP)") == (False, False)
    # Commas and dashes between a name's words are not part of it; its stops are.
    assert verdict("Our Place, Our Plans", "Our Place Our Plans") == (True, True)
    assert verdict("DART", "D.A.R.T") == (False, False)
