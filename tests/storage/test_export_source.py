"""Exports read from the database: filters in SQL, consent from the contributor's answers.

The examples are made the real way (interviews through the service, drafts moved along by
staff; see ``seed_examples``) and exported through :func:`storage.exports.export`, so each
test states what an admin's file holds.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conversations.drafting import DraftField, DraftRecord, DraftSentence
from conversations.model import Answer, MediaRef
from storage.database import Database
from storage.export_source import (
    StoredAnswerText,
    build_example,
    count_examples,
    stream_examples,
)
from storage.exports import ExportFilters, apply_consent, export, load_schema, matches
from tests.storage.seed_examples import ANN, Seeded, SettableClock, seeded_database, service_on

JSON = dict[str, Any]


@pytest.fixture
async def seeded_store(database_url: str) -> AsyncIterator[tuple[Database, Seeded]]:
    database, seeded = await seeded_database(database_url)
    try:
        yield database, seeded
    finally:
        await database.dispose()


@pytest.fixture
def database(seeded_store: tuple[Database, Seeded]) -> Database:
    return seeded_store[0]


@pytest.fixture
def seeded(seeded_store: tuple[Database, Seeded]) -> Seeded:
    return seeded_store[1]


async def references(
    database: Database, filters: ExportFilters, batch_size: int = 500
) -> list[str]:
    return [e.reference async for e in stream_examples(database, filters, batch_size=batch_size)]


async def exported_records(
    database: Database, tmp_path: Path, filters: ExportFilters
) -> dict[str, JSON]:
    """The JSON Lines export with ``filters``, as records by reference."""
    path = tmp_path / "examples.jsonl"
    await export(stream_examples(database, filters), "jsonl", path, filters=filters)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {record["reference"]: record for record in records}


# --- which examples -------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 2, 500])
async def test_every_submitted_example_streams_once_oldest_first_whatever_the_batch_size(
    database: Database, seeded: Seeded, batch_size: int
) -> None:
    expected = [seeded.references[name] for name in ("ann", "bob", "cat", "dan", "eve")]
    assert await references(database, ExportFilters(), batch_size) == expected


async def test_status_filter_keeps_only_the_chosen_statuses(
    database: Database, seeded: Seeded
) -> None:
    chosen = ExportFilters(status=frozenset({"ready", "published"}))
    expected = [seeded.references[name] for name in ("ann", "bob", "dan")]
    assert await references(database, chosen) == expected


async def test_script_filter_keeps_only_that_scripts_examples(
    database: Database, seeded: Seeded
) -> None:
    expected = [seeded.references["cat"], seeded.references["eve"]]
    assert await references(database, ExportFilters(script="spotted")) == expected


async def test_since_is_inclusive_and_until_exclusive_on_the_submission_time(
    database: Database, seeded: Seeded
) -> None:
    bob, dan = seeded.submitted["bob"], seeded.submitted["dan"]
    chosen = ExportFilters(since=bob, until=dan)
    expected = [seeded.references["bob"], seeded.references["cat"]]
    assert await references(database, chosen) == expected


async def test_sql_filters_agree_with_the_exporters_own_matching(
    database: Database, seeded: Seeded
) -> None:
    everything = [e async for e in stream_examples(database, ExportFilters())]
    cases = [
        ExportFilters(status=frozenset({"new", "in_review"})),
        ExportFilters(status=frozenset()),
        ExportFilters(script="full-story", since=datetime(2026, 2, 1, tzinfo=UTC)),
        ExportFilters(until=datetime(2026, 2, 20, 9, 16)),  # naive: read as UTC
        ExportFilters(since=seeded.submitted["eve"] + timedelta(seconds=1)),
    ]
    for filters in cases:
        expected = [e.reference for e in everything if matches(e, filters)]
        assert await references(database, filters) == expected, filters
        assert await count_examples(database, filters) == len(expected), filters


# --- consent ---------------------------------------------------------------------------------


async def test_named_credit_exports_name_organisation_and_the_contact_they_allowed(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    ann = (await exported_records(database, tmp_path, ExportFilters()))[seeded.references["ann"]]
    assert ann["credit"] == {
        "kind": "named",
        "line": "Ann Lee, Hill Trust",
        "name": "Ann Lee",
        "organisation": "Hill Trust",
    }
    assert ann["contact"] == "ann@example.org"


async def test_organisation_credit_names_no_person_and_no_contact_without_permission(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    records = await exported_records(database, tmp_path, ExportFilters(include_raw=True))
    bob = records[seeded.references["bob"]]
    assert bob["credit"] == {
        "kind": "organisation",
        "line": "Bramley Food CIC",
        "name": None,
        "organisation": "Bramley Food CIC",
    }
    assert bob["contact"] is None
    assert "Bob Telegram" not in json.dumps(bob)


async def test_anonymous_credit_is_credited_as_anonymous_contributor(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    cat = (await exported_records(database, tmp_path, ExportFilters()))[seeded.references["cat"]]
    assert cat["credit"] == {
        "kind": "anonymous",
        "line": "Anonymous contributor",
        "name": None,
        "organisation": None,
    }
    assert cat["contact"] is None


async def test_named_credit_without_a_typed_name_uses_the_contributors_telegram_name(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    eve = (await exported_records(database, tmp_path, ExportFilters()))[seeded.references["eve"]]
    assert (eve["credit"]["kind"], eve["credit"]["name"]) == ("named", "Eve Adams")


async def test_raw_answers_are_exported_only_when_asked_for(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    plain = await exported_records(database, tmp_path, ExportFilters())
    raw = await exported_records(database, tmp_path, ExportFilters(include_raw=True))
    ann = seeded.references["ann"]
    assert plain[ann]["raw_answers"] is None
    assert raw[ann]["raw_answers"]["credit_name"] == "Ann Lee"
    assert raw[ann]["raw_answers"]["project"] == (
        "Residents and the council ran a community garden together for three years."
    )


async def test_erased_contributor_gives_no_name_contact_quotes_or_raw_answers(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    records = await exported_records(database, tmp_path, ExportFilters(include_raw=True))
    dan = records[seeded.references["dan"]]
    assert dan["credit"] == {
        "kind": "anonymous",
        "line": "Anonymous contributor",
        "name": None,
        "organisation": None,
    }
    assert (dan["contact"], dan["raw_answers"], dan["quotes"], dan["media"]) == (None, None, [], [])
    assert all(tag["evidence"] == "" for tag in dan["tags"])
    text = json.dumps(dan)
    assert "Dan Smith" not in text and "dan@example.org" not in text


async def test_a_contributor_who_used_delete_is_no_longer_exported(
    database: Database, seeded: Seeded
) -> None:
    service = service_on(database, SettableClock(datetime(2026, 4, 1, tzinfo=UTC)))
    assert await service.erase_person(ANN.person.user_id)

    remaining = await references(database, ExportFilters(include_raw=True))
    assert remaining == [seeded.references[name] for name in ("bob", "cat", "dan", "eve")]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
async def test_json_exports_from_the_database_validate_against_the_schema(
    database: Database, seeded: Seeded, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"examples.{fmt}"
    filters = ExportFilters(include_raw=True)
    result = await export(stream_examples(database, filters), fmt, path, filters=filters)
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        records = json.loads(text)["examples"]
    else:
        records = [json.loads(line) for line in text.splitlines()]
    validator = Draft202012Validator(load_schema())
    errors = [error.message for record in records for error in validator.iter_errors(record)]
    assert (result.count, len(records), errors) == (5, 5, [])


# --- consent read from answers (no database) -------------------------------------------------


def draft() -> DraftRecord:
    said = "We did it together, all of us, every week."
    quotes = DraftField("quotes", said, sentences=(DraftSentence(said, ("tip",), "quote"),))
    return DraftRecord(
        script_id="full-story",
        reference="CP-2026-00099",
        fields={"title": DraftField("title", "Garden"), "quotes": quotes},
        media=(
            MediaRef(kind="photo", file_id="PHOTO1", caption="The garden"),
            MediaRef(kind="location", meta={"latitude": 53.8, "longitude": -1.5}),
        ),
        links=("https://example.org/garden",),
    )


def given(**answers: Answer) -> dict[str, StoredAnswerText]:
    return {
        qid: StoredAnswerText(answer, answer.text or ", ".join(answer.choices))
        for qid, answer in answers.items()
    }


def example_from(answers: dict[str, StoredAnswerText], **kwargs: Any) -> Any:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    return build_example(
        draft(),
        reference="CP-2026-00099",
        status="ready",
        script_id="full-story",
        submitted_at=moment,
        updated_at=moment,
        answers=answers,
        **kwargs,
    )


def test_without_consent_answers_nothing_personal_is_allowed() -> None:
    example = apply_consent(example_from({}, display_name="Ann", include_raw=True), True)
    assert (example.credit, example.contributor_name, example.organisation) == (
        "anonymous",
        None,
        None,
    )
    assert (example.contact, example.quotes, example.media) == (None, (), ())


def test_raw_answers_leave_out_a_name_and_contact_the_contributor_withheld() -> None:
    answers = given(
        consent=Answer("consent", choices=("yes",)),
        credit=Answer("credit", choices=("anonymous",)),
        credit_name=Answer("credit_name", "Ann Lee"),  # typed before changing their mind
        credit_org=Answer("credit_org", "Hill Trust"),
        contact_ok=Answer("contact_ok", choices=("no",)),
        contact_how=Answer("contact_how", "ann@example.org"),
        project=Answer("project", "A garden."),
    )
    example = apply_consent(example_from(answers, include_raw=True), True)
    assert example.raw_answers == {
        "consent": "yes",
        "credit": "anonymous",
        "contact_ok": "no",
        "project": "A garden.",
    }
    assert (example.contributor_name, example.organisation, example.contact) == (None, None, None)


def test_quotes_and_media_follow_explicit_questions_when_the_script_asks_them() -> None:
    answers = given(
        consent=Answer("consent", choices=("yes",)),
        quotes_ok=Answer("quotes_ok", choices=("no",)),
        media_ok=Answer("media_ok", choices=("yes",)),
    )
    example = apply_consent(example_from(answers), False)
    assert example.quotes == ()
    assert [(m.kind, m.file_id, m.caption) for m in example.media] == [
        ("photo", "PHOTO1", "The garden")
    ]


def test_consent_to_use_the_answers_allows_quotes_and_media_when_not_asked_apart() -> None:
    example = apply_consent(example_from(given(consent=Answer("consent", choices=("yes",)))), False)
    assert (example.quotes, len(example.media)) == (
        ("We did it together, all of us, every week.",),
        1,
    )


def test_shared_contact_card_is_the_contact_when_contact_is_allowed() -> None:
    card = MediaRef(kind="contact", meta={"phone_number": "+44 113 496 0000", "first_name": "Ann"})
    answers = given(
        contact_ok=Answer("contact_ok", choices=("yes",)),
        contact_how=Answer("contact_how", media=(card,)),
    )
    assert apply_consent(example_from(answers), False).contact == "Ann +44 113 496 0000"


async def test_exports_say_which_language_each_interview_was_in(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    languages = {e.reference: e.language async for e in stream_examples(database, ExportFilters())}
    assert languages.pop(seeded.references["cat"]) == "pl"  # her Telegram speaks Polish
    assert set(languages.values()) == {"en"}
    records = await exported_records(database, tmp_path, ExportFilters())
    assert records[seeded.references["cat"]]["language"] == "pl"
    assert records[seeded.references["ann"]]["language"] == "en"


@pytest.mark.parametrize("staff_edited_quotes", [False, True])
def test_reading_a_stored_draft_for_export_shows_what_the_full_draft_shows(
    staff_edited_quotes: bool,
) -> None:
    """Exports read only part of a draft's JSON; they must show exactly what it says."""
    from conversations.lens import LensSuggestion
    from storage.export_view import parts_of_body, parts_of_record

    quotes = DraftField(
        "quotes",
        "We did it together\nEveryone had a say" if staff_edited_quotes else "“We did it”",
        sentences=(DraftSentence("“We did it”", ("decision",)),),
        generated_text="“We did it”" if staff_edited_quotes else None,
    )
    record = DraftRecord(
        script_id="full-story",
        reference="CP-2026-00001",
        fields={
            "title": DraftField("title", "A garden"),
            "summary": DraftField("summary", "Residents and the council."),
            "quotes": quotes,
        },
        lens=(
            LensSuggestion("ladder", "co_design", "Co-design", "together", "origin", "confirmed"),
        ),
        media=(
            MediaRef(kind="photo", file_id="PHOTO1", caption="The garden"),
            MediaRef(kind="document", file_id="DOC1", meta={"url": "https://example.org/a"}),
            MediaRef(kind="contact", file_id="C1", meta={"phone_number": "+44"}),
            MediaRef(kind="location", meta={"latitude": 53.8}),
        ),
        links=("https://example.org/garden",),
    )
    stored = json.loads(json.dumps(record.to_json()))
    assert parts_of_body(stored) == parts_of_record(record)
    assert parts_of_body(stored).quotes == (
        ("We did it together", "Everyone had a say") if staff_edited_quotes else ("“We did it”",)
    )
