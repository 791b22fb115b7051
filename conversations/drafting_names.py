"""The project's own name, read by a learned scorer over every name-like phrase.

The title rules in ``drafting_headline`` each match one way of giving a name ("called X",
"X, thats what we call it" ...). Fresh interviews keep bringing ways no rule knows, so this
scorer looks at every phrase that could be a name (a capitalised run, a quoted phrase, a
hashtag or handle, a lower-case phrase beside a naming word) and weighs what surrounds it:
the words either side, its punctuation, its shape, which answers it is in, and whether it is
a place, a body, a person or a date the drafter already knows. The weights are learned from
the drafting fixtures by ``bench/name_train.py`` and shipped as ``lens/names.json``; reading
them needs nothing beyond the standard library.

Pure: no I/O but reading the weights file once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from conversations.drafting_placement import Unit

MODEL_PATH = Path(__file__).parent / "lens" / "names.json"

_TOKEN = re.compile(r"#\w+|@\w+|&|[^\W_](?:[\w'’.\-]*\w)?")
QUOTED = re.compile(r"(?:^|(?<=[\s(]))['\"‘“]([^'\"‘’“”]{2,60})['\"’”]")
_MAX_WORDS = 6


def _capital(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit() or word[0] in "#@")


def name_key(text: str) -> str:
    """The form two mentions of one name share: folded, no punctuation, no leading "the"."""
    folded = text.casefold().replace("’", "'")
    folded = " ".join(re.sub(r"[^\w'& ]+", " ", folded).split())
    return folded[4:] if folded.startswith("the ") else folded


@dataclass(frozen=True)
class NameWords:
    """What the drafter already knows about words, for the scorer's features."""

    joining: frozenset[str]
    cues: re.Pattern[str]
    skip: frozenset[str]
    openers: frozenset[str]
    places: frozenset[str]
    place_words: frozenset[str]
    organisations: frozenset[str]
    org_words: frozenset[str]
    persons: frozenset[str]
    date_words: frozenset[str]
    kinds: frozenset[str]
    generic: frozenset[str]
    greetings: frozenset[str]


@dataclass
class Candidate:
    """One phrase that could be the name, with where it was first seen and its features."""

    text: str
    unit: Unit | None
    features: dict[str, float] = field(default_factory=dict)
    homes: set[str] = field(default_factory=set)
    capitalised: bool = False


