"""Drafting: where sentences go, how they are traced, and how regeneration keeps staff edits."""

from __future__ import annotations

from dataclasses import replace

import hypothesis
import pytest
from hypothesis import strategies as st

from conversations.drafting import (
    DraftField,
    DraftRecord,
    DraftSentence,
    build_draft,
    merge_regenerated,
    organisation_names,
    untraceable_sentences,
)
from conversations.lens import LensSuggestion
from conversations.model import Answer, MediaRef
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]
SPOTTED = builtin_scripts()["spotted"]


def texts(**given: str) -> dict[str, Answer]:
    return {qid: Answer(qid, text=text) for qid, text in given.items()}


def field_qids(draft: DraftRecord, name: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.text, s.question_ids) for s in draft.field(name).sentences]


def test_summary_is_the_projects_own_sentences_then_where_when_and_who_together() -> None:
    given = texts(
        project="A tool library. Run by neighbours.",
        place_when="Hove, 2021. Still going.",
        who="neighbours and the Hove Tool Trust",
        decision="we chose the tools together at a meeting. It took ages.",
    )
    given["together"] = Answer("together", choices=("design", "delivery"))
    draft = build_draft(FULL, given)
    assert field_qids(draft, "summary") == [
        ("A tool library.", ("project",)),
        ("Run by neighbours.", ("project",)),
        ("It took place in Hove, 2021.", ("place_when",)),
        (
            "Neighbours and the Hove Tool Trust took part, working together on designing it "
            "and running it.",
            ("who", "together"),
        ),
    ]
    # The where-and-when sentence is composed, so the answer's own sentence stays in Place.
    assert draft.field("place").text == "Hove, 2021. Still going."


def test_summary_falls_back_to_the_ticked_together_options_without_people() -> None:
    given = texts(project="A tool library")
    given["together"] = Answer("together", choices=("design", "delivery"))
    draft = build_draft(FULL, given)
    assert field_qids(draft, "summary")[-1] == (
        "People worked together on designing it and running it.",
        ("together",),
    )


def test_rambling_project_sentences_are_routed_to_their_fields() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "a pantry on the estate. the residents decided the opening hours by a vote. "
                "it was hard to find volunteers. now 60 families use it weekly. "
                "my advice is ask people first. it started when the food bank closed."
            )
        ),
    )
    assert {
        name: [t for t, _ in field_qids(draft, name)]
        for name in ("power_sharing", "challenges", "outcomes", "tips", "how_it_started")
    } == {
        "power_sharing": ["The residents decided the opening hours by a vote."],
        "challenges": ["It was hard to find volunteers."],
        "outcomes": ["Now 60 families use it weekly."],
        "tips": ["My advice is ask people first."],
        "how_it_started": ["It started when the food bank closed."],
    }
    assert draft.field("other_notes").text == ""


def test_unrouted_extra_project_sentences_are_kept_in_other_notes() -> None:
    draft = build_draft(
        FULL, texts(project="A choir. For carers. Meets on Mondays. Sings at the hospital.")
    )
    assert draft.summary == "A choir. For carers."
    assert draft.field("other_notes").text == "Meets on Mondays. Sings at the hospital."


def test_final_say_short_answer_uses_the_recorded_template() -> None:
    draft = build_draft(FULL, texts(final_say="the residents' panel"))
    assert draft.field("power_sharing").sentences == (
        DraftSentence(
            "Final say: the residents' panel.", ("final_say",), "final_say", ("final_say#0",)
        ),
    )


def test_stage_and_dates() -> None:
    given = texts(place_when="Hull, since March 2022. Started in the spring of 2021")
    given["stage"] = Answer("stage", choices=("finished",))
    draft = build_draft(FULL, given)
    assert (draft.field("place").text, draft.field("dates_and_stage").text) == (
        "Hull, since March 2022.",
        "Started in the spring of 2021. Stage: Finished.",
    )


def test_contact_details_never_enter_the_draft() -> None:
    given = texts(
        project="A garden, email me on jo@example.org",
        contact_how="jo@example.org or 07700 900000",
    )
    given["contact_how"] = Answer(
        "contact_how",
        text="07700 900000",
        media=(MediaRef("contact", meta={"phone_number": "07700 900000"}),),
    )
    draft = build_draft(FULL, given)
    blob = str(draft.to_json())
    assert ("jo@example.org" in blob, "07700" in blob) == (False, False)


