"""Turning a finished interview into a draft example record that staff only polish.

Pure and deterministic. The drafter never writes a sentence of its own: every sentence of
a draft is a tidied sentence of an answer, or a fixed template from ``lens/drafting.yaml``
filled with answer words, and records the question(s) it came from, so
:func:`untraceable_sentences` can prove the whole draft traces back to the answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

from conversations.gaps import Gap, find_gaps
from conversations.lens import Lens, LensSuggestion, load_lens, phrase_regex, suggest_tags
from conversations.model import Answer, MediaRef, QuestionKind, Script
from conversations.tidy import (
    DEFAULT_LANGUAGE,
    LINK_RE,
    language_pack,
    pack_text,
    pack_words,
    sentence_key,
    split_sentences,
    tidy_sentences,
    tidy_title,
    tokens,
)

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
# Where each known question's sentences go; other questions land in "other_notes".
HOME_FIELDS: dict[str, tuple[str, ...]] = {
    "place_when": ("place",),
    "role": ("people_involved",),
    "who": ("people_involved",),
    "origin": ("how_it_started",),
    "decision": ("power_sharing",),
    "brought": ("what_people_brought",),
    "got_back": ("what_people_got_back",),
    "helped": ("what_helped",),
    "changed": ("outcomes",),
    "hard": ("challenges",),
    "heard_back": ("how_people_heard_back",),
    "tip": ("tips",),
    "source": ("links_and_media",),
    "media": ("links_and_media",),
}
# Questions handled on their own (or kept out of the draft: contact details never enter it).
SPECIAL_QUESTIONS = frozenset(
    {
        "consent",
        "contact_ok",
        "contact_how",
        "credit",
        "credit_name",
        "credit_org",
        "stage",
        "together",
        "project",
        "final_say",
    }
)
# Fields a special question fills itself, so routing does not add its sentences twice.
OWN_FIELDS: dict[str, tuple[str, ...]] = {"final_say": ("power_sharing",), "project": ("summary",)}
# Answers too short and specific to hold another question's answer ("started spring 2019"
# in where-and-when is a date, not the story of how it started).
UNROUTED = frozenset({"place_when", "source", "media"})
DATE_SOURCES = frozenset({"project", "place_when", "origin"})
JOINERS = {"organisations": "; ", "links_and_media": "\n", "quotes": "\n"}
EXCERPT_CHARS = 300
JSON_FORMAT = 1


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

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "question_ids": list(self.question_ids),
            "template": self.template,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftSentence:
        return cls(
            text=str(data["text"]),
            question_ids=tuple(str(q) for q in data.get("question_ids") or ()),
            template=str(data.get("template") or ""),
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
        )


# --- the drafter -------------------------------------------------------------------------


@dataclass
class _Piece:
    """A tidied answer sentence on its way into fields."""

    text: str
    question_ids: tuple[str, ...]
    home: str

    def sentence(self, template: str = "") -> DraftSentence:
        return DraftSentence(self.text, self.question_ids, template)


def _answered(answers: Mapping[str, Answer], question_id: str) -> Answer | None:
    answer = answers.get(question_id)
    if answer is None or answer.skipped or answer.is_empty():
        return None
    return answer


def _cue_regex(phrases: Sequence[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(phrase_regex(p) for p in ordered), re.IGNORECASE)


class _Drafter:
    """One drafting run: the answers, the wording, and the sentences gathered per field."""

    def __init__(
        self,
        script: Script,
        answers: Mapping[str, Answer],
        lens: Lens,
        language: str,
        contributor_name: str | None,
    ) -> None:
        self.script = script
        self.answers = answers
        self.lens = lens
        self.language = language
        self.contributor_name = (contributor_name or "").strip() or None
        self.pack = language_pack(language)
        self.fields: dict[str, list[DraftSentence]] = {name: [] for name in FIELD_ORDER}
        self.order = [q.id for q in script.questions] + sorted(
            q for q in answers if script.question(q) is None
        )
        routing = self.pack.get("routing") or {}
        self.routes = {
            name: regex
            for name, phrases in routing.items()
            if (regex := _cue_regex(pack_words(language, "routing", name))) is not None
        }
        self.date_regex = _cue_regex(pack_words(language, "dates", "words"))

    # -- helpers --

    def template(self, key: str) -> str:
        return pack_text(self.language, "templates", key)

    def add(self, name: str, sentence: DraftSentence) -> None:
        bucket = self.fields[name]
        key = sentence_key(sentence.text)
        for index, existing in enumerate(bucket):
            if sentence_key(existing.text) == key:
                merged = tuple(dict.fromkeys(existing.question_ids + sentence.question_ids))
                # A bare link wins over its tidied twin ("https://x.org."), which would break.
                text = sentence.text if LINK_RE.fullmatch(sentence.text) else existing.text
                bucket[index] = replace(existing, text=text, question_ids=merged)
                return
        bucket.append(sentence)

    def routes_for(self, text: str) -> list[str]:
        return [name for name, regex in self.routes.items() if regex.search(text)]

    def is_dated(self, text: str) -> bool:
        if re.search(r"\b(?:19|20)\d{2}s?\b", text):
            return True
        return bool(self.date_regex and self.date_regex.search(text))

    # -- gathering --

    def pieces(self) -> list[_Piece]:
        pieces: list[_Piece] = []
        for qid in self.order:
            answer = _answered(self.answers, qid)
            if answer is None or qid in {"consent", "contact_ok", "contact_how", "credit"}:
                continue
            if qid in {"credit_name", "credit_org"}:
                continue
            question = self.script.question(qid)
            if question is not None and question.kind not in {
                QuestionKind.TEXT,
                QuestionKind.LINK,
                QuestionKind.MEDIA,
            }:
                continue
            for sentence in tidy_sentences(answer.text, self.language):
                pieces.append(_Piece(sentence, (qid,), qid))
        return self.apply_corrections(pieces)

    def apply_corrections(self, pieces: list[_Piece]) -> list[_Piece]:
        """A later "sorry, it was 2019 not 2018" corrects the earlier sentences it names."""
        cue = _cue_regex(pack_words(self.language, "corrections", "cues"))
        patterns = [re.compile(p) for p in pack_words(self.language, "corrections", "patterns")]
        if cue is None or not patterns:
            return pieces
        dropped: set[int] = set()
        for index, piece in enumerate(pieces):
            if not cue.search(piece.text):
                continue
            for pattern in patterns:
                match = pattern.search(piece.text)
                if match is None or match.group("wrong") == match.group("right"):
                    continue
                wrong, right = match.group("wrong"), match.group("right")
                wrong_re = re.compile(rf"(?<![\w'’-]){re.escape(wrong)}(?![\w'’-])")
                corrected = False
                for other_index, other in enumerate(pieces):
                    if other_index == index or other_index in dropped:
                        continue
                    if wrong_re.search(other.text) and not re.search(
                        rf"(?<![\w'’-]){re.escape(right)}(?![\w'’-])", other.text
                    ):
                        other.text = wrong_re.sub(right, other.text)
                        other.question_ids = tuple(
                            dict.fromkeys(other.question_ids + piece.question_ids)
                        )
                        corrected = True
                if corrected:
                    dropped.add(index)
                    break
        return [p for i, p in enumerate(pieces) if i not in dropped]

    def build(self) -> dict[str, DraftField]:
        pieces = self.pieces()
        project = [p for p in pieces if p.home == "project"]
        routed_project: set[int] = set()
        for piece in pieces:
            own = HOME_FIELDS.get(piece.home, ()) + OWN_FIELDS.get(piece.home, ())
            routed = self.routes_for(piece.text) if piece.home not in UNROUTED else []
            targets = [t for t in routed if t not in own]
            if piece.home in HOME_FIELDS:
                for name in HOME_FIELDS[piece.home]:
                    self.add(name, piece.sentence())
            elif piece.home not in SPECIAL_QUESTIONS:
                self.add("other_notes", piece.sentence())
            for name in targets:
                self.add(name, piece.sentence())
            if piece.home in DATE_SOURCES and self.is_dated(piece.text):
                self.add("dates_and_stage", piece.sentence())
                targets.append("dates_and_stage")
            if piece.home == "project" and targets:
                routed_project.add(id(piece))
        self.add_title_and_summary(project, routed_project, pieces)
        self.add_other_choices()
        self.add_stage()
        self.add_together(pieces)
        self.add_final_say(pieces)
        self.add_organisations()
        self.add_links_and_media()
        self.add_credit()
        self.add_quotes()
        return {name: self.make_field(name, sentences) for name, sentences in self.fields.items()}

    def add_title_and_summary(
        self, project: list[_Piece], routed: set[int], pieces: list[_Piece]
    ) -> None:
        title_source = project[0] if project else (pieces[0] if pieces else None)
        if title_source is not None:
            title = tidy_title(title_source.text, self.language)
            if title:
                self.add("title", DraftSentence(title, title_source.question_ids))
        summary: list[DraftSentence] = []
        for index, piece in enumerate(project):
            if index == 0 or (index < 3 and len(project) <= 3 and id(piece) not in routed):
                summary.append(piece.sentence())
            elif id(piece) not in routed:
                self.add("other_notes", piece.sentence())
        for qid in ("place_when", "decision", "changed"):
            first = next((p for p in pieces if p.home == qid), None)
            if first is not None:
                summary.append(first.sentence())
            elif qid == "decision" and (ticked := self.together_sentence()) is not None:
                summary.append(ticked)
        for sentence in summary:
            self.add("summary", sentence)

    def add_other_choices(self) -> None:
        """Choices of questions the drafter does not know go to other notes, labelled."""
        for qid in self.order:
            question = self.script.question(qid)
            answer = _answered(self.answers, qid)
            if qid in SPECIAL_QUESTIONS or question is None or answer is None:
                continue
            if question.kind not in {QuestionKind.CHOICE, QuestionKind.MULTI, QuestionKind.YES_NO}:
                continue
            labels = [(o.label if (o := question.option(c)) else c) for c in answer.choices]
            if labels:
                text = self.template("choice_answer").format(
                    question=question.label, items="; ".join(labels)
                )
                self.add("other_notes", DraftSentence(text, (qid,), "choice_answer"))

    def together_sentence(self) -> DraftSentence | None:
        answer = _answered(self.answers, "together")
        question = self.script.question("together")
        if answer is None or not answer.choices:
            return None
        labels = []
        for option_id in answer.choices:
            option = question.option(option_id) if question is not None else None
            labels.append(option.label if option is not None else option_id)
        text = self.template("together_ticked").format(items="; ".join(labels))
        return DraftSentence(text, ("together",), "together_ticked")

    def add_stage(self) -> None:
        answer = _answered(self.answers, "stage")
        question = self.script.question("stage")
        if answer is None or not answer.choices:
            return
        option = question.option(answer.choices[0]) if question is not None else None
        label = option.label if option is not None else answer.choices[0]
        text = self.template("stage").format(stage=label)
        self.add("dates_and_stage", DraftSentence(text, ("stage",), "stage"))

    def add_together(self, pieces: list[_Piece]) -> None:
        ticked = self.together_sentence()
        if ticked is not None:
            self.add("done_together", ticked)
        evidence = 0
        for piece in pieces:
            if evidence >= 4:
                break
            keys = [m.key for m in self.lens.match(piece.text, piece.home, self.language)]
            if any(k.startswith("stages/") for k in keys):
                self.add("done_together", piece.sentence())
                evidence += 1

    def add_final_say(self, pieces: list[_Piece]) -> None:
        said = [p for p in pieces if p.home == "final_say"]
        if not said:
            return
        answer = _answered(self.answers, "final_say")
        if len(said) == 1 and len(tokens(said[0].text)) <= 8 and answer is not None:
            fragment = said[0].text
            raw = answer.text.lstrip()
            if raw[:1].islower() and not fragment[1:2].isupper():
                fragment = fragment[:1].lower() + fragment[1:]
            text = self.template("final_say").format(answer=fragment)
            self.add("power_sharing", DraftSentence(text, said[0].question_ids, "final_say"))
            return
        for piece in said:
            self.add("power_sharing", piece.sentence())

    def add_organisations(self) -> None:
        credit = _answered(self.answers, "credit")
        allowed_org = credit is not None and any(
            c in {"named", "organisation"} for c in credit.choices
        )
        found: list[tuple[str, str]] = []
        for qid in self.order:
            if qid in {"consent", "contact_ok", "contact_how", "credit", "credit_name"}:
                continue
            if qid == "credit_org" and not allowed_org:
                continue
            answer = _answered(self.answers, qid)
            if answer is None or not answer.text.strip():
                continue
            if qid == "credit_org":
                found.append((" ".join(answer.text.split()).rstrip("."), qid))
                continue
            found += [(name, qid) for name in organisation_names(answer.text, self.language)]
        merged: dict[str, tuple[str, list[str]]] = {}
        for name, qid in found:
            key = name.casefold()
            if key in merged:
                merged[key][1].append(qid)
            else:
                merged[key] = (name, [qid])
        keys = list(merged)
        for key in keys:
            if any(key != other and re.search(rf"\b{re.escape(key)}\b", other) for other in keys):
                continue
            name, qids = merged[key]
            self.add("organisations", DraftSentence(name, tuple(dict.fromkeys(qids))))

    def add_links_and_media(self) -> None:
        for qid in self.order:
            if qid in {"contact_how", "consent", "contact_ok"}:
                continue
            answer = _answered(self.answers, qid)
            if answer is None:
                continue
            for match in LINK_RE.finditer(answer.text):
                if "@" not in match.group(0):
                    self.add("links_and_media", DraftSentence(match.group(0), (qid,)))
            for media in answer.media:
                if media.kind == "contact":
                    continue
                if media.kind == "link" and media.meta.get("url"):
                    self.add("links_and_media", DraftSentence(str(media.meta["url"]), (qid,)))
                    continue
                kind = str((self.pack.get("media_kinds") or {}).get(media.kind, media.kind))
                caption = " ".join(media.caption.split())
                key = "media_item" if caption else "media_item_bare"
                text = self.template(key).format(kind=kind, caption=caption)
                self.fields["links_and_media"].append(DraftSentence(text, (qid,), key))

    def add_credit(self) -> None:
        credit = _answered(self.answers, "credit")
        choice = credit.choices[0] if credit is not None and credit.choices else "anonymous"
        name_answer = _answered(self.answers, "credit_name")
        org_answer = _answered(self.answers, "credit_org")
        name = " ".join(name_answer.text.split()).rstrip(".") if name_answer else ""
        org = " ".join(org_answer.text.split()).rstrip(".") if org_answer else ""
        cited = ["credit"]
        if choice == "named" and not name and self.contributor_name:
            name = self.contributor_name
        if choice == "named" and name:
            cited += ["credit_name"] if name_answer else []
            if org:
                cited.append("credit_org")
                key, values = "credit_named", {"name": name, "org": org}
            else:
                key, values = "credit_named_only", {"name": name}
        elif choice in {"named", "organisation"} and org:
            key, values = "credit_organisation", {"org": org}
            cited.append("credit_org")
        else:
            key, values = "credit_anonymous", {}
        text = self.template(key).format(**values)
        self.add("credit_line", DraftSentence(text, tuple(cited), key))

    def add_quotes(self) -> None:
        settings: Mapping[str, Any] = self.pack.get("quotes") or {}
        low, high = int(settings.get("min_words", 6)), int(settings.get("max_words", 35))
        most = int(settings.get("max_quotes", 3))
        fillers = {w.casefold() for w in pack_words(self.language, "tidy", "fillers_anywhere")}
        chosen = 0
        for qid in pack_words(self.language, "quotes", "questions"):
            if chosen >= most:
                break
            answer = _answered(self.answers, qid)
            if answer is None:
                continue
            for raw in split_sentences(answer.text, self.language):
                words = tokens(raw)
                if not low <= len(words) <= high or LINK_RE.search(raw) or fillers & set(words):
                    continue
                self.add("quotes", DraftSentence(raw, (qid,), "quote"))
                chosen += 1
                break

    def make_field(self, name: str, sentences: list[DraftSentence]) -> DraftField:
        text = JOINERS.get(name, " ").join(s.text for s in sentences)
        cited = dict.fromkeys(q for s in sentences for q in s.question_ids)
        sources = []
        for qid in cited:
            answer = self.answers.get(qid)
            excerpt = " ".join((answer.text if answer else "").split())
            if not excerpt and answer is not None:
                question = self.script.question(qid)
                options = [question.option(c) if question else None for c in answer.choices]
                excerpt = "; ".join(
                    o.label if o is not None else c
                    for o, c in zip(options, answer.choices, strict=True)
                )
            if len(excerpt) > EXCERPT_CHARS:
                excerpt = excerpt[: EXCERPT_CHARS - 1].rstrip() + "…"
            sources.append(Source(qid, excerpt))
        return DraftField(name, text, tuple(sources), None, tuple(sentences), (), text)


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|0)[\d ()-]{7,}\d(?!\w)")


def without_contact_details(answer: Answer) -> Answer:
    """The answer with e-mail addresses and phone numbers taken out of its text: contact
    details are for staff (the contact question), never for a published example."""
    text = PHONE_RE.sub("", EMAIL_RE.sub("", answer.text))
    return answer if text == answer.text else replace(answer, text=text)


def organisation_names(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Names of organisations in a text: capitalised names with an organisation word or
    acronym ("Leeds City Council", "Bramley Food CIC"), and lowercase mentions such as "the
    local council" (without the article)."""
    words = {w.casefold() for w in pack_words(language, "organisations", "words")}
    acronyms = set(pack_words(language, "organisations", "acronyms"))
    drop = {w.casefold() for w in pack_words(language, "organisations", "leading_words_to_drop")}
    joining = "|".join(re.escape(w) for w in pack_words(language, "organisations", "joining_words"))
    capital = r"(?:[A-Z][\w'’.-]*|[A-Z]{2,})"
    run_re = re.compile(
        rf"(?<![\w'’-]){capital}(?:\s+(?:(?:{joining})\s+)*{capital})*" if joining else capital
    )
    found: list[str] = []
    for match in run_re.finditer(text):
        parts = match.group(0).rstrip(".").split()
        while parts and parts[0].casefold() in drop:
            parts = parts[1:]
        while parts and parts[-1].casefold() in {j.casefold() for j in joining.split("|")}:
            parts = parts[:-1]
        if not parts:
            continue
        has_acronym = any(p.rstrip("’'s") in acronyms or p in acronyms for p in parts)
        has_word = any(p.casefold().strip("'’") in words for p in parts)
        if has_acronym or (len(parts) > 1 and has_word):
            found.append(" ".join(parts))
    lowercase = sorted(
        pack_words(language, "organisations", "lowercase_words"), key=len, reverse=True
    )
    if lowercase:
        nouns = "|".join(phrase_regex(w) for w in lowercase)
        low_re = re.compile(
            rf"\b(?:the|a|an|our|their|two|three|local)\s+((?:[a-z][\w'’-]*\s+){{0,2}}?(?:{nouns}))"
        )
        for match in low_re.finditer(text):
            found.append(match.group(1))
    unique: dict[str, str] = {}
    for name in found:
        unique.setdefault(name.casefold(), name)
    return list(unique.values())


