"""The consent rules, written once: every format exports ``apply_consent(example)`` only.

What a contributor allowed decides what leaves the system, whatever the format:

* credit ``named``: name and organisation; ``organisation``: organisation only;
  ``anonymous`` (or anything unknown): neither;
* contact details only when the contributor said staff may contact them;
* quotes only when quotes may be published; media only when media may be shared;
* raw answers only when the export asks for them, and lens evidence (an excerpt of the
  raw answers) only then too;
* an erased contributor (``/delete``) leaves no personal data at all: anonymous credit,
  no name, organisation, contact, quotes, media, raw answers or evidence.
"""

from __future__ import annotations

from dataclasses import replace

from storage.exports.model import ExportExample

ANONYMOUS = "anonymous"
ANONYMOUS_LINE = "Anonymous contributor"


def apply_consent(example: ExportExample, include_raw: bool) -> ExportExample:
    """``example`` with everything its contributor did not allow removed."""
    if example.erased:
        return replace(
            example,
            credit=ANONYMOUS,
            contributor_name=None,
            organisation=None,
            contact=None,
            contact_allowed=False,
            quotes=(),
            quotes_allowed=False,
            media=(),
            media_allowed=False,
            raw_answers=None,
            tags=tuple(replace(tag, evidence="") for tag in example.tags),
        )
    credit = example.credit if example.credit in ("named", "organisation") else ANONYMOUS
    keep_raw = include_raw and example.raw_answers is not None
    name = example.contributor_name if credit == "named" else None
    organisation = example.organisation if credit != ANONYMOUS else None
    contact = example.contact if example.contact_allowed else None
    quotes = example.quotes if example.quotes_allowed else ()
    media = example.media if example.media_allowed else ()
    raw = example.raw_answers if keep_raw else None
    tags = (
        example.tags
        if keep_raw or not any(tag.evidence for tag in example.tags)
        else tuple(replace(tag, evidence="") for tag in example.tags)
    )
    unchanged = (
        credit == example.credit
        and name is example.contributor_name
        and organisation is example.organisation
        and contact is example.contact
        and quotes is example.quotes
        and media is example.media
        and raw is example.raw_answers
        and tags is example.tags
    )
    if unchanged:
        return example  # already within consent (most are): spared a copy
    return replace(
        example,
        credit=credit,
        contributor_name=name,
        organisation=organisation,
        contact=contact,
        quotes=quotes,
        media=media,
        raw_answers=raw,
        tags=tags,
    )


def credit_line(example: ExportExample) -> str:
    """How the example is credited in print, from an example that consent was applied to."""
    parts = [part.strip() for part in (example.contributor_name, example.organisation) if part]
    parts = [part for part in parts if part]
    return ", ".join(parts) if parts else ANONYMOUS_LINE
