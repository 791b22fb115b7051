"""Tidying informal answers without changing what they say.

Sentence case, a capital "I", even spacing, a full stop where one is missing, a few filler
words dropped and repeated sentences removed: nothing else. The words this uses (fillers,
abbreviations, markers of another language) are data in ``lens/drafting.yaml``, keyed by
language, and :func:`language_pack` is how the rest of the drafter reads that file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

WORDING_FILE = Path(__file__).parent / "lens" / "drafting.yaml"
DEFAULT_LANGUAGE = "en"

TERMINAL = ".!?…"
CLOSERS = "\"'’”)]»"
OPENERS = "\"'‘“([¿¡«"
WORD_RE = re.compile(r"[^\W_]+")
# Web links and e-mail addresses are left exactly as written.
LINK_RE = re.compile(
    r"(?<![\w.])(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,!?;:)\]'’”]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|uk|io|gov|edu|info|cymru|wales|es|eu|co|ie)"
    r"(?:/[^\s<>\"]*[^\s<>\".,!?;:)\]'’”])?(?!\w|\.\w)",
    re.IGNORECASE,
)
_MAX_PASSES = 8


class WordsLoader(yaml.SafeLoader):
    """SafeLoader reading only true/false as booleans, so words like "no" and "on" stay words."""


WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WordsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class WordingError(Exception):
    """The drafter's wording file is missing a section or has the wrong shape."""


@cache
def _wording() -> dict[str, Any]:
    with WORDING_FILE.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=WordsLoader)  # a SafeLoader subclass
    if not isinstance(data, dict) or DEFAULT_LANGUAGE not in data:
        raise WordingError(f"{WORDING_FILE}: needs a mapping with a '{DEFAULT_LANGUAGE}' block")
    return data


def language_pack(language: str = DEFAULT_LANGUAGE) -> Mapping[str, Any]:
    """The drafter's words for ``language``, falling back to English for unknown languages."""
    data = _wording()
    block = data.get(language) or data[DEFAULT_LANGUAGE]
    if not isinstance(block, dict):
        raise WordingError(f"{WORDING_FILE}: '{language}' must be a mapping")
    return block


def pack_words(language: str, *path: str) -> tuple[str, ...]:
    """A list of words or phrases at ``path`` in the language pack (empty when absent)."""
    node: Any = language_pack(language)
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if node is None:
        return ()
    if not isinstance(node, list) or not all(isinstance(w, str) for w in node):
        raise WordingError(f"{WORDING_FILE}: {language}.{'.'.join(path)} must be a list of text")
    return tuple(node)


def pack_text(language: str, *path: str) -> str:
    """One piece of wording at ``path`` in the language pack; WordingError when absent."""
    node: Any = language_pack(language)
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, str):
        raise WordingError(f"{WORDING_FILE}: {language}.{'.'.join(path)} must be text")
    return node