def build_draft(
    script: Script,
    answers: Mapping[str, Answer],
    *,
    reference: str | None = None,
    contributor_name: str | None = None,
    lens: Lens | None = None,
) -> DraftRecord:
    """Draft an example record from an interview's answers. Pure: same input, same draft.

    ``contributor_name`` is used in the credit line only, and only when the contributor
    chose to be named but typed no name.
    """
    language = script.language or DEFAULT_LANGUAGE
    rules = lens if lens is not None else load_lens()
    answers = {qid: without_contact_details(a) for qid, a in answers.items()}
    drafter = _Drafter(script, answers, rules, language, contributor_name)
    fields = drafter.build()
    links = tuple(
        dict.fromkeys(s.text for s in fields["links_and_media"].sentences if not s.template)
    )
    media = tuple(
        m
        for qid in drafter.order
        if (a := _answered(answers, qid)) is not None and qid != "contact_how"
        for m in a.media
        if m.kind != "contact"
    )
    return DraftRecord(
        script_id=script.id,
        reference=reference,
        fields=fields,
        lens=suggest_tags(rules, script, answers, language=language),
        gaps=find_gaps(script, answers, fields, language=language),
        media=media,
        links=links,
        script_version=script.version,
        language=language,
    )


# --- traceability --------------------------------------------------------------------------


