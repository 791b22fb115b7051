"""The writer model on real drafts: which fields are sent, how a checked rewrite lands in
the record, and that over every drafting fixture no invented fact gets in."""

from __future__ import annotations

import pytest

from conversations.drafting import DraftRecord, build_draft
from conversations.render import draft_to_markdown
from conversations.writer import (
    LEFT_OUT_FIELD,
    NOT_REWRITTEN,
    WRITER_TEMPLATE,
    Withheld,
    check_rewrite,
    prompt_messages,
)
from conversations.writer_record import apply_rewrites, field_requests
from tests.drafting.fixture_data import FIXTURES, Interview, all_interviews, load_interview
from tests.fake_llm_api import INVENTED_FACTS, FakeLlmApi

INTERVIEWS = all_interviews()


def drafted(interview: Interview) -> DraftRecord:
    return build_draft(
        interview.script, interview.answers, contributor_name=interview.contributor_name
    )


def rewritten(record: DraftRecord, fake: FakeLlmApi, edited: set[str] | None = None) -> DraftRecord:
    requests = field_requests(record, edited or set(), Withheld())
    return apply_rewrites(
        record, [check_rewrite(r, fake.answer(prompt_messages(r))) for r in requests]
    )


def test_lists_quotes_title_credit_and_staff_edited_fields_are_never_sent() -> None:
    record = drafted(load_interview(FIXTURES / "11_complete.yaml"))
    sent = {r.field for r in field_requests(record, {"outcomes"}, Withheld())}
    assert sent and not sent & (NOT_REWRITTEN | {"outcomes"})
    assert "summary" in sent


def test_a_rewrite_keeps_sources_and_the_drafter_text_and_lists_what_was_left_out() -> None:
    record = drafted(load_interview(FIXTURES / "02_rambling.yaml"))
    written = rewritten(record, FakeLlmApi(mode="invent"))

    before, after = record.field("how_people_heard_back"), written.field("how_people_heard_back")
    assert (before.text[:7], after.text[:9]) == ("We also", "They also")
    assert {s.template for s in after.sentences} == {WRITER_TEMPLATE}
    assert (after.sources, after.generated_text) == (before.sources, before.generated_text)
    assert "Councillor Zebedee Quortley" in written.field(LEFT_OUT_FIELD).text
    markdown = draft_to_markdown(written)
    assert "## Left out by the checker" in markdown
    # Written again later (after a redraft), each field's left-out lines are replaced.
    again = rewritten(written, FakeLlmApi(mode="invent"))
    assert again.field(LEFT_OUT_FIELD).text == written.field(LEFT_OUT_FIELD).text


@pytest.mark.parametrize("mode", ["invent", "invent_inside"])
@pytest.mark.parametrize("interview", INTERVIEWS, ids=lambda i: i.name)
def test_no_invented_fact_reaches_any_fixture_draft(interview: Interview, mode: str) -> None:
    record = drafted(interview)
    written = rewritten(record, FakeLlmApi(mode=mode))
    leaked = [
        (name, fact)
        for name, draft_field in written.fields.items()
        if name != LEFT_OUT_FIELD
        for facts in INVENTED_FACTS.values()
        for fact in facts
        if fact in draft_field.text and fact not in record.field(name).text
    ]
    assert leaked == []
