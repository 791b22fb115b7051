"""Titles, the summary's where and when, and the names a draft lists, on answers in any
interview language: the project's own name wherever the contributor gives it, else a short
description that never opens on a time word or an elision; every date said; street
abbreviations and organisations' names kept whole."""

from __future__ import annotations

import pytest

from conversations.drafting import build_draft, untraceable_sentences
from conversations.model import Answer, Script
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]
SPOTTED = builtin_scripts()["spotted"]


def texts(**given: str) -> dict[str, Answer]:
    return {qid: Answer(qid, text=text) for qid, text in given.items()}


def test_a_name_said_only_in_a_later_answer_that_echoes_the_description_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a reading circle for dads at the library",
            hard="getting dads through the door",
            tip="Just ask. That's how Dads Reading Circle filled up.",
        ),
    )
    assert draft.title == "Dads Reading Circle"


def test_a_person_named_in_a_later_answer_is_never_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a reading circle for dads, run with Aled from the library",
            origin="Aled Jones started it",
            tip="Ask Aled Jones for help.",
        ),
    )
    assert "Aled" not in draft.title and "reading circle" in draft.title.casefold()


def test_a_name_in_single_quotes_in_a_later_answer_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="Gardd gymunedol ar hen dir y capel",
            changed="Erbyn hyn mae 'Tir y Capel' yn bwydo'r pentref.",
        ),
        language="cy",
    )
    assert draft.title == "Tir y Capel"


def test_a_name_repeated_only_in_later_answers_keeps_the_the_always_written_with_it() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="A youth panel that gives out small grants in Hulme.",
            decision="The Green Light Panel voted to fund 9 groups.",
            heard_back="The Green Light Panel posts its reasons online.",
        ),
    )
    assert draft.title == "The Green Light Panel"


def test_a_project_answer_opening_x_is_a_names_the_project() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="The Open Kitchen Network is a partnership of 6 cafes that cook with"
            " refugees. It began in 2020.",
            who="Refugee Action, 6 cafes",
        ),
    )
    assert draft.title == "The Open Kitchen Network"


def test_a_name_on_its_own_first_line_in_capitals_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(project="🛶 PADDLE CLUB\nfree canoeing for teens\nsundays", place_when="Bala lake"),
    )
    assert draft.title == "PADDLE CLUB"


def test_the_pronoun_i_does_not_run_on_from_a_name_in_capitals() -> None:
    draft = build_draft(
        SPOTTED, texts(project="The parents run a shop. Its called SWAP & SAVE i think.")
    )
    assert draft.title == "SWAP & SAVE"


@pytest.mark.parametrize(
    ("project", "language", "title"),
    [
        (
            "Today the old tennis court is a skate park built by teenagers",
            "en",
            "The old tennis court is a skate park built by teenagers",
        ),
        (
            "'S e buidheann beag a th' ann airson seann daoine",
            "gd",
            "Buidheann beag a th' ann airson seann daoine",
        ),
    ],
)
def test_a_description_title_drops_an_opening_time_word_or_it_is(
    project: str, language: str, title: str
) -> None:
    assert build_draft(FULL, texts(project=project), language=language).title == title


def test_a_title_is_written_even_when_only_a_later_answer_has_words() -> None:
    draft = build_draft(FULL, texts(tip="Start small and ask the neighbours first"))
    assert draft.title == "Start small and ask the neighbours first"


def test_a_polish_street_abbreviation_does_not_end_the_sentence_or_become_a_place() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="Ogród na podwórku przy ul. Długiej.",
            place_when="Gdańsk, ul. Długa 5. Od wiosny 2021.",
        ),
        language="pl",
    )
    assert "przy ul. Długiej." in draft.summary
    assert "Gdańsk, ul. Długa 5." in draft.field("place").text
    assert draft.entities.places == ("Gdańsk",)


def test_the_summary_says_every_date_of_the_where_and_when_answer() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="A tenants' panel that reviews repairs.",
            place_when="Hulme, Manchester. May 2019 - June 2020, and again since March 2022.",
        ),
    )
    assert "Hulme, Manchester, May 2019 - June 2020, and again since March 2022." in draft.summary


def test_a_year_said_twice_is_one_when_and_not_the_words_between() -> None:
    draft = build_draft(FULL, texts(project="2019 ppl 2019"))
    assert "It dates from 2019." in draft.summary
    assert untraceable_sentences(draft, FULL, texts(project="2019 ppl 2019")) == []


def test_a_when_holding_a_tidied_word_keeps_the_contributors_spelling_one_tap_away() -> None:
    given = texts(place_when="Bury, 2019 w/ ppl til 2021.")
    draft = build_draft(FULL, given)
    summary = draft.field("summary").sentences
    (when,) = [s for s in summary if s.template.startswith("summary_where")]
    assert "2019 with people til 2021" in when.text
    assert {c.original for c in when.changes} >= {"w/", "ppl"}
    assert untraceable_sentences(draft, FULL, given) == []


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("Confidence. AQA unit awards.", []),
        ("Residents, Westmorland and Furness Council", ["Westmorland and Furness Council"]),
        ("ARRIVA and LEICESTER CITY COUNCIL", ["ARRIVA", "LEICESTER CITY COUNCIL"]),
        ("20 o drigolion a Chyngor Gwynedd", ["Chyngor Gwynedd"]),
        ("Sąsiedzi i Urząd Miasta Łodzi", ["Urząd Miasta Łodzi"]),
    ],
)
def test_organisations_stay_within_a_sentence_and_keep_their_whole_name(
    who: str, listed: list[str]
) -> None:
    draft = build_draft(FULL, texts(who=who))
    assert [s.text for s in draft.field("organisations").sentences] == listed


def test_an_answer_pointing_back_at_another_says_nothing_in_a_field_or_the_summary() -> None:
    draft = build_draft(
        FULL,
        texts(project="A repair cafe in Bury.", who="see above", changed="Same as before really."),
    )
    assert draft.field("other_notes").text == "See above. Same as before really."
    assert (draft.field("people_involved").text, draft.field("outcomes").text) == ("", "")
    assert "above" not in draft.summary.casefold()


def test_the_summary_says_who_took_part_without_their_emoji() -> None:
    draft = build_draft(
        FULL, texts(project="A repair cafe.", who="us 4 fixers 👩‍🔧👨‍🔧\nneighbours")
    )
    assert "Us 4 fixers took part." in draft.summary


def test_a_place_said_with_its_own_preposition_gets_no_in_before_it() -> None:
    draft = build_draft(FULL, texts(project="A repair cafe.", place_when="under the bridge, Leeds"))
    assert "It took place under the bridge, Leeds." in draft.summary


def test_a_recommendation_made_by_a_panel_is_a_decision_not_a_tip() -> None:
    draft = build_draft(
        FULL, texts(decision="The tenants' panel recommended that rents be frozen.")
    )
    assert draft.field("tips").text == ""
    assert "recommended" in draft.field("power_sharing").text