def _template_words(language: str, template: str) -> set[str]:
    if not template or template == "quote":
        return set()
    wording = str((language_pack(language).get("templates") or {}).get(template, ""))
    words = set(tokens(re.sub(r"\{[^}]*\}", " ", wording)))
    if template.startswith("media_item"):
        words |= set(
            tokens(
                " ".join(
                    str(v) for v in (language_pack(language).get("media_kinds") or {}).values()
                )
            )
        )
    return words


def source_words(
    script: Script, answers: Mapping[str, Answer], question_id: str, *, with_labels: bool
) -> set[str]:
    """The words an answer makes available to a draft: its text, tidied or not, media
    captions and the labels of the options chosen (and the question's label for templates)."""
    answer = answers.get(question_id)
    if answer is None:
        return set()
    words = set(tokens(answer.text)) | set(tokens(" ".join(m.caption for m in answer.media)))
    words |= set(tokens(" ".join(str(v) for m in answer.media for v in m.meta.values())))
    question = script.question(question_id)
    for choice in answer.choices:
        option = question.option(choice) if question is not None else None
        words |= set(tokens(option.label if option is not None else choice))
    if with_labels and question is not None:
        words |= set(tokens(question.label))
    return words


def untraceable_sentences(
    draft: DraftRecord,
    script: Script,
    answers: Mapping[str, Answer],
    *,
    contributor_name: str | None = None,
) -> list[tuple[str, DraftSentence]]:
    """Sentences that cite no question, or hold a word found neither in the answers they
    cite nor in their template. An empty list means the whole draft is traceable."""
    bad: list[tuple[str, DraftSentence]] = []
    for name, sentence in draft.sentences():
        if not sentence.question_ids:
            bad.append((name, sentence))
            continue
        allowed = _template_words(draft.language, sentence.template)
        for qid in sentence.question_ids:
            allowed |= source_words(script, answers, qid, with_labels=bool(sentence.template))
        if "credit" in sentence.question_ids and contributor_name:
            allowed |= set(tokens(contributor_name))
        if not set(tokens(sentence.text)) <= allowed:
            bad.append((name, sentence))
    return bad


