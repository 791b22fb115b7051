"""The learned name scorer: it names a project the rules cannot, it never names a person, a
partner, a venue or a body, it sets aside a rule's name it finds impossible, and every phrase
it weighs is one the contributor typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conversations.drafting_headline as headline_module
from conversations.drafting import build_draft, draft_headline
from conversations.drafting_headline import _hashtag_words
from conversations.drafting_names import (
    MODEL_PATH,
    NameModel,
    candidates,
    load_name_model,
    name_key,
)
from conversations.drafting_placement import Unit
from conversations.model import Answer, Script
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]
SPOTTED = builtin_scripts()["spotted"]


def texts(**given: str) -> dict[str, Answer]:
    return {qid: Answer(qid, text=text) for qid, text in given.items()}


def test_the_shipped_scorer_loads_and_reads_its_thresholds() -> None:
    model = load_name_model()
    assert model is not None and MODEL_PATH.exists()
    assert 0.0 < model.rule_veto < model.threshold < 1.0
    assert len(model.weights) > 1000


def test_a_name_given_only_as_the_credited_group_beside_its_venue_is_the_title() -> None:
    answers = texts(
        project="a knit and natter for new mums at the library, we take turns running it",
        credit_org="Purl Together, Hartlepool Library",
    )
    assert build_draft(FULL, answers).title == "Purl Together"


def test_without_the_scorer_the_rules_alone_still_write_a_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(headline_module, "load_name_model", lambda: None)
    named = build_draft(FULL, texts(project="we called it the Long Table, a supper club"))
    described = build_draft(
        FULL,
        texts(
            project="a knit and natter for new mums at the library",
            credit_org="Purl Together, Hartlepool Library",
        ),
    )
    assert named.title == "Long Table"
    assert described.title.startswith("Knit and natter for new mums")


def test_a_rule_name_the_scorer_finds_impossible_gives_way_to_a_description(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = texts(project="we called it English Corner, a conversation class for new arrivals")
    assert build_draft(FULL, answers).title == "English Corner"
    doubting = NameModel({"W:english": -30.0}, -5.0, 0.5, rule_veto=0.005)
    monkeypatch.setattr(headline_module, "load_name_model", lambda: doubting)
    title = build_draft(FULL, answers).title
    assert title != "English Corner"
    assert len(title.split()) >= 3  # the project described, not named


@pytest.mark.parametrize(
    ("script", "answers", "never"),
    [
        (
            FULL,
            {"project": "Mrs Patel runs it with parents, a homework club in the mosque hall"},
            "Mrs Patel",
        ),
        (
            FULL,
            {"project": "We worked with Groundwork and the council to fix up the canal path"},
            "Groundwork",
        ),
        (
            FULL,
            {
                "project": "tenants and the housing officers share the chairing of the meetings",
                "who": "Wheatley Group, tenants, the council",
            },
            "Wheatley Group",
        ),
        (
            SPOTTED,
            {
                "project": "residents in a tower block in Salford picked the new lifts",
                "source": "read it in the Manchester Evening News",
            },
            "Manchester Evening News",
        ),
        (
            FULL,
            {"project": "Youth-led bike repair sessions at Riverside Hub on fridays"},
            "Riverside Hub",
        ),
        (
            FULL,
            {
                "project": "wheelchair users checking the new bus stops before they open",
                "credit_org": "Kerb Appeal (a disability charity, Hull)",
            },
            "Kerb Appeal",
        ),
    ],
)
def test_the_scorer_never_titles_a_person_a_partner_a_venue_or_a_body(
    script: Script, answers: dict[str, str], never: str
) -> None:
    draft = build_draft(script, texts(**answers))
    assert draft.title.casefold() != never.casefold()
    assert len(draft.title.split()) >= 3  # described instead


def test_a_hashtag_keeps_a_postcode_district_whole() -> None:
    assert _hashtag_words("StreetsAheadE17") == ["Streets", "Ahead", "E17"]
    assert _hashtag_words("Route66Riders") == ["Route", "66", "Riders"]


def test_a_model_written_out_scores_the_same_read_back(tmp_path: Path) -> None:
    model = NameModel({"kind:cap": 1.25, "L1:called": 2.5, "W:council": -3.0}, -2.0, 0.5, 0.005)
    path = tmp_path / "names.json"
    path.write_text(model.to_json(), encoding="utf-8")
    read = load_name_model.__wrapped__(path)
    assert read == model
    features = {"kind:cap": 1.0, "L1:called": 1.0}
    assert read is not None and read.probability(features) == pytest.approx(0.8519528)


def test_the_phrases_weighed_include_the_name_and_what_could_be_mistaken_for_it() -> None:
    headline = draft_headline(
        FULL,
        texts(
            project="tenants and the council redesigned the play park in Hyde",
            tip="the kids named it Swing Low, after the song",
        ),
    )
    found = headline.name_candidates()
    assert {"swing low", "hyde"} <= set(found)
    assert found["swing low"].features.get("L1:it") == 1.0
    assert found["swing low"].features.get("home:tip") == 1.0


_words = st.text(
    alphabet=st.sampled_from(list("abcdeABCDE '’\"‘“”#@&.,-()!?0123456789ŁłÔô")),
    min_size=0,
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_words, min_size=1, max_size=4), _words)
def test_every_phrase_weighed_is_one_the_contributor_typed(answers: list[str], credit: str) -> None:
    headline = draft_headline(FULL, texts(project="a supper club in Leith"))
    units = [
        Unit(text, ("project",), (f"project:{i}",), (), "project", i)
        for i, text in enumerate(answers)
    ]
    found = candidates(units, credit, headline.name_words)
    model = load_name_model()
    for key, candidate in found.items():
        assert key and key == name_key(candidate.text)
        assert any(candidate.text in source for source in [*answers, credit])
        if model is not None:
            assert 0.0 <= model.probability(candidate.features) <= 1.0


def test_a_rule_name_the_scorer_doubts_gives_way_to_one_it_is_sure_of(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = texts(
        project=(
            "we called it Supper Nights, a supper club for lonely farmers. "
            "everyone says Tafarn Fach"
        )
    )
    assert build_draft(FULL, answers).title == "Supper Nights"
    sure = NameModel(
        {"W:tafarn": 15.0, "W:fach": 1.0}, -5.0, 0.5, rule_veto=0.001, override=0.7, doubt=0.1
    )
    monkeypatch.setattr(headline_module, "load_name_model", lambda: sure)
    assert build_draft(FULL, answers).title == "Tafarn Fach"
    unsure = NameModel(
        {"W:tafarn": 15.0, "W:fach": 1.0}, -5.0, 0.5, rule_veto=0.001, override=0.7, doubt=0.0
    )
    monkeypatch.setattr(headline_module, "load_name_model", lambda: unsure)
    assert build_draft(FULL, answers).title == "Supper Nights"
