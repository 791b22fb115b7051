"""Turning a finished interview into a draft example record that staff only polish.

Pure and deterministic. The pipeline: answers -> sentences (``drafting_placement``, each
tidied with its changes recorded) -> exactly one field per sentence -> entities
(``drafting_entities``) -> title and summary (``drafting_headline``) -> the record
(``drafting_records``); rendering is ``render``. The drafter never writes a sentence of its
own: every sentence is a tidied answer sentence or a fixed template from
``lens/drafting.yaml`` filled with answer words, and records the questions it came from, so
:func:`untraceable_sentences` can prove the whole draft traces back to the answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import replace
from typing import Any

from conversations.drafting_entities import dates_in, names_in, numbers_in, organisation_names
from conversations.drafting_given import read_given
from conversations.drafting_headline import Headline, change_words
from conversations.drafting_placement import (
    HOME_FIELDS,
    Placer,
    Unit,
    answer_units,
    answered,
    merge_repeats,
)
from conversations.drafting_records import (
    FIELD_ORDER,
    JSON_FORMAT,
    DraftField,
    DraftRecord,
    DraftSentence,
    Entities,
    Source,
)
from conversations.gaps import find_gaps
from conversations.lens import Lens, load_lens, suggest_tags
from conversations.lens_model import load_model
from conversations.model import Answer, QuestionKind, Script
from conversations.tidy import (
    DEFAULT_LANGUAGE,
    LINK_RE,
    find_links,
    language_pack,
    pack_text,
    pack_words,
    split_sentences,
    tokens,
)

__all__ = [
    "FIELD_ORDER",
    "HOME_FIELDS",
    "JSON_FORMAT",
    "DraftField",
    "DraftRecord",
    "DraftSentence",
    "Entities",
    "Source",
    "build_draft",
    "merge_regenerated",
    "organisation_names",
    "source_words",
    "untraceable_sentences",
    "without_contact_details",
]

# Questions handled on their own: choices, and the credit questions.
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
    }
)
JOINERS = {"organisations": "; ", "links_and_media": "\n", "quotes": "\n"}
EXCERPT_CHARS = 300


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
        self.organisations: list[str] = []
        self.units: list[Unit] = []
        self.own_summary: list[Unit] = []
        self.placer = Placer(lens, language)
        self.headline: Headline | None = None

    def template(self, key: str) -> str:
        return pack_text(self.language, "templates", key)

    def add(self, name: str, sentence: DraftSentence) -> None:
        self.fields[name].append(sentence)

    def build(self) -> dict[str, DraftField]:
        units = answer_units(self.script, self.answers, self.order, self.language)
        self.units = units
        # The name typed when asked for it is the title; an answer sentence saying only
        # that name ("yes its called Fix It Fridays") is the title's, placed nowhere else.
        name_answer = read_given(self.answers, units, self.language)
        given = name_answer.given
        held = given.held if given is not None else ()
        placed = merge_repeats(self.placer.place([u for u in units if u not in held]))
        own_summary = [u for name, u in placed if name == "summary"]
        self.own_summary = own_summary
        for name, unit in placed:
            if name == "summary":
                continue
            if name == "power_sharing" and unit.home == "final_say":
                self.add_final_say(unit, [u for _, u in placed if u.home == "final_say"])
            elif unit.home == "name":
                text = self.template("name_answer").format(answer=unit.text)
                self.add(name, unit.sentence("name_answer", text))
            else:
                self.add(name, unit.sentence())
        self.add_organisations()
        headline = Headline(
            self.script,
            self.answers,
            [u for _, u in placed],
            self.language,
            self.organisations,
            self.placer.is_aside,
        )
        self.headline = headline
        title = headline.title(own_summary, given, unnamed=name_answer.unnamed)
        if title is not None:
            self.add("title", title)
        together = self.together_labels()
        for sentence in headline.summary(own_summary, together):
            self.add("summary", sentence)
        self.add_other_choices()
        self.add_stage()
        if together:
            text = self.template("together_ticked").format(items="; ".join(together))
            self.fields["done_together"].insert(
                0, DraftSentence(text, ("together",), "together_ticked")
            )
        self.add_links_and_media(placed)
        self.add_credit()
        self.add_quotes()
        return {name: self.make_field(name, sentences) for name, sentences in self.fields.items()}

    def answered_elsewhere(self, entities: Entities) -> set[str]:
        """Empty fields the draft answers in another field: a date said with the place, or
        what was done together told in the project's own words (summary)."""
        covered = set()
        if entities.dates:
            covered.add("dates_and_stage")
        if any(self.placer.is_together(u) for u in self.own_summary):
            covered.add("done_together")
        return covered

    def together_labels(self) -> list[str]:
        answer = answered(self.answers, "together")
        question = self.script.question("together")
        if answer is None or not answer.choices:
            return []
        labels = []
        for option_id in answer.choices:
            option = question.option(option_id) if question is not None else None
            labels.append(option.label if option is not None else option_id)
        return labels

    def add_final_say(self, unit: Unit, said: Sequence[Unit]) -> None:
        answer = answered(self.answers, "final_say")
        if len(said) == 1 and len(tokens(unit.text)) <= 8 and answer is not None:
            fragment = unit.text
            raw = answer.text.lstrip()
            if raw[:1].islower() and not fragment[1:2].isupper():
                fragment = fragment[:1].lower() + fragment[1:]
            text = self.template("final_say").format(answer=fragment)
            self.add("power_sharing", unit.sentence("final_say", text))
            return
        self.add("power_sharing", unit.sentence())

    def add_organisations(self) -> None:
        credit = answered(self.answers, "credit")
        allowed_org = credit is not None and any(
            c in {"named", "organisation"} for c in credit.choices
        )
        texts: list[tuple[str, str]] = []
        typed: list[tuple[str, str]] = []
        for qid in self.order:
            if qid in {"consent", "contact_ok", "contact_how", "credit", "credit_name"}:
                continue
            if qid == "credit_org" and not allowed_org:
                continue
            answer = answered(self.answers, qid)
            if answer is None or not answer.text.strip():
                continue
            if qid == "credit_org":
                typed.append((qid, " ".join(answer.text.split()).rstrip(".")))
            else:
                texts.append((qid, answer.text))
        found = names_in(texts, self.language)
        keys = {name.casefold() for name, _ in found}
        for qid, name in typed:
            # "Gisda" typed for the credit is already there as "Gisda youth charity".
            within = re.compile(rf"(?<!\w){re.escape(name.casefold())}(?!\w)")
            if not any(within.search(key) for key in keys):
                found.append((name, [qid]))
                keys.add(name.casefold())
        for name, qids in found:
            self.organisations.append(name)
            self.add("organisations", DraftSentence(name, tuple(qids)))

    def add_links_and_media(self, placed: Sequence[tuple[str, Unit]]) -> None:
        held = {u.text for name, u in placed if name == "links_and_media"}
        for qid in self.order:
            if qid in {"contact_how", "consent", "contact_ok"}:
                continue
            answer = answered(self.answers, qid)
            if answer is None:
                continue
            for match in find_links(answer.text):
                if "@" not in match.group(0) and match.group(0) not in held:
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
        credit = answered(self.answers, "credit")
        choice = credit.choices[0] if credit is not None and credit.choices else "anonymous"
        name_answer = answered(self.answers, "credit_name")
        org_answer = answered(self.answers, "credit_org")
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
            answer = answered(self.answers, qid)
            if answer is None:
                continue
            for raw in split_sentences(answer.text, self.language):
                words = tokens(raw)
                if not low <= len(words) <= high or LINK_RE.search(raw) or fillers & set(words):
                    continue
                if self.placer.is_aside(raw):  # "Read about this in a newsletter" says nothing
                    continue
                self.add("quotes", DraftSentence(raw, (qid,), "quote"))
                chosen += 1
                break

    def add_other_choices(self) -> None:
        """Choices of questions the drafter does not know go to other notes, labelled."""
        for qid in self.order:
            question = self.script.question(qid)
            answer = answered(self.answers, qid)
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

    def add_stage(self) -> None:
        answer = answered(self.answers, "stage")
        question = self.script.question("stage")
        if answer is None or not answer.choices:
            return
        option = question.option(answer.choices[0]) if question is not None else None
        label = option.label if option is not None else answer.choices[0]
        text = self.template("stage").format(stage=label)
        self.add("dates_and_stage", DraftSentence(text, ("stage",), "stage"))

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