def test_a_single_word_longer_than_a_title_still_makes_one() -> None:
    title = build_draft(FULL, texts(project="A" * 90 + " cafe")).title
    assert title == "A" * 70


@pytest.mark.parametrize(
    ("project", "language", "title"),
    [
        ("we run GREEN GYM & GROW on saturdays in the park", "en", "GREEN GYM & GROW"),
        (
            "The Healthy Minds Programme (HMP) is a peer support offer in 4 schools.",
            "en",
            "The Healthy Minds Programme",
        ),
        ("Grupa sąsiedzka o nazwie Zielony Kwadrat sprząta park.", "pl", "Zielony Kwadrat"),
        ("Côr cymunedol o'r enw Lleisiau Llŷn i bobl hŷn.", "cy", "Lleisiau Llŷn"),
    ],
)
def test_a_name_in_capitals_in_brackets_or_after_a_welsh_or_polish_cue_is_the_title(
    project: str, language: str, title: str
) -> None:
    assert build_draft(FULL, texts(project=project), language=language).title == title


def test_a_project_sentence_written_all_in_capitals_is_described_not_named() -> None:
    title = build_draft(FULL, texts(project="WE RUN A LUNCH CLUB IN LEEDS FOR OLDER MEN")).title
    assert title == "LUNCH CLUB IN LEEDS FOR OLDER MEN"


def test_a_partner_named_in_capitals_is_not_the_title() -> None:
    title = build_draft(
        FULL, texts(project="A bike repair shed. we worked with PEDAL POWER TRUST and BIKE WORKS.")
    ).title
    assert title == "Bike repair shed"


def test_a_name_the_contributor_gave_in_the_tip_is_the_title_a_charity_named_there_is_not() -> None:
    own = build_draft(
        FULL,
        texts(
            project="A lunch club for older men.", tip="Give it a name. We called it Chatterbox."
        ),
    )
    other = build_draft(
        FULL,
        texts(project="A lunch club for older men.", helped="a charity called Groundwork helped"),
    )
    assert (own.title, other.title) == ("Chatterbox", "Lunch club for older men")


@pytest.mark.parametrize(
    ("given", "language", "title"),
    [
        (
            {"project": "Mae Caffi Cymraeg Llandudno yn cwrdd bob wythnos."},
            "cy",
            "Caffi Cymraeg Llandudno",
        ),
        (
            {"project": "THE PANTRY\nA pay-as-you-feel shop.", "place_when": "Leeds"},
            "en",
            "THE PANTRY",
        ),
        (
            {"project": "Saw that a church runs a warm space, they call it The Warm Room"},
            "en",
            "The Warm Room",
        ),
        (
            {"project": "The project is a community kitchen.", "place_when": "Leith"},
            "en",
            "Community kitchen, Leith",
        ),
        (
            {"project": "Started in 2019. Now it's a food co-op run by 40 members."},
            "en",
            "Food co-op run by 40 members",
        ),
    ],
)
def test_names_after_a_welsh_verb_in_a_capitals_heading_or_they_call_it_and_plain_openings(
    given: dict[str, str], language: str, title: str
) -> None:
    assert build_draft(FULL, texts(**given), language=language).title == title


def test_a_where_answer_pointing_back_names_no_place() -> None:
    draft = build_draft(FULL, texts(project="A repair cafe.", place_when="same as before"))
    assert (draft.entities.places, "took place" in draft.summary) == ((), False)


def test_a_long_answer_of_nothing_but_small_words_still_makes_a_title() -> None:
    title = build_draft(FULL, texts(project="then " * 30)).title
    assert 0 < len(title) <= 70 and title.startswith("Then then")


def test_a_description_title_leaves_out_chat_the_summary_keeps() -> None:
    draft = build_draft(FULL, texts(project="a swap shop in the church lol innit"))
    assert (draft.title, draft.summary) == (
        "Swap shop in the church",
        "A swap shop in the church lol innit.",
    )


def test_a_title_cut_for_length_leaves_a_broken_off_phrase_out_whole() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="Tenants in Hulme and Moss voted on how to spend £150,000 of the ward budget"
        ),
    )
    assert draft.title == "Tenants in Hulme and Moss voted on how to spend £150,000"


def test_an_english_interviews_title_is_described_from_its_english_not_an_irish_opening() -> None:
    project = (
        "Chonaic mé mata rochtana ar an trá agus cathaoireacha rothaí trá. disabled people from "
        "round there picked the spot and the type of mat with the council"
    )
    assert build_draft(FULL, texts(project=project)).title.startswith("Disabled people")
    # A sentence naming a place with letters English has not is still English.
    gracia = "In my son's school in Gràcia the kids redesigned the playground. Era molt petit."
    assert "Gràcia" in build_draft(FULL, texts(project=gracia)).title


@pytest.mark.parametrize(
    "source",
    [
        "heard it on Red FM, they had 2 of the young ones on",
        "there was a piece in the Luton Herald about it",
        "my mate read about it in the Nottingham Post",
    ],
)
def test_a_radio_station_or_paper_the_project_was_heard_on_is_never_its_title(
    source: str,
) -> None:
    answers = texts(
        project="teenagers in cork deciding where the youth grant money goes",
        name="dunno tbh",
        source=source,
    )
    title = build_draft(SPOTTED, answers).title
    assert title.startswith("Teenagers in cork deciding where the youth grant money goes")


def test_a_verb_after_a_relative_clause_is_not_taken_for_a_passive_one() -> None:
    project = (
        "a group of us older ones who'd been in hospital worked with the ward staff to make a "
        "checklist for going home"
    )
    assert not build_draft(FULL, texts(project=project)).title.endswith("worked")


@pytest.mark.parametrize(
    ("project", "title"),
    [
        (  # "which" after "deciding" says what is decided: no clause ends there
            "young people in bristol deciding which community groups get money for keeping "
            "kids safe. like a youth panel",
            "Young people in bristol deciding which community groups get money",
        ),
        (  # "with" after "working" says with whom
            "Disabled residents working with the county council highways team on the "
            "redesign of the city centre streets",
            "Disabled residents working with the county council highways team",
        ),
        (  # a clause cut off after "so" is left out whole, not "so night shift staff"
            "we got a bus route changed so night shift staff at the hospital can actually get home",
            "We got a bus route changed",
        ),
        (  # never "... into a little"
            "we turned the empty plot on the corner of our street into a little park with benches",
            "We turned the empty plot on the corner of our street",
        ),
        (  # a phrase the cut left whole ("to cars") stays
            "the street round the corner from me closed to cars for the whole summer and "
            "the neighbours decided together what to do with it",
            "The street round the corner from me closed to cars",
        ),
    ],
)
def test_a_description_title_never_ends_on_a_verb_or_word_wanting_what_was_cut(
    project: str, title: str
) -> None:
    assert build_draft(FULL, texts(project=project)).title == title


