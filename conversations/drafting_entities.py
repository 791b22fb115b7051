"""Names and figures across all answers: organisations, places, dates and numbers.

Each is kept exactly as the contributor wrote it ("ng homes" stays lowercase, "LEICESTER
CITY COUNCIL" stays in capitals); the words that mark them are data in
``lens/drafting.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from conversations.lens import phrase_regex
from conversations.tidy import DEFAULT_LANGUAGE, LINK_RE, pack_words, split_sentences, strip_emoji

# Capital letters of every alphabet, not only A-Z: "Łódź", "Urząd", "Ćwiczenia".
_UPPER = "[" + "".join(re.escape(c) for c in map(chr, range(0x250)) if c.isupper()) + "]"
_CAPITAL = rf"(?:{_UPPER}[\w'’.-]*|{_UPPER}{{2,}})"
_ALL_CAPS_WORD = re.compile(rf"{_UPPER}(?:{_UPPER}|['’&-])*{_UPPER}")


def organisation_names(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Names of organisations in a text: capitalised names with an organisation word or
    acronym ("Leeds City Council", "Bramley Food CIC"), names written in capitals
    ("ARRIVA", "LEICESTER CITY COUNCIL"), and lowercase mentions such as "the local council"
    or "from ng homes" (without the leading word)."""
    words = {w.casefold() for w in pack_words(language, "organisations", "words")}
    acronyms = set(pack_words(language, "organisations", "acronyms"))
    drop = {w.casefold() for w in pack_words(language, "organisations", "leading_words_to_drop")}
    joiners = pack_words(language, "organisations", "joining_words")
    joining = "|".join(re.escape(w) for w in joiners)
    run_re = re.compile(
        rf"(?<![\w'’-]){_CAPITAL}(?:\s+(?:(?:{joining})\s+)*{_CAPITAL})*" if joining else _CAPITAL
    )
    text = LINK_RE.sub(" ", text)
    found: list[str] = []
    # "Betsi Cadwaladr health board", "Gisda youth charity": the kind of body in lowercase.
    kind_re = re.compile(
        rf"\s+((?:[a-z][\w'’-]*\s+)?(?:{'|'.join(phrase_regex(w) for w in sorted(words))}))\b"
    )
    # "Westmorland and Furness Council": one place-like word and "and" open the name.
    paired_re = re.compile(rf"(?<![\w'’-])({_UPPER}[\w'’-]*[^\Ws'’])\s+(?:and|&)\s+$")
    # A name never runs on past the end of a sentence ("Confidence. AQA unit awards").
    matches = [m for sentence in split_sentences(text, language) for m in run_re.finditer(sentence)]
    for match in matches:
        run = match.group(0)
        ends_sentence = any(w.endswith((".", "!", "?")) for w in run.split())
        kind = None if ends_sentence else kind_re.match(text, match.end())
        if kind is not None:
            run = f"{run} {kind.group(1)}"
        parts = run.rstrip(".").split()
        while parts and parts[0].casefold() in drop:
            parts = parts[1:]
        while parts and parts[-1].casefold() in {j.casefold() for j in joiners}:
            parts = parts[:-1]
        if not parts:
            continue
        has_acronym = any(p.rstrip("’'s") in acronyms or p in acronyms for p in parts)
        has_word = any(p.casefold().strip("'’") in words for p in parts)
        capitals = [p for p in parts if _ALL_CAPS_WORD.fullmatch(p)]
        shouted = len(capitals) == len(parts) and (len(parts) > 1 or len(parts[0]) >= 4)
        # A name holding an acronym of its own: "Glasgow City HSCP".
        coded = len(parts) > 1 and any(len(c) >= 2 for c in capitals)
        if has_acronym or shouted or coded or (len(parts) > 1 and has_word):
            paired = paired_re.search(match.string[: match.start()]) if has_word else None
            if (
                paired is not None
                and paired.group(1).casefold() not in drop
                and paired.start() > 0
                and paired.group(1).casefold() not in words
                and not paired.group(1).isupper()  # "ARRIVA and LEICESTER CITY COUNCIL": two
            ):
                joined = match.string[paired.end(1) : match.start()].strip()
                parts = [paired.group(1), joined, *parts]
            found.append(" ".join(parts))
    found += _lowercase_names(text, language)
    # A kind of body on its own ("school", "GP") names no organisation.
    generic = {w.casefold() for w in pack_words(language, "organisations", "generic_alone")}
    found = [n for n in found if not (" " not in n and n.casefold() in generic)]
    unique: dict[str, str] = {}
    for name in found:
        unique.setdefault(name.casefold(), name)
    return list(unique.values())