def test_media_and_links_are_listed_with_their_question() -> None:
    given = {
        "changed": Answer(
            "changed",
            text="more trees, see https://trees.example.org",
            media=(MediaRef("photo", "p1", caption="the new trees"),),
        ),
        "media": Answer("media", media=(MediaRef("voice", "v1"),)),
    }
    draft = build_draft(FULL, given)
    assert field_qids(draft, "links_and_media") == [
        ("https://trees.example.org", ("changed",)),
        ("Photo: the new trees", ("changed",)),
        ("Voice note", ("media",)),
    ]
    assert (draft.links, len(draft.media)) == (("https://trees.example.org",), 2)


def test_credit_line_follows_the_contributors_choice() -> None:
    def credit(choice: str, name: str = "", org: str = "", contributor: str | None = None) -> str:
        given = {"credit": Answer("credit", choices=(choice,))}
        if name:
            given["credit_name"] = Answer("credit_name", text=name)
        if org:
            given["credit_org"] = Answer("credit_org", text=org)
        return build_draft(FULL, given, contributor_name=contributor).credit_line

    assert [
        credit("named", "Ana Lima", "Food Co-op"),
        credit("named", "Ana Lima"),
        credit("named", contributor="Ana"),
        credit("named", org="Food Co-op"),
        credit("named"),
        credit("organisation", "Ana Lima", "Food Co-op"),
        credit("organisation", "Ana Lima"),
        credit("anonymous", "Ana Lima", "Food Co-op", contributor="Ana"),
    ] == [
        "Shared by Ana Lima, Food Co-op.",
        "Shared by Ana Lima.",
        "Shared by Ana.",
        "Shared by someone at Food Co-op.",
        "Shared anonymously.",
        "Shared by someone at Food Co-op.",
        "Shared anonymously.",
        "Shared anonymously.",
    ]


def test_quotes_are_verbatim_short_sentences() -> None:
    raw = "honestly the best bit was seeing shy kids run the meeting themselves"
    draft = build_draft(FULL, texts(changed=raw, tip="go"))
    assert draft.quotes == (raw,)


def test_unknown_questions_go_to_other_notes_with_provenance() -> None:
    draft = build_draft(FULL, texts(weather="it rained all day"))
    assert field_qids(draft, "other_notes") == [("It rained all day.", ("weather",))]


def test_correction_replaces_the_wrong_value_and_cites_both_answers() -> None:
    draft = build_draft(
        FULL, texts(place_when="Cardiff in 2018", tip="sorry, it was 2019 not 2018")
    )
    assert field_qids(draft, "place") == [("Cardiff in 2019.", ("place_when", "tip"))]
    assert draft.field("tips").text == ""


def test_a_correction_names_a_body_of_several_words_and_keeps_all_of_them() -> None:
    draft = build_draft(
        FULL,
        texts(
            who="tenants and the architects. Changeworks did the advice sessions",
            tip="sorry it was Home Energy Scotland not Changeworks",
        ),
    )
    text = " ".join(f.text for f in draft.fields.values())
    assert "Home Energy Scotland did the advice sessions" in text
    assert "Changeworks" not in text


def test_an_apology_opening_a_correction_is_not_taken_for_the_right_value() -> None:
    draft = build_draft(
        FULL, texts(place_when="Swansea, every Monday", tip="Sorry Tuesday not Monday")
    )
    assert "Swansea, every Tuesday" in draft.field("place").text


def test_organisation_names_are_found_in_capitalised_and_plain_forms() -> None:
    assert organisation_names(
        "Then Leeds City Council and Bramley Food CIC met the local council and the NHS."
    ) == ["Leeds City Council", "Bramley Food CIC", "NHS", "local council"]


def test_the_traceability_check_catches_invented_words() -> None:
    given = texts(project="A garden")
    draft = build_draft(FULL, given)
    invented = DraftField(
        "outcomes",
        "It transformed lives.",
        sentences=(DraftSentence("It transformed lives.", ("project",)),),
    )
    orphan = DraftField("tips", "A garden.", sentences=(DraftSentence("A garden.", ()),))
    broken = replace(draft, fields={**draft.fields, "outcomes": invented, "tips": orphan})
    assert [name for name, _ in untraceable_sentences(broken, FULL, given)] == ["outcomes", "tips"]