@pytest.mark.parametrize(
    ("script", "given", "language", "title"),
    [
        (
            SPOTTED,
            {"project": "Saw this on Facebook: tenants in Bootle repainted their stairwells"},
            "en",
            "Tenants in Bootle repainted their stairwells",
        ),
        (
            SPOTTED,
            {"project": "Nie mój projekt. Sąsiedzi w Gdyni wyremontowali świetlicę."},
            "pl",
            "Sąsiedzi w Gdyni wyremontowali świetlicę",
        ),
        (
            FULL,
            {"project": "The Monday Club is a social club for carers in Kendal"},
            "en",
            "The Monday Club",
        ),
    ],
)
def test_a_lead_in_or_a_remark_in_another_language_is_no_title_and_a_weekday_name_is(
    script: Script, given: dict[str, str], language: str, title: str
) -> None:
    assert build_draft(script, texts(**given), language=language).title == title


def test_a_who_answer_saying_only_us_makes_no_who_took_part_sentence() -> None:
    draft = build_draft(FULL, texts(project="A community garden.", who="Us."))
    assert "took part" not in draft.summary and draft.field("people_involved").text == "Us."


def test_a_description_title_skips_the_date_a_sentence_opens_with() -> None:
    draft = build_draft(FULL, texts(project="Last spring, tenants planted a wildflower verge."))
    assert draft.title == "Tenants planted a wildflower verge"


def test_a_description_naming_the_place_inflected_does_not_add_it_again() -> None:
    draft = build_draft(
        FULL,
        texts(project="Ogród społeczny przy szkole w Krakowie.", place_when="Kraków, 2021"),
        language="pl",
    )
    assert draft.title == "Ogród społeczny przy szkole w Krakowie"


def test_a_place_in_capitals_in_the_project_answer_is_not_the_title() -> None:
    draft = build_draft(FULL, texts(project="a lunch club in NORTH GLASGOW for older men"))
    assert draft.title == "Lunch club in NORTH GLASGOW for older men"


def test_a_place_named_in_a_later_answer_is_not_the_title_even_when_it_echoes() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a walking group for patients of the infirmary",
            origin="a nurse at Leeds General Infirmary started it",
            tip="meet at the front of Leeds General Infirmary, it's easy to find",
        ),
    )
    assert draft.title == "Walking group for patients of the infirmary"


def test_a_name_said_before_its_own_naming_cue_in_any_answer_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="we turned the old bowls pavilion into a place for carers to get a break",
            role="I run Pavilion Tea Club, thats what the carers called it after a vote",
        ),
    )
    assert draft.title == "Pavilion Tea Club"


def test_a_partner_said_before_a_naming_cue_about_something_else_is_not_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="carers and nurses rewrote the discharge leaflet together",
            who="Leeds City Council, that's what everyone called it back then, and carers",
        ),
    )
    assert "Council" not in draft.title


def test_a_name_set_beside_the_kind_of_project_it_is_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "Between 2019 and 2022, Safe Streets Tottenham, a partnership of youth workers, "
                "parents and Haringey Council, mapped the routes young people fear."
            ),
        ),
    )
    assert draft.title == "Safe Streets Tottenham"


def test_an_organisation_set_beside_its_kind_is_not_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(project="Haringey Council, a partner of ours, funded the mapping walks by parents"),
    )
    assert draft.title != "Haringey Council"


def test_a_description_title_skips_saying_that_the_contributor_is_part_of_a_group() -> None:
    draft = build_draft(
        FULL,
        texts(project="I'm part of a wee group that grows veg on the estate's drying greens"),
    )
    assert not draft.title.casefold().startswith(("i'm", "part of"))
    assert "veg" in draft.title or "greens" in draft.title


# --- names marked by how they are said, placed and typed, whatever their words -------------


@pytest.mark.parametrize(
    ("project", "title"),
    [
        ("I volunteer on the Gro Wild scheme, kids planting wildflower verges", "Gro Wild"),
        ("we cook with kids on the Hafod Project every friday in Swansea", "Hafod Project"),
        ("me n my sister run the tiny forest group behind the chippy", "Tiny Forest"),
        ("a swap shop for school uniform in the old bank (Second Blazers)", "Second Blazers"),
        ("we named it the long table cos everyone eats together", "The Long Table"),
        (
            "the project we want to share is Open Doors Hastings, a warm space",
            "Open Doors Hastings",
        ),
        ("Its called the hive, a youth space above the library in Wick", "The Hive"),
        ("ROOTS is a growing project in Hull run by volunteers", "ROOTS"),
        ("Sunday Suppers - a free community meal in Glossop every week", "Sunday Suppers"),
        ("My project, Little Free Pantry, gives out food", "Little Free Pantry"),
    ],
)
def test_a_name_marked_by_its_kind_brackets_or_cue_is_the_title_whatever_its_words(
    project: str, title: str
) -> None:
    draft = build_draft(FULL, texts(project=project))
    assert draft.title == title
    assert untraceable_sentences(draft, FULL, texts(project=project)) == []


@pytest.mark.parametrize(
    "project",
    [
        "We're a Facebook group for new mums in Leith, we meet in the park",
        "Parents set up a Community Garden group on the estate",
        "A drop-in for carers at the Riverside Youth Hub in Salford",
        "we run the youth group at the church on tuesdays",
        "We worked together with Leith Tenants Forum on the bins",
        "we called the police",
        "We called Leeds City Council about the bins",
    ],
)
def test_a_kind_of_thing_a_place_or_a_partner_before_a_kind_word_is_not_named(
    project: str,
) -> None:
    title = build_draft(FULL, texts(project=project)).title
    bare = {"facebook", "community garden", "riverside youth hub", "youth", "leith tenants forum"}
    bare |= {"the police", "leeds city council"}
    assert (title.casefold() in bare, len(title.split()) >= 3) == (False, True)


def test_the_body_the_contributor_works_for_is_not_the_title() -> None:
    answers = texts(
        project="I work for Groundwork Wales. Our tenants run Tyfu Tywyn, the growing scheme.",
        who="Groundwork Wales, tenants, the housing association",
    )
    assert build_draft(FULL, answers).title == "Tyfu Tywyn"


def test_a_group_given_with_the_credit_name_titles_a_story_that_names_none() -> None:
    answers = texts(project="older folk and the school kids sing together every week")
    named = build_draft(
        FULL, {**answers, "credit_name": Answer("credit_name", text="Ann, from Songs of the Shore")}
    )
    town = build_draft(
        FULL, {**answers, "credit_name": Answer("credit_name", text="Jenna from Truro")}
    )
    assert (named.title, town.title != "Truro") == ("Songs of the Shore", True)


def test_a_description_title_leaves_out_how_the_contributor_heard_of_it() -> None:
    draft = build_draft(
        SPOTTED,
        texts(project="heard on Radio Leeds that tenants in Harehills painted the underpass"),
    )
    assert draft.title.startswith("Tenants in Harehills painted the underpass")