def draft_headline(
    script: Script,
    answers: Mapping[str, Answer],
    *,
    language: str = DEFAULT_LANGUAGE,
    contributor_name: str | None = None,
) -> Headline:
    """The title writer of an interview's draft, with the sentences it was given: what the
    name scorer is trained on (``bench/name_train.py``)."""
    answers = {qid: without_contact_details(a) for qid, a in answers.items()}
    drafter = _Drafter(script, answers, load_lens(), language, contributor_name)
    drafter.build()
    assert drafter.headline is not None  # build always writes one
    return drafter.headline


def build_draft(
    script: Script,
    answers: Mapping[str, Answer],
    *,
    reference: str | None = None,
    contributor_name: str | None = None,
    lens: Lens | None = None,
    language: str = DEFAULT_LANGUAGE,
    learned: bool = False,
) -> DraftRecord:
    """Draft an example record from an interview's answers. Pure: same input, same draft.

    ``language`` is the language the interview was held in: tidying rules of a language
    the wording file does not know (English typo fixes, text-speak) are never applied to it.
    ``contributor_name`` is used in the credit line only, and only when the contributor
    chose to be named but typed no name. ``learned`` adds the lens's learned model to its
    rules (see ``conversations/lens/README.md``).
    """
    rules = lens if lens is not None else load_lens()
    answers = {qid: without_contact_details(a) for qid, a in answers.items()}
    drafter = _Drafter(script, answers, rules, language, contributor_name)
    fields = drafter.build()
    links = tuple(
        dict.fromkeys(
            m.group(0)
            for qid in drafter.order
            if qid not in {"contact_how", "consent", "contact_ok"}
            and (a := answered(answers, qid)) is not None
            for m in find_links(a.text)
            if "@" not in m.group(0)
        )
    ) + tuple(
        str(m.meta["url"])
        for qid in drafter.order
        if (a := answered(answers, qid)) is not None
        for m in a.media
        if m.kind == "link" and m.meta.get("url")
    )
    media = tuple(
        m
        for qid in drafter.order
        if (a := answered(answers, qid)) is not None and qid != "contact_how"
        for m in a.media
        if m.kind != "contact"
    )
    texts = [u.text for u in drafter.units]  # corrections applied
    place = answered(answers, "place_when")
    entities = Entities(
        organisations=tuple(drafter.organisations),
        places=(
            tuple(Headline(script, answers, [], language, [], drafter.placer.is_aside).places)
            if place
            else ()
        ),
        dates=tuple(dict.fromkeys(d for t in texts for d in dates_in(t, language))),
        numbers=tuple(dict.fromkeys(n for t in texts for n in numbers_in(t))),
    )
    return DraftRecord(
        script_id=script.id,
        reference=reference,
        fields=fields,
        lens=suggest_tags(
            rules, script, answers, language=language, model=load_model() if learned else None
        ),
        gaps=find_gaps(
            script,
            answers,
            fields,
            language=language,
            answered_elsewhere=drafter.answered_elsewhere(entities),
        ),
        media=media,
        links=tuple(dict.fromkeys(links)),
        script_version=script.version,
        language=language,
        entities=entities,
    )


# --- traceability --------------------------------------------------------------------------


def _template_words(language: str, template: str) -> set[str]:
    if not template or template == "quote":
        return set()
    wording = str((language_pack(language).get("templates") or {}).get(template, ""))
    words = set(tokens(re.sub(r"\{[^}]*\}", " ", wording)))
    if template.startswith("summary_"):
        words |= set(tokens(pack_text(language, "templates", "list_and")))
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
        allowed |= change_words(sentence.changes)
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