def _lowercase_names(text: str, language: str) -> list[str]:
    lowercase = sorted(
        pack_words(language, "organisations", "lowercase_words"), key=len, reverse=True
    )
    found: list[str] = []
    if lowercase:
        nouns = "|".join(phrase_regex(w) for w in lowercase)
        low_re = re.compile(
            rf"\b(?:the|a|an|our|their|two|three|local)\s+((?:[a-z][\w'’-]*\s+){{0,2}}?(?:{nouns}))"
        )
        found += [m.group(1) for m in low_re.finditer(text)]
    # A lowercase name after "from", "with" or "&": "people from ng homes".
    named = pack_words(language, "organisations", "lowercase_name_words")
    pronouns = {w.casefold() for w in pack_words(language, "organisations", "not_a_name")}
    if named:
        tail = "|".join(phrase_regex(w) for w in named)
        after_re = re.compile(rf"(?:\bfrom|\bwith|&)\s+((?:[a-z][\w'’-]*\s+){{1,2}}?(?:{tail}))\b")
        for match in after_re.finditer(text):
            name = match.group(1)
            if name.split()[0].casefold() not in pronouns:
                found.append(name)
    return found


def listed_names(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Names of three capitalised words or more that stand alone as an item of a list of who
    took part ("patients, two GPs, Sheffield Community Voice"): bodies, not people, whose
    names carry no organisation word."""
    joiners = {w.casefold() for w in pack_words(language, "organisations", "joining_words")}
    found: list[str] = []
    for item in re.split(r"[,;()\n]|\band\b|\s[-–—]\s", LINK_RE.sub(" ", text)):
        words = item.strip(" .!?:").split()
        if len(words) < 3 or not words[0][:1].isupper() or not words[-1][:1].isupper():
            continue
        if all(w[:1].isupper() or w.casefold() in joiners for w in words):
            found.append(" ".join(words))
    return found


def names_in(texts: Iterable[tuple[str, str]], language: str) -> list[tuple[str, list[str]]]:
    """Organisation names across (question id, text) pairs, merged case-insensitively, with
    the questions each was found in; a name inside a longer one is left out."""
    merged: dict[str, tuple[str, list[str]]] = {}
    for qid, text in texts:
        names = organisation_names(text, language)
        if qid == "who":
            names += listed_names(text, language)
        for name in names:
            key = name.casefold()
            if key in merged:
                merged[key][1].append(qid)
            else:
                merged[key] = (name, [qid])
    keys = list(merged)
    return [
        (merged[key][0], list(dict.fromkeys(merged[key][1])))
        for key in keys
        if not any(key != other and re.search(rf"\b{re.escape(key)}\b", other) for other in keys)
    ]


@cache
def _date_regex(language: str) -> re.Pattern[str]:
    words = sorted(pack_words(language, "dates", "named"), key=len, reverse=True)
    named = "|".join(re.escape(w) for w in words) or "(?!)"
    lead = "|".join(re.escape(w) for w in pack_words(language, "dates", "leading")) or "(?!)"
    year = r"(?:19|20)\d{2}s?"
    # Month names that are words too ("may") are dates only with a year: "May 2019".
    with_year = "|".join(re.escape(w) for w in pack_words(language, "dates", "named_with_year"))
    dated = rf"|(?:{with_year})\s+(?:of\s+)?{year}" if with_year else ""
    single = rf"(?:(?:early|late|mid)[\s-]+)?(?:(?:{named})(?:\s+(?:of\s+)?{year})?{dated}|{year})"
    # A range is one date: "2018 to now", "2019-2021", "March 2021 to June 2022".
    joins = "|".join(re.escape(w) for w in pack_words(language, "dates", "range_words"))
    ends = "|".join(re.escape(w) for w in pack_words(language, "dates", "open_ends"))
    until = rf"(?:\s*[-–—]\s*|\s+(?:{joins})\s+)(?:{single}|{ends or '(?!)'})" if joins else ""
    return re.compile(
        rf"(?<![\w'’-])(?:(?:{lead})\s+)?(?:(?:about|roughly|approximately)\s+)?"
        rf"{single}(?:{until})?(?![\w'’-])",
        re.IGNORECASE,
    )


def date_matches(text: str, language: str = DEFAULT_LANGUAGE) -> list[re.Match[str]]:
    """The dates in ``text`` with their positions in it (links blanked out, not removed)."""
    blanked = LINK_RE.sub(lambda m: " " * len(m.group(0)), text)
    return list(_date_regex(language).finditer(blanked))


def dates_in(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Dates as written: years, and months or seasons with or without a year ("spring
    2019", "since jan 2023", "summer of 2020")."""
    return [m.group(0) for m in date_matches(text, language)]


_NUMBER_RE = re.compile(
    r"(?<![\w'’.-])(?:[£$€]\s?)?\d+(?:[.,]\d+)*(?:k|m)?\+?(?:\s*%)?(?:\s+[^\W\d_][\w'’-]*)?",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?:19|20)\d{2}s?")


def numbers_in(text: str) -> list[str]:
    """Numbers with the word that follows them ("40 young", "£30k"), years left to dates."""
    found = []
    for match in _NUMBER_RE.finditer(LINK_RE.sub(" ", text)):
        value = match.group(0).rstrip(".,")
        if _YEAR_RE.fullmatch(value.split()[0]):
            continue
        found.append(value)
    return found


def places_in(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Places in a where-and-when answer: its comma-separated parts that hold no date, no
    number and no word of the date list, as written ("possilpark", "north glasgow")."""
    date_re = _date_regex(language)
    stop = {w.casefold() for w in pack_words(language, "dates", "leading")}
    stop |= {w.casefold() for w in pack_words(language, "dates", "place_openers")}
    stop |= {"at", "in", "on", "near", "around"}
    not_places = {w.casefold() for w in pack_words(language, "dates", "starts")}
    not_places |= {w.casefold() for w in pack_words(language, "organisations", "not_a_name")}
    not_places |= {"we", "i", "it", "they", "us", "me"}
    found: list[str] = []
    parts = [
        part
        for sentence in split_sentences(LINK_RE.sub(" ", text), language)  # "ul. Długa"
        for part in re.split(r"[,;/\n]|\s+[-–—]\s+", sentence)
    ]
    for part in parts:
        part = strip_emoji(part)
        dated = date_re.search(part)
        if dated:  # "Cardiff in 2018": only the capitalised words before the date
            lead = part[: dated.start()].split()
            while len(lead) > 1 and lead[0][:1].isupper() and not lead[-1][:1].isupper():
                lead = lead[:-1]  # "Cardiff in 2018"; "Kirkby in Knowsley" keeps its "in"
            part = " ".join(lead)
            if lead and not lead[0][:1].isupper():
                part = ""
        words = part.split()
        while (
            words and words[0].casefold().strip(".") in stop
        ):  # "in Leeds"; "Kirkby in Knowsley" keeps its "in"
            words = words[1:]
        while words and words[-1].casefold().strip(".") in stop:
            words = words[:-1]
        if words and words[0][:1].isupper():  # "Tuam and around it": the name, not the rest
            for index in range(1, len(words)):
                following = words[index + 1] if index + 1 < len(words) else ""
                if words[index][:1].islower() and not following[:1].isupper():
                    words = words[:index]
                    break
        phrase = " ".join(words).strip(" .()")
        if not phrase or words[0].casefold() in not_places:
            continue
        if re.search(r"[^\W\d_]", phrase) and not re.search(r"\d", phrase) and len(words) <= 5:
            found.append(phrase)
    return list(dict.fromkeys(found))