@pytest.mark.parametrize(
    ("place_when", "language", "summary_end"),
    [
        ("Caernarfon, ers mis Mawrth", "cy", "It took place in Caernarfon, ers mis Mawrth."),
        ("Bangor, ers Medi 2022 tan Ionawr 2024", "cy", "Bangor, ers Medi 2022 tan Ionawr 2024."),
        ("Kraków, od stycznia", "pl", "It took place in Kraków, od stycznia."),
        ("Wrocław, od jesieni do czerwca 2023", "pl", "in Wrocław, od jesieni do czerwca 2023."),
    ],
)
def test_welsh_and_polish_month_names_are_when_not_where(
    place_when: str, language: str, summary_end: str
) -> None:
    answers = texts(project="Clwb ieuenctid", place_when=place_when)
    summary = build_draft(FULL, answers, language=language).field("summary").text
    assert summary.endswith(summary_end)


def test_a_short_label_opening_an_answer_typed_without_capitals_is_the_name() -> None:
    answers = texts(
        project="tuesday table. a free lunch for anyone at the church hall, cooked by volunteers",
        place_when="Keighley",
    )
    draft = build_draft(FULL, answers)
    assert (draft.title, untraceable_sentences(draft, FULL, answers)) == ("Tuesday Table", [])


@pytest.mark.parametrize(
    ("project", "title"),
    [
        ("Food bank. We run it from the church hall on Fridays.", "Food Bank"),
        ("going well. we meet every week at the library with the kids", "Going Well"),
        ("youth club. we meet every week at the library with the kids", "Youth Club"),
    ],
)
def test_a_short_opening_written_in_sentence_case_a_remark_or_a_kind_is_not_a_name(
    project: str, title: str
) -> None:
    """Described, so the place is added: a name would stand alone."""
    draft = build_draft(FULL, texts(project=project, place_when="Keighley"))
    assert (draft.title.casefold(), draft.title.endswith(", Keighley")) == (
        f"{title}, Keighley".casefold(),
        True,
    )


def test_an_acronym_or_a_name_typed_without_the_takes_no_the() -> None:
    acronym = build_draft(
        FULL,
        texts(
            project="KIN (Kids In Norwich) - an after-school club run with parents",
            final_say="the KIN committee, 4 parents and a teacher",
        ),
    )
    lower_the = build_draft(
        FULL,
        texts(
            project="A youth panel that gives out small grants in Hulme.",
            decision="the Green Light Panel voted to fund 9 groups.",
            heard_back="the Green Light Panel posts its reasons online.",
        ),
    )
    assert (acronym.title, lower_the.title) == ("KIN", "Green Light Panel")


@pytest.mark.parametrize(
    ("project", "language", "title"),
    [
        (
            "'S e Fàilte Mhòr an t-ainm. Tha sinn a' cruinneachadh gach seachdain.",
            "gd",
            "Fàilte Mhòr",
        ),
        (
            "Is e Taigh a' Chnuic an t-ainm a th' air. A lunch club in Ullapool.",
            "gd",
            "Taigh a' Chnuic",
        ),
        ("Cwtch yw'r enw. Clwb ieuenctid yn Aberaeron bob nos Wener.", "cy", "Cwtch"),
        ("Enw'r prosiect yw Cwtch. Rydyn ni'n trwsio beiciau yn y Bala.", "cy", "Cwtch"),
        ("Projekt nazywa się Spiżarnia i działa w Gdańsku.", "pl", "Spiżarnia"),
        ("Działamy pod nazwą Sąsiedzka Spiżarnia od 2021 roku.", "pl", "Sąsiedzka Spiżarnia"),
    ],
)
def test_a_name_before_or_after_the_word_for_name_in_gaelic_welsh_or_polish_is_the_title(
    project: str, language: str, title: str
) -> None:
    assert build_draft(FULL, texts(project=project), language=language).title == title


def test_a_name_of_something_else_is_not_the_title() -> None:
    answers = texts(
        project="A soup lunch for older folk. Tuesday Soup is the name of the recipe book we made."
    )
    assert build_draft(FULL, answers).title == "Soup lunch for older folk"


@pytest.mark.parametrize(
    ("project", "title"),
    [
        (
            "my mate runs this - a choir for dads in Stockport who never sang before",
            "Choir for dads in Stockport",
        ),
        (
            "My sister told me about this. Older women in Hebden Bridge teach teenagers to sew.",
            "Older women in Hebden Bridge teach teenagers to sew",
        ),
    ],
)
def test_how_the_contributor_is_linked_to_the_project_is_left_out_of_title_and_summary(
    project: str, title: str
) -> None:
    draft = build_draft(SPOTTED, texts(project=project))
    assert draft.title.startswith(title)
    # Said as a sentence of its own, the link does not open the summary either.
    assert draft.summary.startswith("Older women") or not project.startswith("My sister")


def test_a_renamed_project_is_titled_by_the_name_it_goes_by_now() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "Older people in Hove advising the bus company on routes. It was called the "
                "Hove Bus Users Group at first, then the members changed the name to Ride "
                "Along Hove last year."
            ),
        ),
    )
    assert draft.title == "Ride Along Hove"


def test_a_name_said_in_passing_with_how_it_began_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "After the fire at the flats we all met in the car park for weeks, and that's "
                "how the Tower Neighbours Network got going in the end. We check on each "
                "other and sit with the housing officer every month."
            ),
        ),
    )
    assert draft.title == "Tower Neighbours Network"


def test_a_name_after_i_started_in_the_role_answer_is_the_title_but_not_a_body_or_a_building() -> (
    None
):
    named = build_draft(
        FULL,
        texts(
            project="Fixing bikes for kids who can't afford one, every Saturday.",
            role="I set up Spoke Folk with two dads from the school, I do the spanners",
        ),
    )
    building = build_draft(
        FULL,
        texts(
            project="Fixing bikes for kids who can't afford one, every Saturday.",
            role="I run Moorside Community Centre and we host it",
        ),
    )
    assert named.title == "Spoke Folk"
    assert "Moorside" not in building.title and "bikes" in building.title.casefold()


def test_a_name_with_a_number_in_it_is_kept_whole() -> None:
    draft = build_draft(
        FULL,
        texts(project="Route 66 Riders. A cycling club for over-60s that plans its own rides."),
    )
    assert draft.title == "Route 66 Riders"


def test_a_name_in_quotes_in_a_pasted_headline_names_a_spotted_project() -> None:
    draft = build_draft(
        SPOTTED,
        texts(
            project="a group of carers redesigned the waiting room at the hospice with staff",
            source="'Quiet Harbour' carers' project reshapes hospice | Local News https://x.example/q",
        ),
    )
    assert draft.title == "Quiet Harbour"


def test_a_partner_listed_among_who_took_part_is_not_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "we grow veg on the old tennis courts with people from the day centre. "
                "Green Fingers Leeds bring the seeds."
            ),
            who="people from the day centre, Green Fingers Leeds, and the parks team",
            changed="Green Fingers Leeds now send us volunteers too",
        ),
    )
    assert "Green Fingers" not in draft.title and "veg" in draft.title.casefold()


