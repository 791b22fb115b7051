"""Answers into sentences, and every sentence into exactly one field.

A sentence goes where what it says belongs (cue words in ``lens/drafting.yaml``), else where
the question it answered belongs, else to "More from the contributor" (``other_notes``):
none is dropped and none is placed twice. Each keeps a reference to the answer sentence it
came from ("question#index") and the words the tidier replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from conversations.drafting_records import DraftSentence
from conversations.lens import Lens, phrase_regex
from conversations.model import Answer, QuestionKind, Script
from conversations.tidy import (
    LINK_RE,
    Change,
    filler_words,
    has_own_wording,
    pack_words,
    phrase_alternation,
    sentence_key,
    split_sentences,
    tidy_sentence,
    tokens,
)

# Where each known question's sentences go when what they say points nowhere else.
HOME_FIELDS: dict[str, str] = {
    "place_when": "place",
    "role": "people_involved",
    "who": "people_involved",
    "origin": "how_it_started",
    "decision": "power_sharing",
    "final_say": "power_sharing",
    "brought": "what_people_brought",
    "got_back": "what_people_got_back",
    "helped": "what_helped",
    "changed": "outcomes",
    "hard": "challenges",
    "heard_back": "how_people_heard_back",
    "tip": "tips",
}
# Answers that never become sentences of their own: consent, contact details (never in a
# draft), and the credit questions, which make the credit line.
NOT_PLACED = frozenset(
    {"consent", "contact_ok", "contact_how", "credit", "credit_name", "credit_org"}
)
PLACED_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.LINK, QuestionKind.MEDIA})
# Short, specific answers whose sentences stay home whatever words they hold.
UNROUTED = frozenset({"place_when", "source", "media", "final_say", "name"})
OTHER = "other_notes"
SUMMARY_MAX_WORDS = 30


def answered(answers: Mapping[str, Answer], question_id: str) -> Answer | None:
    answer = answers.get(question_id)
    if answer is None or answer.skipped or answer.is_empty():
        return None
    return answer


def answer_pieces(text: str, language: str) -> list[str]:
    """The sentences of an answer that a draft must place: every sentence holding a word
    that is not a filler ("um."), in order. Their positions are the "#index" of refs."""
    fillers = filler_words(language) if has_own_wording(language) else frozenset()
    pieces = []
    for raw in split_sentences(text, language):
        words = tokens(raw)
        if words and not all(w in fillers for w in words):
            pieces.append(raw)
    return pieces


def is_placed_question(script: Script, question_id: str) -> bool:
    question = script.question(question_id)
    if question_id in NOT_PLACED:
        return False
    return question is None or question.kind in PLACED_KINDS


@dataclass
class Unit:
    """An answer sentence, tidied, on its way into a field."""

    text: str
    question_ids: tuple[str, ...]
    refs: tuple[str, ...]
    changes: tuple[Change, ...]
    home: str
    index: int

    def sentence(self, template: str = "", text: str | None = None) -> DraftSentence:
        return DraftSentence(
            self.text if text is None else text,
            self.question_ids,
            template,
            self.refs,
            self.changes,
        )


def answer_units(
    script: Script, answers: Mapping[str, Answer], order: Sequence[str], language: str
) -> list[Unit]:
    """Every answer sentence to place, tidied, in question order."""
    units: list[Unit] = []
    for qid in order:
        answer = answered(answers, qid)
        if answer is None or not is_placed_question(script, qid):
            continue
        for index, raw in enumerate(answer_pieces(answer.text, language)):
            text, changes = tidy_sentence(raw, language)
            if LINK_RE.fullmatch(raw.strip()):
                text, changes = raw.strip(), ()  # a bare link stays exactly as written
            units.append(
                Unit(text or raw.strip(), (qid,), (f"{qid}#{index}",), changes, qid, index)
            )
    return apply_corrections(units, language)


def _cue_regex(phrases: Sequence[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(phrase_regex(p) for p in ordered), re.IGNORECASE)


@cache
def _link_opener(language: str) -> re.Pattern[str] | None:
    leads = pack_words(language, "titles", "link_leads")
    verbs = pack_words(language, "titles", "link_verbs")
    objects = pack_words(language, "titles", "link_objects")
    if not (leads and verbs and objects):
        return None
    return re.compile(
        rf"\W*(?:{phrase_alternation(leads)})(?:\s+[\w'’-]+){{0,3}}?\s+"
        rf"(?:{phrase_alternation(verbs)})\s+(?:{phrase_alternation(objects)})"
        rf"(?:\s+(?:up|going|off))?(?![\w'’-])\s*(?:[-–—:;,.!…]+\s*|$)",
        re.IGNORECASE,
    )


def link_opener_end(text: str, language: str) -> int:
    """Where an opening that says how the contributor is linked to the project ends ("my
    neighbour's lad is on this - ", "My mate runs this."), 0 when the text has none: it
    says who told them, not what the project is."""
    pattern = _link_opener(language)
    match = pattern.match(text) if pattern is not None else None
    return match.end() if match is not None else 0


def corrected_values(units: Sequence[Unit], language: str) -> set[str]:
    """Values a correction says were wrong ("2018" in "sorry, it was 2019 not 2018"), so
    composed sentences never repeat them."""
    cue = _cue_regex(pack_words(language, "corrections", "cues"))
    patterns = [re.compile(p) for p in pack_words(language, "corrections", "patterns")]
    wrong: set[str] = set()
    for unit in units:
        if cue is not None and cue.search(unit.text):
            for pattern in patterns:
                match = pattern.search(unit.text)
                if match is not None and match.group("wrong") != match.group("right"):
                    wrong.add(match.group("wrong"))
    return wrong


def apply_corrections(units: list[Unit], language: str) -> list[Unit]:
    """A later "sorry, it was 2019 not 2018" corrects the earlier sentences it names, and is
    then held by the first of them (its reference too), not placed on its own."""
    cue = _cue_regex(pack_words(language, "corrections", "cues"))
    patterns = [re.compile(p) for p in pack_words(language, "corrections", "patterns")]
    if cue is None or not patterns:
        return units
    absorbed: set[int] = set()
    for index, unit in enumerate(units):
        if not cue.search(unit.text):
            continue
        for pattern in patterns:
            match = pattern.search(unit.text)
            if match is None or match.group("wrong") == match.group("right"):
                continue
            wrong, right = match.group("wrong"), match.group("right")
            wrong_re = re.compile(rf"(?<![\w'’-]){re.escape(wrong)}(?![\w'’-])")
            right_re = re.compile(rf"(?<![\w'’-]){re.escape(right)}(?![\w'’-])")
            holder: Unit | None = None
            for other_index, other in enumerate(units):
                if other_index == index or other_index in absorbed:
                    continue
                if wrong_re.search(other.text) and not right_re.search(other.text):
                    other.text = wrong_re.sub(right, other.text)
                    other.question_ids = tuple(
                        dict.fromkeys(other.question_ids + unit.question_ids)
                    )
                    holder = holder or other
            if holder is not None:
                holder.refs += unit.refs
                holder.changes += unit.changes
                absorbed.add(index)
                break
    return [u for i, u in enumerate(units) if i not in absorbed]


class Placer:
    """Chooses one field for each sentence."""

    def __init__(self, lens: Lens, language: str) -> None:
        self.lens = lens
        self.language = language
        self.routes: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = []
        for name in pack_words(language, "routing_order"):
            regex = _cue_regex(pack_words(language, "routing", name))
            if regex is not None:
                not_regex = _cue_regex(pack_words(language, "routing_not", name))
                self.routes.append((name, regex, not_regex))
        self.date_regex = _cue_regex(pack_words(language, "dates", "words"))
        self.date_starts = {w.casefold() for w in pack_words(language, "dates", "starts")}
        self.asides = _cue_regex(pack_words(language, "asides", "phrases"))
        self.greetings = {w.casefold() for w in pack_words(language, "asides", "greetings")}
        back = _cue_regex(pack_words(language, "asides", "back_references"))
        tails = _cue_regex(pack_words(language, "asides", "back_reference_tails"))
        tail = tails.pattern if tails is not None else "(?!)"
        self.back_reference = (
            re.compile(rf"[\W_]*(?:{back.pattern})(?:[\W_]+(?:{tail}))*[\W_]*", re.IGNORECASE)
            if back is not None
            else None
        )

    def cued(self, text: str) -> list[str]:
        """Fields whose cue words the sentence holds, most telling first. Capitalised words
        inside the sentence are names, not cues ("St Ann's Advice Centre" gives no advice)."""
        text = re.sub(r"(?<=[^\s.!?]\s)[A-Z][\w'’-]+", " ", text)
        return [
            name
            for name, regex, not_regex in self.routes
            if regex.search(text) and not (not_regex and not_regex.search(text))
        ]

    def is_dated(self, text: str) -> bool:
        if re.search(r"\b(?:19|20)\d{2}s?\b", text):
            return True
        return bool(self.date_regex and self.date_regex.search(text))

    def is_back_reference(self, text: str) -> bool:
        """The whole sentence points back at an earlier answer: "see above", "Same as
        before really."."""
        return bool(self.back_reference and self.back_reference.fullmatch(text.strip()))

    def is_aside(self, text: str) -> bool:
        """A greeting or a remark about the contributor, not the project: "Halò!", "Not
        mine, just something I came across.", "See above"."""
        words = tokens(text)
        if not words or self.is_back_reference(text):
            return True
        if len(words) <= 2 and (text.rstrip().endswith("!") or words[0] in self.greetings):
            return True
        if link_opener_end(text, self.language) == len(text):  # "My sister told me about this."
            return True
        if self.asides is None or re.search(r"\d", text):
            return False
        lead_in = re.match(r"([^:]{1,50}):\s+(.+)", text)
        if lead_in and len(tokens(lead_in.group(2))) >= 3:
            text = lead_in.group(2)  # "Saw this on Facebook: tenants repainted the stairs"
        return bool(self.asides.search(text)) and len(words) <= 12

    def home_field(self, unit: Unit) -> str | None:
        qid = unit.home
        if qid in {"source", "media"}:
            return "links_and_media" if LINK_RE.search(unit.text) else OTHER
        if qid == "name":
            return OTHER  # what the title does not hold: a gloss, a story, "no name"
        if qid == "place_when":
            first = (tokens(unit.text) or [""])[0]
            return "dates_and_stage" if first in self.date_starts else "place"
        return HOME_FIELDS.get(qid)

    def place(self, units: Sequence[Unit]) -> list[tuple[str, Unit]]:
        """(field, sentence) for every sentence; the project answer's first sentence that
        says what the project is (and a short second one) is the summary's own."""
        placed: list[tuple[str, Unit]] = []
        summary_index: int | None = None
        for unit in units:
            home = self.home_field(unit)
            cues = [] if unit.home in UNROUTED else self.cued(unit.text)
            name: str | None
            if self.is_back_reference(unit.text):
                name = OTHER  # "see above" in People involved would say nothing there
            elif home is not None and (home in cues or not cues):
                name = home
            elif cues:
                name = cues[0]
            else:
                name = home
            if unit.home == "project":
                words = len(tokens(unit.text))
                if summary_index is None and not self.is_aside(unit.text):
                    name, summary_index = "summary", unit.index
                elif (
                    name is None
                    and summary_index is not None
                    and unit.index == summary_index + 1
                    and words <= SUMMARY_MAX_WORDS
                    and len(tokens(" ".join(u.text for f, u in placed if f == "summary"))) + words
                    <= SUMMARY_MAX_WORDS
                ):
                    name = "summary"
                elif name is None and self.is_together(unit):
                    name = "done_together"
                elif name is None and self.is_dated(unit.text) and words <= 8:
                    name = "dates_and_stage"
            placed.append((name or OTHER, unit))
        return placed

    def is_together(self, unit: Unit) -> bool:
        matches = self.lens.match(unit.text, unit.home, self.language)
        return any(m.key.startswith("stages/") for m in matches)


def merge_repeats(placed: list[tuple[str, Unit]]) -> list[tuple[str, Unit]]:
    """A sentence said twice (in one answer or two) is placed once, holding both refs."""
    kept: dict[str, Unit] = {}
    out: list[tuple[str, Unit]] = []
    for name, unit in placed:
        key = sentence_key(unit.text)
        first = kept.get(key)
        if first is not None and key:
            first.refs += unit.refs
            first.question_ids = tuple(dict.fromkeys(first.question_ids + unit.question_ids))
            first.changes += tuple(c for c in unit.changes if c not in first.changes)
            continue
        kept[key] = unit
        out.append((name, unit))
    return out