def _spans(text: str, words: NameWords) -> Iterator[tuple[int, int, str]]:
    """Every (start, end, kind) of a phrase in ``text`` that could be a name."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]

    def apart(left: tuple[int, int, str], right: tuple[int, int, str]) -> bool:
        return text[left[1] : right[0]].strip() not in {"", "-"}

    for first in tokens:
        if first[2][:1] in "#@":
            yield first[0], first[1], "tag"  # a hashtag or a handle, alone
    for i, first in enumerate(tokens):
        if not _capital(first[2]) or first[2][:1] in "#@":
            continue
        opening = not text[: first[0]].strip() or text[: first[0]].rstrip()[-1:] in ".!?"
        if opening and first[2].casefold() in words.openers:
            continue  # "Well Glitterbox", "Its Trwsio Mach": the name starts after it
        for j in range(i, min(len(tokens), i + _MAX_WORDS)):
            if j > i and apart(tokens[j - 1], tokens[j]):
                break
            if tokens[j][2][:1] in "#@":
                break
            if _capital(tokens[j][2]):
                yield first[0], tokens[j][1], "cap"
            elif tokens[j][2].casefold() not in words.joining:
                break
    for match in QUOTED.finditer(text):
        yield match.start(1), match.end(1), "quoted"
    for match in words.cues.finditer(text):
        after = [t for t in tokens if t[0] >= match.end()][: _MAX_WORDS + 2]
        while after and after[0][2].casefold() in words.skip:
            after = after[1:]
        for j in range(min(_MAX_WORDS - 1, len(after))):
            if j and apart(after[j - 1], after[j]):
                break
            yield after[0][0], after[j][1], "after"
        before = [t for t in tokens if t[1] <= match.start()][-_MAX_WORDS:]
        while before and before[-1][2].casefold() in words.skip:
            before = before[:-1]
        for j in range(len(before) - 1, max(-1, len(before) - _MAX_WORDS), -1):
            if j < len(before) - 1 and apart(before[j], before[j + 1]):
                break
            yield before[j][0], before[-1][1], "before"


def _mark(char: str, edge: str) -> str:
    """The punctuation beside a phrase: the mark itself, "word" for a word, or ``edge``."""
    if not char:
        return edge
    return "word" if char.isalnum() else char


def _folded_words(text: str) -> list[str]:
    return [w.casefold() for w in _TOKEN.findall(text)]


def candidates(units: Sequence[Unit], credit: str, words: NameWords) -> dict[str, Candidate]:
    """Every phrase of the answers (and the organisation credited) that could name the project, by
    ``name_key``, with the features the scorer weighs."""
    found: dict[str, Candidate] = {}
    sources: list[tuple[str, str, Unit | None]] = [(u.home, u.text, u) for u in units]
    if credit.strip():
        # The organisation the contributor asked to be credited as: sometimes the only
        # place the project's name is given ("Tuesday Club, Tower Hill Community Centre").
        sources.append(
            ("credit_org", credit, Unit(credit, ("credit_org",), (), (), "credit_org", 0))
        )
    for position, (home, text, unit) in enumerate(sources):
        for start, end, kind in _spans(text, words):
            said = text[start:end].strip(" -")
            key = name_key(said)
            if len(key) < 2 or len(said) > 60:
                continue
            if kind in {"after", "before"} and any(_capital(w) for w in said.split()[1:]):
                continue  # "the fund Blàths": its capitalised run is a phrase of its own
            candidate = found.get(key)
            if candidate is None:
                candidate = found[key] = Candidate(said, unit)
            if kind != "after" and kind != "before" and not candidate.capitalised:
                candidate.text, candidate.unit, candidate.capitalised = said, unit, True
            f = candidate.features
            candidate.homes.add(home)
            f["kind:" + kind] = 1.0
            f["home:" + home] = 1.0
            f["count"] = f.get("count", 0.0) + 1.0
            left, right = _folded_words(text[:start])[-4:], _folded_words(text[end:])[:4]
            for distance, word in enumerate(reversed(left), 1):
                f[f"L{distance}:{word}"] = f[f"L:{word}"] = 1.0
            for distance, word in enumerate(right, 1):
                f[f"R{distance}:{word}"] = f[f"R:{word}"] = 1.0
            f["Rp:" + _mark(text[end:].lstrip()[:1], "end")] = 1.0
            f["Lp:" + _mark(text[:start].rstrip()[-1:], "start")] = 1.0
            if start == 0:
                f["unit_start"] = 1.0
            if end >= len(text.rstrip(" .!?")):
                f["unit_end"] = 1.0
            if position == 0:
                f["first_unit"] = 1.0
            before = text[:start]
            left_words = _TOKEN.findall(before.rstrip()[-30:]) if before.endswith(" ") else []
            right_words = _TOKEN.findall(text[end : end + 30]) if text[end : end + 1] == " " else []
            if (
                left_words
                and _capital(left_words[-1])
                and not before.rstrip().endswith((".", "!", "?", ":"))
            ):
                f["cap_left"] = 1.0
            if right_words and _capital(right_words[0]):
                f["cap_right"] = 1.0
            if (
                kind != "cap"
                and left_words
                and left_words[-1].casefold() not in words.joining
                and not _capital(left_words[-1])
            ):
                f["lower_left"] = 1.0
    for key, candidate in found.items():
        _shape(key, candidate, words)
    return found


def _shape(key: str, candidate: Candidate, words: NameWords) -> None:
    """The features of the phrase itself: its length, capitals and what the drafter knows."""
    f = candidate.features
    text = candidate.text
    folded = _folded_words(text)
    f[f"nwords:{min(len(folded), 5)}"] = 1.0
    if text.isupper() and len(text) > 1:
        f["allcaps"] = 1.0
    elif all(_capital(w) or w.casefold() in words.joining for w in _TOKEN.findall(text)):
        f["titlecase"] = 1.0
    elif text == text.lower():
        f["lower"] = 1.0
    else:
        f["mixed"] = 1.0
    if any(c.isdigit() for c in text):
        f["digit"] = 1.0
    for word in folded:
        f["W:" + word] = 1.0
    held = set(folded)
    if held & words.place_words or key in words.places:
        f["place"] = 1.0
    if key in words.organisations:
        f["org"] = 1.0
    for name, known in (
        ("orgword", words.org_words),
        ("personword", words.persons),
        ("dateword", words.date_words),
        ("kindword", words.kinds),
        ("greeting", words.greetings),
    ):
        if held & known:
            f[name] = 1.0
    if folded and all(w in words.generic for w in folded):
        f["allgeneric"] = 1.0
    f["logcount"] = math.log1p(f.pop("count", 0.0))
    f["nhomes"] = min(len(candidate.homes), 4) / 2


@dataclass(frozen=True)
class NameModel:
    """A logistic scorer: feature weights, a bias, the probability a name must reach to be
    used when no rule names the project, and the one below which a rule's name is not
    used."""

    weights: Mapping[str, float]
    bias: float
    threshold: float
    rule_veto: float = 0.0
    # The scorer's own name replaces a rule's it scores below ``doubt`` when it is at least
    # ``override`` sure of its own.
    override: float = 1.0
    doubt: float = 0.0

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(n, 0.0) * v for n, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def ranked(self, found: Mapping[str, Candidate]) -> list[tuple[Candidate, float]]:
        """Every phrase with its probability, likeliest first (ties by the phrase)."""
        scored = sorted(
            ((self.probability(c.features), key, c) for key, c in found.items()),
            key=lambda s: (-s[0], s[1]),
        )
        return [(c, p) for p, _, c in scored]

    def best(self, found: Mapping[str, Candidate]) -> tuple[Candidate, float] | None:
        """The likeliest name and its probability, or None when there is no phrase."""
        ranked = self.ranked(found)
        return ranked[0] if ranked else None

    def to_json(self) -> str:
        weights = {n: round(w, 5) for n, w in sorted(self.weights.items()) if abs(w) >= 1e-4}
        return json.dumps(
            {
                "bias": round(self.bias, 5),
                "threshold": self.threshold,
                "rule_veto": self.rule_veto,
                "override": self.override,
                "doubt": self.doubt,
                "weights": weights,
            },
            ensure_ascii=False,
            indent=0,
        )


@cache
def load_name_model(path: Path = MODEL_PATH) -> NameModel | None:
    """The shipped scorer, read once; None when the file is absent (rules alone name)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return NameModel(
        {str(k): float(v) for k, v in data["weights"].items()},
        float(data["bias"]),
        float(data["threshold"]),
        float(data.get("rule_veto", 0.0)),
        float(data.get("override", 1.0)),
        float(data.get("doubt", 0.0)),
    )