def test_a_remark_about_the_telling_does_not_open_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(project="its hard to explain really, its a tool library in the old bank."),
    )
    assert "explain" not in draft.title.casefold() and "tool library" in draft.title.casefold()


def test_its_the_name_opening_the_project_answer_after_a_greeting_is_the_title() -> None:
    greeted = build_draft(
        FULL,
        texts(project="Assalamu alaikum! its the Lunch Club at our mosque, elders cook with us"),
    )
    beside = build_draft(
        FULL,
        texts(project="its the Green Streets, the council gave us a budget for trees"),
    )
    later = build_draft(
        FULL,
        texts(project="we plant trees with the council. its the Market Street bit we did first"),
    )
    assert (greeted.title, beside.title) == ("Lunch Club", "Green Streets")
    assert "Market Street" not in later.title


def test_a_tip_off_opening_with_what_was_seen_by_name_is_titled_by_it() -> None:
    draft = build_draft(
        SPOTTED,
        texts(project="Saw the Repair Cafe Bridport at the church hall, people fix toasters"),
    )
    assert draft.title == "Repair Cafe Bridport"


def test_a_place_answer_that_goes_on_after_the_name_gives_the_name_alone() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="young people decide how the youth budget is spent",
            place_when="Ennis and around it, last year",
        ),
    )
    assert draft.title.endswith(", Ennis")


def test_a_name_then_is_and_what_it_is_in_lower_case_is_the_title_but_a_person_is_not() -> None:
    named = build_draft(
        FULL, texts(project="Walk and Talk Wigan is peer support for dads, we walk on Sundays")
    )
    person = build_draft(
        FULL, texts(project="Mrs Okafor is brilliant, she runs the homework club with parents")
    )
    assert named.title == "Walk and Talk Wigan"
    assert person.title != "Mrs Okafor"  # described, never named after a person


def test_a_name_closing_a_sentence_after_the_kind_of_thing_it_is_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(project="Its a sewing group for refugee women, the Threads Together Circle."),
    )
    assert draft.title == "Threads Together Circle"


def test_an_ellipsis_the_contributor_typed_never_opens_or_closes_the_title() -> None:
    draft = build_draft(FULL, texts(project="…and we fix bikes for kids on the estate..."))
    assert draft.title == "And we fix bikes for kids on the estate"


def test_a_name_anyone_calls_it_in_a_later_answer_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="outdoor gym kit in the park, screened, for mums",
            changed="we go 3 mornings a week. the girls call it Hooyo Gym now",
        ),
    )
    assert draft.title == "Hooyo Gym"


def test_a_name_said_not_to_be_known_is_never_the_title() -> None:
    draft = build_draft(
        SPOTTED,
        texts(
            project="the library lets teens pick the late opening. no idea what its called sorry",
            place_when="Hull",
        ),
    )
    assert draft.title.casefold() != "sorry"
    assert "library" in draft.title.casefold()


def test_a_tip_off_opening_with_heard_is_titled_by_what_was_heard() -> None:
    draft = build_draft(
        SPOTTED,
        texts(project="heard the library on Hessle Road lets the teenagers decide the opening"),
    )
    assert draft.title == "The library on Hessle Road lets the teenagers decide the opening"


def test_a_page_name_said_before_where_it_is_found_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="we used to be a food bank, now its a pantry the members run",
            heard_back="whatsapp and facebook, we're Pantri Pill on there",
        ),
    )
    assert draft.title == "Pantri Pill"


def test_a_gathering_named_for_its_day_is_the_title_but_a_plain_day_is_not() -> None:
    named = build_draft(
        FULL,
        texts(
            project="residents plan the activities at the care home",
            who="residents, families and carers. we all meet at blether wednesdays",
        ),
    )
    plain = build_draft(
        FULL,
        texts(
            project="residents plan the activities at the care home",
            who="residents and carers, we meet on wednesdays",
        ),
    )
    assert named.title == "Blether Wednesdays"
    assert "wednesdays" not in plain.title.casefold()


def test_an_inspector_named_in_a_later_answer_is_never_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="residents plan their own care home activities",
            changed="the Care Inspectorate praised the care home activities in our report",
        ),
    )
    assert "Inspectorate" not in draft.title
    assert "Care Inspectorate" in [s.text for s in draft.field("organisations").sentences]


def test_a_name_typed_with_n_keeps_it_where_the_sentence_says_and() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="swimming for folk wi dementia and their carers",
            origin="we ended up calling it splash n natter cos the blether after is the point",
        ),
    )
    assert draft.title == "Splash n Natter"


def test_a_club_listed_among_who_took_part_is_never_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="we clean the river with the lads from the estate and the fishing club",
            who="young people, the council parks crew, the angling club",
            changed="the angling club say trout are back past the weir",
        ),
    )
    assert "angling" not in draft.title.casefold()
    assert draft.title.startswith("We clean the river")


def test_a_question_back_to_the_bot_never_makes_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(project="is this for a club thing? ok. so our gaa club runs sessions for kids"),
    )
    assert draft.title == "Our gaa club runs sessions for kids"


def test_a_tip_off_that_is_not_mine_but_something_is_titled_by_the_something() -> None:
    draft = build_draft(
        SPOTTED,
        texts(project="not my project but the new skatepark on the seafront, the kids designed it"),
    )
    assert draft.title == "The new skatepark on the seafront"


def test_a_name_the_contributor_gives_in_a_later_answer_beats_words_in_capitals() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="the house rules at the hostel. it was 4 pages of DONT DO THIS DONT DO THAT",
            decision="we voted at the house meeting and we called it Open Door Rules after that",
        ),
    )
    assert draft.title == "Open Door Rules"


def test_a_sentence_opening_with_a_name_someone_called_it_gives_the_name() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a women's show on the community radio, in bangla and english",
            origin="amader radio we called it at first, and now everyone calls it that",
        ),
    )
    assert draft.title == "Amader Radio"


def test_an_acronym_then_is_and_what_it_is_gives_the_acronym() -> None:
    draft = build_draft(
        FULL, texts(project="CRAG is carers who decide who gets the short breaks money")
    )
    assert draft.title == "CRAG"


def test_the_group_credited_names_the_project_only_when_it_echoes_what_it_is() -> None:
    keepers = build_draft(
        FULL,
        {
            **texts(project="the old cemetery at the top of town, residents look after it now"),
            "credit": Answer("credit", choices=("organisation",)),
            "credit_org": Answer("credit_org", text="the Old Cemetery Keepers, Redruth"),
        },
    )
    council = build_draft(
        FULL,
        {
            **texts(project="the old cemetery at the top of town, residents look after it now"),
            "credit": Answer("credit", choices=("organisation",)),
            "credit_org": Answer("credit_org", text="Redruth Town Council"),
        },
    )
    assert keepers.title == "Old Cemetery Keepers"
    assert "Council" not in council.title


def test_what_was_found_on_a_visit_titles_a_tip_off_not_the_visit() -> None:
    draft = build_draft(
        SPOTTED,
        texts(
            project="went to the museum at the weekend and there was an exhibition about "
            "families who came to Tottenham, and the families chose the objects"
        ),
    )
    assert draft.title.startswith("Exhibition about")