def test_draft_json_round_trip_is_exact() -> None:
    draft = build_draft(
        SPOTTED,
        {
            "project": Answer("project", text="Parents redesigned a playground 🛝"),
            "source": Answer("source", text="https://example.org/x"),
            "together": Answer("together", choices=("design",)),
            "credit": Answer("credit", choices=("anonymous",)),
        },
        reference="EX-2",
    )
    edited = replace(
        draft,
        fields={
            **draft.fields,
            "title": replace(draft.fields["title"], text="Edited", suggested_update="New"),
        },
        lens=tuple(replace(s, status="confirmed") for s in draft.lens),
    )
    assert (DraftRecord.from_json(draft.to_json()), DraftRecord.from_json(edited.to_json())) == (
        draft,
        edited,
    )


# --- regeneration ---------------------------------------------------------------------------


def staff_edit(draft: DraftRecord, name: str, text: str) -> DraftRecord:
    return replace(draft, fields={**draft.fields, name: replace(draft.fields[name], text=text)})


def test_regeneration_keeps_staff_edits_and_offers_new_material_beside_them() -> None:
    before = texts(project="A garden", changed="more flowers")
    previous = staff_edit(build_draft(FULL, before), "outcomes", "The estate bloomed.")
    after = texts(project="A community garden", changed="more flowers and more bees")
    fresh = build_draft(FULL, after)
    merged = merge_regenerated(previous, {"outcomes"}, fresh)
    assert (merged.field("outcomes").text, merged.field("outcomes").suggested_update) == (
        "The estate bloomed.",
        "More flowers and more bees.",
    )
    assert merged.field("title").text == "Community garden"


def test_regeneration_without_new_material_leaves_edited_fields_alone() -> None:
    given = texts(project="A garden", changed="more flowers")
    previous = staff_edit(build_draft(FULL, given), "outcomes", "The estate bloomed.")
    merged = merge_regenerated(previous, {"outcomes"}, build_draft(FULL, given))
    assert merged.field("outcomes") == previous.field("outcomes")
    assert merge_regenerated(merged, {"outcomes"}, build_draft(FULL, given)) == merged


def test_regeneration_keeps_staff_decisions_on_lens_tags() -> None:
    given = texts(decision="we voted", brought="skills")
    draft = build_draft(FULL, given)
    decided = replace(
        draft,
        lens=tuple(
            replace(s, status="rejected" if s.tag == "assets" else "confirmed") for s in draft.lens
        ),
    )
    extra = LensSuggestion("nef", "networks", "Peer support networks", "x", "who", "confirmed")
    decided = replace(decided, lens=(*decided.lens, extra))
    merged = merge_regenerated(decided, set(), build_draft(FULL, given))
    assert {"nef/assets", "stages/co_decision"} <= {s.key for s in draft.lens}
    assert {s.key: s.status for s in merged.lens} == {
        **{s.key: "confirmed" for s in draft.lens},
        "nef/assets": "rejected",
        "nef/networks": "confirmed",
    }


def test_gaps_on_fields_staff_filled_are_dropped() -> None:
    given = texts(project="A garden")
    previous = staff_edit(build_draft(FULL, given), "challenges", "Funding was tight.")
    merged = merge_regenerated(previous, {"challenges"}, build_draft(FULL, given))
    assert "challenges" not in {g.field for g in merged.gaps}


