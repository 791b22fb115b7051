"""The co-production lens: rules from YAML, negation, the ``together`` mapping, extension."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.lens import (
    EVIDENCE_MAX_CHARS,
    LensError,
    LensSuggestion,
    evidence_span,
    load_lens,
    parse_lens,
    phrase_regex,
    suggest_tags,
)
from conversations.model import Answer
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]


def keys(text: str, question: str = "") -> set[str]:
    return {m.key for m in load_lens().match(text, question)}


def test_builtin_lens_covers_the_three_frameworks() -> None:
    lens = load_lens()
    by_framework: dict[str, set[str]] = {}
    for rule in lens.rules:
        by_framework.setdefault(rule.framework, set()).add(rule.tag)
    assert by_framework == {
        "nef": {"assets", "capacity", "mutuality", "networks", "blurring_of_roles", "catalysts"},
        "stages": {"co_commissioning", "co_design", "co_decision", "co_delivery", "co_evaluation"},
        "nsce": {
            "inclusion",
            "support",
            "planning",
            "working_together",
            "methods",
            "communication",
            "impact",
        },
    }


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("we all voted on it", "stages/co_decision", None),
        ("we didn't really have a say", None, "stages/co_decision"),
        ("we didn't vote, the manager decided", None, "stages/co_decision"),
        ("we never vote", None, "stages/co_decision"),
        ("it wasn't planned, but we voted anyway", "stages/co_decision", None),
        ("people co-designed the service", "stages/co_design", None),
        ("we reached out to the travellers", "nsce/inclusion", None),
        # an accommodation alone is support under the labelling guide, not inclusion
        ("we had an interpreter", None, "nsce/inclusion"),
        ("not much has changed", None, "nsce/impact"),
        ("they voted-ish", None, None),
        ("we didnt vote on it", None, "stages/co_decision"),
        ("the residents picked the artist", "stages/co_decision", None),
        ("the residents never picked anything, the council did", None, "stages/co_decision"),
        ("the council decided everything", None, "stages/co_decision"),
        ("I wish we had a say in how the centre is run", None, "stages/co_decision"),
        ("we had a say in how the centre is run", "stages/co_decision", None),
    ],
)
def test_match_respects_words_and_negation(
    text: str, present: str | None, absent: str | None
) -> None:
    found = keys(text)
    assert (present is None or present in found, absent is None or absent not in found) == (
        True,
        True,
    )


def test_whole_words_only() -> None:
    assert "stages/co_decision" not in keys("the devote of the parish")


def test_question_scoped_phrases_count_only_in_that_answer() -> None:
    assert ("nef/assets" in keys("time", "brought"), "nef/assets" in keys("time", "hard")) == (
        True,
        False,
    )


def test_together_choices_suggest_stages_with_the_option_label_as_evidence() -> None:
    answers = {"together": Answer("together", choices=("design", "resources"))}
    assert suggest_tags(load_lens(), FULL, answers) == (
        LensSuggestion("stages", "co_design", "Co-design", "Designing it", "together"),
        LensSuggestion(
            "stages",
            "co_decision",
            "Co-decision",
            "Deciding where money or resources go",
            "together",
        ),
    )


def test_suggestions_are_one_per_tag_with_typed_words_preferred() -> None:
    answers = {
        "project": Answer("project", text="We voted on everything. We voted again later."),
        "decision": Answer("decision", text="We voted on the opening times."),
        "together": Answer("together", choices=("resources",)),
    }
    decisions = [s for s in suggest_tags(load_lens(), FULL, answers) if s.tag == "co_decision"]
    assert decisions == [
        LensSuggestion(
            "stages", "co_decision", "Co-decision", "We voted on the opening times.", "decision"
        )
    ]


def test_evidence_is_verbatim_from_the_answer() -> None:
    raw = "um so like   the residents VOTED on it , honestly. Then tea."
    answers = {"decision": Answer("decision", text=raw)}
    suggestions = suggest_tags(load_lens(), FULL, answers)
    assert [s.evidence for s in suggestions if s.tag == "co_decision"] == [
        "um so like   the residents VOTED on it , honestly."
    ]
    assert all(s.evidence in raw for s in suggestions)


def test_staff_file_extends_known_tags_and_adds_new_ones(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "tags:\n"
        "  - id: stages/co_decision\n"
        "    en: {phrases: [show of hands]}\n"
        "  - id: local/food\n"
        "    label: Food\n"
        "    en: {phrases: [soup]}\n",
        encoding="utf-8",
    )
    lens = load_lens().extend(load_lens(extra))
    found = {m.key for m in lens.match("a show of hands over soup")}
    assert found >= {"stages/co_decision", "local/food"}
    rule = lens.rule("stages/co_decision")
    assert rule is not None and rule.label == "Co-decision"


def test_invalid_lens_file_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "colour: blue\n"
        "together: {design: stages/nope}\n"
        "tags:\n"
        "  - id: no-slash\n"
        "  - id: nef/assets\n"
        "    en: {phrases: [ok], patterns: ['(unclosed']}\n"
        "  - id: nef/assets\n"
        "    fr: {words: [x]}\n",
        encoding="utf-8",
    )
    with pytest.raises(LensError) as caught:
        load_lens(bad)
    text = str(caught.value)
    assert [
        part in text
        for part in ("unknown key 'colour'", "framework/tag", "not a valid regex", "listed twice")
    ] == [True, True, True, True]
    assert "unknown tag 'stages/nope'" in text
    assert "unknown key 'words'" in text


def test_missing_lens_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LensError, match="cannot be read"):
        load_lens(tmp_path / "nowhere.yaml")


def test_lens_suggestion_round_trips_through_json() -> None:
    s = LensSuggestion("nef", "assets", "Assets", "skills", "brought", "confirmed")
    assert LensSuggestion.from_json(s.to_json()) == s


# Labelled development snippets (bench/data/lens_labelled.yaml): what a careful reader tags.
@pytest.mark.parametrize(
    ("question", "text", "present", "absent"),
    [
        # who did it with whom: tenants with the housing staff, a leaflet as the product
        (
            "project",
            "basically me and a few other tenants sat down with the housing lot and drew up "
            "the new repairs leaflet, took about 3 meetings",
            {"stages/co_design"},
            {"nsce/communication"},
        ),
        # people who used the service now deliver it
        (
            "role",
            "im a peer mentor, used to use the service myself and now im on the other side "
            "helping deliver it",
            {"nef/blurring_of_roles", "stages/co_delivery"},
            set(),
        ),
        # a plan mentioned is not planning; the community in before the plan is commissioning
        (
            "tip",
            "get the community in from day one, before theres even a plan, so they shape what "
            "its for",
            {"stages/co_commissioning"},
            {"nsce/planning"},
        ),
        (
            "changed",
            "not sure anything changed really, the plans got shelved when the funding went",
            set(),
            {"nsce/planning"},
        ),
        # food and vouchers in what people got back are a reward, not support to take part
        (
            "got_back",
            "Free lunch every time and a £15 Love2Shop voucher. Few of us did the level 2 food "
            "hygiene too which was nice",
            {"nef/mutuality", "nef/capacity"},
            {"nsce/support"},
        ),
        (
            "helped",
            "We ran it at half 3 so parents could come straight from the school run, and had a "
            "creche",
            {"nsce/inclusion", "nsce/support"},
            {"stages/co_delivery"},
        ),
        (
            "helped",
            "we paid travel expenses on the day in cash, people cant wait 6 weeks for a cheque",
            {"nsce/support"},
            {"nef/mutuality"},
        ),
        # telling everyone what happened, and why
        (
            "heard_back",
            "the coordinator rang round everyone after the panel to say what got funded and why",
            {"nsce/communication"},
            {"stages/co_commissioning"},
        ),
        (
            "origin",
            "A few of us were sick of the fly tipping so we started a facebook group and it grew "
            "from there",
            {"nef/catalysts"},
            {"nsce/communication"},
        ),
        (
            "helped",
            "Holding it in the mosque hall on a Saturday made a massive difference for the dads.",
            {"nsce/support", "nsce/inclusion"},
            {"nsce/impact"},
        ),
        (
            "who",
            "Residents assoc, the food bank, Age UK, couple of local councillors and the "
            "housing officer. We all sit round the same table every month",
            {"nef/networks"},
            {"nsce/support"},
        ),
        # a negation right after the words: "we decided nothing"
        (
            "decision",
            "we decided nothing, it was all decided before we got there",
            set(),
            {"stages/co_decision"},
        ),
        # designed by staff alone is not co-design
        (
            "project",
            "Not co-production at all really, staff designed it and we got asked to like it on "
            "facebook",
            set(),
            {"stages/co_design", "nsce/communication"},
        ),
        # possessives still match: the council's housing team
        (
            "project",
            "Trabajamos juntos, the Latin American women's group and the council's housing "
            "team, on a guide to tenants' rights in Spanish and Portuguese",
            {"nsce/working_together", "nsce/inclusion"},
            set(),
        ),
        (
            "changed",
            "Waiting times for the memory clinic dropped from 14 weeks to 6",
            {"nsce/impact"},
            set(),
        ),
        (
            "together",
            "design and delivery mostly, and a bit of the evaluation at the end",
            {"stages/co_design", "stages/co_delivery", "stages/co_evaluation"},
            set(),
        ),
        (
            "heard_back",
            "There was a celebration event where the young people presented what had changed "
            "because of them",
            {"nsce/communication"},
            {"nsce/impact", "nef/mutuality"},
        ),
        # residents on the board; a service the NHS funds but people run
        (
            "changed",
            "Loads, the young people now sit on the youth services board and get a vote",
            {"nef/blurring_of_roles", "nsce/impact"},
            set(),
        ),
        (
            "project",
            "Mental health peer support group that the NHS funds but we run, no clinicians in "
            "the room unless we invite them",
            {"stages/co_delivery"},
            set(),
        ),
        # "learning disabilities" is not learning
        (
            "project",
            "The hospital redid their outpatients letters after patients with learning "
            "disabilities went through every one with them and marked what made no sense",
            {"stages/co_design", "nsce/inclusion"},
            {"nef/capacity"},
        ),
        # residents and an officer doing it up, then taking turns to open it
        (
            "project",
            "we turned the empty shop on the parade into a community hub, a group of us and "
            "the housing officer did it up and now we take turns opening it",
            {"stages/co_delivery"},
            set(),
        ),
        (
            "tip",
            "check back with people on whether it's working, every few months",
            {"stages/co_evaluation"},
            set(),
        ),
        # answers about a hard time are not evidence of strengths or of telling people back
        (
            "hard",
            "Trust. After years of being let down, people didn't believe anything would happen",
            set(),
            {"nef/assets"},
        ),
        # "apart from" undoes what follows it
        (
            "together",
            "pretty much everything apart from the budget, that stayed with the council",
            set(),
            {"stages/co_decision", "nsce/working_together"},
        ),
        # staff working with a residents' group
        (
            "role",
            "I'm the commissioner, I wrote the spec with the parents forum and then sat back",
            {"stages/co_commissioning"},
            set(),
        ),
        (
            "tip",
            "Agree up front what people can actually change and what's already fixed",
            {"nsce/planning"},
            set(),
        ),
        (
            "source",
            "heard it at a conference, a Scottish council where the tenants help set the rent "
            "levels every year",
            {"stages/co_decision"},
            set(),
        ),
    ],
)
def test_labelled_snippets(question: str, text: str, present: set[str], absent: set[str]) -> None:
    found = keys(text, question)
    assert (present - found, absent & found) == (set(), set())


@pytest.mark.parametrize(
    ("text", "decided"),
    [
        ("in the end we walked round with everyone and decided on the day", True),
        ("we argued for weeks but the council decided", False),
        ("we sat in every meeting and the officers decided", False),
        ("the residents set the budget for the summer", True),
    ],
)
def test_who_decided_reaches_across_a_clause_but_not_past_someone_else(
    text: str, decided: bool
) -> None:
    assert ("stages/co_decision" in keys(text, "decision")) is decided


def test_another_language_is_inclusion() -> None:
    assert [
        "nsce/inclusion" in keys(text, "helped")
        for text in ("we had it in Urdu and English", "Somali speakers came", "in English only")
    ] == [True, True, False]


def _toy_lens(not_in: list[str]) -> dict[str, object]:
    return {
        "tags": [
            {
                "id": "t/food",
                "en": {
                    "phrases": ["food", "lunch"],
                    "patterns": [r"\bcook(?:ed|ing)? for\b"],
                    "in_answers_to": {"got_back": ["soup"]},
                    "not_in_answers_to": not_in,
                },
            }
        ]
    }


def test_not_in_answers_to_silences_general_words_but_keeps_the_questions_own() -> None:
    lens = parse_lens(_toy_lens(["got_back"]), "toy")
    found = [
        bool(lens.match(text, question))
        for text, question in (
            ("free food", "helped"),
            ("free food", "got_back"),
            ("we cooked for them", "got_back"),
            ("hot soup", "got_back"),
        )
    ]
    assert found == [True, False, False, True]


def test_not_in_answers_to_is_validated_and_merged_by_extend() -> None:
    with pytest.raises(LensError, match="not_in_answers_to: must be a list"):
        parse_lens(_toy_lens("got_back"), "bad")  # type: ignore[arg-type]
    base = parse_lens(_toy_lens([]), "base")
    wider = base.extend(parse_lens(_toy_lens(["helped"]), "extra"))
    assert (bool(base.match("food", "helped")), bool(wider.match("food", "helped"))) == (
        True,
        False,
    )


WORDS = st.sampled_from(
    ["food", "lunch", "soup", "we", "cooked", "for", "them", "not", "free", "hot", ",", "."]
)


@given(st.lists(WORDS, max_size=12), st.sampled_from(["helped", "got_back", "tip"]))
def test_not_in_answers_to_leaves_only_the_questions_own_words(
    words: list[str], question: str
) -> None:
    text = " ".join(words)
    plain = parse_lens(_toy_lens([]), "plain")
    narrowed = parse_lens(_toy_lens(["got_back", "tip"]), "narrowed")
    own_only = _toy_lens([])
    own_only["tags"][0]["en"].update(phrases=[], patterns=[])  # type: ignore[index]
    scoped = parse_lens(own_only, "scoped")
    expected = plain if question == "helped" else scoped
    assert {m.key for m in narrowed.match(text, question)} == {
        m.key for m in expected.match(text, question)
    }


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("council", "the council's housing team", True),
        ("residents", "the residents' panel", True),
        ("don", "we don't", False),
        ("vote*", "they voted", True),
        ("vote", "devote", False),
    ],
)
def test_phrase_regex_takes_possessives_but_not_other_words(
    phrase: str, text: str, found: bool
) -> None:
    assert bool(re.search(phrase_regex(phrase), text, re.IGNORECASE)) is found


def test_negation_after_a_match_is_configurable_and_merged() -> None:
    data: dict[str, object] = {
        "negation": {"en": {"words": ["not"], "after": ["nothing"]}},
        "tags": [{"id": "t/decide", "en": {"phrases": ["we decided"]}}],
    }
    lens = parse_lens(data, "toy")
    assert [bool(lens.match(t)) for t in ("we decided nothing", "we decided it all")] == [
        False,
        True,
    ]
    extra = parse_lens({"negation": {"en": {"after": ["zilch"]}}}, "extra")
    assert not lens.extend(extra).match("we decided zilch")


def test_evidence_from_a_long_last_sentence_ends_at_the_text_end() -> None:
    """A long unpunctuated answer whose match is near its end (a voice note typed out)
    gives a readable, verbatim cut instead of failing the whole draft."""
    text = "so basically " + "we talked for ages about it and " * 12 + "we voted on it together"
    start = text.index("voted")
    span = evidence_span(text, start, start + len("voted"))
    assert "voted" in span
    assert text.endswith(span)
    assert len(span) <= EVIDENCE_MAX_CHARS


@given(st.text(alphabet="ab .", min_size=1, max_size=600), st.data())
def test_evidence_span_is_always_a_verbatim_piece_of_the_answer(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=len(text)))
    span = evidence_span(text, start, end)
    assert span in text


def test_negation_is_read_just_before_a_match_however_long_the_answer_before_it() -> None:
    padding = "we met in the hall on tuesdays and the tea was good " * 60  # about 3,000 chars
    assert "stages/co_decision" not in keys(padding + "but residents never had a say")
    assert "stages/co_decision" in keys(padding + "and residents had a say in it all")


@pytest.mark.parametrize(
    ("question", "text", "shared"),
    [
        (
            "project",
            "a few of us regulars and the two librarians took it on between us, we do the "
            "opening hours and they do the book ordering",
            True,
        ),
        ("role", "co-chair with the head of service, we split the agenda", True),
        ("final_say", "any decision needs a yes from both the parents group and the school", True),
        (
            "decision",
            "the panel was 8 residents and 2 officers and their votes counted the same",
            True,
        ),
        (
            "project",
            "patients and nurses redid the discharge leaflet together round a table",
            False,
        ),
        (
            "decision",
            "we walked the paths with the parks officer and marked where the benches go",
            False,
        ),
        ("changed", "the residents and staff checked the figures together every quarter", False),
    ],
)
def test_working_together_is_roles_and_power_shared_not_doing_something_together(
    question: str, text: str, shared: bool
) -> None:
    """As the labelling guide reads the description: a split of who does what, a shared
    chair, a say that needs both sides; designing or checking something together is
    co-design or co-evaluation, not this."""
    assert ("nsce/working_together" in keys(text, question)) is shared