def test_an_acronym_spelled_out_in_brackets_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="young ppl panel that helped redo the sexual health clinic",
            origin="she asked who wanted a panel and that became SHAY (sexual health ask youth)",
        ),
    )
    assert draft.title == "SHAY"


def test_a_name_then_we_are_called_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="singing group for people with COPD. Côr Anadl we're called 🎶 (breath choir)"
        ),
    )
    assert draft.title == "Côr Anadl"


def test_a_thing_in_a_later_answer_its_called_in_lower_case_is_not_the_projects_name() -> None:
    whiteboard = build_draft(
        FULL,
        texts(
            project="people in recovery helped redesign first appointments at the service",
            heard_back="a whiteboard in reception, no sorry its called you told us now",
        ),
    )
    ours = build_draft(
        FULL,
        texts(
            project="a group for people whos lost someone to suicide, we meet monthly",
            tip="dont make it a course. oh and we called it empty chair, because of the chair",
        ),
    )
    assert "told" not in whiteboard.title.casefold()
    assert ours.title == "Empty Chair"


def test_an_opening_remark_before_but_is_left_out_of_the_title() -> None:
    draft = build_draft(
        SPOTTED,
        texts(
            project="sorry not sure this counts as co-production but farmers in leitrim "
            "mapped who has no broadband, door to door"
        ),
    )
    assert draft.title.startswith("Farmers in leitrim mapped")


def test_a_hashtag_of_two_words_or_more_names_the_project_but_an_everyday_tag_does_not() -> None:
    given = texts(
        project="a cupboard by the school gates where parents leave and take tins, the "
        "kids decide what goes on the shelves #PocketPantry",
        source="the schools facebook page, the head was on Radio Kent about it",
    )
    tagged = build_draft(SPOTTED, given)
    underscored = build_draft(
        SPOTTED,
        texts(project="tenants fixing up the drying green together, pics under #green_thumbs_crew"),
    )
    assert tagged.title == "Pocket Pantry"
    assert underscored.title == "Green Thumbs Crew"
    # The words split apart trace back to the hashtag typed, shown as a tidy change.
    assert untraceable_sentences(tagged, SPOTTED, given) == []


@pytest.mark.parametrize(
    "tags",
    [
        "#community #CoProduction",
        "#MentalHealth",
        "#VolunteersWeek",
        "#ThrowbackThursday",
        "#LoveDudley",
        "#pantry",
    ],
)
def test_an_everyday_event_or_place_hashtag_or_one_lower_case_word_is_not_the_title(
    tags: str,
) -> None:
    draft = build_draft(
        FULL,
        texts(
            project=f"young carers planning their own respite weekends at the centre {tags}",
            place_when="Dudley, since 2023",
        ),
    )
    assert draft.title.startswith("Young carers planning")


def test_a_lower_case_name_after_who_named_it_is_the_title_when_it_reads_as_a_name() -> None:
    crew = build_draft(
        FULL,
        texts(
            project="dads from the estate cooking a cheap tea together once a week",
            changed="20 of us most weeks. the lads all call it the brew crew now",
        ),
    )
    named = build_draft(
        FULL,
        texts(
            project="grandparents raising grandkids meeting up for a natter in school hours",
            helped="creche in the next room. everyone just calls it tea towers, the kids named it",
        ),
    )
    assert crew.title == "Brew Crew"
    assert named.title == "Tea Towers"


@pytest.mark.parametrize(
    "said", ["by 4 we all call it a day, everyones shattered", "we just call it quits at nine"]
)
def test_a_lower_case_phrase_after_call_it_that_names_nothing_is_not_the_title(said: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="residents painting the underpass with the youth service", hard=said),
    )
    assert draft.title.startswith("Residents painting the underpass")


def test_a_name_the_press_gave_the_project_is_the_title() -> None:
    lower = build_draft(
        FULL,
        texts(
            project="older women learning to fix their own bikes at the community centre",
            changed="the gazette did a piece on the spanner club in june and now theres a list",
        ),
    )
    capital = build_draft(
        FULL,
        texts(
            project="people who use the food bank redesigned how parcels are picked",
            changed="The Evening Chronicle wrote about Pick Your Own Parcel last month.",
        ),
    )
    assert lower.title == "Spanner Club"
    assert capital.title == "Pick Your Own Parcel"


@pytest.mark.parametrize(
    "said", ["the local paper did a piece on us in may", "there was a story about the old pool"]
)
def test_a_press_mention_of_no_name_is_not_the_title(said: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="swimmers and the council planning the reopening of the lido", changed=said),
    )
    assert draft.title.startswith("Swimmers and the council planning")


def test_an_acronym_spelled_out_in_brackets_names_the_project_only_after_a_naming_cue() -> None:
    plain = build_draft(
        FULL,
        texts(
            project="patients and pharmacists rewriting the leaflets that come with new medicines",
            origin="the pharmacist said lots of NMS (new medicine service) calls were missed",
        ),
    )
    kind = build_draft(
        FULL,
        texts(
            project="girls at the academy designing their own PE lessons with the staff",
            origin="it started in the WAG (women and girls) group at lunchtimes",
        ),
    )
    assert plain.title.startswith("Patients and pharmacists rewriting")
    assert kind.title == "WAG"


def test_a_credited_group_of_the_people_in_the_story_names_it_but_a_council_does_not() -> None:
    def credited(org: str) -> str:
        return build_draft(
            FULL,
            {
                **texts(project="wheelchair users checking the new bus stops before they open"),
                "credit": Answer("credit", choices=("organisation",)),
                "credit_org": Answer("credit_org", text=org),
            },
        ).title

    assert credited("Wheels Out (wheelchair users' access group, Hull)") == "Wheels Out"
    assert credited("Hull City Council (access group for transport)").startswith(
        "Wheelchair users checking"
    )
    assert credited("Kerb Appeal (a disability charity, Hull)").startswith(
        "Wheelchair users checking"
    )


@pytest.mark.parametrize(
    ("who", "title"),
    [
        (
            "the choir and the hospice. we go by Canu Gyda'n Gilydd, it means singing together",
            "Canu Gyda'n Gilydd",
        ),
        (
            "gardeners from the allotments. we went by Green Fingers Grangetown at first",
            "Green Fingers Grangetown",
        ),
    ],
)
def test_a_capitalised_name_after_go_by_or_went_by_is_the_title(who: str, title: str) -> None:
    draft = build_draft(
        FULL,
        texts(
            project="singing sessions for people in the hospice day unit and their families",
            who=who,
        ),
    )
    assert draft.title == title


@pytest.mark.parametrize(
    "said",
    [
        "the route goes by the health centre and the new shops now",
        "we go by the old mill on the way to the session",
        "it went by Leeds General Infirmary on the way back",
    ],
)
def test_a_way_gone_by_is_never_the_title(said: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="older people and drivers planning a volunteer minibus together", who=said),
    )
    assert not {"centre", "mill", "infirmary"} & set(draft.title.casefold().split())


