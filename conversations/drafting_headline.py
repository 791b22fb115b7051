"""The title and the summary: written from the placed sentences, not copied from the top.

The title is the project's own name when the contributor gives one ("called X", "we go by
X", "this is X, a ...", the name nearest any naming words in its sentence ("the name was
..., HALT", "we're the Wobbly Wanderers now", "thats what its called now, the Long Table"),
a name glossed ("Xusuus, it means memory"), a quoted name, a capitalised name repeated
across answers, a hashtag such as "#LunchCrew", a name the press gave it, the group
credited, a nickname that "stuck", an acronym defined as "DASH = Deaf Access to ..."), the
name it goes by now rather than the one it had "at first", never a person ("a man called
Gary") nor a body someone worked for; with no rule's name, the name the learned scorer of
``drafting_names`` is sure of (a rule's name that scorer finds all but impossible is set
aside); else a short description from what the project is
and where, written from the contributor's English when an opening clause is in another
language, at most about 70 characters and never cut mid-word. The summary is the project's
own opening sentence(s) plus composed sentences on where and when, and on who did what
together, each citing the answers it drew on.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from conversations.drafting_entities import date_matches, places_in
from conversations.drafting_given import Given, title_limit
from conversations.drafting_names import (
    Candidate,
    NameWords,
    candidates,
    load_name_model,
    name_key,
)
from conversations.drafting_placement import Unit, answered, corrected_values, link_opener_end
from conversations.drafting_records import DraftSentence
from conversations.model import Answer, Script
from conversations.tidy import (
    DEFAULT_LANGUAGE,
    OPENERS,
    Change,
    pack_text,
    pack_words,
    phrase_alternation,
    reads_as_english,
    split_sentences,
    strip_emoji,
    tidy_sentence,
    tokens,
)

MAX_NAME_WORDS = 6
LOWER_NAME_WORDS = 4  # a name typed without capitals is short: longer, it is a clause
WHEN_MAX_WORDS = 12  # dates further apart than this are not one "when"
QUOTES = "\"“”„«»‘’'"
_WORD_EDGE = "\"“”„«»‘’'()[]"


@dataclass(frozen=True)
class _Word:
    text: str  # without the punctuation around it
    initial: bool  # opens its sentence
    ends_run: bool  # punctuation after it ends a name


def _words(sentence: str) -> list[_Word]:
    out: list[_Word] = []
    for index, raw in enumerate(sentence.split()):
        core = raw.strip(_WORD_EDGE + ".,;:!?…")
        if not core:
            continue
        tail = raw[len(raw.rstrip(_WORD_EDGE + ".,;:!?…")) :]
        if raw.startswith(("(", "[")) and out:  # no name runs on into brackets
            out[-1] = _Word(out[-1].text, out[-1].initial, True)
        out.append(_Word(core, index == 0, bool(tail.strip("'’"))))
    return out


def _clause_break(text: str, mark: str) -> int:
    """Where ``mark`` first breaks a clause in ``text`` (-1 if never): a comma inside a
    number ("£150,000") is not a break."""
    at = text.find(mark)
    while (
        at > 0 and mark == "," and text[at - 1 : at].isdigit() and text[at + 1 : at + 2].isdigit()
    ):
        at = text.find(mark, at + 1)
    return at


def _mentions(text: str, place: str) -> bool:
    """The text names the place, maybe inflected as Polish and Welsh do ("w Krakowie" for
    Kraków, "we Wrocławiu"): each long word of the place opens a word of the text."""
    if place.casefold() in text.casefold():
        return True
    words = [w for w in tokens(place) if len(w) >= 5]
    said = tokens(text)
    return bool(words) and all(
        any(t.startswith(w[: max(4, len(w) - 2)]) for t in said) for w in words
    )


def _as_written(text: str, name: str) -> str:
    """``name`` as ``text`` spells it: a name read word by word loses the apostrophe of
    an elision inside it ("Cridhe a' Bhaile")."""
    inner = [re.escape(w) + "['’]?" for w in name.split()[:-1]] + [re.escape(name.split()[-1])]
    found = re.search(r"(?<![\w'’-])" + r"\s+".join(inner) + r"(?![\w-])", text)
    return found.group(0) if found else name


def _single_quoted(text: str) -> list[tuple[int, str]]:
    """What single quotes hold around a capitalised run ('Tuesday Table'), in order. A
    quote mark closes only before a non-letter: never an apostrophe inside a word
    ('Bridie's Table'), nor a plural possessive followed by a capitalised word and a later
    closing quote ('Weavers' Voices' it's called)."""
    found: list[tuple[int, str]] = []
    for opening in re.finditer(r"(?<![\w'‘’])['‘](?=[A-Z])", text):
        start = opening.end()
        at = start
        while at < min(len(text), start + 60):
            char = text[at]
            if char in "\n‘":
                break
            if char in "'’":
                following = text[at + 1 : at + 2]
                inside_word = text[at - 1 : at].isalpha() and following.isalpha()
                possessive = (
                    text[at - 1 : at] == "s"
                    and re.match(r" [A-Z][^'‘’\n]{0,50}?['’](?![\w'‘’])", text[at + 1 :])
                    is not None
                )
                if not inside_word and not possessive:
                    if at - start >= 2 and not re.match(r"[\w'‘’]", following):
                        found.append((start, text[start:at]))
                    break
            at += 1
    return found


def _phrase(text: str) -> str:
    """A phrase folded, its spacing made single: how naming words are compared."""
    return " ".join(text.casefold().split())


def _plain(text: str) -> str:
    """``text`` folded and without accents: "Bord na Mona" is "Bord na Móna" typed plainly."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _hashtag_words(tag: str) -> list[str]:
    """The words of a hashtag, split where they meet: "LunchCrew" is "Lunch" and "Crew",
    "lunch_crew" the same, "BBCRadio" "BBC" and "Radio", "StreetsAheadE17" "Streets",
    "Ahead" and "E17"; one typed all in lower case ("lunchcrew") shows no join and stays one
    word."""
    if "_" in tag:
        return [w for w in tag.split("_") if w]
    words: list[str] = []
    current = ""
    for index, char in enumerate(tag):
        following = tag[index + 1 : index + 2]
        joins = bool(current) and (
            (
                char.isupper()
                and (
                    not current[-1].isupper()
                    or following.islower()  # "BBCRadio": the capital before "adio"
                )
            )
            or (
                char.isdigit() != current[-1].isdigit()
                # "E17", "M62": a postcode district or a road stays one word
                and not (char.isdigit() and len(current) == 1 and current.isupper())
            )
        )
        if joins:
            words.append(current)
            current = ""
        current += char
    return [*words, current] if current else words


class Headline:
    """Writes a draft's title and summary from its placed sentences."""

    def __init__(
        self,
        script: Script,
        answers: Mapping[str, Answer],
        units: Sequence[Unit],
        language: str,
        organisations: Sequence[str],
        is_aside: Callable[[str], bool] = lambda _: False,
    ) -> None:
        self.script = script
        self.is_aside = is_aside
        # While set, names the project had before ("called X at first") are passed over.
        self._now_only = False
        self._phrase_sets: dict[str, frozenset[str]] = {}
        self.answers = answers
        self.units = units
        self.language = language
        self.organisations = [o.casefold() for o in organisations]
        self.limit = title_limit(language)
        self.joining = {
            w.casefold() for w in pack_words(language, "organisations", "joining_words")
        }
        self.joining |= {w.casefold() for w in pack_words(language, "titles", "name_joining")}
        self.stop = {
            w.casefold() for w in pack_words(language, "organisations", "leading_words_to_drop")
        }
        self.org_words = {w.casefold() for w in pack_words(language, "organisations", "words")}
        self.acronyms = set(pack_words(language, "organisations", "acronyms"))
        self.date_words = {w.casefold() for w in pack_words(language, "dates", "named")}
        self.date_words |= {w.casefold() for w in pack_words(language, "titles", "weekdays")}
        place = answered(answers, "place_when")
        first = split_sentences(place.text, language)[:1] if place is not None else []
        # "same as before" names no place.
        self.places = places_in(first[0], language) if first and not is_aside(first[0]) else []
        self.wrong = corrected_values(units, language)
        self.pronouns = set(pack_words(language, "titles", "pronouns"))
        self.place_words = {w.casefold() for w in pack_words(language, "titles", "place_words")}
        self.own_cues = {w.casefold() for w in pack_words(language, "titles", "own_name_cues")}
        self.partner_words = {w.casefold() for w in pack_words(language, "titles", "partner_words")}
        self.greetings = {w.casefold() for w in pack_words(language, "asides", "greetings")}
        self.kinds = {w.casefold() for w in pack_words(language, "titles", "kind_words")}
        self.kinds_dropped = {w.casefold() for w in pack_words(language, "titles", "kinds_dropped")}
        self.generic = {w.casefold() for w in pack_words(language, "titles", "generic_words")}
        self.generic |= (
            {w.casefold() for g in pack_words(language, "groups") for w in g.split()}
            | self.stop
            | self.joining
            | self.org_words - self.kinds
        )
        self.name_ends = {w.casefold() for w in pack_words(language, "titles", "name_ends")}
        self.name_inner = {w.casefold() for w in pack_words(language, "titles", "name_inner")}
        self.trailing = {w.casefold() for w in pack_words(language, "titles", "name_trailing")}
        self.not_after = {w.casefold() for w in pack_words(language, "titles", "name_not_after")}
        self.indefinite = {w.casefold() for w in pack_words(language, "titles", "indefinite")}
        self.callers = {w.casefold() for w in pack_words(language, "titles", "callers")}
        self.persons = {w.casefold() for w in pack_words(language, "titles", "person_words")}
        self.it_cues = {w.casefold() for w in pack_words(language, "titles", "it_cues")}
        self.shouting = {w.casefold() for w in pack_words(language, "titles", "shouting_words")}
        self.pointing = {w.casefold() for w in pack_words(language, "titles", "pointing_words")}
        self.name_unknown = {w.casefold() for w in pack_words(language, "titles", "name_unknown")}
        # Bodies the contributor works for: named, but not the project
        # ("I work for Thrive Teesside, and the project ... is Middlesbrough Listens").
        self.employers = self._employers()
        # Words of the project's own description: a name said in a later answer that
        # echoes one of them ("a youth panel" ... "The Say So Panel") names the project.
        # Only its plain words: a person or a place named there ("co-run with Оксана") is
        # no echo of a name.
        self.echo = {
            w.text.casefold()
            for u in units
            if u.home == "project"
            for w in _words(u.text)
            if (w.initial or not _capitalised(w.text))
            and len(w.text) >= 4
            and w.text.casefold() not in self.stop | self.joining
        }

    def _titles(self, key: str) -> tuple[str, ...]:
        """The words under ``titles.<key>`` of ``drafting.yaml`` for this language."""
        return pack_words(self.language, "titles", key)

    def _phrases(self, key: str) -> frozenset[str]:
        """The phrases under ``titles.<key>``, folded as ``_phrase`` folds a text, read once
        per draft: they are looked up for every name near a naming."""
        if key not in self._phrase_sets:
            self._phrase_sets[key] = frozenset(_phrase(w) for w in self._titles(key))
        return self._phrase_sets[key]

    # -- title --

    def title(
        self, summary: Sequence[Unit], given: Given | None = None, *, unnamed: bool = False
    ) -> DraftSentence | None:
        """The project's name, else a short description of it. ``given`` is the name the
        contributor typed when asked for it (see ``drafting_given``): their word beats
        any name read from the story. ``unnamed``: they said it has none, so it is
        described (a name the story seems to give is a partner's or a radio station's)."""
        if given is not None:
            return DraftSentence(
                self._with_article(given.name),
                given.cited,
                refs=tuple(r for u in given.held for r in u.refs),
                changes=tuple(
                    c for u in given.held for c in u.changes if c.replacement in given.name
                ),
            )
        # The name the project goes by now wins over one it had at first; with no other
        # name, the first one still names it ("we went by Green Fingers at first").
        named = None if unnamed else self._story_name()
        if named is not None:
            name, unit = named
            # A name read from tidied text carries the tidier's words it holds ("ppl"
            # written as "People"), so the title traces back to what was typed.
            said = set(tokens(name))
            held = unit.changes if unit else ()
            return DraftSentence(
                self._with_article(name),
                unit.question_ids if unit else ("project",),
                changes=tuple(c for c in held if set(tokens(c.replacement)) & said),
            )
        # Only the project's own description: never a greeting or an aside ("Halò!"); with
        # no description, the first answer sentence that says anything.
        starts = {w.casefold() for w in pack_words(self.language, "dates", "starts")}

        def says_what(unit: Unit, *, asking: bool = False) -> bool:
            words = tokens(unit.text)
            if not re.search(r"[^\W\d_]", unit.text) or self.is_aside(unit.text):
                return False
            if not asking and unit.text.rstrip(" )").endswith("?"):
                return False  # "is this for a club thing?": a question back, not the project
            return not (words[:1] and words[0] in starts and len(words) <= 6)  # "Started 2019."

        project = [u for u in self.units if u.home == "project"]
        # "Chonaic mé mata rochtana ar an trá. disabled ppl from round there picked ...": an
        # English interview's title is written from its English, not a sentence of another.
        english = [u for u in project if not self._not_english(u.text)]
        project = english or project
        opening = [u for u in summary[:1] if not english or not self._not_english(u.text)]
        sources = (
            [u for u in [*opening, *project] if says_what(u)]
            or [u for u in self.units if says_what(u)]
            or [u for u in self.units if says_what(u, asking=True)]  # nothing but questions
        )
        for source in sources:
            described = self.described(source)
            if described is not None:
                return described
        # Nothing a description can be made of ("A! A": "A!" reads as an aside, "A" does
        # not): the first words as typed, so a draft is never left without a title.
        for source in [*sources, *self.units]:
            text = self._fit(source.text.strip(" .!?…"), self.limit)
            if (
                re.search(r"[^\W\d_]", text)
                and not self.is_aside(text)
                and not set(tokens(text)) <= self.greetings
            ):
                return DraftSentence(text, source.question_ids, "", (), source.changes)
        return None

    def _story_name(self) -> tuple[str, Unit | None] | None:
        """The project's name as the answers tell it, by the rules, else the learned
        scorer's when it is sure."""
        self._now_only = True
        try:
            named = self._named()
        finally:
            self._now_only = False
        named = named or self._named()
        if named is not None and (self.unlikely(named[0]) or self._heard_on(named[0])):
            named = None
        if named is not None:
            named = self.outweighed(named[0]) or named
        # With no rule's name, the learned scorer's when it is sure: on interviews no rule
        # was written for, it finds names the rules miss (bench/name_train.py).
        named = named or self.scored()
        return None if named is not None and self._heard_on(named[0]) else named

    def _heard_on(self, name: str) -> bool:
        """Whether ``name`` is a radio station or a newspaper the contributor heard of the
        project on or read of it in ("heard it on Red FM", "in the Nottingham Post")."""
        words = {w.casefold() for w in tokens(name)}
        if not words & self._phrases("media_words"):
            return False
        said = re.compile(
            rf"(?<![\w'’])(?:on|in|from|via|by)\s+(?:the\s+)?{re.escape(name)}", re.IGNORECASE
        )
        return any(said.search(u.text) for u in self.units)

    def _named(self) -> tuple[str, Unit | None] | None:
        """The project's own name, by the first rule that finds one."""
        project = [u for u in self.units if u.home in {"project", "origin"}]
        later = [u for u in self.units if u.home not in {"project", "origin", "place_when"}]
        return (
            # "thats what its called now, the Long Table": a naming said with "now" names
            # the project as it is, before any name it was renamed from.
            self.cued(self.units, now_said=True)
            or self.renamed(self.units)
            or self.called(project)
            # "we called it Open Door Rules" in any answer: the contributor's own naming.
            or self.called(later, own_only=True)
            # "the name was ..., HALT", "we're the Wobbly Wanderers now": any naming words.
            or self.cued(self.units)
            # "we all call it the bump club now": a name typed without capitals, said by who
            # named it, in any answer.
            or self.lower_named(self.units)
            or self.spelled_out(self.units)
            or self.named_before(self.units)
            or self.quoted_pointed(self.units)
            or self.pointed(self.units)
            or self.named_opening(self.units)
            or self.name_then_word(self.units)
            or self.apposition(project)
            or self.quoted(project)
            # A pasted headline names the project in quotes ("'Little Waves' panel ...").
            or self.quoted([u for u in self.units if u.home == "source"])
            or self.headline_named([u for u in self.units if u.home == "source"])
            or self.came_about(self.units)
            or self.kind_then_name(project)
            or self.seen(project)
            or self.heading(project)
            or self.name_is(project)
            or self.lower_name_is(project)
            or self.labelled(project)
            or self.label(project)
            or self.kind_named(project)
            or self.bracketed(project)
            or self.founded([u for u in self.units if u.home in {"project", "origin", "role"}])
            or self.hashtag(self.units)
            or self.repeated()
            or self.shouted(project)
            or self.named(project)
            # Named only in a later answer: a name that echoes the project's description.
            or self.called(later, echoing=True)
            or self.on_page(self.units)
            or self.mentioned(self.units)
            or self.quoted(later, echoing=True)
            or self.named(later)
            or self.kind_named([u for u in later if u.home != "who"], echoing=True)
            or self.echoed(later)
            or self.day_named(self.units)
            or self.credited()
            or self.credited_organisation()
            or self.credited_group()
            or self.credited_name_place()
        )

    @cached_property
    def name_words(self) -> NameWords:
        """The word lists the learned name scorer reads, from ``drafting.yaml``."""
        cues = "|".join(
            re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w)
            for w in self._titles("name_model_cues")
        )
        return NameWords(
            joining=frozenset(w.casefold() for w in self._titles("name_model_joining")),
            cues=re.compile(rf"(?<![\w'’])(?:{cues})(?![\w'’])", re.IGNORECASE),
            skip=frozenset(w.casefold() for w in self._titles("name_model_skip")),
            openers=frozenset(
                w.casefold()
                for w in (*self._titles("name_model_skip"), *self._titles("name_model_openers"))
            ),
            places=frozenset(name_key(p) for p in self.places),
            place_words=frozenset(self.place_words),
            organisations=frozenset(name_key(o) for o in self.organisations),
            org_words=frozenset(self.org_words),
            persons=frozenset(self.persons),
            date_words=frozenset(self.date_words),
            kinds=frozenset(self.kinds),
            generic=frozenset(self.generic),
            greetings=frozenset(self.greetings),
        )

    @cached_property
    def _candidates(self) -> dict[str, Candidate]:
        credit = answered(self.answers, "credit_org")
        return candidates(self.units, credit.text if credit else "", self.name_words)

    def name_candidates(self) -> dict[str, Candidate]:
        """Every phrase that could be the project's name, with the scorer's features."""
        return dict(self._candidates)

    def _rule_likelihood(self, name: str) -> float | None:
        """How likely the scorer finds a rule's name, or None when it has no say: no model,
        a phrase it does not weigh, or an acronym the rules read spelled out or dotted
        ("B.R.E.W")."""
        model = load_name_model()
        candidate = self._candidates.get(name_key(name))
        if model is None or candidate is None:
            return None
        if re.fullmatch(r"(?:[A-Z]\.){2,}[A-Z]?\.?|[A-Z]{2,6}", name):
            return None
        return model.probability(candidate.features)

    def unlikely(self, name: str) -> bool:
        """A rule's name the scorer finds all but impossible ("English", "Comes", a
        newspaper the story mentions): on fresh interviews the rules' names it scores so low
        were wrong, so the title describes the project instead."""
        model = load_name_model()
        likely = self._rule_likelihood(name)
        return model is not None and likely is not None and likely < model.rule_veto

    def outweighed(self, name: str) -> tuple[str, Unit | None] | None:
        """The scorer's name instead of a rule's, when it is sure of its own and doubts the
        rule's ("Bia le Chéile, it means food together" over "Cooks")."""
        model = load_name_model()
        likely = self._rule_likelihood(name)
        if model is None or likely is None or likely >= model.doubt:
            return None
        scored = self._scored
        if scored is None or scored[2] < model.override:
            return None
        return scored[0], scored[1]

    def _body_named(self, name: str, candidate: Candidate) -> bool:
        """A body the answers name as one, not the project: "Haringey Council", a partner
        "we worked with" ("PEDAL POWER TRUST and BIKE WORKS")."""
        folded = [w.casefold() for w in name.split()]
        if " ".join(folded) not in self.organisations:
            return False
        partnered = any(candidate.features.get(f"L1:{w}") for w in self._phrases("partner_cues"))
        shouted = len(folded) > 1 and name.isupper()
        return partnered or shouted or folded[-1] in self.org_words - self.kinds

    def _venue(self, candidate: Candidate) -> bool:
        """Where it happens, not what it is called: "sessions at Riverside Hub"."""
        return any(candidate.features.get(f"L1:{w}") for w in self._phrases("venue_cues"))

    def _credited_body(self, name: str, candidate: Candidate) -> bool:
        """Named only in the credit, as a body the contributor speaks for ("Kerb Appeal (a
        disability charity, Hull)", "Age UK, Leeds"), or as a person ("Barry Holt, Rochdale")."""
        if candidate.homes != {"credit_org"}:
            return False
        answer = answered(self.answers, "credit_org")
        rest = (answer.text if answer else "").replace(name, " ", 1)
        said, bodies = tokens(name), self._phrases("body_words")
        if set(said) & (self._credited_people | bodies):
            return True  # a person, or a body by its own name ("Hull City Council")
        if said[-1:] and said[-1] in self._phrases("national_words"):
            return True  # "Age UK, Leeds": a national body's local branch
        return bool(set(tokens(rest)) & bodies)

    def _names_something_else(self, candidate: Candidate) -> bool:
        """ "Tuesday Soup is the name of the recipe book": a name, but of something else."""
        f = candidate.features
        return any(f.get(f"R{at}:name") and f.get(f"R{at + 1}:of") for at in range(1, 4))

    def _kind_of_thing(self, candidate: Candidate) -> bool:
        """Said as a kind of thing, not a name: "a Community Garden group"."""
        f = candidate.features
        return any(f.get(f"L1:{w}") for w in self.indefinite) and any(
            f.get(f"R1:{w}") for w in self.kinds
        )

    def scored(self) -> tuple[str, Unit | None] | None:
        """The name the learned scorer is confident of, written as a title, or None."""
        scored = self._scored
        return (scored[0], scored[1]) if scored is not None else None

    @cached_property
    def _scored(self) -> tuple[str, Unit | None, float] | None:
        """The likeliest phrase at or above the threshold that could be a name, its source
        and its probability."""
        model = load_name_model()
        if model is None:
            return None
        for candidate, p in model.ranked(self._candidates):
            if p < model.threshold:
                break
            if candidate.text[:1] in "#@":
                words = _hashtag_words(candidate.text[1:])
            else:
                words = candidate.text.split()
            if len(words) > 1 and words[0].casefold() == "the":
                words = words[1:]
            if not candidate.capitalised or candidate.text[:1] in "#@":
                name = self._title_case(words)
            else:
                name = " ".join(words)
            if self._scored_fits(name, candidate):
                return name, candidate.unit, p
        return None

    def _scored_fits(self, name: str, candidate: Candidate) -> bool:
        """What no rule takes for a name, the scorer may not either: a person ("Mrs
        Okafor"), a place, a date, a partner, a venue, a body, a kind of thing, words quoted
        as said ("'not our problem', she said") or a name of something else."""
        f = candidate.features
        speech = self._phrases("speech_words")
        said = bool(f.get("kind:quoted")) and any(
            f.get(f"R{at}:{w}") for at in range(1, 5) for w in speech
        )
        return (
            self._scored_name_ok(name)
            and name.split()[0].casefold().strip(".") not in self._phrases("person_titles")
            and not said
            and not self._body_named(name, candidate)
            and not self._venue(candidate)
            and not self._credited_body(name, candidate)
            and not self._kind_of_thing(candidate)
            and not self._names_something_else(candidate)
        )

    def _scored_name_ok(self, name: str) -> bool:
        """What no rule takes for a name, the scorer may not either: a person, a place, a
        day or a date alone, a body's word or acronym, a partner, or the first words of a
        body's name ("Leeds City" of Leeds City Council). A body the story names in full may
        be the project ("TRAC", "Knocknaheeny Community Pantry CLG")."""
        words = name.split()
        folded = [w.casefold() for w in words]
        if not words or len(words) > MAX_NAME_WORDS or folded[-1] in self.stop | self.joining:
            return False
        if (
            set(folded) <= self.generic | self.kinds | self.greetings
            or set(folded) <= self.date_words
        ):
            return False  # "Community Group", "Hiya", "March"; "Tuesday Club" may name it
        if any(w in self.acronyms for w in words) or set(folded) <= self._credited_people:
            return False
        if any(w.strip("'’") in self.org_words - self.kinds for w in folded) and len(words) == 1:
            return False
        if self._named_place(name) or self._is_place(words) or self._partner(" ".join(folded)):
            return False
        legal = set(self._phrases("legal_forms"))
        for body in self.organisations:
            rest = f" {body} ".split(f" {' '.join(folded)} ", 1)
            if len(rest) == 2 and rest[1].strip():
                following = rest[1].split()[0]
                if following in self.org_words and following not in legal:
                    return False
        return self._usable_name(name)

    def _echoes(self, name: str) -> bool:
        return bool(self.echo & set(tokens(name)))

    def _with_article(self, name: str) -> str:
        """The name with the "The" the contributor always wrote before it ("The Say So
        Panel voted ..."; "at The Say So Panel"), read from what they typed: a "the" the
        tidier capitalised, or one name written once without it, adds none; nor does an
        acronym ("SPARK") ever take one."""
        if name.casefold().startswith("the ") or (len(name.split()) == 1 and name.isupper()):
            return name
        said = re.compile(rf"(?<![\w'’-])(?:(\S+)\s+)?{re.escape(name)}(?![\w'’-])")
        seen = [m.group(1) for a in self.answers.values() for m in said.finditer(a.text)]
        return f"The {name}" if seen and all(w == "The" for w in seen) else name

    def heading(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A project answer opening with a line that is only a capitalised name, as a
        heading ("BIKE KITCHEN" on its own line, then what it is)."""
        first = units[0] if units and units[0].home == "project" else None
        if first is None or first.index != 0 or len(units) < 2:
            return None
        text = strip_emoji(first.text).strip().rstrip(".!")
        words = _words(text)
        name = self._run_from(words, 0)
        if not name or name != " ".join(w.text for w in words) or len(words) > 5:
            return None
        folded = [w.casefold() for w in name.split()]
        if folded[0] == "the" and len(folded) > 1:  # "THE LARDER"
            folded = folded[1:]
        if folded[0] in self.stop | self.greetings or any(w in self.org_words for w in folded):
            return None
        if len(words) == 1 and len(name) < 4:
            return None
        return (name, first) if self._usable_name(name) else None

    def name_is(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """The project answer opening with its name: "The Warm Homes Collaborative is a
        cross-sector partnership ...", "Ceòl Còmhla is a music group ..."."""
        first = units[0] if units and units[0].home == "project" else None
        if first is None:
            return None
        # "The Healthy Minds Programme (HMP) is a ...": the short form in brackets is not
        # part of the name.
        text = re.sub(r"\s*\([^()]{1,20}\)", "", first.text, count=1)
        words = _words(text)
        name = self._run_from(words, 0)
        verbs = "|".join(re.escape(v) for v in self._titles("name_is"))
        leads = {w.casefold() for w in self._titles("name_is_leads")}
        if words and words[0].text.casefold() in leads:  # Welsh "Mae Trwsio Tywyn yn ..."
            name = self._run_from(words, 1)
            verbs = "|".join(re.escape(v) for v in self._titles("name_is_after_lead"))
        after = text[text.find(name) + len(name) :] if name else ""
        # "Bump Buddies is peer support for ...": a name of two words or more, then "is"
        # and what it is, in lower case; never a person ("Mrs Akhtar is ...").
        # "CRAG is carers who decide ...": an acronym of its own alone, as well.
        acronym = (
            len(name.split()) == 1
            and name.isupper()
            and len(name) >= 3
            and name not in self.acronyms
            and name.casefold() not in self.org_words
        )
        plain_is = (
            re.match(r"\s+is\s+(?-i:[a-z])", after) is not None
            and (len(name.split()) >= 2 or acronym)
            and name.split()[0].rstrip(".").casefold() not in {"mr", "mrs", "ms", "miss", "dr"}
        )
        if (
            not name
            or not verbs
            or not (plain_is or re.match(rf"\s*,?\s+(?:{verbs})\s", after, re.I))
        ):
            return None
        parts = name.split()
        core = parts[1:] if parts[0].casefold() in self.stop else parts
        if not core or core[0].casefold() in self.stop:
            return None
        if len(core) == 1 and not (parts[0] != core[0] or re.search(r".[A-Z-]", core[0])):
            return None
        if len(core) == 1 and core[0].isupper():  # "ROOTS is a growing project"
            return (name, first) if self._marked_name_ok(name) else None
        if not self._could_be_project(core, organisations_allowed=True):
            return None
        return name, first

    def lower_name_is(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """The project answer opening with its name typed without capitals, then what it
        is: "the wee lighthouse, its an out of hours crisis cafe in derry"."""
        first = units[0] if units and units[0].home == "project" else None
        leads = self._titles("lower_name_is")
        if first is None or not leads:
            return None
        found = re.match(
            rf"\s*(?P<name>[^,.;:!?()]{{2,40}}?)\s*,\s*(?:{phrase_alternation(leads)})\s+"
            r"(?P<what>.*)",
            first.text,
            re.IGNORECASE,
        )
        if found is None:
            return None
        kinds = self.kinds | {w.casefold() for w in self._titles("lower_name_kinds")}
        if not set(tokens(found.group("what"))[:8]) & kinds:
            return None
        name = self._lower_name(found.group("name").casefold(), confirmed=True, whole=True)
        return (name, first) if name and not self._is_place(name.split()) else None

    def labelled(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A project answer opening with its name as a label, a colon or a dash before what
        it is: "Tyfu Tywyn: a growing project", "Sunday Suppers - a free meal"."""
        first = units[0] if units and units[0].home == "project" else None
        if first is None or first.index != 0:
            return None
        label = re.match(r"\s*([^:–—]{2,60}?)\s*(?::|\s[-–—])\s+\S", strip_emoji(first.text))
        if label is None:
            return None
        name = label.group(1).strip()
        words = _words(name)
        if not words or self._run_from(words, 0) != " ".join(w.text for w in words):
            return None
        parts = name.split()
        if parts[0].casefold() in self.stop | self.greetings | self.name_ends:
            return None
        if len(parts) == 1 and not re.search(r".[A-Z-]", parts[0]):
            return None  # "Update: ...", "Leeds - ..."
        if not self._marked_name_ok(name) or parts[-1].casefold() in self.place_words:
            return None
        return name, first

    def label(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A project answer typed without capitals opening with a sentence of two or three
        words and no verb, then what it is: "fixit fridays. bike repair night at ...". A
        contributor who writes capitals capitalises a name (see ``heading``), so "Food bank.
        We run it ..." is a description."""
        first = units[0] if units and units[0].home == "project" else None
        if first is None or first.index != 0 or len(units) < 2 or not self._typed_lower(first):
            return None
        following = units[1]
        if following.home != "project" or len(tokens(following.text)) < 4:
            return None
        text = strip_emoji(first.text).strip()
        if text.endswith("?") or re.search(r"\d", text) or self.is_aside(text):
            return None
        said = [w.text for w in _words(text.rstrip(".!… "))]
        folded = [w.casefold() for w in said]
        remark = {w.casefold() for w in self._titles("label_not")}
        remark |= self.stop | self.name_ends | self.greetings | self.indefinite
        if not 2 <= len(said) <= 3 or any(not re.search(r"[^\W\d_]", w) for w in said):
            return None
        if any(w in remark or (len(w) >= 5 and w.endswith(("ing", "ed"))) for w in folded):
            return None  # "going well", "we cook", "thanks all"
        if all(w in self.generic or w in self.kinds for w in folded):
            return None  # "youth club." says what kind, not which
        name = self._title_case(said)
        if self._is_place(said) or date_matches(text, self.language):
            return None
        return (name, first) if self._marked_name_ok(name) else None

    def name_then_word(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name said right before the word for a name, in any answer: Gaelic "'S e Cridhe
        a' Bhaile an t-ainm", Welsh "Criw Cei yw'r enw", "Fixit Fridays is the name"; kept
        as written ("a'" with its apostrophe)."""
        cues = self._titles("name_then_word")
        if not cues:
            return None
        cue = re.compile(
            rf"\s*(?:{phrase_alternation(cues)})(?![\w'’-])(?!\s+(?:of|for)\b)", re.IGNORECASE
        )
        for name, core, unit in self._names_before(units, cue):
            if self._marked_name_ok(name) and not self._is_place(core):
                return _as_written(unit.text, name), unit
        return None

    def shouted(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name of two words or more written in capitals inside a project sentence that
        is not itself in capitals ("we run GREEN GYM on Saturdays"), unless it is an
        organisation or a place."""
        for unit in units:
            if unit.home != "project":
                continue
            words = _words(unit.text)
            lettered = [w for w in words if re.search(r"[^\W\d_]", w.text)]
            capitals = [w for w in lettered if w.text.isupper() and len(w.text) > 1]
            if len(capitals) * 2 > len(lettered):
                continue  # a sentence written all in capitals names nothing by its capitals
            start = 0
            while start < len(words):
                run: list[_Word] = []
                index = start
                while index < len(words) and (
                    (words[index].text.isupper() and len(words[index].text) > 1)
                    or (run and words[index].text in {"&", "+"})
                ):
                    run.append(words[index])
                    index += 1
                    if run[-1].ends_run:
                        break
                while run and run[-1].text in {"&", "+"}:
                    run.pop()
                name = " ".join(w.text for w in run)
                folded = [w.text.casefold() for w in run]
                before = words[start - 1].text.casefold() if start and run else ""
                if (
                    len(run) >= 2
                    and not any(w in self.shouting for w in folded)  # "DONT DO THIS"
                    and before not in self.partner_words  # "worked with COMMUNITY ACTION"
                    and not any(w in self.org_words for w in folded)
                    and not any(w.text in self.acronyms for w in run)
                    and self._usable_name(name)
                ):
                    return name, unit
                start = max(index, start + 1)
        return None

    def echoed(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A capitalised name of two words or more inside a later sentence, echoing the
        project's description ("That's how Grandweans Together got going")."""
        for unit in units:
            words = _words(unit.text)
            for start in range(len(words)):
                if words[start].initial:
                    continue
                run = self._run_from(words, start).split()
                name = " ".join(run)
                if (
                    len(run) >= 2
                    and self._could_be_project(run)
                    and self._echoes(name)
                    and not self._named_place(name)
                    and name.casefold() not in self.organisations
                    and not self._partner(name.casefold())
                ):
                    return name, unit
        return None

    # -- names marked by how they are said, not by their words --

    def renamed(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """The name a project goes by now, when the contributor says it was renamed: "it was
        called the Youth Forum ... so they renamed it, it's Brockley Voices now"."""
        marks = self._titles("rename_marks")
        if not marks:
            return None
        mark_re = re.compile(rf"(?<![\w'’])(?:{phrase_alternation(marks)})(?![\w'’])", re.I)
        for unit in units:
            found = mark_re.search(unit.text)
            if found is None:
                continue
            words = _words(unit.text[found.end() :])
            for start in range(min(len(words), MAX_NAME_WORDS + 2)):
                name = self._run_from(words, start)
                parts = name.split()
                core = parts[1:] if len(parts) > 1 and parts[0].casefold() in self.stop else parts
                if core and self._could_be_project(core, organisations_allowed=True):
                    return " ".join(core) if core is not parts else name, unit
        return None

    def came_about(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name said in passing with how it began: "that's sort of how the Calder Water
        Wardens came about", "which is how Grandweans Together got going"."""
        verbs = self._titles("began_verbs")
        leads = self._titles("began_leads")
        if not verbs or not leads:
            return None
        verb_re = re.compile(rf"\s*(?:{phrase_alternation(verbs)})(?![\w'’])", re.I)
        for name, unit in self._names_between(leads, verb_re, units):
            if self._could_be_project(name.split()):
                return name, unit
        return self._lower_came_about(leads, verbs, units)

    def _lower_came_about(
        self, leads: Sequence[str], verbs: Sequence[str], units: Sequence[Unit]
    ) -> tuple[str, Unit] | None:
        """A name typed without capitals with how it began ("thats how the huddle was
        born"): short, none of the everyday words ("that's how the idea was born"), and
        said again in another answer ("a whatsapp for huddle families")."""
        found_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(leads)})\s+the\s+"
            rf"((?:[^\W\d_][\w'’-]*\s+){{0,{LOWER_NAME_WORDS - 1}}}?[^\W\d_][\w'’-]*)"
            rf"\s+(?:{phrase_alternation(verbs)})(?![\w'’])",
            re.IGNORECASE,
        )
        not_names = {w.casefold() for w in self._titles("began_not_names")}
        everyday = not_names | self.generic | self.kinds | self.stop | self.name_ends
        for unit in units:
            for found in found_re.finditer(unit.text):
                words = found.group(1).split()
                folded = [w.casefold() for w in words]
                if found.group(1) != found.group(1).lower() or folded[0] in not_names:
                    continue
                if all(w in everyday or len(w) < 3 for w in folded):
                    continue
                said = re.compile(rf"(?<![\w'’-]){re.escape(found.group(1))}(?![\w'’-])", re.I)
                again = [
                    q
                    for q, a in self.answers.items()
                    if q not in unit.question_ids and said.search(a.text)
                ]
                if again:
                    return self._title_case(words), unit
        return None

    def _names_between(
        self, leads: Sequence[str], after: re.Pattern[str], units: Sequence[Unit]
    ) -> Iterator[tuple[str, Unit]]:
        """Each capitalised name right after one of ``leads`` that ``after`` follows
        ("that's how | the Calder Water Wardens | came about"), with its sentence."""
        lead_re = re.compile(rf"(?<![\w'’])(?:{phrase_alternation(leads)})\s+", re.I)
        for unit in units:
            for lead in lead_re.finditer(unit.text):
                rest = unit.text[lead.end() :]
                name = self._name_after(rest)
                if name and after.match(rest[rest.find(name) + len(name) :]):
                    yield name, unit

    def kind_then_name(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """What kind of thing it is, then its name closing the sentence: "Theres a cooking
        group for older men, the Ystradgynlais Men's Kitchen" (a name with its kind before it)."""
        for unit in units:
            found = re.search(r",\s+(?:the|called|named)\s+([^,;:]{3,70}?)[.!]?\s*$", unit.text)
            if found is None:
                continue
            before = set(tokens(unit.text[: found.start()]))
            if not before & self.kinds:
                continue
            words = _words(found.group(1))
            name = self._run_from(words, 0)
            parts = name.split()
            if (
                len(parts) >= 2
                and name == " ".join(w.text for w in words)
                and self._could_be_project(parts, organisations_allowed=True)
                and not self._named_place(name)
            ):
                return name, unit
        return None

    def seen(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A tip-off opening with what was seen, by name: "Saw the Welcome Kitchen at St
        Martins hall", "came across Grow Together in the paper"."""
        verbs = self._titles("report_verbs")
        if not verbs or not units or units[0].index != 0:
            return None
        first = units[0]
        lead = re.match(
            rf"\s*(?:(?:i|we|just)\s+)?(?:{phrase_alternation(verbs)})\s+", first.text, re.I
        )
        if lead is None:
            return None
        name = self._name_after(first.text[lead.end() :])
        return (name, first) if len(name.split()) >= 2 and self._own_name(name) else None

    def founded(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name right after the contributor says they started or run it: "I started
        Stitch It Back with my neighbour", "we set up the Tuesday Table in 2022"; never a
        body they work for, a place or a building."""
        for name, unit in self._names_after_cues("founder_cues", units):
            if self._own_name(name):
                return name, unit
        return None

    def _employers(self) -> set[str]:
        """Names said right after "I work for" (or the like) in any answer: the credit's
        organisation may be the project itself ("Trwsio Tywyn"), so it is not among them."""
        return {_plain(name) for name, _ in self._names_after_cues("employer_cues", self.units)}

    def _names_after_cues(self, cues: str, units: Sequence[Unit]) -> Iterator[tuple[str, Unit]]:
        """Each capitalised name said right after one of the language pack's ``cues`` ("I
        started ...", "I work for ..."), with the answer sentence it is in."""
        phrases = self._titles(cues)
        if not phrases:
            return
        cue_re = re.compile(rf"(?<![\w'’])(?:{phrase_alternation(phrases)})\s+", re.IGNORECASE)
        for unit in units:
            for match in cue_re.finditer(unit.text):
                name = self._name_after(unit.text[match.end() :])
                if name:
                    yield name, unit

    def day_named(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A gathering named for its day, as many are ("we all meet at blether wednesdays",
        "come to Takeaway Tuesdays"): a word, then a weekday in the plural, after "at",
        "to", "from", "the" or "our"."""
        days = self._titles("weekdays")
        if not days:
            return None
        plural = "|".join(re.escape(d) + "s" for d in days)
        day_re = re.compile(
            rf"(?<![\w'’])(?:at|to|from|the|our)\s+([^\W\d_][\w'’-]{{2,}})\s+({plural})(?![\w'’])",
            re.IGNORECASE,
        )
        for unit in units:
            for match in day_re.finditer(unit.text):
                word = match.group(1)
                if word.casefold() in self.stop | self.joining | self.generic | self.date_words:
                    continue
                name = self._title_case([word, match.group(2)])
                if self._usable_name(name):
                    return name, unit
        return None

    def on_page(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """The name a project's page goes by, said before where it is found ("we're Pantri
        Pill on there", "search Hooyo Gym on facebook")."""
        leads = self._titles("page_leads")
        places = self._titles("page_places")
        if not leads or not places:
            return None
        place_re = re.compile(rf"\s+on\s+(?:{phrase_alternation(places)})(?![\w'’])", re.I)
        for name, unit in self._names_between(leads, place_re, units):
            if self._usable_name(name) and self._own_name(name):
                return name, unit
        return None

    def hashtag(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A hashtag of two words or more, in any answer, is the tag a project goes by:
        "#LunchCrew" is Lunch Crew, "#lunch_crew" too. One typed as a single word in lower
        case shows no words, so names the project only right after a naming cue ("we call it
        #lunchcrew"). Never an everyday tag ("#CoProduction", "#MentalHealth"), an event's
        ("#VolunteersWeek"), a place's ("#LoveLeeds") or an organisation's."""
        everyday = {w.casefold() for w in self._titles("hashtag_generic")}
        events = {w.casefold() for w in self._titles("hashtag_events")}
        cues = self._titles("name_cues")
        cue_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(cues)})\s+$" if cues else "(?!)", re.IGNORECASE
        )
        plain = everyday | self.generic | self.joining | self.date_words
        plain |= {t for p in self.places for t in tokens(p)}
        for unit in units:
            for match in re.finditer(r"(?<![\w&#/])#([^\W_]\w{2,40})", unit.text):
                parts = _hashtag_words(match.group(1))
                folded = [p.casefold() for p in parts]
                if len(parts) < 2:
                    name = parts[0][:1].upper() + parts[0][1:]
                    if (
                        cue_re.search(unit.text[: match.start()])
                        and folded[0] not in plain
                        and self._marked_name_ok(name)
                    ):
                        return name, unit
                    continue
                if folded[-1] in events | self.date_words or all(
                    f in plain or f.isdigit() for f in folded
                ):
                    continue
                if any(p in self.acronyms for p in parts) or any(
                    f in self.org_words - self.kinds for f in folded
                ):
                    continue
                small = self.joining | self.stop
                name = self._title_case(
                    [
                        f if at and f in small else p
                        for at, (p, f) in enumerate(zip(parts, folded, strict=True))
                    ]
                )
                if (
                    not self._is_place(parts)
                    and not self._partner(name.casefold())
                    and self._usable_name(name)
                ):
                    # The words split apart are recorded as a tidy change, so the title
                    # traces back to what was typed.
                    typed = Change(match.group(0), name)
                    return name, replace(unit, changes=(*unit.changes, typed))
        return None

    def _namer_adverbs(self) -> str:
        """A pattern for up to two words between who names and the naming ("we all just
        call it"), or nothing where the language lists none."""
        adverbs = self._titles("namer_adverbs")
        return rf"(?:(?:{phrase_alternation(adverbs)})\s+){{0,2}}" if adverbs else ""

    def lower_named(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name typed without capitals, with who named it: after the naming ("we all call
        it the bump club now", "known as the knit club") or right before it ("on tuesdays,
        bump club we call it"). It must read as a name (see ``_lower_name``): "we call it a
        day" names nothing."""
        namers = self._titles("namers")
        verbs = self._titles("naming_verbs")
        if not namers or not verbs:
            return None
        between = self._namer_adverbs()
        # "calling the boat the wee dipper": what is named is "it" or a thing the project's
        # description names, never a person ("calling the lad ...").
        things = sorted(self.echo - self.persons)
        named_thing = rf"(?:it|the\s+(?:{phrase_alternation(things)}))" if things else "it"
        naming = (
            rf"(?:{phrase_alternation(namers)})\s+{between}"
            rf"(?:{phrase_alternation(verbs)})\s+{named_thing}"
        )
        cues = self._titles("lower_name_cues")
        any_cue = rf"{naming}|{phrase_alternation(cues)}" if cues else naming
        # "gets called, wee dipper": a comma may stand between the cue and the name.
        after_re = re.compile(rf"(?<![\w'’])(?:{any_cue}),?\s+(?=\S)", re.IGNORECASE)
        stuck = self._titles("name_stuck")
        stuck_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(stuck)})(?![\w'’])" if stuck else "(?!)",
            re.IGNORECASE,
        )
        before_re = re.compile(
            rf"(?:^|[,;:–—]\s*)(?P<name>[^,;:.!?–—]{{2,50}}?)\s+(?:{any_cue})(?![\w'’])",
            re.IGNORECASE,
        )
        confirm_re = re.compile(rf"[,;–—-]\s*(?:{naming})(?![\w'’])", re.IGNORECASE)
        for unit in units:
            for match in after_re.finditer(unit.text):
                rest = unit.text[match.end() :]
                name = self._lower_name(rest, confirmed=True)
                # Confirmed by a naming after it ("..., the women named it"), by saying it
                # took hold ("... and it stuck") or by saying it twice in its sentence.
                if name and not (
                    confirm_re.search(rest)
                    or stuck_re.search(rest)
                    or len(re.findall(rf"(?<![\w'’]){re.escape(name)}(?![\w'’])", unit.text, re.I))
                    >= 2
                ):
                    name = self._lower_name(rest)
                if name:
                    return name, unit
            for match in before_re.finditer(unit.text):
                name = self._lower_name(match.group("name"), confirmed=True, whole=True)
                if name:
                    return name, unit
        return None

    def mentioned(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name the press gave the project, in any answer: "the papur bro did a piece on
        côr atgofion", "the Echo wrote about Grow Together". Capitalised, two words or more
        that are no organisation, place, partner or acronym; typed without capitals, only
        one that reads as a name (see ``_lower_name``): "wrote about us" names nothing."""
        cues = self._titles("press_cues")
        if not cues:
            return None
        cue_re = re.compile(rf"(?<![\w'’])(?:{phrase_alternation(cues)})\s+(?=\S)", re.I)
        for unit in units:
            for match in cue_re.finditer(unit.text):
                rest = unit.text[match.end() :]
                name = self._name_after(rest)
                if name:
                    follows = rest[rest.find(name) + len(name) :]
                    if (
                        len(name.split()) >= 2
                        and self._marked_name_ok(name)
                        and not self._named_place(name)
                        and not self._partner(name.casefold())
                        and _plain(name) not in self.employers
                        # "a piece on Dave Smith who runs it", "on Jo Bloggs, the founder": a
                        # person, not what they run.
                        and not re.match(r"[\s,]+(?:who|whose|the\s+founder)\b", follows, re.I)
                        and not set(tokens(name)) & self._credited_people
                    ):
                        return name, unit
                    continue
                name = self._lower_name(rest)
                if name:
                    return name, unit
        return None

    def _lower_name(self, text: str, *, confirmed: bool = False, whole: bool = False) -> str:
        """The short name typed without capitals opening ``text`` ("the bump club now, ..."),
        up to where the sentence goes on, in capitals for the title and without the "the"
        said before it; with ``whole``, only when it is all of ``text``. "" unless it reads
        as a name: one to four words, one of its own (not an everyday word, a day or a
        place) and beside it a kind of gathering ("club", "côr"), or ``confirmed`` by a
        naming said after it ("..., the women named it")."""
        words = _words(text)
        if words[:1] and words[0].text.casefold() == "the":
            words = words[1:]
        taken: list[_Word] = []
        ended = False
        for word in words[: LOWER_NAME_WORDS + 1]:
            folded = word.text.casefold()
            if folded in self.name_ends or folded in self.stop - self.joining:
                ended = True
                break
            taken.append(word)
            if word.ends_run:
                ended = True
                break
        ended = ended or len(taken) == len(words)
        if not ended or (whole and len(taken) != len(words)):
            return ""
        while taken and taken[-1].text.casefold() in self.joining:
            taken.pop()
        said = [w.text for w in taken]
        if said and said[0] in self.indefinite:
            return ""  # "calling it a night": what it is, never a name
        if not said or len(said) > LOWER_NAME_WORDS or any(w != w.casefold() for w in said):
            return ""
        kinds = self.kinds | {w.casefold() for w in self._titles("lower_name_kinds")}
        own = [
            w
            for w in said
            if w not in kinds | self.generic | self.date_words
            and len(w) >= 3
            and re.fullmatch(r"[^\W\d_][\w'’-]*", w)
        ]
        if not own or not (confirmed or any(w in kinds for w in said)):
            return ""
        if any(w in self.org_words - kinds for w in said) or self._is_place(said):
            return ""
        name = self._title_case(said)
        return name if self._usable_name(name) and not self._partner(name.casefold()) else ""

    def _name_after(self, text: str) -> str:
        """The capitalised name opening ``text``, past one small word ("the Tuesday
        Table in 2022" gives "Tuesday Table"), or ""."""
        words = _words(text)
        start = 1 if words[:1] and words[0].text.casefold() in self.stop else 0
        return self._run_from(words, start)

    def _own_name(self, name: str) -> bool:
        """A name that can be the project's own: none of the organisations the answers name,
        no place or building."""
        return (
            self._could_be_project(name.split())
            and not self._named_place(name)
            and name.casefold() not in self.organisations
        )

    def _typed_lower(self, unit: Unit, *, or_shouted: bool = False) -> bool:
        """The contributor typed this answer without capitals, so a name in it has none
        (nor, ``or_shouted``, does one typed all in capitals)."""
        answer = self.answers.get(unit.home)
        text = answer.text if answer is not None else unit.text
        said = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if w not in self.pronouns]
        if or_shouted and len(said) >= 3 and all(w.isupper() for w in said):
            return True
        return bool(said) and not any(w[:1].isupper() for w in said)

    def _title_case(self, words: Sequence[str]) -> str:
        small = self.joining | self.stop
        return " ".join(
            w if index and w.casefold() in small else w[:1].upper() + w[1:]
            for index, w in enumerate(words)
        )

    def _marked_name_ok(self, name: str) -> bool:
        """A name its marking (a kind word, brackets, a credit) says is a name: one word is
        enough and capitals are fine, but never an organisation, a place or a date."""
        parts = name.split()
        folded = [p.casefold().strip("'’") for p in parts]
        core = folded[1:] if len(folded) > 1 and folded[0] in self.stop else folded
        if not core or core[0] in self.stop or core[-1] in self.stop | self.joining:
            return False
        if any(p in self.acronyms for p in parts) or all(p in self.date_words for p in core):
            return False  # "Sunday Suppers" is a name, "Sunday" alone a day
        if any(p in self.org_words and p not in self.kinds for p in core):
            return False
        # Not checked against the organisations listed from the answers: those are every
        # name-like phrase, the project's own among them ("KAYS").
        return not self._is_place(core) and self._usable_name(name)

    def _holds_place(self, name: str) -> bool:
        """A name holding the project's place as well as other words ("Fix It Lowestoft")."""
        said = tokens(name)
        return any(set(tokens(p)) <= set(said) and len(said) > len(tokens(p)) for p in self.places)

    def _is_place(self, words: Sequence[str]) -> bool:
        said = " ".join(words).casefold()
        return any(said == p.casefold() or said in tokens(p) for p in self.places) or bool(
            words and words[-1].casefold() in self.place_words
        )

    def _free_before(self, words: list[_Word], start: int) -> bool:
        """The word before a name (past "the", "our") does not make it a place or a
        partner: "at the Riverside Youth Hub" is where, "with Penparcau Forum" who."""
        index = start - 1
        while index >= 0 and words[index].text.casefold() in self.stop - self.not_after:
            if words[index].ends_run:
                return True
            index -= 1
        return (
            index < 0
            or words[index].ends_run
            or (words[index].text.casefold() not in self.not_after)
        )

    def kind_named(
        self, units: Sequence[Unit], *, echoing: bool = False
    ) -> tuple[str, Unit] | None:
        """A name marked by the kind of thing it is, said right after it: "the KAYS
        scheme", "the Hafod Project", "the little sparks group" typed without capitals,
        "the project I want to tell you about is Middlesbrough Listens". In a later answer
        (``echoing``) only a name that echoes the description or holds the place: there
        "the Awards for All programme" may be a funder's."""

        def fits(name: str) -> bool:
            if self._partner(name.casefold()):
                return False  # "the angling club", listed among who took part
            # The kind itself ("club") echoes nothing: every club says it.
            plain = {t for t in tokens(name) if t not in self.kinds}
            return not echoing or bool(self.echo & plain) or self._holds_place(name)

        verbs = self._titles("kind_is")
        if not self.kinds or not verbs:
            return None
        is_after = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(sorted(self.kinds))})(?:\s+[\w'’]+){{0,8}}?"
            rf"(?:\s*[,;:]|\s+(?:{phrase_alternation([v for v in verbs if v[:1].isalnum()])}))\s+",
            re.IGNORECASE,
        )
        for unit in units:
            for match in is_after.finditer(unit.text):
                run = self._run_from(_words(unit.text[match.end() :]), 0)
                if (
                    run
                    and self._could_be_project(run.split())
                    and self._marked_name_ok(run)
                    and fits(run)
                ):
                    return run, unit
            words = _words(unit.text)
            lower = self._typed_lower(unit, or_shouted=True)
            for index, word in enumerate(words):
                kind = word.text.casefold()
                if kind not in self.kinds or index == 0:
                    continue
                found = (
                    self._lower_kind_name(words, index)
                    if lower
                    else self._capital_kind_name(words, index)
                )
                if found is not None and fits(found):
                    return found, unit
        return None

    def _capital_kind_name(self, words: list[_Word], index: int) -> str | None:
        kind = words[index]
        if kind.text.islower():  # "the KAYS scheme": the name before its kind
            if words[index - 1].ends_run:
                return None
            for start in range(max(0, index - MAX_NAME_WORDS), index):
                run = self._run_from(words, start)
                if run and len(run.split()) == index - start:
                    break
            else:
                return None
            name = run
        else:  # "the Hafod Project": the kind is part of the name
            start = next(
                (
                    s
                    for s in range(max(0, index - MAX_NAME_WORDS), index)
                    if len(self._run_from(words, s).split()) >= index - s + 1
                ),
                index,
            )
            name = " ".join(w.text for w in words[start : index + 1])
            if start == index:
                return None
        # "We're a Facebook group": a run opening on "We're" or "a" starts after them.
        skip = (self.name_ends | self.stop | self.indefinite) - {"the"}
        end = index + (0 if kind.text.islower() else 1)
        while start < index and (
            words[start].text.casefold() in skip
            or (words[start].text.casefold() in self.joining and start + 1 < index)
        ):
            start += 1
        if start >= index:
            return None
        name = " ".join(w.text for w in words[start:end])
        parts = name.split()
        core = parts[1:] if parts[0].casefold() in self.stop else parts
        if not core:
            return None
        if words[start].initial and not (
            len(core) >= 2 or re.search(r".[A-Z]", core[0])
        ):  # "Tenants panel in Lewisham ...": a capital opening a sentence marks no name
            return None
        said = core[:-1] if core[-1].casefold() in self.kinds and len(core) > 1 else core
        if all(c.casefold() in self.generic for c in said):
            return None  # "the Youth Club", "the Tenants Forum"
        if start and words[start - 1].text.casefold() in self.indefinite:
            return None  # "a Community Garden group": a kind of thing, not its name
        if not core or self._is_place(core) or not self._free_before(words, start):
            return None
        return name if self._marked_name_ok(name) else None

    def _lower_kind_name(self, words: list[_Word], index: int) -> str | None:
        """In an answer typed without capitals: "the" (or "our"), one to three words that
        are not all everyday ones, then the kind ("the little sparks group")."""
        leads = {w.casefold() for w in self._titles("lower_name_leads")}
        for size in (1, 2, 3):
            start = index - size
            if start < 1 or words[start - 1].text.casefold() not in leads:
                continue
            between = words[start:index]
            if any(w.ends_run for w in [words[start - 1], *between]):
                continue
            said = [w.text for w in between]
            folded = [w.casefold() for w in said]
            if any(w in self.name_ends or w in self.kinds for w in folded):
                continue
            if all(w in self.generic or len(w) < 3 for w in folded):
                continue
            if not self._free_before(words, start - 1):
                continue
            kind = words[index].text
            place = self._is_place(said)
            if kind.casefold() in self.kinds_dropped:
                if place:
                    continue
                name = self._title_case(said)
            else:
                name = self._title_case([words[start - 1].text, *said, kind])
            if self._marked_name_ok(name):
                return name
        return None

    def bracketed(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name in brackets after what the project is: "... back to the gurdwara for
        langar (Chai & Chaal)"; an acronym's spelling-out names the acronym ("SWAP
        (Southside Women's Action Partnership)")."""
        for unit in units:
            for match in re.finditer(r"\(([^()]{2,60})\)", unit.text):
                inside = match.group(1).strip(" .,")
                name = self._marked_run(inside)
                if not name:
                    continue
                before = _words(unit.text[: match.start()])
                initials = "".join(w[:1] for w in name.split() if _capitalised(w))
                if before and before[-1].text.isupper() and before[-1].text == initials.upper():
                    short = before[-1].text  # the acronym before its spelling-out
                    if short not in self.acronyms and self._marked_name_ok(short):
                        return short, unit
                    continue
                if name.isupper() and len(name.split()) == 1:
                    continue  # "(HMP)": a short form of the name before it
                if self._marked_name_ok(name) and not self._is_place(name.split()):
                    return name, unit
        return None

    def _marked_run(self, text: str) -> str:
        """``text`` when it is all one name: capitalised words, with "&" or short small
        words only between them ("Chai & Chaal", "Ceòl is Còmhradh"), at most six words."""
        parts = text.split()
        if not parts or len(parts) > MAX_NAME_WORDS:
            return ""
        if not (_capitalised(parts[0]) and _capitalised(parts[-1])):
            return ""
        for part in parts[1:-1]:
            if not (_capitalised(part) or part in {"&", "+"} or len(part) <= 3):
                return ""
        return text

    def credited_organisation(self) -> tuple[str, Unit | None] | None:
        """The group the contributor asked to be credited as ("the Old Cemetery Keepers,
        Redruth"), when the story names nothing and the group's name echoes what the project
        is: a council or a charity they work for is credited, but is not the project."""
        answer = answered(self.answers, "credit_org")
        if answer is None:
            return None
        text = " ".join(answer.text.split()).strip(" .!")
        words = _words(text)
        start = 1 if words[:1] and words[0].text.casefold() in self.stop else 0
        name = self._run_from(words, start)
        if (
            not name
            or len(name.split()) < 2
            or not self._echoes(name)
            or any(w in self.org_words for w in tokens(name))
            or not self._own_name(name)
        ):
            return None
        return name, Unit(name, ("credit_org",), (), (), "credit_org", 0)

    def credited_group(self) -> tuple[str, Unit | None] | None:
        """The organisation credited, when its own description says it is a group of the
        people in the story: "Ramps Not Steps (disabled people's access group, Swansea)". The
        name is title-like (capitalised words, not a place); the description, in brackets or
        after a comma or a dash, holds a kind of group and a word the answers use ("disabled"),
        and no word of a body ("council", "trust", "NHS", "charity", "university")."""
        answer = answered(self.answers, "credit_org")
        groups = {w.casefold() for w in self._titles("credit_group_kinds")}
        if answer is None or not groups:
            return None
        text = " ".join(answer.text.split()).strip(" .!")
        found = re.match(
            r"(?P<name>[^(),;:–—]{3,70}?)\s*(?:\((?P<inside>[^()]{3,120})\)"
            r"|(?:,|\s[-–—])\s+(?P<after>[^()]{3,120}))$",
            text,
        )
        if found is None:
            return None
        parts = found.group("name").split()
        if parts and parts[0].casefold() in self.stop:
            parts = parts[1:]
        name = self._marked_run(" ".join(parts))
        if not name or not (len(parts) >= 2 or re.search(r".[A-Z]", name)):
            return None
        if not self._marked_name_ok(name) or self._is_place(parts) or self._named_place(name):
            return None
        said = tokens(found.group("inside") or found.group("after") or "")
        if not set(said) & groups or set(said) & (self.org_words - groups - self.kinds):
            return None
        places = {t for p in self.places for t in tokens(p)}
        story = {
            t
            for qid, a in self.answers.items()
            if not qid.startswith("credit")
            for t in tokens(a.text)
        }
        own = {
            t
            for t in said
            if len(t) >= 4 and t not in groups | self.generic | places | self.stop | self.joining
        }
        if not own & story:
            return None
        return name, Unit(name, ("credit_org",), (), (), "credit_org", 0)

    def credited_name_place(self) -> tuple[str, Unit | None] | None:
        """The organisation credited as "<name>, <place>" ("Arrows & Memories, Wigan"), when
        nothing else names the project: a name of its own, not a body ("Wigan Council",
        "Age UK"), a place or a person ("Ken Hughes, Wigan"): two capitalised words alone
        are a name only with a small word or "&" between them, or a word the story says."""
        answer = answered(self.answers, "credit_org")
        if answer is None:
            return None
        text = " ".join(answer.text.split()).strip(" .!")
        found = re.fullmatch(r"(?P<name>[^(),;:]{3,70}?)\s*,\s*(?P<place>[^(),;:]{2,40})", text)
        if found is None:
            return None
        place = found.group("place").split()
        if not place or len(place) > 3 or not all(_capitalised(w) for w in place):
            return None
        parts = found.group("name").split()
        if parts and parts[0].casefold() in self.stop:
            parts = parts[1:]
        name = " ".join(parts)
        if len(parts) < 2 or self._run_from(_words(name), 0) != name:
            return None
        if any(len(p) > 1 and p.isupper() for p in parts):
            return None  # "Age UK", "NHS Fife": a body's acronym
        if not self._marked_name_ok(name) or self._named_place(name) or self._is_place(parts):
            return None
        credited = answered(self.answers, "credit_name")
        if credited is not None and set(tokens(name)) & set(tokens(credited.text)):
            return None  # the contributor's own name
        inner = [p for p in parts[1:-1] if not _capitalised(p)]
        story = {
            t
            for qid, a in self.answers.items()
            if not qid.startswith("credit")
            for w in a.text.split()
            if not _capitalised(w)
            for t in tokens(w)
        }
        own = {t for t in tokens(name) if len(t) >= 4} - self.generic
        if len(parts) < 3 and not inner and not own & story:
            return None
        return name, Unit(name, ("credit_org",), (), (), "credit_org", 0)

    def credited(self) -> tuple[str, Unit | None] | None:
        """A group given with the contributor's name for the credit ("Mairi MacNeil, from
        Ceòl is Còmhradh") when the story itself names nothing: the group they speak for."""
        answer = answered(self.answers, "credit_name")
        froms = self._titles("credit_from")
        if answer is None or not froms:
            return None
        match = re.search(
            rf"(?:,\s*|\s+)(?:{phrase_alternation(froms)})\s+(.+)$",
            " ".join(answer.text.split()),
            re.IGNORECASE,
        )
        if match is None:
            return None
        text = match.group(1).strip(" .!")
        if text.split()[0].casefold() in self.stop:
            text = " ".join(text.split()[1:])
        name = self._marked_run(text)
        parts = name.split()
        # "Jenna from Truro", "Jo from Moss Side": a town, unless the name's own small words
        # or length show a group ("Ceòl is Còmhradh", "Hulme Garden Share").
        inner = [p for p in parts[1:-1] if not _capitalised(p)]
        if len(parts) < 3 and not inner:
            return None
        if not name or not self._marked_name_ok(name) or self._is_place(name.split()):
            return None
        unit = Unit(name, ("credit_name",), (), (), "credit_name", 0)
        return name, unit

    def _named_place(self, name: str) -> bool:
        """A name ending in a word for a place or a building ("Victoria Park", "Leeds
        General Infirmary"): said in a later answer, it is where, not what."""
        return tokens(name)[-1:] != [] and tokens(name)[-1] in self.place_words

    def _run_from(self, words: list[_Word], start: int) -> str:
        """The capitalised name starting at ``words[start]`` ("Ceòl Còmhla", "Friends of the
        Park"), or "" when that word is not capitalised."""
        if start >= len(words) or not _capitalised(words[start].text):
            return ""
        taken = [words[start]]
        index = start + 1
        # A run longer than any usable name is cut there: a screenful of capitalised words
        # would otherwise be read again from every word.
        while index < len(words) and not taken[-1].ends_run and len(taken) <= MAX_NAME_WORDS:
            word = words[index]
            if word.text in self.pronouns:  # "called FOOD & FRIENDS I think"
                break
            if _capitalised(word.text):
                taken.append(word)
                index += 1
                continue
            following = words[index + 1] if index + 1 < len(words) else None
            inside = word.text.casefold() in self.joining or re.fullmatch(
                r"\d{1,3}(?:st|nd|rd|th)?", word.text, re.IGNORECASE
            )  # a small word or a number inside a name: "Friends of the Park", "2nd Helpings"
            if (
                inside
                and following is not None
                and _capitalised(following.text)
                and not word.ends_run
            ):
                taken += [word, following]
                index += 2
                continue
            break
        return " ".join(w.text for w in taken)

    def _usable_name(self, name: str) -> bool:
        words = name.split()
        if not words or len(name) > self.limit or len(words) > MAX_NAME_WORDS:
            return False
        if _plain(name) in self.employers:
            return False
        if self._now_only and re.sub(r"^the\s+", "", name.casefold()) in self._earlier_names:
            return False  # "it was called the Dads Lunch at first": not its name now
        if name.casefold() in {p.casefold() for p in self.places}:
            return False
        if name.casefold() in self.greetings or self.is_aside(name):
            return False  # "Sorry", "Hiya": a remark, never a name
        return not (words[0].casefold() in self.stop and len(words) == 1)

    def called(
        self, units: Sequence[Unit], *, echoing: bool = False, own_only: bool = False
    ) -> tuple[str, Unit] | None:
        cues = sorted(self._titles("name_cues"), key=len, reverse=True)
        this_is = sorted(self._titles("this_is"), key=len, reverse=True)
        cue_re = re.compile(
            rf"(?<![\w'’])(?:{'|'.join(re.escape(c) for c in cues)})\s+(?=\S)", re.IGNORECASE
        )
        this_re = re.compile(
            rf"(?<![\w'’])(?:{'|'.join(re.escape(c) for c in this_is)})\s+(?=[^\W\d_])",
            re.IGNORECASE,
        )
        for unit in units:
            for regex, needs_apposition in ((cue_re, False), (this_re, True)):
                for match in regex.finditer(unit.text):
                    rest = unit.text[match.end() :]
                    before = tokens(unit.text[: match.start()])[-1:]
                    if before and before[0] in self.callers and len(match.group(0).split()) == 1:
                        continue  # "we called the council": a call made ("call it" names)
                    if self.name_unknown & set(tokens(unit.text[: match.start()])[-3:]):
                        continue  # "no idea what its called": the name is not known
                    if before and before[0] in self.persons:
                        continue  # "a man called Gary": a person, never the project
                    said = _phrase(match.group(0))
                    if said.endswith(" by") and not re.match(rf"[{QUOTES}]?[A-Z0-9]", rest):
                        continue  # "it goes by the health centre": a way gone, not a name
                    quoted = re.match(rf"[{QUOTES}]([^{QUOTES}]{{2,60}})[{QUOTES}]", rest)
                    typed_lower = False
                    if quoted and not needs_apposition:
                        name = quoted.group(1).strip()
                    else:
                        words = _words(rest)
                        name = self._run_from(words, 0)
                        if not name and words[:1] and words[0].text.casefold() in self.stop:
                            name = self._run_from(words, 1)  # "as the Heeley Health Forum"
                            if (
                                needs_apposition
                                and name
                                and not self._opens_answer(unit, match.start())
                            ):
                                name = ""  # "it's the X" names the project when it opens
                        cue = _phrase(match.group(0))
                        if not name and not needs_apposition:
                            # "we call it the nettle patch"; "It's called the hive, a
                            # youth space": after a cue not the contributor's own naming,
                            # only a name set beside what it is.
                            own = cue in self.own_cues or self._typed_lower(unit)
                            name = self._restore_and(
                                self._lower_called(words, closed=not own), unit
                            )
                            typed_lower = True
                        if needs_apposition and name:
                            after = rest[rest.find(name) + len(name) :].lstrip()
                            # "its the Family Kitchen at our school": a name of two words or
                            # more that opens the project answer needs nothing beside it.
                            opening = (
                                len(name.split()) >= 2
                                and unit.home == "project"
                                and self._opens_answer(unit, match.start())
                                and self._could_be_project(name.split())
                                and not self._named_place(name)
                            )
                            if not opening and not re.match(r"(?:,|[-–—]|is\b)", after):
                                continue
                    cue = _phrase(match.group(0))
                    # In a later answer a name typed in lower case may be anything's ("a
                    # whiteboard ... its called you told us now"): it must echo the project.
                    echoed = (
                        not echoing
                        or (cue in self.own_cues and (not typed_lower or cue.endswith(" it")))
                        or (cue in self.it_cues and not typed_lower)
                        or self._echoes(name)
                    )
                    if own_only and (typed_lower or cue not in self.own_cues):
                        continue
                    if said.endswith(" by") and name and not self._own_name(name):
                        continue  # "we went by Leeds General Infirmary": where, not what
                    if (
                        name
                        and self._now_only
                        and self._earlier(unit.text[: match.start()], rest, name)
                    ):
                        continue  # "it was called the farmers supper at first": not now
                    if name and self._usable_name(name) and echoed:
                        return name, unit
        return None

    def _earlier(self, before: str, rest: str, name: str) -> bool:
        """The name opening ``rest`` is one the project had before: "called the farmers
        supper at first", "used to be called Youth Forum"."""
        marks = self._titles("earlier_name_marks")
        leads = self._titles("earlier_name_leads")
        if leads and re.search(
            rf"(?<![\w'’])(?:{phrase_alternation(leads)})\s*$", before.rstrip(), re.I
        ):
            return True
        at = re.search(re.escape(name), rest, re.IGNORECASE)
        if at is None or not marks:
            return False
        after = rest[at.end() :]
        return (
            re.match(rf"\s*,?\s*(?:{phrase_alternation(marks)})(?![\w'’])", after, re.I) is not None
        )

    @cached_property
    def _earlier_names(self) -> frozenset[str]:
        """Names (folded, without "the") the project had before, in any answer: "it was
        called the farmers supper at first", "used to be called Dads Lunch"."""
        cues = self._titles("name_cues")
        marks = self._titles("earlier_name_marks")
        leads = self._titles("earlier_name_leads")
        if not cues or not marks:
            return frozenset()
        cue = phrase_alternation(cues)
        then_re = re.compile(
            rf"(?<![\w'’])(?:{cue})\s+(?:the\s+)?(?P<name>[^,.;:!?]{{2,60}}?)\s*,?\s*"
            rf"(?:{phrase_alternation(marks)})(?![\w'’])",
            re.IGNORECASE,
        )
        lead_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(leads)})\s+(?:{cue})\s+(?=\S)"
            if leads
            else "(?!)",
            re.IGNORECASE,
        )
        earlier: set[str] = set()
        for unit in self.units:
            for match in then_re.finditer(unit.text):
                if len(match.group("name").split()) <= MAX_NAME_WORDS:
                    earlier.add(match.group("name").casefold())
            for match in lead_re.finditer(unit.text):
                name = self._name_after(unit.text[match.end() :])
                if name:
                    earlier.add(re.sub(r"^the\s+", "", name.casefold()))
        return frozenset(earlier)

    def quoted_pointed(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A quoted name that a naming points back to, or that names a crowd the
        contributor is one of, in any answer: "I'm one of the 'Sorting Office' crowd - thats
        what the shed called the project". "'Nice One' - that's what she said" names
        nothing."""
        leads = self._titles("named_before")
        verbs = self._titles("named_before_verbs")
        objects = self._titles("named_back_objects")
        crowds = self._titles("quoted_crowds")
        members = self._titles("crowd_members")
        if not leads or not verbs or not objects:
            return None
        crowd = rf"(?:\s+(?:{phrase_alternation(crowds)}))?" if crowds else ""
        back_re = re.compile(
            rf"['’\"”]{crowd}\s*[,–—-]?\s*(?:{phrase_alternation(leads)})\s+(?:\S+\s+){{0,3}}?"
            rf"(?:{phrase_alternation(verbs)})\s+(?:{phrase_alternation(objects)})(?![\w'’])",
            re.IGNORECASE,
        )
        member_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(members)})\s+$" if members else "(?!)",
            re.IGNORECASE,
        )
        crowd_re = re.compile(
            rf"['’\"”]\s+(?:{phrase_alternation(crowds)})(?![\w'’])" if crowds else "(?!)",
            re.IGNORECASE,
        )
        pattern = re.compile(r"[\"“„«]([^\"“”„«»]{2,60})[\"”»“]")
        for unit in units:
            found = [(m.start() + 1, m.group(1)) for m in pattern.finditer(unit.text)]
            found += _single_quoted(unit.text)
            for at, raw in sorted(found):
                name = raw.strip(" .,")
                end = at + len(raw)
                if not (_capitalised(name) and len(name.split()) <= MAX_NAME_WORDS):
                    continue
                backed = back_re.match(unit.text, end)
                member = member_re.search(unit.text[: max(0, at - 1)]) and crowd_re.match(
                    unit.text, end
                )
                # Named so by its people, a name may hold a body's word ("Sorting Office").
                if (backed or member) and self._could_be_project(
                    name.split(), organisations_allowed=True
                ):
                    return name, unit
        return None

    def pointed(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A capitalised name said right before a naming that points back to it, in any
        answer: "now the poster says Sheep Talk and everyone calls it that"."""
        pointed = self._titles("pointed_names")
        namers = self._titles("namers")
        if not pointed or not namers:
            return None
        between = self._namer_adverbs()
        cue = re.compile(
            rf"\s*,?\s*(?:and\s+)?(?:{phrase_alternation(namers)})\s+{between}"
            rf"(?:{phrase_alternation(pointed)})(?![\w'’])",
            re.IGNORECASE,
        )
        for name, core, unit in self._names_before(units, cue):
            if (
                self._could_be_project(core)
                and not self._named_place(name)
                and not self._partner(" ".join(core).casefold())
                and name.casefold() not in self.organisations
            ):
                return name if name.split()[0] == "The" else " ".join(core), unit
        return None

    def headline_named(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A pasted headline opening with the project's name before a colon: ""LinkUp
        Leitrim: how locals helped redraw rural bus routes""."""
        for unit in units:
            for found in re.finditer(
                r"(?:[\"“„«]([^\"“”„«»:]{2,50}):\s+[^\"“”„«»]{8,200}[\"”»“]"
                r"|(?<![\w'’])['‘]([^'‘’:]{2,50}):\s+[^‘’]{8,200}?['’](?![\w'’]))",
                unit.text,
            ):
                name = (found.group(1) or found.group(2)).strip()
                words = name.split()
                if (
                    1 <= len(words) <= 4
                    and all(_capitalised(w) or w.casefold() in self.joining for w in words)
                    and not self._is_place(words)
                    and self._usable_name(name)
                ):
                    return name, unit
        return None

    def cued(self, units: Sequence[Unit], *, now_said: bool = False) -> tuple[str, Unit] | None:
        """The name nearest a naming word in its own sentence, however the contributor put
        it: a capitalised name, an acronym or a quoted name close to "the name", "call it",
        "go by", "we're the", "change it to", "stuck" ... ("the name was my daughters idea,
        HALT - Health At Lorry Truckstops"; "we're the Wobbly Wanderers now"; "at the Hot
        Spot - thats what we call the lounge now"). A sentence saying what it is called
        "now" is read first; an acronym wins over the words it spells."""
        cues = self._titles("naming_words")
        if not cues:
            return None
        cue_re = re.compile(rf"(?<![\w'’])(?:{phrase_alternation(cues)})(?![\w'’])", re.IGNORECASE)
        now = self._titles("naming_now")
        now_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(now)})(?![\w'’])" if now else "(?!)",
            re.IGNORECASE,
        )
        back = self._titles("naming_back")
        back_re = re.compile(
            rf"(?:^(?:{phrase_alternation(back)})$)" if back else "(?!)", re.IGNORECASE
        )
        lower_cues = self._phrases("naming_lower")
        lower_one = self._phrases("naming_next_but_one")
        whole_cues = self._phrases("naming_whole")
        closing = self._phrases("naming_closing")
        own = self._titles("naming_of_own")
        of_else = re.compile(
            rf"\s+of\s+(?!(?:{phrase_alternation(own)})(?![\w'’]))" if own else r"\s+of\s",
            re.IGNORECASE,
        )
        past = self._phrases("naming_past")
        found: list[tuple[bool, int, bool, bool, int, str, Unit]] = []
        for order, unit in enumerate(units):
            text = unit.text
            # A naming points back to the name before it ("The Back Room, thats what the
            # kids named it", "we called it" closing its clause, "it stuck"), else on.
            # "Tuesday Soup is the name of the recipe book": the name of something else.
            marks = [
                (
                    m.start(),
                    m.end(),
                    bool(
                        back_re.match(m.group(0))
                        or re.search(r"(?<![\w'’])what\s+(?:\S+\s+){0,3}$", text[: m.start()])
                        or (
                            m.group(0).casefold().endswith((" it", " us"))
                            and re.match(r"\s*(?:now\s*)?(?:[.,;:!?–—-]|$)", text[m.end() :])
                        )
                    )
                    # "thats what its called now, the Long Table": said on, after a comma.
                    and not re.match(
                        r"\s*(?:now\s*)?,\s*(?:the\s+)?(?-i:[A-Z])", text[m.end() :], re.I
                    ),
                )
                for m in cue_re.finditer(text)
                if not of_else.match(text, m.end())
                # "so Thursday Blether it is": only where it closes what is said
                and (
                    _phrase(m.group(0)) not in closing
                    or re.match(r"\s*(?:[.,;:!?–—-]|$)", text[m.end() :])
                )
            ]
            later = not now_re.search(text)
            if later and now_said:
                continue
            for start, end, name, glossed in self._name_spans(text):
                # The way the naming points first; the other way only from closer by.
                gaps = [
                    (gap, _phrase(text[mark_start:mark_end]) in past)
                    for mark_start, mark_end, backward in marks
                    for gap in (
                        (mark_start - end, start - mark_end + 15)
                        if backward
                        else (start - mark_end, mark_start - end + 15)
                    )
                    if gap >= 0
                    and not (gap >= 15 and mark_start < end and start < mark_end)
                    and self._close_enough(text, mark_start, mark_end, start)
                ]
                # "It was called the Brockley Youth Forum ... so they renamed it, it's
                # Brockley Voices now": a name said as it was comes after one said as it is.
                # "we renamed it, it was Early Bird Club": so is one right after "it was".
                was_before = re.search(
                    r"(?<![\w'’])(?:was|used\s+to\s+be)\s+(?:the\s+)?$", text[:start], re.I
                )
                gap, was = (
                    (0, False)
                    if glossed
                    else min(
                        (g for g in gaps if g[0] <= 30),
                        key=lambda g: (g[1], g[0]),
                        default=(-1, False),
                    )
                )
                was = was or was_before is not None
                if gap >= 0 and self._cued_name_ok(name, text[:start]):
                    if len(name.split()) > 1 and name.isupper():
                        name = self._title_case(name.split())  # "DRY HOOSES"
                    found.append((later, order, False, was, gap, name, unit))
            # "suggested the name marsh hopper because ...": a name typed without capitals
            # right after the naming.
            for mark_start, mark_end, backward in marks:
                naming = _phrase(text[mark_start:mark_end])
                after = text[mark_end:]
                if naming in lower_one:  # "calling the boat the wee dipper"
                    after = re.sub(r"^\s*[^\W\d_]+\s+(?=the\s)", "", after, flags=re.IGNORECASE)
                    if after == text[mark_end:]:
                        continue
                elif backward or naming not in lower_cues | whole_cues:
                    continue
                # After "we call it" only all of the rest ("... the nettle patch because
                # ..." is read by who names it, with its "the").
                lower = (
                    self._lower_name(after, confirmed=True)
                    if naming in lower_cues | lower_one
                    else ""
                )
                rest = re.sub(r"[\s.!?…]+$", "", after).split()
                if (
                    naming in whole_cues
                    and 2 <= len(rest) <= LOWER_NAME_WORDS
                    and all(
                        w == w.casefold() and re.fullmatch(r"[^\W\d_][\w'’-]*", w) for w in rest
                    )
                ):
                    # "we called it say my name", closing what was said: all of it.
                    lower = self._title_case(rest)
                    if rest[0] in self.stop | self.callers | self.indefinite:
                        lower = ""
                if (
                    lower
                    and not cue_re.fullmatch(lower)  # "the name stuck"
                    # "calling the driver the boss": a nickname of one word is a person's
                    and (naming not in lower_one or len(lower.split()) > 1)
                    and lower.split()[0].casefold() not in self.callers
                    and self._cued_name_ok(lower, text[:mark_end])
                ):
                    found.append((later, order, True, False, 0, lower, unit))
        if not found:
            return None
        *_, name, unit = min(found, key=lambda f: f[:5])
        return name, unit

    def _close_enough(self, text: str, mark_start: int, mark_end: int, start: int) -> bool:
        """A naming that takes its name straight after it has it there: "so now its Colin
        Wheels", "called the fund Blàths" (one word between), never "now its warm LED"."""
        if start < mark_end:
            return True
        naming = _phrase(text[mark_start:mark_end])
        between = len(text[mark_end:start].split())
        if naming in self._phrases("naming_next"):
            return between == 0
        if naming in self._phrases("naming_next_but_one"):
            return between <= 1
        return True

    def _name_spans(self, text: str) -> list[tuple[int, int, str, bool]]:
        """Capitalised runs, acronyms and quoted names in ``text`` with where they stand and
        whether a gloss in brackets follows (which names it as well as any naming word); the
        words an acronym spells out beside it are not a name of their own."""
        glossed: set[int] = set()
        glosses = self._titles("name_glosses")
        gloss_re = re.compile(
            rf"\s*\((?:[^()]*?(?<![\w'’]))?(?:{phrase_alternation(glosses)})(?![\w'’])[^()]*\)"
            if glosses
            else "(?!)",
            re.IGNORECASE,
        )
        spans: list[tuple[int, int, str]] = []
        pieces = [
            (m.start(), m.end(), m.group(0).strip(_WORD_EDGE + ".,;:!?…"))
            for m in re.finditer(r"\S+", text)
        ]
        index = 0
        while index < len(pieces):
            start, _, word = pieces[index]
            if not _capitalised(word) or word in self.pronouns:
                index += 1
                continue
            taken = [index]
            at = index + 1
            while at < len(pieces) and len(taken) < MAX_NAME_WORDS:
                raw_before = text[pieces[at - 1][0] : pieces[at - 1][1]]
                if re.search(r"[.,;:!?)\]\"”’-]$", raw_before) and not re.fullmatch(
                    r"(?:[A-Z]\.)+[A-Z]?\.?", raw_before
                ):
                    break
                following = pieces[at][2]
                if _capitalised(following) and following not in self.pronouns:
                    taken.append(at)
                    at += 1
                    continue
                if (
                    following.casefold() in self.joining
                    and at + 1 < len(pieces)
                    and _capitalised(pieces[at + 1][2])
                ):
                    taken += [at, at + 1]
                    at += 2
                    continue
                break
            initial = start == 0 or re.search(r"[.!?]\s*$", text[:start]) is not None
            if initial:
                # "We're the Wobbly Wanderers": a capital only the sentence gave is no name.
                while taken and (
                    "'" in pieces[taken[0]][2]
                    or "’" in pieces[taken[0]][2]
                    or pieces[taken[0]][2].casefold()
                    in self.stop | self.joining | self.callers | self.pointing
                ):
                    taken = taken[1:]
            if taken and not (
                taken[0] == index
                and initial
                and len(taken) == 1
                and not re.search(r".[A-Z]", pieces[index][2])
                and not gloss_re.match(text, pieces[index][1])  # "Teolaí (... the Irish for"
            ):
                first, last = pieces[taken[0]], pieces[taken[-1]]
                raw = text[first[0] : last[1]].strip(_WORD_EDGE + ".,;:!?…")
                spans.append((first[0], last[1], raw))
            index = at
        quoted = [
            (m.start(1), m.end(1), m.group(1))
            for m in re.finditer(r"[\"“„«]([^\"“”„«»]{2,60})[\"”»“]", text)
        ]
        quoted += [(at, at + len(raw), raw) for at, raw in _single_quoted(text)]
        spans += [(a, b, n.strip(" .,")) for a, b, n in quoted if _capitalised(n.strip(" .,"))]
        # "a 'leefstraat' (living street in dutch/flemish)": a name in another language,
        # quoted and glossed.
        for a, b, n in [
            *quoted,
            *[
                (m.start(1), m.end(1), m.group(1))
                for m in re.finditer(r"(?<![\w'’])'([^\W\d_][\w'’ -]{1,40}?)'(?![\w'’])", text)
            ],
        ]:
            words = n.split()
            if (
                not _capitalised(n)
                and len(words) <= 3
                and all(w == w.casefold() for w in words)
                and gloss_re.match(text, b + 1)
            ):
                glossed.add(a)
                spans.append((a, b, self._title_case(words)))
        # "Hooyo Garden (hooyo is mum in somali)": a capitalised name glossed as well.
        glossed |= {a for a, b, _ in spans if gloss_re.match(text, b)}
        acronyms = {
            n.replace(".", "").casefold(): (a, b)
            for a, b, n in spans
            if re.fullmatch(r"(?:[A-Z]\.?){2,8}", n)
        }
        kept: list[tuple[int, int, str, bool]] = []
        for start, end, name in spans:
            initials = "".join(w[0] for w in name.split() if w.casefold() not in self.joining)
            if len(name.split()) > 1 and initials.casefold() in acronyms:
                continue  # "HALT - Health At Lorry Truckstops": the acronym names it
            kept.append((start, end, name, start in glossed))
        return kept

    def _cued_name_ok(self, name: str, before: str) -> bool:
        """A name near a naming word that could be the project's: never a person ("a man
        called Gary"), a place, a date, a body's acronym, a partner or an employer."""
        words = name.split()
        folded = [w.casefold() for w in words]
        if not words or len(words) > MAX_NAME_WORDS or folded[-1] in self.stop | self.joining:
            return False
        if folded[0] in self.stop and len(words) == 1:
            return False
        if any(w in self.date_words for w in folded) or any(w in self.acronyms for w in words):
            return False
        if len(words) == 1 and folded[0] in self.generic | self.greetings | self.kinds:
            return False
        persons = phrase_alternation(sorted(self.persons))
        if persons and re.search(
            rf"(?<![\w'’])(?:{persons})\s+(?:\S+\s+){{0,2}}$", before, re.IGNORECASE
        ):
            return False  # "a man called Gary"
        if set(folded) <= self._credited_people:
            return False
        if self._named_place(name) or self._is_place(words):
            return False
        if any(w.strip("'’") in self.org_words - self.kinds for w in folded) and not (
            len(words) > 1
        ):
            return False
        if self._partner(" ".join(folded)):
            return False
        return self._usable_name(name)

    def _opens_answer(self, unit: Unit, at: int) -> bool:
        """``at`` opens ``unit``'s sentence, or follows only a greeting or an aside before
        it in the project answer ("Salaam! its the Family Kitchen ...")."""
        before = unit.text[:at].strip(" ,!.-–—")
        if not before:
            return True
        return all(w in self.greetings for w in tokens(before)) or self.is_aside(before)

    def _restore_and(self, name: str, unit: Unit) -> str:
        """A name keeps the "n" or "&" it was typed with ("Splash n Natter"), where the
        tidier wrote "and" in the sentence."""
        typed = [c.original for c in unit.changes if c.replacement.casefold() == "and"]
        if not typed or not re.search(r"(?<![\w'’])and(?![\w'’])", name, re.IGNORECASE):
            return name
        return re.sub(r"(?<![\w'’])and(?![\w'’])", typed[0], name, count=1, flags=re.IGNORECASE)

    def _lower_called(self, words: list[_Word], *, closed: bool = False) -> str:
        """A name typed without capitals after its cue, up to the first word that goes on
        with the sentence ("the nettle patch because ..."), in capitals for the title;
        ``closed``: only one a comma closes before "a", "an" or "the" ("the hive, a ...")."""
        if closed:
            ends = [i for i, w in enumerate(words[:MAX_NAME_WORDS]) if w.ends_run]
            after = words[ends[0] + 1].text.casefold() if ends and ends[0] + 1 < len(words) else ""
            if not ends or after not in self.indefinite | {"the"}:
                return ""
            words = words[: ends[0] + 1]
        taken: list[str] = []
        for at, word in enumerate(words[: MAX_NAME_WORDS + 1]):
            folded = word.text.casefold()
            following = words[at + 1].text.casefold() if at + 1 < len(words) else ""
            joins = (  # "splash n natter": "and" between two words of the name
                folded == "and"
                and taken
                and not taken[-1].endswith((",", ";"))
                and following
                and following not in self.stop | self.name_ends | self.joining
            )
            if not joins and (
                folded in self.name_ends or (taken and folded in self.stop - self.joining)
            ):
                # "we called it say my name" closing the answer: a small word inside is
                # part of it when the name runs on to the end in at most four words.
                rest = [w.text for w in words[at:]]
                while rest and rest[-1].casefold() in self.trailing:
                    rest.pop()  # "... fix it fridays now", "... lol"
                if (
                    taken
                    and (folded not in self.name_ends or folded in self.name_inner)
                    and len(taken) + len(rest) <= LOWER_NAME_WORDS
                    and not any(w.ends_run for w in words[:at])
                    and all(
                        w == w.casefold()
                        and (w.casefold() not in self.name_ends or w.casefold() in self.name_inner)
                        for w in rest
                    )
                ):
                    taken += rest
                break
            if not taken and folded in {"a", "an"}:
                return ""  # "we call it a community garden": what it is, not a name
            if not taken and folded in self.pointing:
                return ""  # "everyone calls it that": the name was said before
            taken.append(word.text)
            if word.ends_run:
                break
        while taken and taken[-1].casefold() in self.stop | self.joining:
            taken.pop()
        folded_all = [t.casefold() for t in taken]
        if (
            not taken
            or len(taken) > MAX_NAME_WORDS - 1
            or all(t in self.generic or len(t) < 3 for t in folded_all)
        ):
            return ""
        return self._title_case(taken)

    def _run_ending(self, text: str) -> str:
        """The longest capitalised name that ends ``text`` ("... for The Back Room")."""
        words = _words(text)
        for start in range(max(0, len(words) - MAX_NAME_WORDS), len(words)):
            run = self._run_from(words, start)
            if run and len(run.split()) == len(words) - start:
                return run
        return ""

    def _names_before(
        self, units: Sequence[Unit], cue: re.Pattern[str]
    ) -> Iterator[tuple[str, list[str], Unit]]:
        """Each capitalised name that ends right before a match of ``cue``, with its words
        less a leading small word ("The", "our"), and the answer sentence it is in."""
        for unit in units:
            for match in cue.finditer(unit.text):
                name = self._run_ending(unit.text[: match.start()])
                parts = name.split()
                core = parts[1:] if parts and parts[0].casefold() in self.stop else parts
                if core:
                    yield name, core, unit

    def named_before(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name said before its own cue, in any answer: "The Back Room, that's what the
        kids named it" (the contributor's own naming, so trusted wherever it is said)."""
        leads = self._titles("named_before")
        verbs = self._titles("named_before_verbs")
        if not leads or not verbs:
            return None
        cue = re.compile(
            rf"\s*[,–—-]?\s*(?:{phrase_alternation(leads)})\s+(?:\S+\s+){{0,3}}?"
            rf"(?:{phrase_alternation(verbs)})\s+it\b",
            re.IGNORECASE,
        )
        for name, core, unit in self._names_before(units, cue):
            if self._could_be_project(core):
                return name if name.split()[0] == "The" else " ".join(core), unit
        return None

    def spelled_out(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """An acronym followed by the words it stands for, in brackets, in any answer ("that
        became SHAY (sexual health ask youth)"): a name someone made, and explained. Only as
        a name: after a naming cue ("became", "called", "it's"), opening its sentence ("SWAP
        (...) started as ...") or as "the SHAY (...) project"; "they have many DNA (did not
        attend)" uses a word, and names nothing."""
        leads = [
            *self._titles("acronym_leads"),
            *self._titles("name_cues"),
            *self._titles("founder_cues"),
        ]
        lead_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(leads)})\s+(?:the\s+)?$" if leads else "(?!)",
            re.IGNORECASE,
        )
        kind_re = re.compile(
            rf"\s*(?:{phrase_alternation(sorted(self.kinds))})(?![\w'’])" if self.kinds else "(?!)",
            re.IGNORECASE,
        )
        for unit in units:
            for match in re.finditer(r"(?<![\w'’])([A-Z]{3,8})\s*\(([^()]{5,80})\)", unit.text):
                acronym, words = match.group(1), re.findall(r"[^\W\d_][\w'’-]*", match.group(2))
                initials = "".join(w[0] for w in words).upper()
                small = "".join(w[0] for w in words if w.casefold() not in self.joining).upper()
                if acronym not in {initials, small} or acronym in self.acronyms:
                    continue
                before = unit.text[: match.start()]
                bare = re.sub(r"(?i)(?<![\w'’])the\s*$", "", before)
                if (
                    lead_re.search(before)
                    or self._opens_answer(unit, len(bare))
                    or (bare != before and kind_re.match(unit.text, match.end()))
                ):
                    return acronym, unit
        return self.defined(units) or self.acronym_named(units)

    def acronym_named(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """An acronym said after "the name" ("the name SOFA"), or a dotted one that then
        "came from" somewhere, or that is followed in its sentence by a mark and capitalised
        words whose initials spell it ("the name S.O.F.A came from that meeting - Starting
        Out, First Address"): kept as the contributor wrote it, dots and all. "e.g.", "a.m.",
        a body ("NHS") or "my PIP came from the DWP" names nothing."""
        cues = self._titles("acronym_name_cues")
        after = self._titles("acronym_name_after")
        marks = self._titles("acronym_defined")
        before_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(cues)})\s+$" if cues else "(?!)", re.IGNORECASE
        )
        after_re = re.compile(
            rf"\s+(?:{phrase_alternation(after)})(?![\w'’])" if after else "(?!)", re.IGNORECASE
        )
        mark_re = re.compile(
            rf"\s*(?:{phrase_alternation(marks)}|\()\s*" if marks else r"\s*\(\s*",
            re.IGNORECASE,
        )
        acronym_re = re.compile(r"(?<![\w.'’])((?:[A-Z]\.){2,7}[A-Z]\.?|[A-Z]{3,8})(?![\w'’])")
        for unit in units:
            for match in acronym_re.finditer(unit.text):
                acronym = match.group(1)
                if acronym.endswith(".") and acronym.count(".") > 2:
                    acronym = acronym[:-1]  # "S.O.F.A." closing a sentence
                letters = acronym.replace(".", "")
                if len(letters) < 3 or letters in self.acronyms:
                    continue
                rest = unit.text[match.end() :]
                if before_re.search(unit.text[: match.start()]):
                    return acronym, unit
                # Plain capitals before "came from" may be a benefit or a body ("my PIP came
                # from the DWP"): only a dotted acronym is a name by what follows it.
                dotted = "." in acronym
                if dotted and (after_re.match(rest) or self._spelled_after(rest, letters, mark_re)):
                    return acronym, unit
        return None

    def _spelled_after(self, rest: str, letters: str, mark_re: re.Pattern[str]) -> bool:
        """``rest`` holds, after a mark, capitalised words whose initials spell ``letters``
        (small words between them aside): "... - Starting Out, First Address"."""
        for mark in mark_re.finditer(rest):
            words = re.findall(r"[^\W\d_][\w'’-]*", rest[mark.end() :])
            initials = "".join(
                w[0] for w in words[: len(letters) * 2] if w.casefold() not in self.joining
            ).upper()
            said = [w for w in words if w.casefold() not in self.joining][: len(letters)]
            if initials.startswith(letters) and all(_capitalised(w) for w in said):
                return True
        return False

    def defined(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """An acronym defined by words in capitals whose initials spell it, in any answer,
        and said elsewhere as a body ("I co-chair DASH group. DASH = Deaf Access to
        Services and Health"): a name someone made. "2 = 3 hours", "DNA = did not attend"
        or a term explained ("EHCP = Education Health Care Plan") names nothing."""
        marks = self._titles("acronym_defined")
        if not marks:
            return None
        define_re = re.compile(
            rf"(?<![\w'’])([A-Z]{{3,8}})\s*(?:{phrase_alternation(marks)})\s*"
            rf"((?:[^\W\d_][\w'’-]*\s*){{2,12}})",
        )
        for unit in units:
            for match in define_re.finditer(unit.text):
                acronym, words = match.group(1), match.group(2).split()
                # A name only when it is also said as one, before a kind of body ("I
                # co-chair DASH group"): "EHCP = Education Health Care Plan" explains a word.
                kind_after = re.compile(
                    rf"(?<![\w'’]){acronym}\s+(?:{phrase_alternation(sorted(self.kinds))})"
                    r"(?![\w'’])",
                    re.IGNORECASE,
                )
                if acronym in self.acronyms or not any(
                    kind_after.search(u.text) for u in self.units
                ):
                    continue
                for end in range(len(words), 1, -1):
                    said = words[:end]
                    # Its words in capitals, but for small ones ("to", "and") between them.
                    if not all(
                        _capitalised(w) or (w.casefold() in self.joining or len(w) <= 3)
                        for w in said
                    ) or not (_capitalised(said[0]) and _capitalised(said[-1])):
                        continue
                    initials = "".join(w[0] for w in said).upper()
                    capitals = "".join(w[0] for w in said if _capitalised(w))
                    if acronym in {initials, capitals}:
                        return acronym, unit
        return None

    def named_opening(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A sentence that opens with the name, then who called it so: "amader radio we
        called it at first on the whatsapp", "Tea Towers the kids named it"."""
        namers = self._titles("namers")
        verbs = self._titles("named_before_verbs")
        if not namers or not verbs:
            return None
        cue = re.compile(
            rf"^(?P<name>[^,;:.!?]{{3,40}}?)\s+(?:(?:{phrase_alternation(namers)})\s+"
            rf"(?:{phrase_alternation(verbs)}|calls|named|call)\s+it"
            rf"|(?:we're|we’re|we\s+are|its|it's|it’s)\s+called)(?![\w'’])",
            re.IGNORECASE,
        )
        for unit in units:
            match = cue.match(unit.text)
            if match is None:
                continue
            said = match.group("name").split()
            if len(said) > MAX_NAME_WORDS - 1:
                continue
            folded = [w.casefold() for w in said]
            if folded[0] in self.stop | self.pointing | self.name_ends:
                continue
            if self.name_unknown & set(folded):
                continue  # "no idea what its called"
            if all(w in self.generic or len(w) < 3 for w in folded):
                continue
            # typed without capitals, bar the one a sentence opens with
            lower = all(w == w.casefold() for w in said[1:]) and said[0][1:] == said[0][1:].lower()
            name = self._title_case(said) if lower else " ".join(said)
            if self._usable_name(name) and self._own_name(name):
                return name, unit
        return None

    def apposition(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A name set beside the kind of project it is, in the project answer: "Warm Homes
        Wrexham, a partnership of ..."; never an organisation ("X Council, a ...")."""
        kinds = self._titles("apposition_kinds")
        if not kinds:
            return None
        cue = re.compile(
            rf",\s+(?:a|an|the)\s+(?:[\w'’-]+\s+){{0,2}}?"
            rf"(?:{phrase_alternation(kinds)})\b",
            re.IGNORECASE,
        )
        for name, core, unit in self._names_before(units, cue):
            # The kind says it is a project, so a word such as "Homes" may stand in it.
            if len(core) >= 2 and self._could_be_project(core, organisations_allowed=True):
                return name, unit
        return None

    def named(self, units: Sequence[Unit]) -> tuple[str, Unit] | None:
        """A capitalised name of two words or more after the word "name" in the same
        sentence: "they picked the name, Brain Gym Club", Welsh "Enw'r clwb ydy Criw Cei"."""
        words_for_name = self._titles("name_words")
        if not words_for_name:
            return None
        name_re = re.compile(
            rf"(?<![\w'’])(?:{phrase_alternation(words_for_name)})(?![\w-])", re.IGNORECASE
        )
        copulas = self._titles("name_copulas")
        copula_re = re.compile(
            rf"(?:\s+[\w'’-]+){{0,2}}?\s+(?:{phrase_alternation(copulas)})\s+"
            if copulas
            else "(?!)",
            re.IGNORECASE,
        )
        for unit in units:
            match = name_re.search(unit.text)
            if match is None:
                continue
            # "Enw'r prosiect yw Cwtch": right after "name ... is", one word is a name.
            said = copula_re.match(unit.text, match.end())
            if said is not None:
                first = self._run_from(_words(unit.text[said.end() :]), 0)
                if first and self._marked_name_ok(first) and not self._is_place(first.split()):
                    return first, unit
            words = _words(unit.text[match.end() :])
            for start in range(len(words)):
                run = self._run_from(words, start).split()
                if len(run) >= 2 and self._could_be_project(run):
                    return " ".join(run), unit
        return None

    def quoted(self, units: Sequence[Unit], *, echoing: bool = False) -> tuple[str, Unit] | None:
        pattern = re.compile(r"[\"“„«]([^\"“”„«»]{2,60})[\"”»“]")
        for unit in units:
            found = [(m.start(), m.group(1), False) for m in pattern.finditer(unit.text)]
            found += [(at, q, True) for at, q in _single_quoted(unit.text)]
            for _, raw, single in sorted(found):
                name = raw.strip(" .,")
                # Between single quotes a name ends on a capitalised word: "'Gardd y Capel'",
                # never an elision such as "'S e cafaidh bheag a th'".
                if single and not re.match(r"[A-Z0-9]", name.split()[-1][:1] or "x"):
                    continue
                if not (_capitalised(name) and len(name.split()) <= 6):
                    continue
                if self._usable_name(name) and (
                    not echoing or self._echoes(name) or self._holds_place(name)
                ):
                    return name, unit
        return None

    def repeated(self) -> tuple[str, Unit | None] | None:
        """A capitalised name of two words or more (or one such as "Re-Connect") said in the
        project answer and in another answer, that is not an organisation or a place."""
        seen: dict[str, dict[str, int]] = defaultdict(dict)  # name -> question -> mid-sentence
        spelled: dict[str, str] = {}
        first_unit: dict[str, Unit] = {}
        for unit in self.units:
            words = _words(unit.text)
            for start in range(len(words)):
                run = self._run_from(words, start).split()
                if any(w.casefold().strip("'’") in self.org_words for w in run):
                    continue  # part of an organisation's name ("Al-Noor Mosque")
                for end in range(1, len(run) + 1):
                    name = " ".join(run[:end])
                    if not self._could_be_project(run[:end]):
                        continue
                    key = name.casefold()
                    mid = 0 if words[start].initial else 1
                    seen[key][unit.home] = max(seen[key].get(unit.home, 0), mid)
                    spelled.setdefault(key, name)
                    first_unit.setdefault(key, unit)
        candidates = [
            (len(questions), sum(questions.values()), len(key), key)
            for key, questions in seen.items()
            if len(questions) >= 2
            and not self._partner(key)
            and ("project" in questions or (self._echoes(key) and not self._named_place(key)))
        ]
        if not candidates:
            return None
        best = max(candidates)
        return spelled[best[3]], first_unit[best[3]]

    @cached_property
    def _listed_in_who(self) -> frozenset[str]:
        """Names that are a whole item of the list of who took part ("riders, Cycle
        Sheffield, the Refugee Council"): partners beside the project, not the project."""
        who = answered(self.answers, "who")
        if who is None:
            return frozenset()
        items = re.split(r"\s*(?:[,;\n]|\band\b|&)\s*", who.text)
        listed: set[str] = set()
        for item in items:
            words = item.strip(" .!").split()
            if words and words[0].casefold() in self.stop:
                words = words[1:]
            if len(words) >= 2 and all(_capitalised(w) or w in self.joining for w in words):
                listed.add(" ".join(words).casefold())
        return frozenset(listed)

    @cached_property
    def _credited_people(self) -> frozenset[str]:
        """The words of the name the contributor gave for the credit: a person, never the
        project's name."""
        answer = answered(self.answers, "credit_name")
        if answer is None:
            return frozenset()
        said = re.split(r"(?:,|\s+(?:from|at|of|for|with)\s+)", answer.text, maxsplit=1)[0]
        return frozenset(t for t in tokens(said) if len(t) >= 3)

    def _partner(self, name: str) -> bool:
        """``name`` (folded) is one of the partners listed in who took part, or a part of one."""
        return any(f" {name} " in f" {partner} " for partner in self._listed_in_who)

    def _could_be_project(self, parts: list[str], *, organisations_allowed: bool = False) -> bool:
        if not parts:
            return False
        folded = [p.casefold() for p in parts]
        if folded[0] in self.stop | self.joining or folded[-1] in self.stop | self.joining:
            return False
        if len(parts) == 1 and not re.search(r".[A-Z-]", parts[0]):
            return False
        dated = any(p in self.date_words for p in folded) and not (
            organisations_allowed and len(parts) > 1  # "The Friday Club is a ..."
        )
        if dated or any(p in self.acronyms for p in parts):
            return False
        if not organisations_allowed and any(p.strip("'’") in self.org_words for p in folded):
            return False
        if all(p.isupper() for p in parts):
            return False
        name = " ".join(folded)
        if any(name in p.casefold() for p in self.places):
            return False
        return self._usable_name(" ".join(parts))

    def described(self, unit: Unit) -> DraftSentence | None:
        """A short description from what the project is, and where when it fits."""
        text = strip_emoji(unit.text).strip().rstrip(".!?… ")
        # "disabled people walk (and roll ♿) round the streets": an aside in brackets is
        # the summary's to keep; the title says what the project is without it.
        unbracketed = re.sub(r"\s+\([^()]*\)", "", text)
        if len(tokens(unbracketed)) >= 3:
            text = unbracketed
        # "my neighbour's lad is on this - the council let young people ...": how the
        # contributor is linked to it says nothing of what it is.
        linked = link_opener_end(text, self.language)
        if linked and len(tokens(text[linked:])) >= 3:
            text = text[linked:]
        # "Saw this on Facebook: young people run a radio station": a short lead-in before a
        # colon is a label or a remark; what follows says what the project is.
        lead_in = re.match(r"([^:]{1,50}):\s+(.+)", text)
        if lead_in and len(tokens(lead_in.group(1))) <= 6 and len(tokens(lead_in.group(2))) >= 3:
            text = lead_in.group(2)
        text = self._without_report_lead(text)
        remarks = self._titles("telling_remarks")
        remark = re.match(
            rf"(?:\S+\s+){{0,3}}?(?:{phrase_alternation(remarks)})[^,;:.!?–—-]*[,;:.!?–—-]+\s*",
            text,
            re.IGNORECASE,
        )
        if remarks and remark and len(tokens(text[remark.end() :])) >= 2:
            text = text[remark.end() :]  # "its hard to explain, its bikes basically"
        openings = sorted(self._titles("openings"), key=len, reverse=True)
        opening_re = re.compile(
            rf"^(?:{'|'.join(re.escape(o) for o in openings)})(?:\s*,)?\s+", re.IGNORECASE
        )
        previous = None
        while previous != text:
            previous = text
            stripped = opening_re.sub("", text, count=1)
            dated = date_matches(stripped, self.language)[:1]
            if dated and dated[0].start() == 0:  # "In 2024 we ...", "Last spring, we ..."
                stripped = stripped[dated[0].end() :].lstrip(" ,")
            if len(tokens(stripped)) >= 2:
                text = stripped
        # "its a thing where young people ...": the vague word says nothing; what follows does.
        vague_lead = re.match(
            r"(?:a\s+)?(?:thing|one|something)\s+(?:where|that|which)\s+", text, re.IGNORECASE
        )
        if vague_lead and len(tokens(text[vague_lead.end() :])) >= 3:
            text = text[vague_lead.end() :]
        for place in self.places:  # "In Govanhill people ...": the place is added at the end
            lead = re.match(rf"(?:in|at)\s+{re.escape(place)}\s*,?\s+", text, re.IGNORECASE)
            if lead and len(tokens(text[lead.end() :])) >= 3:
                text = text[lead.end() :]
                break
        breaks = self._titles("clause_breaks")
        relative = {" who ", " which ", " where "}

        def clause_end(text: str, least_relative: int = 3) -> int:
            """Where the first clause of at least three words ends (at least
            ``least_relative`` before "who", "which" or "where"). A word break right after
            a verb wanting what follows ("deciding which groups get money", "working with
            the council") is passed over."""
            cut = len(text)
            for mark in breaks:
                at = _clause_break(text, mark)
                while at > 0 and mark[:1] == " " and self._open_end(text[:at]):
                    at = text.find(mark, at + 1)
                least = least_relative if mark in relative else 3
                if at > 0 and len(tokens(text[:at])) >= least:
                    cut = min(cut, at)
            return cut

        # "Ni'n rhedeg y farchnad ... - sorry, me and the other traders run the indoor market
        # hall": a clause mostly not English, then the contributor's own English, which the
        # title is written from (after the "sorry" or "I mean" that opens it).
        cut = clause_end(text)
        rest = text[cut:].lstrip(" ,;:-–—")
        if cut < len(text) and self._not_english(text[:cut]) and reads_as_english(rest):
            cues = pack_words(self.language, "corrections", "cues")
            text = re.sub(
                rf"^(?:{phrase_alternation([*cues, 'in english'])})(?![\w'’])[\s,:;-]*",
                "",
                rest,
                flags=re.IGNORECASE,
            )
        # "people who had been homeless sat on the panel": a clause that says who.
        cut = clause_end(text, least_relative=4)
        vague = {w.casefold() for w in self._titles("vague_words")}
        rest = text[cut:].lstrip(" ,;:-–—")
        if cut < len(text) and self.is_aside(text[:cut]) and len(tokens(rest)) >= 3:
            # "sorry not sure this counts but my sister ...": the remark says nothing of it
            text = re.sub(r"^(?:but|and|so)\s+", "", rest, flags=re.IGNORECASE)
            cut = clause_end(text)
            rest = text[cut:].lstrip(" ,;:-–—")
        if tokens(text[:cut])[-1:] and tokens(text[:cut])[-1] in vague and len(tokens(rest)) >= 3:
            text = rest  # "the Hillside one, re-designing support for carers": the second says
            cut = clause_end(text)
        text = text[:cut].strip(" ,;:-–—")
        chatter = "|".join(re.escape(w) for w in self._titles("chatter"))
        if chatter:  # "Guerrilla gardening crew on our estate lol": the summary keeps the "lol"
            quiet = re.sub(rf"(?i)\s*(?<![\w'’-])(?:{chatter})(?![\w'’-])", "", text).strip()
            text = quiet if tokens(quiet) else text
        after_but = re.match(r"but\s+", text, re.IGNORECASE)  # "not mine but the new ..."
        if after_but and len(tokens(text[after_but.end() :])) >= 3:
            text = text[after_but.end() :]
        text = self._fit(text, self.limit)
        # An ellipsis the contributor typed ("…and then") never opens or closes a title: one
        # there reads as cut.
        text = re.sub(r"^(?:…|\.{2,})+\s*|\s*(?:…|\.{2,})+$", "", text)
        text = re.sub(r"\s*…\s*", " ", text)  # nor stands inside one ("0…A")
        if not tokens(text):
            return None
        cited = list(unit.question_ids)
        if self.places and not any(_mentions(text, p) for p in self.places):
            place = self.places[0]
            if len(text) + 2 + len(place) <= self.limit:
                text = f"{text}, {place}"
                cited.append("place_when")
        first = re.match(r"[^\W\d_][\w'’-]*", text)
        if first and first.group(0).islower() and re.search(r"[aeiouy]", first.group(0)):
            text = text[:1].upper() + text[1:]
        return DraftSentence(text, tuple(dict.fromkeys(cited)), "", (), unit.changes)

    def _not_english(self, text: str) -> bool:
        """A clause of an English interview that is in another language: four words or
        more, none of them an everyday English word ("the", "and", "they", ...), and one a
        word of another language ("ni", "yn") or written with a letter English has not."""
        if self.language != DEFAULT_LANGUAGE:
            return False
        english = {w.casefold() for w in pack_words(DEFAULT_LANGUAGE, "tidy", "english_words")}
        others = {
            w.casefold() for w in pack_words(DEFAULT_LANGUAGE, "tidy", "other_language_markers")
        }
        words = [w.casefold() for w in re.findall(r"[^\W\d_][\w'’]*", text)]
        parts = {p.casefold() for p in re.findall(r"[^\W\d_]+", text)}
        foreign = bool(parts & others) or re.search(r"[^\x00-\x7f]", "".join(words)) is not None
        return len(words) >= 4 and not english & set(words) and foreign

    def _without_report_lead(self, text: str) -> str:
        """Without how the contributor came to know of it ("saw on the news a load of
        people ...", "heard on Radio Leeds that ..."): what follows says what was done."""
        verbs = self._titles("report_verbs")
        sources = self._titles("report_sources")
        if not verbs or not sources:
            return text
        lead = re.match(
            rf"(?:(?:i|we)\s+)?(?:{phrase_alternation(verbs)})\s+(?:(?:this|it|about)\s+)?"
            rf"(?:on|in|at|from|via)\s+(?:\S+\s+){{0,3}}?(?:{phrase_alternation(sources)})"
            rf"(?![\w'’])(?:\s+(?-i:[A-Z])[\w'’-]*){{0,2}}[\s,:;-]*(?:(?:that|about|how)\s+)?",
            text,
            re.IGNORECASE,
        )
        if lead is None:
            # "went to the local museum at the weekend and there was an exhibition about ...":
            # the visit is how they came to know; what they found there is the project.
            lead = re.match(
                r"(?:(?:i|we)\s+)?(?:went|popped|go)\s+(?:in)?to\s+[^,.;:!?]{3,60}?\s+and\s+"
                r"(?:there\s+was|there's|there\s+were|they\s+had|(?:i|we)\s+saw)\s+",
                text,
                re.IGNORECASE,
            )
        if lead is None:
            # "heard the library on Hessle Road lets ...": the verb alone, then what was heard.
            lead = re.match(
                rf"(?:(?:i|we)\s+)?(?:{phrase_alternation(verbs)})\s+"
                rf"(?:(?:that|about)\s+(?:how\s+)?)?(?=(?:the|a|an|some|local)\s)",
                text,
                re.IGNORECASE,
            )
            if lead is None or len(tokens(text[lead.end() :])) < 4:
                return text
        if len(tokens(text[lead.end() :])) < 3:
            return text
        return text[lead.end() :]

    def _open_end(self, text: str) -> bool:
        """Whether ``text`` ends on a verb wanting what follows it ("young people deciding",
        "residents working"), not on one that ends a clause ("the route got changed")."""
        words = [w.casefold() for w in tokens(text)]
        if len(words) >= 2 and words[-1] in self._phrases("reflexives"):
            words = words[:-1]  # "teenagers deciding themselves" still wants what they decide
        if not words or words[-1] not in self._phrases("open_verbs"):
            return False
        # "the route got changed", "it was just changed", "we got a bus route changed": the
        # verb is done with ("who'd been in hospital worked" is not).
        leads = self._phrases("passive_leads")
        causing = self._phrases("causative_leads")
        passive = any(w in leads for w in words[-3:-1]) or any(w in causing for w in words[-5:-1])
        return not (passive and words[-1].endswith(("ed", "ne", "wn", "lt", "nt")))

    def _fit(self, text: str, limit: int) -> str:
        """At most ``limit`` characters, cut between words, never ending on "the" or "with",
        nor on a verb or word that leads into what the cut left out."""
        dangling = self.stop | self.joining | {"to", "for", "with", "in", "on", "at", "by", "of"}
        dangling |= {"how", "what", "why", "whether", "if", "than", "or"}  # "decide how"
        dangling |= {"got", "get", "gets", "is", "are", "was", "were", "has", "have", "had", "let"}
        words = text.split()
        if len(text) <= limit:
            return text.strip(" ,;:-–—" + OPENERS)  # a whole clause as written ("drop in")
        dangling |= self._phrases("open_words")

        def ends_open(kept: list[str]) -> bool:
            last = kept[-1].casefold().strip(",;:")
            return last in dangling or self._open_end(" ".join(kept))

        after = ""  # the first word left out
        while words and (len(" ".join(words)) > limit or ends_open(words)):
            after = words.pop()
        # A phrase the cut broke off is left out whole: "... to spend £150,000 of the ward"
        # ends at "£150,000", not inside "of the ward budget"; "... with the bus company so
        # drivers" ends at "company".
        prepositions = self._phrases("phrase_openers")
        clauses = self._phrases("clause_openers")
        cuts = sorted(
            len(words) - back
            for back in range(1, min(8, len(words) - 3) + 1)
            if words[-back].casefold() in clauses
        )
        # Else it ends where a phrase does, unless "of" follows ("in front" of the school).
        if after.casefold() == "of" or after.casefold() not in prepositions | clauses:
            cuts += [
                len(words) - back
                for back in range(1, min(3, len(words) - 3) + 1)
                if words[-back].casefold() in prepositions
            ][:1]
        for at in cuts:
            if not ends_open(words[:at]):
                words = words[:at]
                break
        fitted = " ".join(words).strip(" ,;:-–—" + OPENERS)
        if not fitted:  # nothing but small words ("then then then ..."): cut by length only
            words = text.split()
            while len(words) > 1 and len(" ".join(words)) > limit:
                words.pop()
            # One "word" longer than a title (a pasted code, a key held down) is cut, or
            # the draft would have no title at all.
            fitted = " ".join(words)[:limit].strip(" ,;:-–—" + OPENERS)
        return fitted

    # -- summary --

    def summary(self, own: Sequence[Unit], together: Sequence[str]) -> list[DraftSentence]:
        """The project's own sentences, then where and when, then who did what together."""
        sentences = [u.sentence() for u in own]
        where_when = self.where_and_when()
        if where_when is not None:
            sentences.append(where_when)
        who = self.who_together(together)
        if who is not None:
            sentences.append(who)
        return sentences

    def where_and_when(self) -> DraftSentence | None:
        place = ", ".join(self.places[:2])
        when, cited = "", ["place_when"] if place else []
        changes: tuple[Change, ...] = ()
        for qid in ("place_when", "project", "origin"):
            units = [u for u in self.units if u.home == qid]  # corrections applied
            found = [(self._when(u), u) for u in units]
            found = [(w, u) for w, u in found if w]
            if found:
                when, unit = found[0]
                cited += unit.question_ids
                # The tidier's words in the span travel with it ("ppl" became "people").
                said = set(tokens(when))
                changes = tuple(c for c in unit.changes if set(tokens(c.replacement)) & said)
                break
        leads = sorted(pack_words(self.language, "dates", "leading"), key=len, reverse=True)
        lead_re = re.compile(rf"^(?:{'|'.join(re.escape(w) for w in leads)})\s+", re.IGNORECASE)
        if leads and (not place or when.casefold().startswith("in ")):
            when = lead_re.sub("", when)
        elif leads and lead_re.match(when):
            when = when[:1].lower() + when[1:]  # "Since 2021." opened its sentence
        prepositions = {
            w.casefold() for w in pack_words(self.language, "dates", "place_prepositions")
        }
        as_said = "_as_said" if place and place.split()[0].casefold() in prepositions else ""
        if place and when:
            key, values = f"summary_where_when{as_said}", {"place": place, "when": when}
        elif place:
            key, values = f"summary_where{as_said}", {"place": place}
        elif when:
            key, values = "summary_when", {"when": when}
        else:
            return None
        text = pack_text(self.language, "templates", key).format(**values)
        return DraftSentence(text, tuple(dict.fromkeys(cited)), key, (), changes if when else ())

    def _when(self, unit: Unit) -> str:
        """Every date the sentence gives, as written: "Jan 2021 - Dec 2022, then again from
        Sept 2023" whole, not only its first date; a value a correction undid is left out."""
        matches = [
            m
            for m in date_matches(unit.text, self.language)
            if not set(m.group(0).split()) & self.wrong
        ]
        if not matches:
            return ""
        span = unit.text[matches[0].start() : matches[-1].end()]
        distinct = {m.group(0).casefold() for m in matches}
        if (
            len(distinct) > 1
            and len(tokens(span)) <= WHEN_MAX_WORDS
            and not set(span.split()) & self.wrong
        ):
            return span
        return matches[0].group(0)

    def who_together(self, together: Sequence[str]) -> DraftSentence | None:
        who_answer = answered(self.answers, "who")
        who, changes = "", tuple[Change, ...]()
        if who_answer is not None:
            first = split_sentences(who_answer.text, self.language)[:1]
            if first:
                tidied, changes = tidy_sentence(first[0], self.language)
                tidied = strip_emoji(tidied).rstrip(".!?… ")  # "Us 4 mechanics. 👩‍🔧"
                short = 0 < len(tokens(tidied)) <= 15
                alone = {w.casefold() for w in pack_words(self.language, "asides", "only_us")}
                said = not set(tokens(tidied)) <= alone  # "Us." says nobody
                who = tidied if short and said and not self.is_aside(first[0]) else ""
        items = [t[:1].lower() + t[1:] if t[1:2].islower() else t for t in together]
        also = pack_text(self.language, "templates", "list_and")
        listed = also.join(items) if len(items) <= 2 else ", ".join(items[:-1])
        if len(items) > 2:
            listed += also + items[-1]
        cited = (["who"] if who else []) + (["together"] if items else [])
        if who and items:
            key, values = "summary_who_together", {"who": who, "items": listed}
        elif who:
            key, values = "summary_who", {"who": who}
        elif items:
            key, values = "summary_together", {"items": listed}
        else:
            return None
        text = pack_text(self.language, "templates", key).format(**values)
        return DraftSentence(text, tuple(cited), key, (), tuple(changes) if who else ())


def change_words(changes: Sequence[Change]) -> set[str]:
    """Words a draft may hold because the tidier wrote them in place of the contributor's."""
    return set(tokens(" ".join(c.replacement for c in changes)))
