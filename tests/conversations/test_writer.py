"""The writer model's pure side: what is sent (anonymised), and the checker that keeps
invented facts out of drafts."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from conversations.writer import (
    CONTACT,
    CONTRIBUTOR,
    ORGANISATION,
    FieldRequest,
    SourceSentence,
    Withheld,
    anonymise,
    check_rewrite,
    field_request,
    prompt_messages,
    reply_text,
    withheld_terms,
)

OUTCOMES = field_request(
    "outcomes",
    "Outcomes",
    [
        ("Now about 40 young people a week drop in and the waiting list is shorter.", ["changed"]),
        ("In March 2021 the NHS trust agreed to fund it, see www.riverside-hub.org.", ["origin"]),
    ],
    Withheld(),
)


def request(*sentences: str) -> FieldRequest:
    return FieldRequest(
        "outcomes",
        "Outcomes",
        tuple(SourceSentence(s, (f"q{i}",)) for i, s in enumerate(sentences)),
    )


# --- the checker, by example ---------------------------------------------------------------


def test_a_faithful_rewrite_is_used_and_each_sentence_cites_what_it_rests_on() -> None:
    output = (
        "About 40 young people now drop in every week, and the waiting list is shorter. "
        "The NHS trust agreed to fund it in March 2021 (www.riverside-hub.org)."
    )
    rewrite = check_rewrite(OUTCOMES, output)
    assert (rewrite.used, rewrite.flagged, rewrite.fallback) == (True, (), "")
    assert [(s.text, s.question_ids) for s in rewrite.sentences] == [
        (
            "About 40 young people now drop in every week, and the waiting list is shorter.",
            ("changed",),
        ),
        ("The NHS trust agreed to fund it in March 2021 (www.riverside-hub.org).", ("origin",)),
    ]


def test_a_sentence_with_an_invented_fact_of_any_kind_is_dropped_and_flagged() -> None:
    faithful = (
        "About 40 young people now drop in every week and the waiting list is shorter. "
        "The NHS trust agreed to fund it in March 2021, see www.riverside-hub.org."
    )
    invented = {
        "In total 7391 residents signed up.": "number 7391",
        "It opened in November.": "date november",
        "Photos are at https://invented-example.net/gallery.": "link invented-example.net/gallery",
        "Councillor Quortley chaired it.": "name quortley",
    }
    for sentence, reason in invented.items():
        rewrite = check_rewrite(OUTCOMES, f"{faithful} {sentence}")
        assert rewrite.used, sentence
        assert rewrite.text == faithful
        assert [(f.text, reason in f.reasons) for f in rewrite.flagged] == [(sentence, True)]


def test_an_invented_fact_inside_a_needed_sentence_makes_the_field_fall_back() -> None:
    output = (
        "About 40 young people, led by Zebedee, now drop in every week. "
        "The NHS trust agreed to fund it in March 2021, see www.riverside-hub.org."
    )
    rewrite = check_rewrite(OUTCOMES, output)
    assert rewrite.used is False
    assert rewrite.fallback.startswith("the rewrite left out number 40, most of “Now about 40")
    assert [f.reasons for f in rewrite.flagged] == [("name zebedee",)]


def test_a_rewrite_that_loses_a_fact_falls_back_to_the_drafter_text() -> None:
    rewrite = check_rewrite(OUTCOMES, "Young people drop in and the NHS trust agreed to fund it.")
    assert rewrite.used is False
    assert "number 40" in rewrite.fallback and "link www.riverside-hub.org" not in rewrite.flagged


def test_numbers_dates_and_links_match_in_their_other_spellings() -> None:
    source = request(
        "We ran three workshops in Sept 2019 with 1,200 people.",
        "The budget was £30k, details at https://www.example.org/budget/.",
    )
    output = (
        "They ran 3 workshops in September 2019 with 1200 people. "
        "The budget was £30,000; details are at example.org/budget."
    )
    assert check_rewrite(source, output).used


def test_number_words_the_sources_never_used_are_invented() -> None:
    rewrite = check_rewrite(request("We ran three workshops."), "They ran four workshops.")
    assert rewrite.used is False
    assert [f.reasons for f in rewrite.flagged] == [("number 4",)]


def test_ordinary_words_are_not_taken_for_dates_or_names() -> None:
    source = request("residents said we may march on the council if nothing changes.")
    output = "Residents said they may march on the council if nothing changes."
    assert check_rewrite(source, output).used


def test_names_in_scripts_without_capitals_are_checked_too() -> None:
    source = request("我们在社区花园 met every week.")
    rewrite = check_rewrite(source, "我们在社区花园 met every week. 王小明 led it.")
    assert [f.text for f in rewrite.flagged] == ["王小明 led it."]


def test_an_empty_or_wholly_invented_answer_falls_back() -> None:
    assert check_rewrite(OUTCOMES, "  ").fallback == "the writer model did not answer"
    assert check_rewrite(OUTCOMES, "Zebedee ran it.").fallback == (
        "the checker left out every sentence"
    )


def test_reply_text_drops_fences_quotes_and_list_markers() -> None:
    assert reply_text('```text\n"- One thing.\n- Another."\n```') == "One thing. Another."


# --- the checker, as properties ------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "the",
        "residents",
        "met",
        "at",
        "hall",
        "and",
        "planned",
        "route",
        "bus",
        "garden",
        "together",
        "with",
        "council",
        "youth",
    ]
)
NAMES = st.sampled_from(["Leicester", "Riverside", "NHS", "Bramley", "Jade", "Salford"])
NUMBERS = st.integers(min_value=2, max_value=5000).map(str)
MONTHS = st.sampled_from(["March", "June", "October"])
LINKS = st.sampled_from(["www.bramley-food.org", "https://example.org/route"])
# Invented facts: made-up names of letters no source word holds, numbers, months, links.
ALIEN_NAMES = st.from_regex(r"Zq[a-z]{3,8}", fullmatch=True)
ALIEN_NUMBERS = st.integers(min_value=10_000, max_value=99_999).map(str)
ALIEN_MONTHS = st.sampled_from(["January", "February", "August", "December"])
ALIEN_LINKS = st.from_regex(r"https://zq[a-z]{3,8}\.net/[a-z]{1,5}", fullmatch=True)


@st.composite
def source_sentences(draw: st.DrawFn) -> list[str]:
    sentences = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(st.one_of(WORDS, NAMES, NUMBERS, MONTHS, LINKS), min_size=2))
        sentences.append(" ".join(words).capitalize() + ".")
    return sentences


@given(source_sentences(), st.randoms(use_true_random=False))
def test_a_rewrite_that_reorders_the_sources_always_passes(
    sources: list[str], random: object
) -> None:
    shuffled = list(sources)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    rewrite = check_rewrite(request(*sources), " ".join(shuffled))
    assert (rewrite.used, rewrite.flagged) == (True, ())


@given(
    source_sentences(),
    st.one_of(ALIEN_NAMES, ALIEN_NUMBERS, ALIEN_MONTHS, ALIEN_LINKS),
    st.data(),
)
def test_every_invented_fact_is_caught_wherever_it_is_put(
    sources: list[str], invented: str, data: st.DataObject
) -> None:
    output = list(sources)
    index = data.draw(st.integers(0, len(output) - 1))
    words = output[index].rstrip(".").split()
    at = data.draw(st.integers(0, len(words)))
    words.insert(at, invented)
    output[index] = " ".join(words) + "."
    rewrite = check_rewrite(request(*sources), " ".join(output))
    kept = rewrite.text if rewrite.used else ""
    assert invented.casefold() not in kept.casefold()
    assert len(rewrite.flagged) == 1
    assert invented in rewrite.flagged[0].text


@given(
    source_sentences(),
    st.lists(
        st.one_of(WORDS, NAMES, NUMBERS, ALIEN_NAMES, ALIEN_NUMBERS, ALIEN_MONTHS, ALIEN_LINKS),
        min_size=1,
    ),
)
def test_no_made_up_fact_survives_in_any_output(sources: list[str], tokens: list[str]) -> None:
    output = " ".join(tokens) + "."
    rewrite = check_rewrite(request(*sources), output)
    kept = rewrite.text.casefold() if rewrite.used else ""
    aliens = [
        t for t in tokens if t.startswith(("Zq", "https://zq")) or (len(t) == 5 and t.isdigit())
    ]
    aliens += [t for t in tokens if t in {"January", "February", "August", "December"}]
    assert [a for a in aliens if a.casefold() in kept] == []


# --- anonymity -------------------------------------------------------------------------------


def test_an_anonymous_contributor_is_never_named_to_the_model() -> None:
    withheld = withheld_terms(
        credit_choice="anonymous",
        contributor_names=["Sam Jones", "samj_leeds"],
        credit_name="Sammy",
        credit_org="Leeds Tenants Union",
        contact="sam@example.org or 07700 900123",
    )
    sentences = [
        ("I'm Sam Jones, Sam to friends, from Leeds Tenants Union.", ["who"]),
        ("Sammy ran the stall; find me at @samj_leeds or sam@example.org.", ["role"]),
        ("Ring 07700 900123 for the minutes. JONES typed in capitals.", ["helped"]),
    ]
    sent = str(prompt_messages(field_request("people_involved", "People", sentences, withheld)))
    for private in ("Sam", "Jones", "JONES", "samj_leeds", "Sammy", "example.org", "07700"):
        assert private.casefold() not in sent.casefold(), private
    assert "Leeds Tenants Union" not in sent
    assert CONTRIBUTOR in sent and ORGANISATION in sent and CONTACT in sent


def test_a_named_contributor_keeps_their_name_but_never_their_contact_details() -> None:
    withheld = withheld_terms(
        credit_choice="named",
        contributor_names=["Jade"],
        credit_org="Riverside Youth Hub",
        contact="jade@riverside.org",
    )
    text = anonymise("Jade from Riverside Youth Hub (jade@riverside.org, 0161 496 0000)", withheld)
    assert text == f"Jade from Riverside Youth Hub ({CONTACT}, {CONTACT})"


def test_an_organisation_credit_keeps_the_organisation_but_not_the_person() -> None:
    withheld = withheld_terms(
        credit_choice="organisation", contributor_names=["Jade Okoro"], credit_org="Riverside"
    )
    assert anonymise("Jade and Okoro from Riverside", withheld) == (
        f"{CONTRIBUTOR} and {CONTRIBUTOR} from Riverside"
    )


@given(
    st.from_regex(r"[A-Z][a-z]{1,9}( [A-Z][a-z]{1,9})?", fullmatch=True),
    st.lists(st.sampled_from(["we", "met", "at", "the", "hall", "and", "said", "hello"])),
    st.sampled_from(["{}", "{}'s", "({})", "{}.", "{},"]),
    st.sampled_from([str, str.upper, str.lower]),
)
def test_an_anonymous_name_never_leaves_in_any_case_or_position(
    name: str, words: list[str], shape: str, case: object
) -> None:
    written = case(name)  # type: ignore[operator]
    text = " ".join([*words, shape.format(written), *words])
    withheld = withheld_terms(credit_choice="anonymous", contributor_names=[name])
    cleaned = anonymise(text, withheld)
    assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", cleaned, re.IGNORECASE) is None


def test_a_rewrite_that_drops_a_sentence_without_facts_falls_back() -> None:
    source = request("The residents planned the garden.", "Everyone painted the fences together.")
    rewrite = check_rewrite(source, "The residents planned the garden.")
    assert rewrite.used is False
    assert (
        rewrite.fallback == "the rewrite left out most of “Everyone painted the fences together.”"
    )


def test_the_prompt_numbers_the_field_sentences_and_forbids_new_facts() -> None:
    system, user = prompt_messages(OUTCOMES)
    assert (
        system["role"] == "system"
        and "Add nothing that is not in the sentences" in (system["content"])
    )
    assert user == {
        "role": "user",
        "content": "Section: Outcomes\nSentences:\n"
        "1. Now about 40 young people a week drop in and the waiting list is shorter.\n"
        "2. In March 2021 the NHS trust agreed to fund it, see www.riverside-hub.org.",
    }