def filler_words(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """Every word that tidying may remove (lowercase), for checks that nothing else goes."""
    words: set[str] = set()
    for key in (
        "fillers_anywhere",
        "fillers_delimited",
        "fillers_sentence_start",
        "fillers_opening",
    ):
        for phrase in pack_words(language, "tidy", key):
            words.update(w.casefold() for w in WORD_RE.findall(phrase))
    return frozenset(words)


def tokens(text: str) -> list[str]:
    """Word tokens, casefolded: the unit in which tidying promises to keep words."""
    return [t.casefold() for t in WORD_RE.findall(text)]


def phrase_alternation(phrases: Sequence[str]) -> str:
    """A regular-expression alternation of phrases, longest first, any spacing between words."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)


@cache
def _filler_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    anywhere = phrase_alternation(pack_words(language, "tidy", "fillers_anywhere"))
    delimited = phrase_alternation(pack_words(language, "tidy", "fillers_delimited"))
    start = phrase_alternation(pack_words(language, "tidy", "fillers_sentence_start"))
    edge = r"(?<![\w'’-])"
    end = r"(?![\w'’-])"
    patterns: list[str] = []
    if anywhere:
        patterns += [
            rf"^[\s,]*{edge}(?:{anywhere}){end}[\s,.…]*",  # opening the sentence
            rf"\s*,\s*{edge}(?:{anywhere}){end}\s*(?=[,.!?…]|$)",  # ", um." closing a clause
            rf"\s*{edge}(?:{anywhere}){end}\s*,?",  # anywhere else, with its comma
        ]
    if delimited:
        patterns += [
            rf"^\s*{edge}(?:{delimited}){end}\s*,\s*",
            rf"\s*,\s*{edge}(?:{delimited}){end}\s*(?=,)",
        ]
    if start:
        patterns.append(rf"^\s*{edge}(?:{start}){end}\s*,\s*")
    opening = phrase_alternation(pack_words(language, "tidy", "fillers_opening"))
    if opening:
        patterns.append(rf"^\s*{edge}(?:{opening}){end}[\s,]*(?=[^\W_])")
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def find_links(text: str) -> list[re.Match[str]]:
    """The links and e-mail addresses in ``text``. Every form of link holds a full stop or
    "://", so text without either is not searched (slow on a long run of letters)."""
    return list(LINK_RE.finditer(text)) if "." in text or "://" in text else []


def _outside_links(text: str, change: Any) -> str:
    """Apply ``change`` to the parts of ``text`` that are not links or e-mail addresses."""
    out: list[str] = []
    last = 0
    for match in find_links(text):
        out.append(change(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(change(text[last:]))
    return "".join(out)


def _space_plain(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", text)
    text = re.sub(r" +([,;]|[.!?…]+(?=[\s,.!?;…\"'’”)\]]|$))", r"\1", text)
    text = re.sub(r",{2,}", ",", text)
    # A space after , ; ! ? between words ("great!We"), but not inside a code or a name
    # that is not prose ("!A0", "Yahoo!Mail2").
    text = re.sub(r"([,;!?])(?=[^\W\d_]+(?!\w))", r"\1 ", text)

    def after_stop(match: re.Match[str]) -> str:
        before, after, rest = match.group(1), match.group(2), match.group(3)
        if after.isupper() or after + rest == "i":
            return f"{before}. {after}{rest}"
        return match.group(0)

    return re.sub(r"(?<![\w.])([^\W\d_]{2,})\.([^\W\d_])(\w*)", after_stop, text)


def fix_spacing(text: str) -> str:
    """Collapse runs of spaces, no space before , . ! ? ; and one after, links untouched."""
    return _outside_links(text, _space_plain).strip()


@cache
def _word_set(language: str, *path: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in pack_words(language, *path))


def _is_abbreviation(before: str, after: str, language: str) -> bool:
    words = before.split()
    if not words:
        return False
    last = words[-1].lstrip(OPENERS).rstrip(".").casefold()
    if last in _word_set(language, "tidy", "abbreviations"):
        return True
    if last in _word_set(language, "tidy", "soft_abbreviations"):
        return not after[:1].isupper()
    raw_last = words[-1].rstrip(".")
    if len(raw_last) == 1 and raw_last.isupper():
        if after[:1].isupper():
            return True  # an initial, as in "J. Smith"
        following = re.match(r"[^\W\d_]+", after)
        if following and following.group(0).casefold() in _word_set(
            language, "tidy", "after_initial"
        ):
            return True  # a name such as "E. coli"
    if len(words) == 1 and raw_last.isdigit():
        return True  # a numbered point, as in "1. We met"
    return "." in raw_last and not after[:1].isupper()  # "U.K." before lowercase


_BOUNDARY_RE = re.compile(rf"[{re.escape(TERMINAL)}]+[{re.escape(CLOSERS)}]*(\s+)")


def split_sentences(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Split text into sentences: at line breaks, and after . ! ? followed by a new start.

    Every non-space character is kept, in order. A full stop after an abbreviation, an
    initial or a list number does not end a sentence; emoji after a full stop stay with it.
    """
    pieces: list[str] = []
    for line in re.split(r"[\r\n\u2028\u2029]+", text):
        start = 0
        for match in _BOUNDARY_RE.finditer(line):
            if match.start() < start:
                continue
            cut, resume = match.start(1), match.end()
            while resume < len(line) and _is_symbol(line[resume]):  # emoji after the stop
                end = resume
                while end < len(line) and (_is_symbol(line[end]) or line[end] == " "):
                    end += 1
                if end == len(line) or line[end - 1] != " ":
                    break
                cut, resume = len(line[:end].rstrip()), end
            after = line[resume : resume + 1]
            if not after or not (after.isalnum() or after in OPENERS or after in "@#"):
                continue
            if match.group(0).startswith(".") and _is_abbreviation(
                line[start : match.start()], line[resume : resume + 24], language
            ):
                continue
            pieces.append(line[start:cut])
            start = resume
        pieces.append(line[start:])
    return [p.strip() for p in pieces if p.strip()]


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char) in {"So", "Sk", "Mn", "Cf", "Co"} or char in "\ufe0f"


