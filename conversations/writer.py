"""The optional writer model, its pure side: what is sent, and what is let back in.

A language model may rewrite one field's placed sentences into plain prose, but it is never
trusted with facts. :func:`check_rewrite` holds every number, date, URL and capitalised name
of its output against the sentences it was given: a sentence that brings anything new is
dropped and flagged, and a rewrite that loses a fact, or keeps nothing, falls back to the
deterministic text. Anonymity is applied before anything leaves (:func:`anonymise`): a
contributor who chose not to be named is never named to the model, and contact details
never leave at all. No I/O here; the HTTP client lives in ``bot/`` and the loop that stores
rewrites in ``storage/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from conversations.tidy import LINK_RE, split_sentences

# Fields whose wording is not prose (lists, verbatim quotes, the credit line and the title)
# are never sent: they keep the drafter's text.
NOT_REWRITTEN = frozenset({"title", "organisations", "links_and_media", "credit_line", "quotes"})
# The template name of a sentence the writer model wrote (and the checker let through).
WRITER_TEMPLATE = "writer"
# Where the sentences the checker left out are kept for staff to see; never exported.
LEFT_OUT_FIELD = "left_out_by_the_checker"
LEFT_OUT_TEMPLATE = "writer_left_out"

# The share of a source sentence's longer words a rewrite must keep, else it lost the point.
KEEP_SHARE = 0.6

# Why a field kept the deterministic text when the model failed, timed out or said nothing.
NO_ANSWER = "the writer model did not answer"

CONTRIBUTOR = "the contributor"
ORGANISATION = "their organisation"
CONTACT = "(contact withheld)"

SYSTEM_PROMPT = (
    "You tidy notes from an interview about a community project into plain, readable "
    "prose for a case study. Rewrite the numbered sentences you are given as one short "
    "paragraph, in the language they are written in, in the third person where the "
    "speaker says 'I' or 'we'. Keep every fact: every number, date, place, name and link "
    "stays exactly as written. Add nothing that is not in the sentences: no new names, "
    "numbers, dates, places, links or claims. Do not add a heading, a list, quotation "
    "marks or any comment. Answer with the paragraph only."
)

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|0)[\d ()-]{7,}\d(?!\w)")
_HANDLE_RE = re.compile(r"(?<![\w@])@\w{3,}")
_WORD_RE = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")
_NUMBER_PART_RE = re.compile(r"\d+(?:[.,]\d+)*")

_NUMBER_WORDS: dict[str, float] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "dozen": 12,
    "half": 0.5,
}
# Too often a pronoun ("no one", "one of them") to count as a number the model brought.
_NOT_NUMBERS_IN_OUTPUT = frozenset({"one"})

_MONTHS: dict[str, str] = {}
for _names in (
    "january jan enero janvier januar ionawr gennaio janeiro",
    "february feb febrero février februar chwefror febbraio fevereiro",
    "march mar marzo mars märz mawrth março",
    "april apr abril avril ebrill aprile",
    "may mayo mai mai maggio maio",
    "june jun junio juin juni mehefin giugno junho",
    "july jul julio juillet juli gorffennaf luglio julho",
    "august aug agosto août awst",
    "september sep sept septiembre septembre medi settembre setembro",
    "october oct octubre octobre oktober hydref ottobre outubro",
    "november nov noviembre novembre tachwedd novembro",
    "december dec diciembre décembre dezember rhagfyr dicembre dezembro",
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _names.split()[0])
_DAYS: dict[str, str] = {}
for _names in (
    "monday mon lunes lundi montag",
    "tuesday tue tues martes mardi dienstag",
    "wednesday wed miércoles mercredi mittwoch",
    "thursday thu thurs jueves jeudi donnerstag",
    "friday fri viernes vendredi freitag",
    "saturday sat sábado samedi samstag",
    "sunday sun domingo dimanche sonntag",
):
    for _name in _names.split():
        _DAYS.setdefault(_name, _names.split()[0])
_SEASONS = {
    "spring": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "winter": "winter",
    "primavera": "spring",
    "verano": "summer",
    "otoño": "autumn",
    "invierno": "winter",
    "gwanwyn": "spring",
    "haf": "summer",
    "hydref": "autumn",
    "gaeaf": "winter",
}
# Lowercase words that are dates only when capitalised in the output ("we may", "to march").
_AMBIGUOUS_DATE_WORDS = frozenset(
    {"may", "mar", "march", "jan", "sat", "sun", "wed", "mon", "fri", "sept", "dec", "oct"}
    | {"nov", "aug", "jun", "jul", "apr", "feb", "thu", "tue", "mai", "haf", "medi", "awst"}
)
# Capitalised at the start of a sentence without being a name.
_SENTENCE_STARTERS = frozenset(
    re.split(
        r"\s+",
        """
    a about across after afterwards again all along alongside already also although always
    among an and another any around as at because before being between both but by during
    each early eventually even every everyone everything finally first firstly following
    for from further having he her here his how however i if in initially instead into it
    its just later like local many meanwhile more most much my no not now of often on once
    only or other others our over overall people rather she since so some someone sometimes
    soon still such that the their them then there these they this those though through
    throughout thanks to today together too under until very was we were what when where
    whether which while who whose why with within without yet you your
    """.strip(),
    )
)


# --- what is sent --------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSentence:
    """A placed sentence of a field, as sent to the model, and the questions it came from."""

    text: str
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class FieldRequest:
    """One field to rewrite: its name, its heading for the model, its placed sentences."""

    field: str
    label: str
    sentences: tuple[SourceSentence, ...]

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q for s in self.sentences for q in s.question_ids))


@dataclass(frozen=True)
class Withheld:
    """What must never reach the model: people's names (when not to be named), an
    organisation (when the credit is anonymous) and contact details."""

    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    contact: tuple[str, ...] = ()


def withheld_terms(
    *,
    credit_choice: str | None,
    contributor_names: Iterable[str | None] = (),
    credit_name: str | None = None,
    credit_org: str | None = None,
    contact: str | None = None,
) -> Withheld:
    """The terms to withhold for a contributor's choice of credit.

    Named: nothing but contact details. Organisation only: the person's names too.
    Anonymous (or no choice): names and the organisation they gave for the credit.
    """
    people: list[str] = []
    organisations: list[str] = []
    if credit_choice != "named":
        people += [n for n in (*contributor_names, credit_name) if n and n.strip()]
    if credit_choice not in {"named", "organisation"} and credit_org and credit_org.strip():
        organisations.append(credit_org)
    contacts = [contact] if contact and contact.strip() else []
    return Withheld(
        tuple(" ".join(p.split()) for p in people),
        tuple(" ".join(o.split()).rstrip(".") for o in organisations),
        tuple(contacts),
    )


def _term_regex(term: str, *, ignore_case: bool) -> re.Pattern[str]:
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<![\w@]){re.escape(term)}(?![\w])", flags)


def anonymise(text: str, withheld: Withheld) -> str:
    """``text`` with withheld terms replaced by neutral words, and any e-mail address, phone
    number or @handle taken out whatever the contributor chose.

    A name is matched whole (any case) and by its parts of two letters or more when they
    are written with a capital, so "Sam" goes as well as "Sam Jones".
    """
    for contact in withheld.contact:
        for part in [contact, *re.split(r"[,;\n]+|\s+or\s+", contact)]:
            part = part.strip()
            if len(part) >= 3:
                text = _term_regex(part, ignore_case=True).sub(CONTACT, text)
    text = _EMAIL_RE.sub(CONTACT, text)
    text = _PHONE_RE.sub(CONTACT, text)
    text = _HANDLE_RE.sub(CONTACT, text)
    for terms, neutral in ((withheld.organisations, ORGANISATION), (withheld.people, CONTRIBUTOR)):
        for term in sorted(terms, key=len, reverse=True):
            bare = term.lstrip("@")
            text = _term_regex(bare, ignore_case=True).sub(neutral, text)
            for part in sorted(_WORD_RE.findall(bare), key=len, reverse=True):
                if len(part) >= 2 and part[:1].isupper() and part != bare:
                    # Any case, as long as it is written with a capital ("JONES", "Jones"),
                    # so that "may" stays when the name is May.
                    text = _term_regex(part, ignore_case=True).sub(_if_capital(neutral), text)
    return text


def _if_capital(neutral: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return neutral if match.group(0)[:1].isupper() else match.group(0)

    return replace


def field_request(
    field: str, label: str, sentences: Sequence[tuple[str, Sequence[str]]], withheld: Withheld
) -> FieldRequest:
    """A field's placed sentences (text and question ids), anonymised, ready to send."""
    return FieldRequest(
        field,
        label,
        tuple(
            SourceSentence(anonymise(text, withheld), tuple(qids))
            for text, qids in sentences
            if text.strip()
        ),
    )


