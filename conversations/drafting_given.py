"""The project's name as the contributor gave it when asked ("Has it got a name?").

A name found in a story is a guess; a name typed in answer to the question is the
contributor's word. People answer it as they talk: "its called the Hive", "fix it fridays",
"Bwyd i Bawb - food for all in welsh", "the kids named it, Back Room", "Stratpraat, sorry
Straatpraat", "nah we just call it the group", "dunno". This module reads the name out of
such an answer, or says there is none, so the title never becomes "Nah we just call it".

Pure: the words come from the wording file (``lens/drafting.yaml``, ``titles.given_*``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from conversations.drafting_entities import date_matches, places_in
from conversations.drafting_names import QUOTED as _QUOTED
from conversations.drafting_placement import Unit, answered
from conversations.model import Answer
from conversations.tidy import language_pack, pack_words, phrase_alternation, strip_emoji, tokens

# At most this many words make a name; a longer answer is a story, read by the title rules.
MAX_WORDS = 8
# How alike a word and its correction are (difflib's ratio) for one to be the other's typo.
TYPO_LIKENESS = 0.6
_BRACKETED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
_STAR = re.compile(r"(?<![\w*])\*([^\W\d_][\w'’-]*)|([^\W\d_][\w'’-]*)\*(?![\w*])")
_NEXT_WORD = re.compile(r"\s+([^\W\d_][\w'’-]*)")
_NOT_RE = re.compile(r"\*?([^\W\d_][\w'’-]+)\*?\s+not\s+([^\W\d_][\w'’-]+)", re.IGNORECASE)
# Where a name ends and what is said about it begins. The words are matched in lower case
# only: "its called Its Our Patch" keeps the "Its" of the name.
_CLAUSE = re.compile(
    r"(?<=\w)\s+(?:but|though|although|tho|its|it's|it’s|it is|which|that's|thats|that’s"
    r"|cos|coz|because|we|they|where|basically|like|means|meaning|aka|so|stands for"
    r"|stand for|short for)\s+"
    r"|\s+[-–—=]+\s+|\s*[.;!?\n:]+(?:\s+|$)|,\s+|\s*[-–—]+\s*$"
)


def _words(language: str, key: str) -> tuple[str, ...]:
    return pack_words(language, "titles", key)


@cache
def _folded(language: str, key: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _words(language, key))


def title_limit(language: str) -> int:
    """The most characters a title may have (``tidy.title_max_chars``)."""
    return int(language_pack(language).get("tidy", {}).get("title_max_chars", 70))


@cache
def _patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    leads = phrase_alternation(_words(language, "given_leads"))
    tails = phrase_alternation(_words(language, "given_tails"))
    fixes = phrase_alternation(_words(language, "given_corrections"))
    return (
        re.compile(rf"^(?:(?:{leads})(?![\w'’])[\s,:]*)+", re.IGNORECASE),
        re.compile(rf"(?:[\s,]*(?<![\w'’])(?:{tails}))+[\s.!?]*$", re.IGNORECASE),
        re.compile(rf"(?<![\w'’])(?:{fixes})(?![\w'’])[\s,:]*", re.IGNORECASE),
    )


@cache
def _disowned(language: str) -> re.Pattern[str]:
    phrases = phrase_alternation(_words(language, "given_official_dropped"))
    return re.compile(rf"(?<![\w'’])(?:{phrases})(?![\w'’])", re.IGNORECASE)


@cache
def _naming(language: str) -> re.Pattern[str]:
    """ "the kids named it", "everyone calls it": a naming with the name after it, or
    (at the clause's end) in the next clause."""
    verbs = phrase_alternation(_words(language, "given_naming"))
    return re.compile(rf"(?<![\w'’])(?:{verbs})(?![\w'’])\s*", re.IGNORECASE)


@cache
def _token_phrases(language: str, key: str) -> tuple[str, ...]:
    return tuple(" ".join(tokens(w)) for w in _words(language, key))


def _says(text: str, language: str, key: str) -> bool:
    """Whether ``text`` opens with one of the phrases under ``titles.<key>``."""
    folded = " ".join(tokens(text))
    return any(folded == no or folded.startswith(no + " ") for no in _token_phrases(language, key))


def _negative(text: str, language: str) -> bool:
    return _says(text, language, "given_none")


def _says_none(text: str, language: str) -> bool:
    """Whether an answer giving no name says the project has none ("no", "not really, we
    just call it the group"), as against not knowing it ("dunno", "not sure")."""
    text = strip_emoji(text)
    first = _clean(_CLAUSE.split(text)[0] if text.strip() else "", language)
    return _negative(first, language) and not _says(first, language, "given_unknown")


def _no_name_label(text: str, language: str) -> str | None:
    """What a project with no name is called ("nah we just call it the transport group"),
    when that says what it is: the kind of group and a word of its own ("Transport Group"),
    not a single word ("the cooking") a description says better."""
    text = strip_emoji(text)
    said = list(_naming(language).finditer(text))
    if not said:
        return None
    label = _clean(_CLAUSE.split(text[said[-1].end() :])[0], language)
    words = tokens(label)
    if words[:1] == ["the"]:
        label, words = label[3:].strip(), words[1:]
    kinds = _folded(language, "kind_words")
    own = [w for w in words if w not in _folded(language, "given_generic") and w not in kinds]
    if not 2 <= len(words) <= 4 or not set(words) & kinds or not own:
        return None
    return _cased(label, language)


def _cased(name: str, language: str) -> str:
    """A name typed all in lower case, written as a name ("fix it fridays" is "Fix It
    Fridays"); small joining words stay small ("Bwyd i Bawb"). Any capital typed is kept."""
    if any(c.isupper() for c in name):
        return "The" + name[3:] if name.startswith("the ") else name
    small = _folded(language, "name_joining") | _folded(language, "given_small")
    small |= {w.casefold() for w in pack_words(language, "organisations", "joining_words")}
    out = []
    for index, word in enumerate(name.split()):
        out.append(word if index and word.casefold() in small else word[:1].upper() + word[1:])
    return " ".join(out)


def _clean(clause: str, language: str) -> str:
    lead, tail, _ = _patterns(language)
    text = clause.strip(" \t'\"‘’“”.,!?*")
    for _ in range(3):
        before = text
        text = lead.sub("", text).strip(" '\"‘’“”")
        text = tail.sub("", text).strip(" '\"‘’“”.,!?*")
        if text == before:
            break
    return text


def _from_capitals(text: str) -> str:
    """ "on the sign as Bia le Chéile": a clause opening in lower case that comes to a
    capitalised name is that name (with a "the" right before it)."""
    words = text.split()
    if len(words) < 3 or not words[0][:1].islower():
        return text
    first = next((i for i, w in enumerate(words) if w[:1].isupper()), None)
    if first is None:
        return text
    if first and words[first - 1].casefold() == "the":
        return " ".join(["The", *words[first:]])
    return " ".join(words[first:])


def _capital_run(text: str, language: str) -> str:
    """ "the Nosy Parkers at the first meeting as a joke": a name opening a clause ends
    where the words in lower case begin (a small joining word inside it stays: "Straat van
    Ons")."""
    words = text.split()
    start = 1 if words[:1] and words[0].casefold() == "the" else 0
    if len(words) <= start or not words[start][:1].isupper():
        return text
    joining = _folded(language, "name_joining")
    end = start + 1
    while end < len(words) and (
        words[end][:1].isupper()
        or words[end][:1].isdigit()
        or (
            words[end].casefold() in joining
            and end + 1 < len(words)
            and words[end + 1][:1].isupper()
        )
    ):
        end += 1
    return " ".join(words[:end])


def _without_tail(name: str, language: str) -> str:
    """ "Youth Spend Knocknaheeny on the posters": after a name in capitals, words in lower
    case opening with "on", "at", "for", ... say where it is written, not what."""
    words = name.split()
    for index in range(2, len(words)):
        rest = words[index:]
        if (
            rest[0].casefold() in _folded(language, "phrase_openers")
            and all(not any(c.isupper() for c in w) for w in rest)
            and sum(w[:1].isupper() for w in words[:index]) >= 2
        ):
            return " ".join(words[:index])
    return name


def _is_name(text: str, language: str) -> bool:
    words = tokens(text)
    if not words or len(words) > MAX_WORDS or not re.search(r"[^\W\d_]", text):
        return False
    # "a garden for the street": what it is, not what it is called; an article elided
    # ("A' Chagailt") opens a name.
    if words[0] in _folded(language, "given_not_first") and not text.split()[0].endswith(
        ("'", "’")
    ):
        return False
    return not all(w in _folded(language, "given_generic") for w in words)


def _starred(text: str) -> str:
    """ "splash sapce *space", "damp sqaud. squad*": a word starred after a typo replaces
    the earlier word it most resembles; the star ends the clause (what follows is a
    remark: "*Smart lol typing fast")."""
    for found in reversed(list(_STAR.finditer(text))):
        fix = found.group(1) or found.group(2)
        end = found.end()
        if found.group(1) and fix[:1].isupper():
            # "Ramp Rebles *Ramp Rebelz": a starred name in capitals puts right as many
            # words as it has.
            while (more := _NEXT_WORD.match(text, end)) and more.group(1)[:1].isupper():
                fix, end = f"{fix} {more.group(1)}", more.end()
        size = len(fix.split())
        before = list(re.finditer(r"[^\W\d_][\w'’-]*", text[: found.start()]))
        runs = [before[i : i + size] for i in range(len(before) - size + 1)]
        near = [
            (
                SequenceMatcher(
                    None, " ".join(w.group(0) for w in run).casefold(), fix.casefold()
                ).ratio(),
                run,
            )
            for run in runs
        ]
        best = max(near, key=lambda pair: pair[0], default=None)
        rest = text[end:]
        if best is not None and best[0] >= TYPO_LIKENESS:
            first, last = best[1][0], best[1][-1]
            fix = fix[:1].upper() + fix[1:] if first.group(0)[:1].isupper() else fix
            text = text[: first.start()] + fix + text[last.end() : found.start()]
        else:
            text = text[: found.start()]
        text = text.rstrip() + ", " + rest.lstrip()
    return text


def _typo_of(right: str, wrong: str) -> bool:
    """ "Apna" for "apan": the same word mistyped, not another word ("the scheme not the
    panel" puts no name right)."""
    right, wrong = right.casefold(), wrong.casefold()
    return right != wrong and SequenceMatcher(None, right, wrong).ratio() >= TYPO_LIKENESS


def corrected_elsewhere(name: str, others: Sequence[str]) -> str:
    """A name put right in a later answer ("*Apna not apan sorry", "its Apna not apan"):
    the wrong word replaced, as the correction spells it."""
    for other in others:
        for found in _NOT_RE.finditer(other):
            right, wrong = found.group(1), found.group(2)
            pattern = rf"(?<![\w'’]){re.escape(wrong)}(?![\w'’])"
            typed = re.search(pattern, name, re.IGNORECASE)
            if typed is not None and _typo_of(right, wrong):
                cased = right.capitalize() if typed.group(0)[:1].isupper() else right
                name = name[: typed.start()] + cased + name[typed.end() :]
    return name


def _story(text: str, language: str) -> bool:
    """A clause typed in lower case that tells something ("the kids voted on it") rather
    than names it."""
    if any(c.isupper() for c in text):
        return False
    return bool(set(tokens(text)) & _folded(language, "given_story"))


def _remark(text: str, language: str) -> bool:
    """ "lol typing fast", "haha": a remark after the name, not a lead into one."""
    first = (tokens(text) or [""])[0]
    return first in _folded(language, "given_remarks")


def _spelled(acronym: str, words: str) -> bool:
    """ "YAP" and "young assessors panel": the acronym is the words' initials."""
    initials = "".join(w[0] for w in re.findall(r"[^\W\d_][\w'’-]*", words) if len(w) > 2)
    return len(acronym) >= 2 and acronym.isupper() and initials.casefold() == acronym.casefold()


def given_name(text: str, language: str) -> str | None:
    """The name an answer to "Has it got a name?" gives, as it should be written, or None
    when it gives none ("no", "not yet", "we just call it the group")."""
    text = "".join(", " if unicodedata.category(c) == "So" else c for c in text)
    text = _starred(strip_emoji(text)).strip(" ,")
    if not text:
        return None
    _, _, fixes = _patterns(language)
    # "Stratpraat, sorry Straatpraat": the name after the last correction.
    named_only = _folded(language, "given_corrections_named")
    corrected = [
        m.end()
        for m in fixes.finditer(text)
        if m.end() < len(text)
        and (" ".join(tokens(m.group(0))) not in named_only or text[m.end()].isupper())
    ]
    if corrected and _ranked(text[corrected[-1] :], language, negative=False):
        text = text[corrected[-1] :]
    negative = _negative(_clean(text, language), language)  # "ah no not really"
    ranked = _ranked(text, language, negative=negative)
    return ranked[0] if ranked else None


def _ranked(text: str, language: str, *, negative: bool) -> list[str]:
    """The names an answer's clauses give, first said first: "Safe Harbour? ... everyone
    just says the harbour" is Safe Harbour. The official name comes before all ("officially
    its Bws Bro Hafren but everyone calls it y bws bach"), unless nobody uses it; one only
    on paper ("its the 7A on paper but everybody calls it the Gossip Bus") gives way to one
    said with a naming; a clause said after the name without one ("lol typing fast") comes
    last; and the same name said again in full later wins over its short form."""
    glossed = _BRACKETED.search(text)
    text = _BRACKETED.sub("", text)
    dropped = _disowned(language).search(text) is not None  # "but nobody calls it that"
    clauses = [c for c in _CLAUSE.split(text) if c and c.strip()][:4]
    naming = _naming(language)
    lead, _, _ = _patterns(language)
    found: list[tuple[int, int, str]] = []
    named_next = False
    for index, clause in enumerate(clauses):
        said = list(naming.finditer(clause))
        # "officially its Bws Bro Hafren": the mark may stand in a clause of its own before it.
        marked = set(tokens(clause))
        before = set(tokens(clauses[index - 1])) if index else set()
        if before and before <= _folded(language, "given_official_words"):
            marked, named_next = marked | before, True
        official = bool(marked & _folded(language, "given_official_words"))
        kept = not dropped and bool(marked & _folded(language, "given_official_kept"))
        quoted = _QUOTED.search(clause)
        # Said with a naming, first, or opening "its" ("its Kernow Concrete"): a name.
        named = named_next or index == 0 or bool(said) or bool(quoted)
        named_next = False
        if said and said[-1].end() >= len(clause.rstrip()):
            named_next = True  # "the kids named it" and the name comes next
            continue
        if quoted:
            clause = quoted.group(1)  # "iets als 'Straat van Ons'?"
        elif said:
            clause = clause[said[-1].end() :]
        elif lead.match(clause.strip(" '\"‘’“”")) and not _remark(clause, language):
            named = True
        if negative and not said and not quoted:
            continue  # "no, not really": a "no" names something only with a naming
        name = _without_tail(_from_capitals(_clean(clause, language)), language)
        if not _is_name(name, language):  # "the Nosy Parkers at the first meeting as a joke"
            name = _capital_run(name, language)
        if not _is_name(name, language) or _negative(name, language) or _story(name, language):
            continue
        if negative and not any(c.isupper() for c in name):
            continue  # "nah we just call it the group": a description, not a name
        name = _cased(name, language)
        following = clauses[index + 1] if index + 1 < len(clauses) else ""
        spelled = _clean(following, language)
        acronym = next((w for w in name.split() if _spelled(w, spelled)), None)
        if acronym is not None:  # "YAP - young assessors panel", "the DAMP panel, stands for"
            name = f"{_cased(spelled.casefold(), language)} ({acronym})"
        elif glossed and _spelled(name, glossed.group(0).strip(" ()[]")):
            name = f"{_cased(glossed.group(0).strip(' ()[]').casefold(), language)} ({name})"
        rank = 0 if not named else 3 if kept else 1 if official else 2
        found.append((rank, -index, name[:1].upper() + name[1:]))
    ranked = [name for _, _, name in sorted(found, reverse=True)]
    # "youth spend.. its Youth Spend Knocknaheeny on the posters": the same name said in
    # full later is the name.
    for fuller in ranked[1:]:
        first, more = tokens(ranked[0]), tokens(fuller)
        if len(more) > len(first) and more[: len(first)] == first:
            return [fuller, *(n for n in ranked if n != fuller)]
    return ranked


def holds_only(text: str, name: str, language: str) -> bool:
    """Whether an answer sentence says nothing but the name ("yes its called Fix It
    Fridays"), so the title holds all of it and no field needs it again."""
    said = set(tokens(name))
    extra = _folded(language, "given_filler")
    return bool(said) and all(w in said or w in extra for w in tokens(text))


@dataclass(frozen=True)
class Given:
    """The name typed for "Has it got a name?", ready to be the title: the name, the
    answer sentences that say only it (placed in the title, nowhere else) and the answers
    its words come from (the name's, and one that put a typo right)."""

    name: str
    held: tuple[Unit, ...]
    cited: tuple[str, ...]


def _where_or_when(name: str, answers: Mapping[str, Answer], language: str) -> bool:
    """Whether the "name" says where or when instead ("march 2024", or the place the where
    answer gives): the question read as another one, or an answer typed into the wrong box."""
    if date_matches(name, language):
        return True
    place = answered(answers, "place_when")
    named_places = places_in(place.text, language) if place is not None else []
    return any(tokens(name) == tokens(p) for p in named_places)


@dataclass(frozen=True)
class NameAnswer:
    """What the answer to "Has it got a name?" gives the title: the name (or, for a
    project with none, a label saying what it is: "Transport Group"), and whether the
    contributor said it has none, so no name is read from the story either."""

    given: Given | None
    unnamed: bool


def read_given(answers: Mapping[str, Answer], units: Sequence[Unit], language: str) -> NameAnswer:
    """The name answer read once for the title. It gives no name when it names none, says
    where or when instead, or gives one too long to be a title (its sentences are then
    placed as any other answer's)."""
    answer = answered(answers, "name")
    if answer is None:
        return NameAnswer(None, unnamed=False)
    name = given_name(answer.text, language)
    if name is None:
        if not _says_none(answer.text, language):
            return NameAnswer(None, unnamed=False)  # "dunno": the story may still name it
        label = _no_name_label(answer.text, language)
        given = Given(label, (), ("name",)) if label is not None else None
        return NameAnswer(given, unnamed=label is None)
    if _where_or_when(name, answers, language):
        return NameAnswer(None, unnamed=False)
    others = {q: a.text for q, a in answers.items() if q != "name" and a.text}
    name = corrected_elsewhere(name, list(others.values()))  # "*Apna not apan sorry"
    if len(name) > title_limit(language):
        return NameAnswer(None, unnamed=False)
    unsaid = set(tokens(name)) - set(tokens(answer.text))
    held = tuple(u for u in units if u.home == "name" and holds_only(u.text, name, language))
    cited = ("name", *(q for q, text in others.items() if unsaid & set(tokens(text))))
    return NameAnswer(Given(name, held, cited), unnamed=False)
