"""Where sentences go and what the title, entities and tidying make of them: the cases a
new user of the first drafter saw go wrong."""

from __future__ import annotations

import pytest

from conversations.drafting import DraftRecord, build_draft
from conversations.model import Answer
from conversations.render import draft_to_markdown, draft_to_telegram_html, provenance_lines
from conversations.script import builtin_scripts
from conversations.tidy import Change

FULL = builtin_scripts()["full-story"]
SPOTTED = builtin_scripts()["spotted"]


def texts(**given: str) -> dict[str, Answer]:
    return {qid: Answer(qid, text=text) for qid, text in given.items()}


def test_feedback_we_got_back_is_not_what_people_got_back() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="A carers' cafe. The feedback we got back was mixed.",
            hard="the feedback we got back was mixed, some felt it was too far",
        ),
    )
    assert draft.field("what_people_got_back").text == ""
    assert draft.field("challenges").text == (
        "The feedback we got back was mixed, some felt it was too far."
    )


def test_what_a_sentence_says_beats_the_question_it_answered() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "A pantry on the estate. The residents decided the opening hours by a vote. "
                "It was hard to find volunteers. My advice is ask people first."
            ),
            tip="my advice is give them the final say on something real",
        ),
    )
    assert (
        draft.field("power_sharing").text,
        draft.field("challenges").text,
        draft.field("tips").text,
    ) == (
        "The residents decided the opening hours by a vote.",
        "It was hard to find volunteers.",
        "My advice is ask people first. My advice is give them the final say on something real.",
    )


def test_a_promise_of_pictures_is_not_a_link() -> None:
    draft = build_draft(FULL, texts(project="A garden", media="Ill send pics later"))
    assert (draft.links, draft.field("links_and_media").text) == ((), "")
    assert draft.field("other_notes").text == "Ill send pics later."
    assert "https://Ill" not in draft_to_markdown(draft)


def test_a_draft_stored_with_a_non_link_among_links_renders_it_as_text() -> None:
    stored = build_draft(FULL, texts(project="A garden")).to_json()
    stored["fields"] = [
        f
        if f["name"] != "links_and_media"
        else {**f, "text": "Ill send pics later", "sentences": [{"text": "Ill send pics later"}]}
        for f in stored["fields"]
    ]
    draft = DraftRecord.from_json(stored)
    html = "".join(draft_to_telegram_html(draft))
    assert ("<a href" in html, "- Ill send pics later" in draft_to_markdown(draft)) == (
        False,
        True,
    )


def test_organisations_written_in_capitals_are_listed() -> None:
    draft = build_draft(
        SPOTTED,
        texts(
            project=(
                "tenants redesigned the bus route with ARRIVA and LEICESTER CITY COUNCIL. "
                "the council listened in the end"
            )
        ),
    )
    assert draft.field("organisations").text == "ARRIVA; LEICESTER CITY COUNCIL"


def test_a_lowercase_name_keeps_its_lowercase_even_opening_a_sentence() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="games night w/ ppl from ng homes",
            who="ng homes and the youth workers",
        ),
    )
    assert ("Ng homes" in str(draft.to_json()), draft.field("organisations").text) == (
        False,
        "ng homes",
    )
    assert draft.field("people_involved").text == "ng homes and the youth workers."


@pytest.mark.parametrize(
    ("project", "title"),
    [
        ("Halò! This is Ceòl Còmhla, a music group in Stornoway.", "Ceòl Còmhla"),
        (
            "Not mine, just something I came across. tenants redesigned the bus route",
            "Tenants redesigned the bus route, Leicester",
        ),
        ("youth thing in north glasgow called Re-Connect, me n my pals run it", "Re-Connect"),
        ("We run a repair cafe we called “Fix It Friday” in the church hall", "Fix It Friday"),
        (
            "Right so this was the Hillside one, re-designing support for unpaid carers",
            "Re-designing support for unpaid carers, Leicester",
        ),
        (
            "ok so its a youth-led mental health drop in",
            "Youth-led mental health drop in, Leicester",
        ),
    ],
)
def test_titles_are_the_projects_name_or_a_short_description(project: str, title: str) -> None:
    draft = build_draft(SPOTTED, texts(project=project, place_when="Leicester"))
    assert draft.title == title