def prompt_messages(request: FieldRequest) -> list[dict[str, str]]:
    """The chat messages for one field: the rules, then the field's sentences numbered."""
    numbered = "\n".join(f"{i}. {s.text}" for i, s in enumerate(request.sentences, start=1))
    user = f"Section: {request.label}\nSentences:\n{numbered}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def reply_text(content: str) -> str:
    """The model's paragraph without code fences, wrapping quotes or list markers."""
    text = content.strip()
    text = re.sub(r"^```[\w-]*\s*|\s*```$", "", text).strip()
    if len(text) >= 2 and text[0] in "\"“'" and text[-1] in "\"”'":
        text = text[1:-1].strip()
    lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line) for line in text.splitlines()]
    return " ".join(" ".join(lines).split())


# --- the checker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The checkable facts of a text, normalised so that "3" and "three", "Sept" and
    "September", "https://www.x.org/" and "x.org" compare equal."""

    numbers: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    urls: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    def missing_from(self, other: Facts) -> list[str]:
        """What this text states that ``other`` does not, described for staff."""
        return (
            [f"number {n}" for n in sorted(self.numbers - other.numbers)]
            + [f"date {d}" for d in sorted(self.dates - other.dates)]
            + [f"link {u}" for u in sorted(self.urls - other.urls)]
            + [f"name {n}" for n in sorted(self.names - other.names)]
        )

    def __or__(self, other: Facts) -> Facts:
        return Facts(
            self.numbers | other.numbers,
            self.dates | other.dates,
            self.urls | other.urls,
            self.names | other.names,
        )

    def __bool__(self) -> bool:
        return bool(self.numbers or self.dates or self.urls or self.names)


def _url_key(url: str) -> str:
    url = url.casefold().rstrip(".,;:!?)]}'\"’”/")
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url)
    return url.rstrip("/")


def _number_keys(token: str) -> set[str]:
    """ "£30k" gives 30000 (and 30); "1,200" gives 1200; "3rd" gives 3; "2019s" gives 2019."""
    keys: set[str] = set()
    lowered = token.casefold()
    for match in _NUMBER_PART_RE.finditer(lowered):
        raw = match.group(0)
        plain = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw) else raw
        plain = plain.replace(",", ".")
        try:
            value = float(plain)
        except ValueError:
            keys.add(plain)
            continue
        keys.add(_number_key(value))
        suffix = lowered[match.end() : match.end() + 1]
        multiplier = {"k": 1000, "m": 1_000_000}.get(suffix)
        if multiplier and lowered[match.end() + 1 : match.end() + 2] in {"", "s"}:
            keys.add(_number_key(value * multiplier))
    return keys


def _number_key(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _word_number(word: str) -> float | None:
    parts = word.casefold().split("-")
    if not parts or any(p not in _NUMBER_WORDS for p in parts):
        return None
    return float(sum(_NUMBER_WORDS[p] for p in parts))


def _is_caseless_letter(char: str) -> bool:
    return char.isalpha() and not char.isupper() and not char.islower()


def _looks_like_name(word: str) -> bool:
    return any(c.isupper() or _is_caseless_letter(c) for c in word)


def _name_key(word: str) -> str:
    return re.sub(r"['’]s$", "", word.casefold())


def _strip_links(text: str) -> tuple[str, set[str]]:
    urls = {_url_key(m.group(0)) for m in LINK_RE.finditer(text)}
    urls |= {_url_key(m.group(0)) for m in _HANDLE_RE.finditer(text)}
    text = _HANDLE_RE.sub(" ", LINK_RE.sub(" ", text))
    return text, urls


def source_facts(texts: Iterable[str]) -> tuple[Facts, frozenset[str]]:
    """Every fact the sources hold, read generously (any case, any form), and the words
    they use (casefolded), which a sentence-initial capital may start with."""
    numbers: set[str] = set()
    dates: set[str] = set()
    urls: set[str] = set()
    words: set[str] = set()
    for text in texts:
        rest, found = _strip_links(text)
        urls |= found
        for token in _WORD_RE.findall(rest):
            for word in [*re.split(r"[-.,]", token), token]:
                key = word.casefold()
                if not key:
                    continue
                words.add(_name_key(word))
                if any(c.isdigit() for c in key):
                    numbers |= _number_keys(key)
                    continue
                value = _word_number(key)
                if value is not None:
                    numbers.add(_number_key(value))
                dates |= _date_keys(key, strict=False)
    return Facts(frozenset(numbers), frozenset(dates), frozenset(urls), frozenset(words)), (
        frozenset(words)
    )


def _date_keys(word: str, *, strict: bool) -> set[str]:
    key = word.casefold()
    keys: set[str] = set()
    if strict and key in _AMBIGUOUS_DATE_WORDS and not word[:1].isupper():
        return keys
    if key in _MONTHS:
        keys.add(_MONTHS[key])
    if key in _DAYS:
        keys.add(_DAYS[key])
    if key in _SEASONS:
        keys.add(_SEASONS[key])
    return keys


def output_facts(sentence: str, known_words: frozenset[str] = frozenset()) -> Facts:
    """The facts one output sentence states, read strictly: a capitalised word other than a
    common sentence opener is a name, any digit is a number."""
    rest, urls = _strip_links(sentence)
    numbers: set[str] = set()
    dates: set[str] = set()
    names: set[str] = set()
    first = True
    for token in _WORD_RE.findall(rest):
        parts = [p for p in re.split(r"(?<=[^\W\d_])[-.](?=[^\W\d_])", token) if p]
        for part in parts:
            key = part.casefold()
            initial, first = first, False
            if any(c.isdigit() for c in part):
                numbers |= _number_keys(key)
                continue
            value = _word_number(key)
            if value is not None and key not in _NOT_NUMBERS_IN_OUTPUT:
                numbers.add(_number_key(value))
            as_date = _date_keys(part, strict=True)
            dates |= as_date
            if (
                as_date
                or not _looks_like_name(part)
                or part in {"I", "I'm", "I’m", "I've", "I'd", "I'll"}
            ):
                continue
            plain_capital = part[:1].isupper() and part[1:] == part[1:].lower()
            if (initial and plain_capital) and (
                key in _SENTENCE_STARTERS or _name_key(part) in known_words
            ):
                continue
            names.add(_name_key(part))
    return Facts(frozenset(numbers), frozenset(dates), frozenset(urls), frozenset(names))


@dataclass(frozen=True)
class WrittenSentence:
    """A sentence of the rewrite the checker let through, with the questions it rests on."""

    text: str
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class FlaggedSentence:
    """A sentence of the rewrite the checker left out, and what it brought that the
    sources do not hold."""

    text: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class FieldRewrite:
    """The checked rewrite of one field. ``fallback`` says why the deterministic text stays
    (empty when the rewrite is used); ``flagged`` is kept for staff either way."""

    field: str
    sentences: tuple[WrittenSentence, ...] = ()
    flagged: tuple[FlaggedSentence, ...] = ()
    fallback: str = ""

    @property
    def used(self) -> bool:
        return not self.fallback and bool(self.sentences)

    @property
    def answered(self) -> bool:
        """The model gave an answer (used or not); False means ask again later."""
        return self.fallback != NO_ANSWER

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def fallback(field: str, reason: str) -> FieldRewrite:
    """The deterministic text stays: the model failed, timed out or said nothing."""
    return FieldRewrite(field, fallback=reason)


def _content_words(text: str) -> set[str]:
    """Longer words, cut to a stem; numbers, dates and links are left to the fact checks."""
    rest, _ = _strip_links(text)
    return {
        w.casefold()[:6]
        for w in _WORD_RE.findall(rest)
        if len(w) >= 4
        and not any(c.isdigit() for c in w)
        and _word_number(w) is None
        and not _date_keys(w, strict=False)
    }


def _provenance(sentence: str, facts: Facts, request: FieldRequest) -> tuple[str, ...]:
    """The source sentences an output sentence rests on: those holding one of its facts or
    sharing two content words with it; the whole field's sources when none stands out."""
    words = _content_words(sentence)
    cited: list[str] = []
    for source in request.sentences:
        held, _ = source_facts([source.text])
        shares_fact = bool(
            facts.numbers & held.numbers
            or facts.dates & held.dates
            or facts.urls & held.urls
            or facts.names & held.names
        )
        if shares_fact or len(words & _content_words(source.text)) >= 2:
            cited += source.question_ids
    return tuple(dict.fromkeys(cited)) or request.question_ids


