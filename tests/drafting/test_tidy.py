"""Tidying informal text: a table of examples, and properties that hold for any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.tidy import (
    Change,
    filler_words,
    fix_spacing,
    split_sentences,
    tidy_sentence,
    tidy_text,
    tokens,
)

TIDY_CASES = [
    ("we made a garden", "We made a garden."),
    ("i think i'm right and i've said so", "I think I'm right and I've said so."),
    ("i'd go, i'll go", "I'd go, I'll go."),
    ("we met   at the   hall", "We met at the hall."),
    ("we met , then we voted !", "We met, then we voted!"),
    ("tea,coffee;cake", "Tea, coffee; cake."),
    ("it cost 1,000 pounds and took 3.5 hours", "It cost 1,000 pounds and took 3.5 hours."),
    ("um we did it", "We did it."),
    ("so, um, we did it", "So, we did it."),
    ("it was good, erm.", "It was good."),
    ("we painted it, you know, together", "We painted it, together."),
    ("Like, it was amazing", "It was amazing."),
    ("we like gardens", "We like gardens."),
    ("you know the answer", "You know the answer."),
    ("basically, it worked", "It worked."),
    ("it sort of worked", "It sort of worked."),
    ("great. great.", "Great."),
    ("Great!\ngreat!", "Great!"),
    ("NHS staff and BBC Wales came", "NHS staff and BBC Wales came."),
    ("iPhone photos", "iPhone photos."),
    ("we did three things:", "We did three things."),
    ("great project 😀", "Great project. 😀"),
    ("see www.example.org/Path", "See www.example.org/Path."),
    ("email me at a.b@example.org", "Email me at a.b@example.org."),
    ("i.e. the council", "i.e. the council."),
    ("we went to the council.i think it helped", "We went to the council. I think it helped."),
    ("Mr. Jones helped. then we met", "Mr. Jones helped. Then we met."),
    ("Aethon ni i Gaerdydd", "Aethon ni i Gaerdydd."),
    ("its called Amser i Fi, a fund for carers", "Its called Amser i Fi, a fund for carers."),
    ("then Tom said i Know it", "Then Tom said I Know it."),
    ("Sarah and i went", "Sarah and I went."),
    ("(see below)", "(See below)."),
    ("", ""),
    ("um.", ""),
    ("😀😀", ""),
]


@pytest.mark.parametrize(("raw", "tidied"), TIDY_CASES)
def test_tidy_text_tidies_without_changing_meaning(raw: str, tidied: str) -> None:
    assert tidy_text(raw) == tidied


SPLIT_CASES = [
    ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
    ("first line\nsecond line", ["first line", "second line"]),
    ("we met e.g. on Tuesdays. Then more", ["we met e.g. on Tuesdays.", "Then more"]),
    ("J. Smith came. Good", ["J. Smith came.", "Good"]),
    ("apples etc. and pears", ["apples etc. and pears"]),
    ("apples etc. Then pears", ["apples etc.", "Then pears"]),
    ("1. we met", ["1. we met"]),
    ("it cost 3.5k. Worth it", ["it cost 3.5k.", "Worth it"]),
    ("Lovely. 😀 Next one", ["Lovely. 😀", "Next one"]),
    ("“Go.” She said", ["“Go.”", "She said"]),
    ("   ", []),
    # Report text and Polish addresses: abbreviations that never end a sentence.
    (
        "It reached c. 200 homes, see Fig. 3 and pp. 12-14. It worked",
        ["It reached c. 200 homes, see Fig. 3 and pp. 12-14.", "It worked"],
    ),
    ("Cllr. Jones chaired it. We met", ["Cllr. Jones chaired it.", "We met"]),
    ("Łódź, ul. Piotrkowska 5. Od 2022", ["Łódź, ul. Piotrkowska 5.", "Od 2022"]),
    ("we waited 10 mins. Then it rained", ["we waited 10 mins.", "Then it rained"]),
    # An initial and a lower-case word that make one name ("E. coli") stay together; an
    # initial ending a sentence before another lower-case word does not.
    (
        "we test for E. coli every week. the C. diff cases fell",
        ["we test for E. coli every week.", "the C. diff cases fell"],
    ),
    ("we went with plan B. then it rained", ["we went with plan B.", "then it rained"]),
]


@pytest.mark.parametrize(("text", "sentences"), SPLIT_CASES)
def test_split_sentences_splits_where_a_reader_would(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


SHORTHAND_CASES = [
    ("me n my pals + the youth workers", "Me and my pals and the youth workers."),
    ("w/ ppl from ng homes", "With people from ng homes."),
    ("Ppl came w/o kids", "People came without kids."),
    ("we recieved alot of help", "We received a lot of help."),
    ("im on the comittee, cant wait", "I'm on the committee, can't wait."),
    ("Rock & Roll Club n friends", "Rock & Roll Club and friends."),
    ("14+ year olds, plan B n C", "14+ year olds, plan B and C."),
    ("see www.x.org/a+b or ppl.org", "See www.x.org/a+b or ppl.org."),
    ("Ill send pics later", "Ill send pics later."),
    ("the library (the council) n the HSE", "The library (the council) and the HSE."),
]


@pytest.mark.parametrize(("text", "tidied"), SHORTHAND_CASES)
def test_text_speak_and_typos_are_expanded_but_names_links_and_signs_kept(
    text: str, tidied: str
) -> None:
    assert tidy_sentence(text)[0] == tidied


def test_each_replacement_is_recorded_with_what_was_typed() -> None:
    assert tidy_sentence("ppl n kids w/ recieved") == (
        "People and kids with received.",
        (
            Change("ppl", "people"),
            Change("n", "and"),
            Change("w/", "with"),
            Change("recieved", "received"),
        ),
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mieszkańcy i go zbudowali n ppl", "pl"),
        ("mae pobl n ppl yn dod i'r caffi", "en"),
        ("Ceòl Còmhla w/ na daoine", "gd"),
    ],
)
def test_text_in_another_language_gets_no_english_fixes(text: str, language: str) -> None:
    tidied, changes = tidy_sentence(text, language)
    assert (tidied.rstrip("."), changes) == (text[:1].upper() + text[1:], ())


def test_a_spacing_fix_is_not_applied_inside_a_code() -> None:
    assert (fix_spacing("the room !A0 and flat 2!B3"), fix_spacing("great!We met")) == (
        "the room !A0 and flat 2!B3",
        "great! We met",
    )


def test_fix_spacing_leaves_links_alone() -> None:
    assert fix_spacing("see https://x.org/a,b?c=d ,ok") == "see https://x.org/a,b?c=d, ok"


# --- properties ----------------------------------------------------------------------------

CHARACTERS = list("abcIi.,!?;:'’()\"-…ßı12 \n\t😀")
WORDS = ["um", " like, ", "you know", "e.g.", "etc.", "www.x.org", " i'm ", "Mr.", "basically, "]
NAMES = [" ni ", "Łódź", "王小明", "Оксана", "فاطمة", "ñ", " so, um, "]
PIECES = st.sampled_from([*CHARACTERS, *WORDS, *NAMES])
INFORMAL = st.lists(PIECES, max_size=40).map("".join) | st.text(max_size=200)
FILLERS = filler_words()


@settings(max_examples=400, deadline=None)
@given(INFORMAL)
def test_tidy_text_is_idempotent(text: str) -> None:
    once = tidy_text(text)
    assert tidy_text(once) == once


@settings(max_examples=400, deadline=None)
@given(INFORMAL)
def test_tidy_text_never_drops_a_word_that_is_not_a_filler(text: str) -> None:
    dropped = set(tokens(text)) - set(tokens(tidy_text(text))) - FILLERS
    assert dropped == set()


@settings(max_examples=300, deadline=None)
@given(INFORMAL)
def test_tidy_sentence_changes_no_word_it_does_not_record(text: str) -> None:
    tidied, changes = tidy_sentence(text)
    written = set(tokens(text)) | {t for c in changes for t in tokens(c.replacement)}
    assert set(tokens(tidied)) - written == set()
    assert [c for c in changes if c.original.casefold() not in text.casefold()] == []


@settings(max_examples=400, deadline=None)
@given(INFORMAL)
def test_split_sentences_keeps_every_character_in_order(text: str) -> None:
    pieces = split_sentences(text)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


@settings(max_examples=400, deadline=None)
@given(INFORMAL)
def test_split_sentences_pieces_are_trimmed_and_do_not_split_again(text: str) -> None:
    pieces = split_sentences(text)
    assert [p for p in pieces if not p or p != p.strip()] == []
    assert [p for p in pieces if split_sentences(p) != [p]] == []


@pytest.mark.parametrize(
    ("raw", "language", "tidied"),
    [
        (
            "listen to the young ppl n let them run it",
            "cy",
            "Listen to the young people and let them run it.",
        ),
        (
            "ask ppl what they need w/ their kids",
            "pl",
            "Ask people what they need with their kids.",
        ),
        ("just ask ppl what they want", "gd", "Just ask people what they want."),
    ],
)
def test_english_text_speak_is_expanded_inside_an_interview_in_another_language(
    raw: str, language: str, tidied: str
) -> None:
    text, changes = tidy_sentence(raw, language)
    assert (text.rstrip("."), bool(changes)) == (tidied.rstrip("."), True)


@pytest.mark.parametrize(
    ("raw", "language"),
    [
        ("Poszliśmy do domu n stary", "pl"),
        ("Mae'r plant yn dysgu n canu", "cy"),
        ("the weans n the grannies, a h-uile duine còmhla", "gd"),
    ],
)
def test_a_sentence_in_the_interviews_own_language_keeps_its_shorthand_as_typed(
    raw: str, language: str
) -> None:
    assert tidy_sentence(raw, language)[1] == ()