@pytest.mark.parametrize(
    "origin",
    [
        "a woman called Sue runs it now, she saw the empty shop first",
        "there was this lad named Kieran who kept asking for a space",
        "someone called Ffion from the chapel had the keys",
    ],
)
def test_a_person_introduced_by_called_or_named_is_never_the_title(origin: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="a pop-up repair shop in an empty unit on the high street", origin=origin),
    )
    assert draft.title.startswith("Pop-up repair shop in an empty unit")


def test_after_a_person_so_introduced_the_project_is_named_by_its_own_cue() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="neighbours checking on older people who live alone on the estate",
            origin="a man called Dennis was found after a fortnight and nobody had knocked",
            changed="the housing association backs it now, it's called the Knock Twice pledge",
        ),
    )
    assert draft.title == "Knock Twice"


def test_a_clause_in_another_language_before_the_english_is_not_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "Mae'r plant yn dysgu coginio efo'r neiniau - sorry, the kids learn to cook with "
                "their grans at the chapel vestry every Saturday"
            )
        ),
    )
    assert draft.title.startswith("The kids learn to cook")


def test_an_english_clause_without_everyday_words_stays_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "Youth-led bike repair sessions at Riverside Hub - young people fix bikes "
                "for their neighbours"
            )
        ),
    )
    assert draft.title.startswith("Youth-led bike repair sessions at Riverside Hub")


def test_a_lower_case_name_said_with_how_it_began_and_again_elsewhere_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a warm space in the church hall on winter afternoons, soup and board games",
            origin="we had the hall and the heating, so thats how the cosy corner started",
            heard_back="we put notes up on the cosy corner noticeboard",
        ),
    )
    assert draft.title == "Cosy Corner"


@pytest.mark.parametrize(
    ("origin", "later"),
    [
        ("we were stuck at home and thats how the idea was born", "the idea grew from there"),
        ("we had a few cuppas and thats how the plan came about", "the plan changed a lot"),
        ("thats how the raffle started", "we gave out soup every week"),
    ],
)
def test_how_an_idea_began_or_a_word_said_once_names_nothing(origin: str, later: str) -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a warm space in the church hall on winter afternoons, soup and board games",
            origin=origin,
            changed=later,
        ),
    )
    assert draft.title.startswith("Warm space in the church hall")


@pytest.mark.parametrize(
    ("project", "title"),
    [
        (
            "the new show, 'Miners' Daughters' they called it, was picked by the families",
            "Miners' Daughters",
        ),
        ("a film night, 'Bridie's Picture House', run by the tenants", "Bridie's Picture House"),
    ],
)
def test_a_name_in_single_quotes_keeps_the_apostrophe_inside_it(project: str, title: str) -> None:
    assert build_draft(FULL, texts(project=project)).title == title


def test_a_quoted_phrase_with_an_apostrophe_that_ends_lower_case_is_not_a_name() -> None:
    draft = build_draft(
        FULL,
        texts(project="carers told the ward 'Don't talk over us' and the ward rewrote its rounds"),
    )
    assert draft.title.startswith("Carers told the ward")


@pytest.mark.parametrize(
    "changed",
    [
        "the children started calling the minibus the big yellow and it stuck, on every leaflet",
        "now it all gets called, big yellow, even the grant letters say big yellow",
    ],
)
def test_a_lower_case_name_that_stuck_or_is_said_twice_is_the_title(changed: str) -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a minibus that takes older folk from the estate to the shops every thursday",
            changed=changed,
        ),
    )
    assert draft.title == "Big Yellow"


@pytest.mark.parametrize(
    "changed",
    [
        "by ten we were all calling it a night and it stuck as a habit",
        "the kids started calling the driver the boss and it stuck",
        "everyone calls it a lifeline now",
    ],
)
def test_a_night_ended_or_a_person_nicknamed_is_never_the_title(changed: str) -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a minibus that takes older folk from the estate to the shops every thursday",
            changed=changed,
        ),
    )
    assert draft.title.startswith("Minibus that takes older folk")


def test_the_name_a_project_goes_by_now_wins_over_its_first_name() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a lunch on fridays for dads at the family centre",
            changed=(
                "it was called the dads lunch at first, then one of the dads joked its just "
                "grub club, and now the sign says Grub Club and everyone calls it that"
            ),
        ),
    )
    assert draft.title == "Grub Club"


def test_a_name_it_had_at_first_gives_way_to_the_name_it_has_now() -> None:
    def title(changed: str) -> str:
        return build_draft(
            FULL,
            texts(project="a lunch on fridays for dads at the family centre", changed=changed),
        ).title

    assert (
        title("it was called the Dads Lunch at first. The Dad Pad, thats what we call it")
        == "The Dad Pad"
    )
    assert title("it used to be called Dads Lunch, its now Dad Pad") == "Dad Pad"
    # With no other name, the first one still names it.
    assert title("it was called the Dads Lunch at first, we stopped using a name") == "Dads Lunch"


def test_a_day_on_the_poster_is_never_the_name() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a lunch on fridays for dads at the family centre",
            changed="the poster says Sunday and everyone calls it that, its a mess haha",
        ),
    )
    assert draft.title.startswith("Lunch on fridays for dads")


@pytest.mark.parametrize(
    "role",
    [
        "i chair the PATH group. PATH = People Against Transport Hardship",
        "i chair the PATH group. PATH stands for People Against Transport Hardship",
    ],
)
def test_an_acronym_defined_by_its_capitalised_words_is_the_title(role: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="disabled people and the council fixing bus stops in the town", role=role),
    )
    assert draft.title == "PATH"


@pytest.mark.parametrize(
    "role",
    [
        "i do the rota. 2 = 3 hours each week, no more",
        "we had lots of DNA = did not attend, before we changed the letters",
        "i help parents with the EHCP. EHCP = Education Health Care Plan",
    ],
)
def test_arithmetic_or_a_defined_word_in_lower_case_names_nothing(role: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="disabled people and the council fixing bus stops in the town", role=role),
    )
    assert draft.title.startswith("Disabled people and the council fixing bus stops")


def test_a_company_someone_worked_for_named_twice_is_never_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(
            project=(
                "the old quarry by the village was dug for years by Tarmac Hanson and now the "
                "village and the Tarmac Hanson lads are planning a nature park there"
            ),
            role="my grandad worked for Tarmac Hanson all his life, im on the village group",
            decision="Tarmac Hanson wanted a fence, we wanted the path kept open",
        ),
    )
    assert "Tarmac" not in draft.title and "quarry" in draft.title.casefold()


def test_an_organisation_credited_as_name_and_place_names_a_project_with_no_other_name() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="knitting for lads on the ward. on a tuesday",
            who="the ward nurses and the wool shop",
            credit_org="Needles & Natter, Rochdale",
        ),
    )
    assert draft.title == "Needles & Natter"


