"""The draft record: fields of sentences, each sentence with the answer sentences it holds.

This is the JSON stored in ``drafts.body``. Loading is tolerant: drafts stored before
sentences carried their references, changes and entities load with those empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from conversations.lens import LensSuggestion
from conversations.model import MediaRef
from conversations.tidy import DEFAULT_LANGUAGE, Change

FIELD_ORDER: tuple[str, ...] = (
    "title",
    "summary",
    "place",
    "dates_and_stage",
    "organisations",
    "people_involved",
    "how_it_started",
    "done_together",
    "power_sharing",
    "what_people_brought",
    "what_people_got_back",
    "what_helped",
    "outcomes",
    "challenges",
    "how_people_heard_back",
    "tips",
    "links_and_media",
    "credit_line",
    "quotes",
    "other_notes",
)

JSON_FORMAT = 2
GapReason = Literal["missing", "thin"]
REASONS: tuple[GapReason, ...] = ("missing", "thin")


@dataclass(frozen=True)
class Gap:
    """A field that is missing or thin, and the question that would fill it."""

    field: str
    question: str
    reason: GapReason

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "question": self.question, "reason": self.reason}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Gap:
        reason = str(data["reason"])
        if reason not in REASONS:
            raise ValueError(f"unknown gap reason '{reason}'")
        return cls(str(data["field"]), str(data["question"]), reason)


@dataclass(frozen=True)
class Source:
    """An answer a field draws on, with an excerpt for staff to check against."""

    question_id: str
    excerpt: str


@dataclass(frozen=True)
class DraftSentence:
    """One sentence of a draft and the questions it came from.

    ``template`` names the fixed wording it was built with (a key of ``templates`` in
    ``lens/drafting.yaml``, or "quote" for a verbatim quote); empty for a tidied answer
    sentence.
    """

    text: str
    question_ids: tuple[str, ...]
    template: str = ""
    # The answer sentences placed here, as "question#index" (index among the answer's
    # sentences): each answer sentence is placed in exactly one field. Empty for what is
    # composed or selected from placed sentences (title, summary wording, quotes, lists).
    refs: tuple[str, ...] = ()
    # Words the tidier replaced, so the contributor's own spelling is one tap away.
    changes: tuple[Change, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "question_ids": list(self.question_ids),
            "template": self.template,
            "refs": list(self.refs),
            "changes": [c.to_json() for c in self.changes],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftSentence:
        return cls(
            text=str(data["text"]),
            question_ids=tuple(str(q) for q in data.get("question_ids") or ()),
            template=str(data.get("template") or ""),
            refs=tuple(str(r) for r in data.get("refs") or ()),
            changes=tuple(Change.from_json(c) for c in data.get("changes") or ()),
        )


@dataclass(frozen=True)
class DraftField:
    """One field of a draft.

    ``generated_text`` is what the drafter wrote, kept when staff edit ``text``, so a
    regeneration can tell new material from old. ``suggested_update`` (with
    ``suggested_sentences``) is new material from changed answers, shown beside a field
    staff have edited instead of overwriting it.
    """

    name: str
    text: str
    sources: tuple[Source, ...] = ()
    suggested_update: str | None = None
    sentences: tuple[DraftSentence, ...] = ()
    suggested_sentences: tuple[DraftSentence, ...] = ()
    generated_text: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    @property
    def staff_edited(self) -> bool:
        """Staff replaced the drafter's text (which is kept in ``generated_text``)."""
        return self.generated_text is not None

    def shown_sentences(self) -> tuple[DraftSentence, ...]:
        """The items a list-like field (quotes, links) shows: the drafter's sentences, or
        after a staff edit the lines staff wrote."""
        if not self.staff_edited:
            return self.sentences
        return tuple(
            DraftSentence(line.strip(), ()) for line in self.text.splitlines() if line.strip()
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "text": self.text,
            "sources": [{"question_id": s.question_id, "excerpt": s.excerpt} for s in self.sources],
            "suggested_update": self.suggested_update,
            "sentences": [s.to_json() for s in self.sentences],
            "suggested_sentences": [s.to_json() for s in self.suggested_sentences],
            "generated_text": self.generated_text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftField:
        suggested = data.get("suggested_update")
        generated = data.get("generated_text")
        return cls(
            name=str(data["name"]),
            text=str(data.get("text") or ""),
            sources=tuple(
                Source(str(s["question_id"]), str(s["excerpt"])) for s in data.get("sources") or ()
            ),
            suggested_update=None if suggested is None else str(suggested),
            sentences=tuple(DraftSentence.from_json(s) for s in data.get("sentences") or ()),
            suggested_sentences=tuple(
                DraftSentence.from_json(s) for s in data.get("suggested_sentences") or ()
            ),
            generated_text=None if generated is None else str(generated),
        )


@dataclass(frozen=True)
class Entities:
    """Names and figures found across all answers, as the contributor wrote them."""

    organisations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        return {
            "organisations": list(self.organisations),
            "places": list(self.places),
            "dates": list(self.dates),
            "numbers": list(self.numbers),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entities:
        def names(key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in data.get(key) or ())

        return cls(names("organisations"), names("places"), names("dates"), names("numbers"))


@dataclass(frozen=True)
class DraftRecord:
    """A draft example record: fields in order, lens suggestions, gaps, media and links."""

    script_id: str
    reference: str | None
    fields: dict[str, DraftField]
    lens: tuple[LensSuggestion, ...] = ()
    gaps: tuple[Gap, ...] = ()
    media: tuple[MediaRef, ...] = ()
    links: tuple[str, ...] = ()
    script_version: int = 0
    language: str = DEFAULT_LANGUAGE
    entities: Entities = dataclasses.field(default_factory=Entities)

    def field(self, name: str) -> DraftField:
        """A field by name; an empty one when the draft has no such field."""
        return self.fields.get(name) or DraftField(name, "")

    @property
    def title(self) -> str:
        return self.field("title").text

    @property
    def summary(self) -> str:
        return self.field("summary").text

    @property
    def credit_line(self) -> str:
        return self.field("credit_line").text

    @property
    def quotes(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.field("quotes").shown_sentences())

    def sentences(self) -> Iterator[tuple[str, DraftSentence]]:
        """Every sentence of the draft (suggested updates included), with its field's name."""
        for name, draft_field in self.fields.items():
            for sentence in draft_field.sentences + draft_field.suggested_sentences:
                yield name, sentence

    def to_json(self) -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "script_id": self.script_id,
            "script_version": self.script_version,
            "reference": self.reference,
            "language": self.language,
            "fields": [f.to_json() for f in self.fields.values()],
            "lens": [s.to_json() for s in self.lens],
            "gaps": [g.to_json() for g in self.gaps],
            "media": [m.to_json() for m in self.media],
            "links": list(self.links),
            "entities": self.entities.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftRecord:
        fields = [DraftField.from_json(f) for f in data.get("fields") or ()]
        reference = data.get("reference")
        return cls(
            script_id=str(data["script_id"]),
            reference=None if reference is None else str(reference),
            fields={f.name: f for f in fields},
            lens=tuple(LensSuggestion.from_json(s) for s in data.get("lens") or ()),
            gaps=tuple(Gap.from_json(g) for g in data.get("gaps") or ()),
            media=tuple(MediaRef.from_json(m) for m in data.get("media") or ()),
            links=tuple(str(u) for u in data.get("links") or ()),
            script_version=int(data.get("script_version") or 0),
            language=str(data.get("language") or DEFAULT_LANGUAGE),
            entities=Entities.from_json(data.get("entities") or {}),
        )
