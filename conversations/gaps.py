"""Gaps in a draft, as follow-up questions in plain words.

A missing or thin field becomes a question staff can send back to the contributor, naming
what the contributor already said where it can ("You mentioned a youth panel: who had the
final say on the budget?"). The wording is data in ``lens/drafting.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from typing import Any

from conversations.drafting_records import REASONS, DraftField, Gap, GapReason
from conversations.model import Answer, Script
from conversations.tidy import DEFAULT_LANGUAGE, language_pack, pack_words, tokens

__all__ = ["REASONS", "Gap", "GapReason", "find_gaps", "mentioned_group"]

# The question whose answer a field mostly rests on, for the script's "thin" threshold.
HOME_QUESTION = {
    "summary": "project",
    "place": "place_when",
    "people_involved": "who",
    "how_it_started": "origin",
    "power_sharing": "decision",
    "what_people_brought": "brought",
    "what_people_got_back": "got_back",
    "what_helped": "helped",
    "outcomes": "changed",
    "challenges": "hard",
    "how_people_heard_back": "heard_back",
}
GROUP_SOURCES = ("who", "project", "origin", "role", "decision", "brought")
DEFAULT_THIN_WORDS = 5


def _answer_text(answers: Mapping[str, Answer], question_id: str) -> str:
    answer = answers.get(question_id)
    return "" if answer is None or answer.skipped else answer.text


def mentioned_group(answers: Mapping[str, Answer], language: str = DEFAULT_LANGUAGE) -> str | None:
    """A group of people the contributor named, ready to say back ("a youth panel")."""
    listed = pack_words(language, "groups")  # most specific first: list order is priority
    suffixes = pack_words(language, "group_suffixes")
    for question_id in GROUP_SOURCES:
        text = _answer_text(answers, question_id)
        if not text:
            continue
        if suffixes:  # a named group ("the Hillside Residents Forum") says most
            names = "|".join(re.escape(s) for s in suffixes)
            named = re.search(rf"\b(?:[A-Z][\w'’-]+\s+){{1,4}}(?:{names})\b", text)
            if named:
                return "the " + re.sub(r"^The\s+", "", named.group(0))
        best: tuple[int, str] | None = None
        for rank, phrase in enumerate(listed):
            body = r"\s+".join(re.escape(w) for w in phrase.split()).replace("'", "['’]?")
            pattern = rf"(?:\b(a|an|the|our|their|my)\s+)?(?<![\w'’-])({body})(?![\w'’-])"
            match = re.search(pattern, text, re.IGNORECASE)
            if match and (best is None or rank < best[0]):
                best = (rank, _with_article(match.group(1), match.group(2)))
        if best is not None:
            return best[1]
    return None


def _with_article(determiner: str | None, phrase: str) -> str:
    if determiner:
        word = determiner.lower()
        return f"{'your' if word in {'our', 'my'} else word} {phrase}"
    if phrase.lower().endswith("s") and not phrase.lower().endswith("'s"):
        return phrase
    if phrase.lower().endswith(("people", "families", "experience")):
        return phrase
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def _mentions_budget(answers: Mapping[str, Answer], language: str) -> bool:
    together = answers.get("together")
    if together is not None and "resources" in together.choices:
        return True
    words = {w.casefold() for w in pack_words(language, "gaps", "budget_words")}
    for answer in answers.values():
        if answer.skipped:
            continue
        if "£" in words and "£" in answer.text:
            return True
        if words & set(tokens(answer.text)):
            return True
    return False


def find_gaps(
    script: Script,
    answers: Mapping[str, Answer],
    draft_fields: Mapping[str, DraftField],
    *,
    language: str | None = None,
    answered_elsewhere: Set[str] = frozenset(),
) -> tuple[Gap, ...]:
    """Follow-up questions for the fields that are missing or thin, in field order.

    ``answered_elsewhere`` names empty fields whose answer the draft holds in another field
    (a date said with the place, what was done together told in the summary): asking
    again would show the contributor we did not read them.
    """
    lang = language or script.language or DEFAULT_LANGUAGE
    templates: Mapping[str, Any] = language_pack(lang).get("gaps") or {}
    group = mentioned_group(answers, lang)
    gaps: list[Gap] = []
    for name, wording in templates.items():
        if not isinstance(wording, dict):
            continue
        draft_field = draft_fields.get(name)
        text = draft_field.text.strip() if draft_field is not None else ""
        reason: GapReason | None = None
        if not text and name in answered_elsewhere:
            continue
        if not text:
            reason = "missing"
        elif _is_thin(name, draft_field, script, answers):
            reason = "thin"
        if reason is None:
            continue
        question = _question(name, reason, wording, group, _mentions_budget(answers, lang))
        if question:
            gaps.append(Gap(name, question, reason))
    return tuple(gaps)


def _is_thin(
    name: str, draft_field: DraftField | None, script: Script, answers: Mapping[str, Answer]
) -> bool:
    if draft_field is None:
        return False
    if name == "power_sharing":
        return not any("final_say" in s.question_ids for s in draft_field.sentences)
    if name == "dates_and_stage":
        return all(s.template == "stage" for s in draft_field.sentences)
    home = HOME_QUESTION.get(name)
    if home is None or not _answer_text(answers, home):
        return False
    question = script.question(home)
    threshold = question.thin_words if question is not None else DEFAULT_THIN_WORDS
    return len(tokens(_answer_text(answers, home))) < threshold


def _question(
    name: str, reason: GapReason, wording: Mapping[str, Any], group: str | None, budget: bool
) -> str:
    if name == "power_sharing":  # empty, or no one said who had the final say
        keys = ["missing_group_budget"] if group and budget else []
        keys += ["missing_group"] if group else []
        keys += ["missing_budget"] if budget else []
        keys.append("missing")
    elif reason == "missing":
        keys = (["missing_group"] if group else []) + ["missing"]
    else:
        keys = ["thin"]
    for key in keys:
        template = wording.get(key)
        if isinstance(template, str):
            return template.format(group=group or "")
    return ""