@pytest.mark.parametrize(
    "project", ["Halò!", "Not mine, just something I came across.", "Hiya! 👋"]
)
def test_a_greeting_or_an_aside_is_never_a_title(project: str) -> None:
    alone = build_draft(SPOTTED, texts(project=project))
    assert (alone.title, draft_to_markdown(alone).splitlines()[0]) == ("", "# Untitled draft")
    draft = build_draft(SPOTTED, texts(project=project, place_when="Leicester"))
    assert draft.title == "Leicester"  # where it was is all the draft can say
    assert draft.field("other_notes").text == project


def test_a_name_repeated_across_answers_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a befriending scheme, Carers Voice runs it with the council",
            changed="Carers Voice now meets every month",
        ),
    )
    assert draft.title == "Carers Voice"


def test_a_long_description_title_is_cut_between_words_without_an_ellipsis() -> None:
    project = (
        "residents of the three tower blocks on the old gasworks site designed and now run "
        "their own community energy cooperative"
    )
    title = build_draft(SPOTTED, texts(project=project)).title
    assert (len(title) <= 70, "…" in title, project.casefold().startswith(title.casefold())) == (
        True,
        False,
        True,
    )
    assert title.split()[-1] not in {"the", "and", "of", "on"}


def test_text_speak_is_expanded_and_each_change_is_one_tap_away() -> None:
    draft = build_draft(FULL, texts(changed="ppl talk more n kids come w/ their parents + gran"))
    outcomes = draft.field("outcomes")
    assert outcomes.text == "People talk more and kids come with their parents and gran."
    assert outcomes.sentences[0].changes == (
        Change("ppl", "people"),
        Change("n", "and"),
        Change("w/", "with"),
        Change("+", "and"),
    )
    assert ("Outcomes", "Tidied: ppl → people; n → and; w/ → with; + → and") in provenance_lines(
        draft
    )


def test_the_interview_language_is_kept_and_shown_when_not_english() -> None:
    given = texts(project="Mae Trwsio Tywyn yn gaffi trwsio misol i'r gymuned")
    welsh = build_draft(FULL, given, language="cy")
    english = build_draft(FULL, given)
    assert (welsh.to_json()["language"], DraftRecord.from_json(welsh.to_json()).language) == (
        "cy",
        "cy",
    )
    assert "Interview language: Welsh (cy)" in draft_to_markdown(welsh)
    assert "Interview language: Welsh (cy)" in "".join(draft_to_telegram_html(welsh))
    assert "Interview language" not in draft_to_markdown(english)


def test_a_polish_interview_gets_no_english_fixes() -> None:
    given = texts(
        project="Mieszkańcy i sąsiedzi n ppl zbudowali ogród w Łodzi",
        who="sąsiedzi i Fundacja Sąsiedzka",
    )
    draft = build_draft(FULL, given, language="pl")
    assert draft.summary.startswith("Mieszkańcy i sąsiedzi n ppl zbudowali ogród w Łodzi.")
    assert draft.field("people_involved").text == "Sąsiedzi i Fundacja Sąsiedzka."
    assert [s.changes for _, s in draft.sentences() if s.changes] == []


def test_a_draft_stored_by_the_previous_drafter_loads() -> None:
    stored = {
        "format": 1,
        "script_id": "full-story",
        "script_version": 1,
        "reference": "CP-1",
        "language": "en",
        "fields": [
            {
                "name": "outcomes",
                "text": "More trees.",
                "sources": [{"question_id": "changed", "excerpt": "more trees"}],
                "suggested_update": None,
                "sentences": [{"text": "More trees.", "question_ids": ["changed"], "template": ""}],
                "suggested_sentences": [],
                "generated_text": "More trees.",
            }
        ],
        "lens": [],
        "gaps": [],
        "media": [],
        "links": [],
    }
    draft = DraftRecord.from_json(stored)
    assert (draft.field("outcomes").sentences[0].refs, draft.entities.organisations) == ((), ())
    assert DraftRecord.from_json(draft.to_json()) == draft


def test_entities_are_found_across_all_answers_as_written() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a £30k budget spent by 40 young people with the NHS trust",
            place_when="possilpark, north glasgow, since jan 2023",
            changed="after the summer of 2024 we had 12 more volunteers",
        ),
    )
    assert draft.entities.places == ("possilpark", "north glasgow")
    assert draft.entities.dates == ("since jan 2023", "summer of 2024")
    assert draft.entities.numbers == ("£30k budget", "40 young", "12 more")
    assert "NHS trust" in draft.entities.organisations