def _end_sentence(sentence: str) -> str:
    tail_start = len(sentence)
    while tail_start > 0 and (
        _is_symbol(sentence[tail_start - 1]) or sentence[tail_start - 1] == " "
    ):
        tail_start -= 1
    body, tail = sentence[:tail_start].rstrip(), sentence[tail_start:].strip()
    if not body:
        return sentence
    stripped = body.rstrip(CLOSERS)
    if stripped and stripped[-1] in TERMINAL:
        ended = body
    elif stripped != body:
        ended = body + "."
    else:
        trimmed = body.rstrip(",;:-–— ")
        if not trimmed:
            return sentence
        ended = trimmed if trimmed[-1] in TERMINAL else trimmed + "."
    return f"{ended} {tail}" if tail else ended


def _capitalise(sentence: str) -> str:
    match = re.match(rf"[{re.escape(OPENERS)}\s]*", sentence)
    lead = match.end() if match else 0
    first = re.match(r"[^\s]+", sentence[lead:])
    if not first or LINK_RE.match(first.group(0)) or "@" in first.group(0):
        return sentence
    if re.search(r"\w\.\w", first.group(0)):
        return sentence  # an abbreviation such as "i.e."
    word = re.match(r"[^\W\d_][\w'’-]*", first.group(0))
    if not word or not word.group(0).islower() or not re.search(r"[aeiouy]", word.group(0)):
        return sentence  # a word without vowels is a name or shorthand ("ng homes")
    char = sentence[lead]
    upper = char.upper()
    if len(upper) != 1 or upper.casefold() != char.casefold():
        return sentence
    return sentence[:lead] + upper + sentence[lead + 1 :]


_I_RE = re.compile(r"(?<![\w'’.@/-])i(?=(?:['’](?:m|ve|d|ll))?(?![\w'’@/-]|\.\w))")


def _capital_i_word(match: re.Match[str]) -> str:
    """A capital "I", except between two numbers ("2021 i 2022" is Welsh for "2021 to 2022")
    or inside a name, between two capitalised words after the first ("its called Amser i
    Fi", Welsh for "time for me")."""
    text, at = match.string, match.start()
    between = (
        text[max(0, at - 2) : at].strip()[-1:].isdigit()
        and text[at + 1 : at + 3].strip()[:1].isdigit()
    )
    before = re.findall(r"[\w'’]+", text[:at])[-2:]
    after = re.match(r"\s+([\w'’]+)", text[at + 1 :])
    in_name = (
        len(before) == 2
        and before[-1][:1].isupper()
        and after is not None
        and after.group(1)[:1].isupper()
    )
    return match.group(0) if between or in_name else "I"


def _capital_i(sentence: str, language: str) -> str:
    markers = _word_set(language, "tidy", "other_language_markers")
    words = {w.casefold() for w in re.findall(r"[\w'’]+", sentence)}
    if markers & words:
        return sentence
    return _outside_links(sentence, lambda part: _I_RE.sub(_capital_i_word, part))


def _drop_fillers(sentence: str, language: str) -> str:
    patterns = _filler_patterns(language)
    opening = [p for p in patterns if p.pattern.startswith("^")]
    inline = [p for p in patterns if not p.pattern.startswith("^")]

    def plain(part: str) -> str:
        for pattern in inline:
            part = pattern.sub(" ", part)
        return part

    previous = None
    while previous != sentence:
        previous = sentence
        for pattern in opening:
            sentence = pattern.sub("", sentence)
        sentence = _outside_links(sentence, plain)
    return sentence


def has_own_wording(language: str) -> bool:
    """The wording file has a block for ``language``: only then do its fillers, its capital
    "I" and its shorthand apply. Text in any other language is only spaced, capitalised at
    the start and ended, so nothing English is done to a Welsh or Polish answer."""
    return language in _wording()


def _tidy_sentence(sentence: str, language: str) -> str:
    own = has_own_wording(language)
    sentence = fix_spacing(_drop_fillers(sentence, language) if own else sentence)
    sentence = sentence.lstrip(",;: ")
    if not any(c.isalnum() for c in sentence):
        return ""
    if own:
        sentence = _capital_i(sentence, language)
    sentence = _capitalise(sentence)
    return _end_sentence(sentence)


def sentence_key(sentence: str) -> str:
    """What two sentences must share to count as the same sentence."""
    return " ".join(tokens(sentence))


def _tidy_once(text: str, language: str) -> str:
    seen: set[str] = set()
    kept: list[str] = []
    for line in re.split(r"[\r\n\u2028\u2029]+", text):
        for raw in split_sentences(fix_spacing(line), language):
            sentence = _tidy_sentence(raw, language)
            key = sentence_key(sentence)
            if sentence and key not in seen:
                seen.add(key)
                kept.append(sentence)
    return " ".join(kept)