def check_rewrite(request: FieldRequest, output: str) -> FieldRewrite:
    """Hold the model's output for one field against that field's sentences.

    A sentence stating a number, date, URL or capitalised name that the sources do not hold
    is dropped and flagged. The rewrite falls back to the deterministic text when nothing is
    left, or when what is left lost one of the sources' facts (a rewrite must not drop what
    the contributor said any more than add to it).
    """
    text = reply_text(output)
    if not text:
        return fallback(request.field, NO_ANSWER)
    held, words = source_facts(s.text for s in request.sentences)
    kept: list[WrittenSentence] = []
    flagged: list[FlaggedSentence] = []
    for sentence in split_sentences(text):
        facts = output_facts(sentence, words)
        invented = facts.missing_from(held)
        if invented:
            flagged.append(FlaggedSentence(sentence, tuple(invented)))
            continue
        kept.append(WrittenSentence(sentence, _provenance(sentence, facts, request)))
    if not kept:
        return FieldRewrite(
            request.field, (), tuple(flagged), "the checker left out every sentence"
        )
    lost = _lost_facts(request, kept)
    if lost:
        reason = "the rewrite left out " + ", ".join(lost)
        return FieldRewrite(request.field, (), tuple(flagged), reason)
    return FieldRewrite(request.field, tuple(kept), tuple(flagged))


