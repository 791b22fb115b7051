"""Measures of a draft against its fixture interview, shared by the invariant tests and
``bench/draft_quality.py``: which answer sentences each field holds, which must-keep facts
the draft's own fields hold, and whether the title is usable."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from conversations.drafting import DraftRecord, without_contact_details
from conversations.drafting_given import holds_only
from conversations.drafting_placement import answer_pieces
from conversations.drafting_placement import answer_units as drafter_units
from conversations.model import QuestionKind
from conversations.tidy import filler_words, tidy_sentence, tokens
from tests.drafting.fixture_data import Interview

# Answers that never become draft sentences of their own (consent, contact details, the
# credit questions, which make the credit line).
NOT_PLACED = frozenset(
    {"consent", "contact_ok", "contact_how", "credit", "credit_name", "credit_org"}
)
PLACED_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.LINK, QuestionKind.MEDIA})
# Derived selections: they repeat what a field holds on purpose.
DERIVED_FIELDS = frozenset({"title", "quotes"})
TITLE_MAX = 75  # "about 70 characters"
DANGLING = frozenset({"the", "a", "an", "of", "and", "to", "in", "for", "with", "on", "at", "by"})
SHORTHAND = {"n": "and", "ppl": "people", "w": "with"}


def answer_units(interview: Interview) -> list[tuple[str, str]]:
    """Every answer sentence a draft must place, as ("question#index", text)."""
    units: list[tuple[str, str]] = []
    for qid, answer in interview.answers.items():
        question = interview.script.question(qid)
        if qid in NOT_PLACED or answer.skipped:
            continue
        if question is not None and question.kind not in PLACED_KINDS:
            continue
        # Sentences of nothing but fillers ("um.") are tidied away, not placed.
        pieces = answer_pieces(without_contact_details(answer).text, interview.language)
        units += [(f"{qid}#{index}", piece) for index, piece in enumerate(pieces)]
    return units


def placement_counts(draft: DraftRecord) -> Counter[str]:
    """How many times each answer sentence was placed, by the sentences' references."""
    counts: Counter[str] = Counter()
    for name, sentence in draft.sentences():
        if name in DERIVED_FIELDS and not _is_home(name, draft):
            continue
        counts.update(sentence.refs)
    return counts


def _key(text: str, fillers: frozenset[str]) -> list[str]:
    return [SHORTHAND.get(t, t) for t in tokens(text) if t not in fillers]


def _holds(whole: list[str], part: list[str]) -> bool:
    if not part:
        return False
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _unit_keys(
    text: str, language: str, fillers: frozenset[str], corrected: str
) -> list[list[str]]:
    """An answer sentence's words as typed, as the tidier writes them ("volunters" is
    "volunteers" in the draft, "dont" is "don't") and as a later correction left them
    ("2018" made "2019"; the correction itself is held by the sentence it corrects)."""
    keys = [
        _key(text, fillers),
        _key(tidy_sentence(text, language)[0], fillers),
        _key(corrected, fillers),
    ]
    return [k for index, k in enumerate(keys) if k and k not in keys[:index]]


def text_placement_counts(
    draft: DraftRecord, interview: Interview, units: list[tuple[str, str]]
) -> Counter[str]:
    """Placements found by text: fields holding each answer sentence's words in order, as
    typed or as tidied. A short answer sentence ("the dads") inside a longer one that the
    same draft sentence holds is that one's words, not a placement of its own."""
    fillers = filler_words(interview.language)
    order = [q.id for q in interview.script.questions] + sorted(
        q for q in interview.answers if interview.script.question(q) is None
    )
    corrected = {
        ref: unit.text
        for unit in drafter_units(interview.script, interview.answers, order, interview.language)
        for ref in unit.refs
    }
    keys = {
        ref: _unit_keys(text, interview.language, fillers, corrected.get(ref, ""))
        for ref, text in units
    }
    counts: Counter[str] = Counter()
    if _is_home("title", draft):  # the name typed when asked, said alone: the title's
        counts.update(
            ref
            for ref, text in units
            if ref.startswith("name#")
            and holds_only(tidy_sentence(text, interview.language)[0], draft.title, "en")
        )
    for name, draft_field in draft.fields.items():
        # Organisations lists names taken from the answers, never an answer sentence.
        if name in DERIVED_FIELDS or name in {"credit_line", "organisations"}:
            continue
        held: set[str] = set()
        for sentence in draft_field.sentences:
            if sentence.template not in {"", "final_say", "name_answer"}:
                continue
            whole = _key(sentence.text, fillers)
            here = {
                ref: max(found, key=len)
                for ref, options in keys.items()
                if (found := [k for k in options if _holds(whole, k)])
            }
            held |= {
                ref
                for ref, key in here.items()
                if not any(len(other) > len(key) and _holds(other, key) for other in here.values())
            }
        counts.update(held)
    return counts


