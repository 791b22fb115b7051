"""The consent rules: what each contributor choice lets out of the system."""

from __future__ import annotations

from storage.exports import MediaItem, apply_consent, credit_line
from tests.exports.factories import make_example


def test_named_credit_keeps_name_and_organisation() -> None:
    example = apply_consent(make_example(credit="named"), include_raw=False)

    assert (example.credit, example.contributor_name, example.organisation) == (
        "named",
        "Person 1",
        "Trust 1",
    )
    assert credit_line(example) == "Person 1, Trust 1"


def test_organisation_credit_keeps_organisation_only() -> None:
    example = apply_consent(make_example(credit="organisation"), include_raw=False)

    assert (example.contributor_name, example.organisation) == (None, "Trust 1")
    assert credit_line(example) == "Trust 1"


def test_anonymous_credit_drops_name_and_organisation() -> None:
    example = apply_consent(make_example(credit="anonymous"), include_raw=False)

    assert (example.credit, example.contributor_name, example.organisation) == (
        "anonymous",
        None,
        None,
    )
    assert credit_line(example) == "Anonymous contributor"


def test_unknown_credit_is_treated_as_anonymous() -> None:
    example = apply_consent(make_example(credit="whatever"), include_raw=False)

    assert (example.credit, example.contributor_name, example.organisation) == (
        "anonymous",
        None,
        None,
    )


def test_contact_only_when_allowed() -> None:
    allowed = apply_consent(make_example(contact_allowed=True), include_raw=False)
    refused = apply_consent(make_example(contact_allowed=False), include_raw=False)

    assert (allowed.contact, refused.contact) == ("person1@example.org", None)


def test_quotes_and_media_only_when_allowed() -> None:
    example = apply_consent(
        make_example(quotes_allowed=False, media_allowed=False), include_raw=False
    )

    assert (example.quotes, example.media) == ((), ())


def test_raw_answers_and_evidence_only_when_requested() -> None:
    without = apply_consent(make_example(), include_raw=False)
    with_raw = apply_consent(make_example(), include_raw=True)

    assert without.raw_answers is None
    assert {tag.evidence for tag in without.tags} == {""}
    assert with_raw.raw_answers == {"story": "raw story words 1", "place": "Leeds"}
    assert with_raw.tags[0].evidence == "we designed it 1"


def test_erased_contributor_leaves_no_personal_data_even_with_raw_requested() -> None:
    example = apply_consent(
        make_example(erased=True, media=(MediaItem("photo", "F"),)), include_raw=True
    )

    assert (
        example.credit,
        example.contributor_name,
        example.organisation,
        example.contact,
        example.quotes,
        example.media,
        example.raw_answers,
        {tag.evidence for tag in example.tags},
    ) == ("anonymous", None, None, None, (), (), None, {""})
    assert example.fields["summary"] == "Summary of example 1."