@pytest.mark.parametrize(
    "credit_org",
    ["Rochdale Council, Rochdale", "Age UK, Leeds", "Barry Holt, Rochdale", "Rochdale, Lancashire"],
)
def test_a_body_a_place_or_a_person_credited_with_a_place_names_nothing(credit_org: str) -> None:
    draft = build_draft(
        FULL,
        texts(
            project="knitting for lads on the ward. on a tuesday",
            who="the ward nurses and the wool shop",
            credit_name="Barry",
            credit_org=credit_org,
        ),
    )
    assert draft.title.startswith("Knitting for lads on the ward")


@pytest.mark.parametrize(
    "decision",
    [
        "we voted on it. the name B.R.E.W came from the first session, cos of all the tea",
        "we voted on it and B.R.E.W won - Bring Round Every Week",
    ],
)
def test_a_dotted_acronym_named_or_spelled_out_is_the_title_as_written(decision: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="a weekly tea for new dads at the family hub", decision=decision),
    )
    assert draft.title == "B.R.E.W"


@pytest.mark.parametrize(
    "decision",
    [
        "we meet at 10 a.m. on a monday, e.g. before the school run",
        "my PIP came from the DWP in the end, after the tribunal",
        "we voted on it. B.R.E.W - that's what the board said about it",
    ],
)
def test_a_dotted_abbreviation_or_an_unexplained_acronym_names_nothing(decision: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="a weekly tea for new dads at the family hub", decision=decision),
    )
    assert draft.title.startswith("Weekly tea for new dads")


@pytest.mark.parametrize(
    "role",
    [
        "I'm one of the 'Night Owls' lot, I drive the van",
        "I drive the van. 'Night Owls' - thats what the students called us",
    ],
)
def test_a_quoted_name_pointed_back_to_or_a_crowd_named_in_quotes_is_the_title(role: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="a van taking students home safe after late shifts", role=role),
    )
    assert draft.title == "Night Owls"


def test_a_quoted_phrase_followed_by_thats_what_she_said_names_nothing() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a van taking students home safe after late shifts",
            role="the manager said 'Not Our Problem' - thats what she said, so we did it",
        ),
    )
    assert draft.title.startswith("Van taking students home safe")


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("the name was my sisters idea, STEP - Safe Towpaths Every Place", "STEP"),
        ("we're the Canal Crawlers now, one of the kids thought of it", "Canal Crawlers"),
        ("we meet at the Snug - thats what we call the old office now", "Snug"),
        ("the residents voted to change it to Towpath Tidy last spring", "Towpath Tidy"),
        ("my nan suggested the name slow coaches because we never hurry", "Slow Coaches"),
        ("so now its Water Walkers, after the kids complained", "Water Walkers"),
        ("theyre called the Lock Keepers, there's a page under that name", "Lock Keepers"),
        ("the kids started calling the boat the little otter and it stuck", "Little Otter"),
        ("the walks ended up called Siubhal, it means journey in Gaelic", "Siubhal"),
        ("we copied the 'wandelroute' (walking route in dutch) idea from Utrecht", "Wandelroute"),
        ("theres a sign on the gate, Sláinte Steps (slainte is health in irish)", "Sláinte Steps"),
        ("we ended up callin it Towpath Tea cos of the flask", "Towpath Tea"),
        ("the kids joined in and we called it walk my way", "Walk My Way"),
        ("the kids call themselves the canal crew, they made badges", "Canal Crew"),
        ("the walk is Siúl Linn (siúl = walk, linn = with us)", "Siúl Linn"),
        ("my nan said its just a wee stroll really so Canal Stroll it is", "Canal Stroll"),
    ],
)
def test_a_name_near_any_naming_words_is_the_title(answer: str, name: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="walks along the canal with families from the estate", changed=answer),
    )
    assert draft.title.casefold() == name.casefold()


@pytest.mark.parametrize(
    "answer",
    [
        "the bus goes by the health centre and the new Aldi now",
        "so now its warm LED lights on a dial you control",
        "they changed it to pasta, rice and tins, not just tins",
        "the board is called you said we did now",
        "a woman called Maureen came up with the idea of walking on Sundays",
        "the ranger helped, the lad is called Declan, he knows every lock",
        "dont take the worst slots and call it kindness. we nearly did",
        "the kids started calling the ranger the gaffer and it stuck",
        "Towpath Tales is the name of the booklet we made after",
        "it rained so we called it off",
        "my mum named it actually, she was brilliant",
        "the Hub it is busy on a monday",
    ],
)
def test_naming_words_near_a_thing_a_person_or_a_list_name_nothing(answer: str) -> None:
    draft = build_draft(
        FULL,
        texts(project="walks along the canal with families from the estate", changed=answer),
    )
    assert draft.title.startswith("Walks along the canal")


def test_a_name_typed_without_capitals_then_what_it_is_is_the_title() -> None:
    draft = build_draft(
        FULL,
        texts(project="the wee harbour, its a drop in cafe for fishermen in Buckie"),
    )
    assert draft.title == "Wee Harbour"


def test_an_opening_place_then_what_it_is_names_nothing() -> None:
    draft = build_draft(
        FULL,
        texts(project="our estate, its a club for the kids on a friday night"),
    )
    assert draft.title != "Our Estate" and "club" in draft.title.casefold()


def test_a_name_said_with_now_wins_over_the_name_it_was_renamed_from() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="a breakfast for the night shift at the depot",
            changed=(
                "we renamed it, it was Early Bird Club but the lads hated that, and thats "
                "what its called now, the Night Owls Breakfast"
            ),
        ),
    )
    assert draft.title == "Night Owls Breakfast"


def test_a_gaelic_name_joined_by_agus_is_kept_whole() -> None:
    draft = build_draft(
        FULL,
        texts(
            project="singing with people with dementia and their carers in Cork",
            heard_back="the project is called Amhrán agus Anam, my mother picked it",
        ),
    )
    assert draft.title == "Amhrán agus Anam"


@pytest.mark.parametrize(
    "source",
    [
        '"Bus4Us Sligo: how riders redrew the rural routes" was in the paper, 500 pins',
        "fb post, headline was 'Bus4Us Sligo: riders redraw rural routes'. 500 pins",
    ],
)
def test_a_pasted_headline_naming_the_project_before_a_colon_gives_the_title(
    source: str,
) -> None:
    draft = build_draft(SPOTTED, texts(source=source))
    assert draft.title == "Bus4Us Sligo"


@pytest.mark.parametrize(
    ("origin", "name"),
    [
        (
            "the housing officer said come in every friday. everybody calls it fix it nights now",
            "Fix It Nights",
        ),
        ("we talked about it at group and we called it say my name", "Say My Name"),
    ],
)
def test_a_lower_case_name_holding_a_small_word_closing_the_answer_is_kept_whole(
    origin: str, name: str
) -> None:
    draft = build_draft(
        FULL, texts(project="tenants and the repairs team sort out damp together", origin=origin)
    )
    assert draft.title.casefold() == name.casefold()