def _is_home(name: str, draft: DraftRecord) -> bool:
    """Whether a derived field holds answer sentences of its own: the title does when it is
    the name the contributor typed when asked for it ("Fix It Fridays")."""
    return name == "title" and any(s.refs for s in draft.field("title").sentences)


def own_fields_text(draft: DraftRecord) -> str:
    return " ".join(
        " ".join(f.text.split())
        for n, f in draft.fields.items()
        if n not in DERIVED_FIELDS or _is_home(n, draft)
    )


def facts_missing(draft: DraftRecord, interview: Interview) -> list[str]:
    """Must-keep facts that none of the draft's own fields holds (case-insensitive), as
    typed or as the draft's own recorded tidying wrote them ("6 + 2" kept as "6 and 2",
    the original one tap away)."""
    text = own_fields_text(draft).casefold()
    changes = {
        (c.original, c.replacement)
        for name, f in draft.fields.items()
        if name not in DERIVED_FIELDS
        for sentence in f.sentences
        for c in sentence.changes
    }

    def tidied(fact: str) -> str:
        for original, replacement in changes:
            fact = re.sub(rf"(?<!\w){re.escape(original)}(?!\w)", replacement, fact)
        return fact

    return [
        f
        for f in interview.must_keep
        if not any(" ".join(v.split()).casefold() in text for v in (f, tidied(f)))
    ]


def _without_the(name: str) -> str:
    return name[4:] if name.startswith("the ") else name


def _spoken(name: str) -> str:
    """A name as it is said: no leading "the", no commas or dashes between its words ("Our
    Place, Our Plans" is "Our Place Our Plans"); the stops of "S.O.F.A" are kept."""
    name = name.strip(" .!?\"'“”„«»")
    return _without_the(" ".join(re.sub(r"[,;:–—]|\s-\s", " ", name).split()))


def _acronym_of(short: str, long: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’-]*", long)
    initials = {"".join(w[0] for w in words), "".join(w[0] for w in words if len(w) > 2)}
    return short.isupper() and short.casefold() in {i.casefold() for i in initials}


def title_verdict(interview: Interview, title: str) -> tuple[bool, bool]:
    """(the title is the project's own name, the title is usable).

    Usable: not empty, at most about 70 characters, no ellipsis, not ending on a word such
    as "the" or "with", and the project's name when one was given, else holding one of the
    fixture's words; never opening as the fixture says it must not.
    """
    rule: dict[str, Any] = interview.title or {}
    folded = title.casefold()
    name = str(rule.get("name") or "")
    # A leading "The" is an editor's choice either way: "The Damp Squad" is the name
    # "damp squad", and "Larder" names "The Larder".
    is_name = bool(name) and _spoken(folded) == _spoken(name.casefold())
    # "Young Assessors Panel (YAP)" is the name "YAP" and the name "Young Assessors Panel".
    both = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", title.strip())
    if name and both and _acronym_of(both.group(2), both.group(1)):
        is_name = name.casefold() in {
            _without_the(both.group(1).casefold()),
            both.group(2).casefold(),
        } or _without_the(name.casefold()) == _without_the(both.group(1).casefold())
    last = re.findall(r"[^\W_]+", folded)[-1:] or [""]
    shaped = (
        0 < len(title) <= TITLE_MAX
        and "…" not in title
        and not title.endswith("...")
        and (is_name or last[0] not in DANGLING)  # a name may end so ("Pass It On")
        and not any(folded.startswith(s.casefold()) for s in rule.get("not_starting", ()))
    )
    if name:
        return is_name, shaped and is_name
    words = [str(w).casefold() for w in rule.get("any_of", ())]
    return False, shaped and (not words or any(w in folded for w in words))
