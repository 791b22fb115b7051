"""Quality of drafts on varied interviews: the facts land in the right fields, every
sentence traces back to the answers, and nobody is named who did not want to be."""

from __future__ import annotations

import pytest

from conversations.drafting import FIELD_ORDER, build_draft, untraceable_sentences
from conversations.tidy import strip_emoji
from tests.drafting.fixture_data import Interview, all_interviews

INTERVIEWS = all_interviews()


def by_name(interview: Interview) -> str:
    return interview.name


def test_fixture_set_is_large_and_varied_enough() -> None:
    assert len(INTERVIEWS) >= 12
    assert {i.script.id for i in INTERVIEWS} >= {"full-story", "spotted"}


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_expected_facts_appear_in_their_fields(interview: Interview) -> None:
    draft = build_draft(
        interview.script, interview.answers, contributor_name=interview.contributor_name
    )
    missing = [
        (name, fact, draft.field(name).text)
        for name, facts in interview.expect.get("fields", {}).items()
        for fact in facts
        if fact.casefold() not in draft.field(name).text.casefold()
    ]
    assert missing == []


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_case_sensitive_facts_keep_their_case(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    missing = [
        (name, fact, draft.field(name).text)
        for name, facts in interview.expect.get("exact", {}).items()
        for fact in facts
        if fact not in draft.field(name).text
    ]
    assert missing == []


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_unwanted_words_stay_out_of_their_fields(interview: Interview) -> None:
    draft = build_draft(
        interview.script, interview.answers, contributor_name=interview.contributor_name
    )
    present = [
        (name, word)
        for name, words in interview.expect.get("absent", {}).items()
        for word in words
        if word.casefold() in draft.field(name).text.casefold()
    ]
    nowhere = [
        (name, word)
        for word in interview.expect.get("nowhere", ())
        for name, f in draft.fields.items()
        if word.casefold() in f.text.casefold()
    ]
    assert (present, nowhere) == ([], [])


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_expected_empty_fields_are_empty(interview: Interview) -> None:
    draft = build_draft(
        interview.script, interview.answers, contributor_name=interview.contributor_name
    )
    filled = {
        n: draft.field(n).text for n in interview.expect.get("empty", ()) if draft.field(n).text
    }
    assert filled == {}


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_every_sentence_traces_back_to_the_answers(interview: Interview) -> None:
    draft = build_draft(
        interview.script, interview.answers, contributor_name=interview.contributor_name
    )
    assert (
        untraceable_sentences(
            draft, interview.script, interview.answers, contributor_name=interview.contributor_name
        )
        == []
    )
    assert all(s.question_ids for _, s in draft.sentences())


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_cited_questions_are_recorded_on_the_field(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    uncited = [
        (name, qid)
        for name, qids in interview.expect.get("cited", {}).items()
        for qid in qids
        if qid not in {q for s in draft.field(name).sentences for q in s.question_ids}
    ]
    assert uncited == []


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_expected_lens_tags_are_suggested_and_negated_ones_are_not(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    keys = {s.key for s in draft.lens}
    expected = set(interview.expect.get("lens", ()))
    unwanted = set(interview.expect.get("not_lens", ()))
    assert (expected - keys, unwanted & keys) == (set(), set())


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_expected_gaps_are_suggested(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    fields = {g.field for g in draft.gaps}
    questions = " ".join(g.question for g in draft.gaps)
    assert set(interview.expect.get("gaps", ())) - fields == set()
    assert set(interview.expect.get("no_gaps", ())) & fields == set()
    assert [q for q in interview.expect.get("gap_questions", ()) if q not in questions] == []


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_credit_line_names_only_contributors_who_chose_a_name(interview: Interview) -> None:
    draft = build_draft(
        interview.script, interview.answers, contributor_name=interview.contributor_name
    )
    credit = interview.answers.get("credit")
    choice = credit.choices[0] if credit and credit.choices and not credit.skipped else "anonymous"
    names = [interview.contributor_name or ""]
    typed = interview.answers.get("credit_name")
    names.append(typed.text if typed else "")
    if choice != "named":
        assert [n for n in names if n and n in draft.credit_line] == []
    if choice == "anonymous":
        assert draft.credit_line == "Shared anonymously."


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_fields_come_in_the_agreed_order(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    assert tuple(draft.fields) == FIELD_ORDER


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_title_is_short_and_free_of_emoji(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    assert (len(draft.title) <= 80, strip_emoji(draft.title)) == (True, draft.title)


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_links_are_collected(interview: Interview) -> None:
    draft = build_draft(interview.script, interview.answers)
    assert [u for u in interview.expect.get("links", ()) if u not in draft.links] == []


@pytest.mark.parametrize("interview", INTERVIEWS, ids=by_name)
def test_drafting_is_deterministic_and_round_trips_through_json(interview: Interview) -> None:
    first = build_draft(interview.script, interview.answers, reference="EX-1")
    second = build_draft(interview.script, interview.answers, reference="EX-1")
    assert first == second
    assert type(first).from_json(first.to_json()) == first