# --- regeneration ----------------------------------------------------------------------------


def merge_regenerated(
    previous: DraftRecord, staff_edited_fields: Set[str], fresh: DraftRecord
) -> DraftRecord:
    """A regenerated draft that keeps every field staff edited, with new material beside it.

    An edited field keeps its text; when the answers behind it changed, the fresh text is
    offered as ``suggested_update``. Staff decisions on lens tags (confirmed, rejected)
    carry over, and gaps on fields staff have filled are dropped.
    """
    fields: dict[str, DraftField] = {}
    for name, new in fresh.fields.items():
        old = previous.fields.get(name)
        if name not in staff_edited_fields or old is None:
            fields[name] = new
        elif new.text == old.text:
            fields[name] = replace(old, suggested_update=None, suggested_sentences=())
        elif old.generated_text is not None and new.generated_text == old.generated_text:
            fields[name] = old
        else:
            fields[name] = replace(
                old, suggested_update=new.text, suggested_sentences=new.sentences
            )
    for name, old in previous.fields.items():
        if name not in fields and name in staff_edited_fields:
            fields[name] = old
    decided = {s.key: s for s in previous.lens if s.status != "suggested"}
    lens = [replace(s, status=decided[s.key].status) if s.key in decided else s for s in fresh.lens]
    fresh_keys = {s.key for s in fresh.lens}
    lens += [s for s in previous.lens if s.status == "confirmed" and s.key not in fresh_keys]
    gaps = tuple(
        g
        for g in fresh.gaps
        if not (g.field in staff_edited_fields and not fields[g.field].is_empty)
    )
    return replace(fresh, fields=fields, lens=tuple(lens), gaps=gaps)