# --- properties ------------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        *("we", "voted", "sorry,", "it", "was", "2019", "not", "2018", "Leeds", "City"),
        *("Council", "the", "youth panel", "um", "i", "final say", "hard", "now", "tip"),
        *("started", "😀", "https://x.org/a", "a@b.co", "07700 900123", ".", ",", "\n"),
        *("NHS", "e.g.", "王"),
    ]
)
ANSWER_TEXT = st.lists(WORDS, max_size=25).map(" ".join) | st.text(max_size=80)
QUESTION_IDS = st.sampled_from(
    [
        *("project", "place_when", "who", "origin", "decision", "final_say", "changed"),
        *("hard", "tip", "credit_name", "credit_org", "not_in_the_script"),
    ]
)


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(
    st.dictionaries(QUESTION_IDS, ANSWER_TEXT, max_size=8),
    st.sampled_from(["named", "organisation", "anonymous", None]),
    st.none() | st.text(max_size=10),
)
def test_any_answers_make_a_traceable_draft_without_contact_details(
    given_texts: dict[str, str], credit: str | None, name: str | None
) -> None:
    given = {qid: Answer(qid, text=text) for qid, text in given_texts.items()}
    if credit:
        given["credit"] = Answer("credit", choices=(credit,))
    draft = build_draft(FULL, given, contributor_name=name)
    assert untraceable_sentences(draft, FULL, given, contributor_name=name) == []
    assert DraftRecord.from_json(draft.to_json()) == draft
    assert "a@b.co" not in str(draft.to_json())


def test_organisations_named_without_an_organisation_word_are_listed() -> None:
    """Bodies a staff member would list: a name with its own acronym, a name followed by
    the kind of body in lowercase, and a three-word name standing alone in the list of who
    took part; a kind of body on its own ("two GPs") is no organisation."""
    draft = build_draft(
        FULL,
        texts(
            project="Homeless people sat on the interview panel with Glasgow City HSCP",
            who="patients, two GPs, Betsi Cadwaladr health board, Sheffield Community Voice",
        ),
    )
    assert draft.entities.organisations == (
        "Glasgow City HSCP",
        "Betsi Cadwaladr health board",
        "Sheffield Community Voice",
    )


def test_a_name_ending_one_sentence_does_not_run_into_the_next() -> None:
    found = organisation_names("We called it Carers Voice. The council paid for it")
    assert not any("Voice" in name and "council" in name for name in found)


@pytest.mark.parametrize(
    ("project", "title"),
    [
        (
            "a few of us planned a lunch club, we named it 'Tuesday Table' and now we cook",
            "Tuesday Table",
        ),
        (
            "in 2019 we rebuilt it as the Heeley Health Forum with the GPs",
            "Heeley Health Forum",
        ),
    ],
)
def test_a_name_given_in_single_quotes_or_after_as_the_is_the_title(
    project: str, title: str
) -> None:
    assert build_draft(FULL, texts(project=project)).title == title


def test_a_described_title_keeps_numbers_whole_and_skips_remarks_about_the_telling() -> None:
    long = build_draft(
        FULL,
        texts(
            project="OK this will be long sorry. Residents voted on how to spend £150,000 of"
            " the ward budget"
        ),
    )
    assert long.title.startswith("Residents voted on how to spend £150,000")
    heard = build_draft(
        SPOTTED,
        texts(
            project="Read about this in a newsletter. In Govanhill people who had been homeless"
            " sat on the interview panel for new hostel staff",
            place_when="Govanhill, Glasgow",
        ),
    )
    assert heard.title.startswith("People who had been homeless sat on the interview panel")


@pytest.mark.parametrize(
    ("place_when", "summary_part"),
    [
        ("Heeley, Sheffield, 2018 to now", "Heeley, Sheffield, 2018 to now"),
        ("Caernarfon, Gwynedd. 2021 i 2022", "Caernarfon, Gwynedd, 2021 i 2022"),
        ("Kirkby in Knowsley since about October 2022", "Kirkby in Knowsley"),
        (
            "It's at Hillside Primary in Chapeltown, Leeds.",
            "in Hillside Primary in Chapeltown, Leeds.",
        ),
    ],
)
def test_the_summary_keeps_date_ranges_and_place_names_whole(
    place_when: str, summary_part: str
) -> None:
    draft = build_draft(FULL, texts(project="Tenants run a lunch club", place_when=place_when))
    assert summary_part in draft.summary
    assert "2021 I 2022" not in draft.field("place").text


def test_a_remark_about_where_the_story_was_read_is_no_quote() -> None:
    draft = build_draft(
        SPOTTED,
        texts(
            project="Read about this in the Shelter Scotland newsletter. People who had been"
            " homeless sat on the interview panel for new hostel staff"
        ),
    )
    assert "Read about this" not in draft.field("quotes").text