def tidy_text(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Tidy informal text into sentences joined by single spaces, keeping every word.

    Repeated until nothing changes, so tidying tidy text changes nothing.
    """
    current = text
    for _ in range(_MAX_PASSES):
        tidied = _tidy_once(current, language)
        if tidied == current:
            break
        current = tidied
    return current


def tidy_sentences(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The tidied sentences of ``text``, in order."""
    return split_sentences(tidy_text(text, language), language)


def strip_emoji(text: str) -> str:
    """Drop emoji and other pictographs, and the joiners between them."""
    kept = "".join(" " if _is_symbol(c) and c not in "^`´¨" else c for c in text)
    return fix_spacing(kept)


# --- shorthand and typos, with provenance ----------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One word the tidier replaced ("ppl" -> "people"), so staff can see what was typed."""

    original: str
    replacement: str

    def to_json(self) -> dict[str, str]:
        return {"original": self.original, "replacement": self.replacement}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(str(data["original"]), str(data["replacement"]))


@cache
def _replacements(language: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Shorthand and typos as one pattern (so a sentence is read once, changes in the order
    typed) and the table of replacements. Shorthand of one letter or a sign ("n", "+")
    counts only between two words (or after a closing bracket: "(galway county council) n
    the HSE"), so "plan B" or "14+" stay; "w/" needs a word after it."""
    pack = language_pack(language)
    table: dict[str, str] = {}
    for section in ("typos", "shorthand"):  # shorthand wins over a typo of the same spelling
        entries = pack.get(section) or {}
        if not isinstance(entries, dict):
            raise WordingError(f"{WORDING_FILE}: {language}.{section} must be a mapping")
        table |= {str(k).casefold(): str(v) for k, v in entries.items()}
    if not table:
        return None, table

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"

    single = [w for w in table if len(w) == 1]
    signs = [w for w in table if len(w) > 1 and not w[-1].isalnum()]
    words = [w for w in table if len(w) > 1 and w[-1].isalnum()]
    pattern = (
        rf"(?i:(?<![\w'’&/@.-])(?:{alternation(words)})(?![\w'’&/@-]|\.\w))"
        rf"|(?i:(?<![\w'’&/-])(?:{alternation(signs)})(?=\s*[^\W_]))"
        rf"|(?:(?<=[^\W_] )|(?<=[)\]] ))(?:{alternation(single)})(?= [^\W_])"
    )
    return re.compile(pattern), table


def reads_as_english(text: str) -> bool:
    """A sentence of an interview held in another language that is in English: at least
    two of the English words no Welsh, Gaelic or Polish sentence uses, a third of its words
    or more, and no letter only those languages write ("ł", "ŵ", "à")."""
    words = [w.casefold() for w in re.findall(r"[^\W\d_][\w'’]*", text)]
    if not words or re.search(r"[^\x00-\x7f£€’‘“”–—…]", "".join(words)):
        return False
    english = _word_set(DEFAULT_LANGUAGE, "tidy", "english_words")
    hits = [w for w in words if w in english]
    return len(set(hits)) >= 2 and len(hits) * 3 >= len(words)


def expand_shorthand(text: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, tuple[Change, ...]]:
    """Text-speak expanded and obvious typos fixed from the word lists, links untouched,
    with every replacement recorded. In a language without its own wording only a sentence
    that reads as English is expanded, by the English lists ("ask ppl what they need" in a
    Polish interview); never a sentence holding words of another language ("mae", "yn")."""
    if not has_own_wording(language):
        if not reads_as_english(text):
            return text, ()
        language = DEFAULT_LANGUAGE
    markers = _word_set(language, "tidy", "other_language_markers")
    if markers & {w.casefold() for w in re.findall(r"[\w'’]+", text)}:
        return text, ()
    pattern, table = _replacements(language)
    if pattern is None:
        return text, ()
    changes: dict[Change, None] = {}

    def swap(match: re.Match[str]) -> str:
        original = match.group(0)
        new = table[original.casefold()]
        if original[:1].isupper():
            new = new[:1].upper() + new[1:]
        changes[Change(original, new)] = None
        return new

    return _outside_links(text, lambda part: pattern.sub(swap, part)), tuple(changes)


def tidy_sentence(raw: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, tuple[Change, ...]]:
    """One answer sentence tidied (shorthand, typos, spacing, capitals, full stop), with the
    words it replaced; empty when nothing but fillers or symbols was said."""
    expanded, changes = expand_shorthand(raw, language)
    return _tidy_sentence(expanded, language), changes