def _lost_facts(request: FieldRequest, kept: Sequence[WrittenSentence]) -> list[str]:
    """What the kept sentences lost: a source's number, date, link or name (any capitalised
    word but a common sentence opener, read strictly), or most of a source sentence (less
    than :data:`KEEP_SHARE` of its longer words, or half of those only it has, are left).
    The kept sentences are read generously ("three" keeps a "3", any case keeps a name)."""
    wanted = Facts()
    for source in request.sentences:
        for sentence in split_sentences(source.text):
            wanted = wanted | output_facts(sentence)
    stated, stated_words = source_facts(s.text for s in kept)
    lost = Facts(
        wanted.numbers - stated.numbers,
        wanted.dates - stated.dates,
        wanted.urls - stated.urls,
        wanted.names - stated_words,
    ).missing_from(Facts())
    kept_words = _content_words(" ".join(s.text for s in kept))
    sentences = [p for s in request.sentences for p in split_sentences(s.text)]
    vocabulary = [_content_words(p) for p in sentences]
    for index, (sentence, words) in enumerate(zip(sentences, vocabulary, strict=True)):
        # Words only this sentence has: the ones that show it was kept, not its neighbours.
        own = words - set().union(*(v for i, v in enumerate(vocabulary) if i != index))
        if len(words & kept_words) < len(words) * KEEP_SHARE or (
            len(own & kept_words) < len(own) / 2
        ):
            lost.append(f"most of “{sentence}”")
    return lost
