"""The co-production lens: suggested tags with the contributor's words as evidence.

Rules are data (``lens/coproduction.yaml``, keyed by language) so staff can add words
without code; this module loads and validates them, and matches them against answers.
Every suggestion quotes the span of the answer it rests on, verbatim, and stays a
suggestion until staff confirm or reject it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from conversations.lens_model import LensModel, document
from conversations.model import Answer, Script
from conversations.tidy import DEFAULT_LANGUAGE, WordsLoader, split_sentences

LENS_FILE = Path(__file__).parent / "lens" / "coproduction.yaml"
TAG_ID_RE = re.compile(r"[a-z][a-z0-9_]*/[a-z][a-z0-9_]*")
LensStatus = Literal["suggested", "confirmed", "rejected"]
STATUSES: tuple[LensStatus, ...] = ("suggested", "confirmed", "rejected")
EVIDENCE_MAX_CHARS = 200
PHRASE_GROUP = "lens_phrase"  # the regex group holding a tag's phrases, as against patterns

TOP_KEYS = frozenset({"version", "frameworks", "negation", "together", "tags"})
TAG_KEYS = frozenset({"id", "label", "description", "prefer", "negatable"})
LANGUAGE_KEYS = frozenset({"phrases", "patterns", "in_answers_to", "not_in_answers_to"})
NEGATION_KEYS = frozenset({"words", "window", "clause_breaks", "after"})


_NEGATION_REACH = 400
"""Characters before a match searched for its clause: far more than a negation window."""


class LensError(Exception):
    """A lens file is not valid; ``problems`` lists every problem, one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class LensSuggestion:
    """A tag suggested for a draft, with the quoted words it rests on."""

    framework: str
    tag: str
    label: str
    evidence: str
    question_id: str
    status: LensStatus = "suggested"

    @property
    def key(self) -> str:
        return f"{self.framework}/{self.tag}"

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "tag": self.tag,
            "label": self.label,
            "evidence": self.evidence,
            "question_id": self.question_id,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LensSuggestion:
        status = str(data.get("status", "suggested"))
        if status not in STATUSES:
            raise ValueError(f"unknown lens status '{status}'")
        return cls(
            framework=str(data["framework"]),
            tag=str(data["tag"]),
            label=str(data["label"]),
            evidence=str(data["evidence"]),
            question_id=str(data["question_id"]),
            status=status,
        )


@dataclass(frozen=True)
class Negation:
    """Words that undo a match shortly before it, within one clause, or right after it."""

    words: tuple[str, ...] = ()
    window: int = 4
    clause_breaks: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # "we decided nothing", "had a say in nowt"


@dataclass(frozen=True)
class Wording:
    """One tag's words in one language."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    in_answers_to: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # questions whose answers use the tag's general words for something else ("food" in
    # what people got back is a reward, not support to take part); their own
    # ``in_answers_to`` words still count there
    not_in_answers_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagRule:
    """How one tag is recognised, per language."""

    framework: str
    tag: str
    label: str
    description: str = ""
    prefer: tuple[str, ...] = ()
    negatable: bool = True
    wording: Mapping[str, Wording] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.framework}/{self.tag}"


@dataclass(frozen=True)
class LensMatch:
    """One place in a text where a tag's words occur."""

    key: str
    start: int
    end: int
    phrase: str


def phrase_regex(phrase: str) -> str:
    """A phrase as a whole-word regex: spaces match any spacing, a final "*" any ending.

    A possessive ending is part of the word: "council" finds "the council's".
    """
    stem = phrase.strip()
    wildcard = stem.endswith("*")
    stem = stem.rstrip("*")
    body = r"\s+".join(re.escape(w) for w in stem.split())
    left = r"(?<![\w'’-])" if stem[:1].isalnum() else ""
    # a possessive still matches ("the council's team", "residents' panel")
    end = r"(?:['’]s?)?(?![\w'’-])"
    right = r"[\w'’-]*" if wildcard else (end if stem[-1:].isalnum() else "")
    return left + body + right


@dataclass(frozen=True)
class Lens:
    """The lens rules: frameworks, tags, negation words and the ``together`` mapping."""

    frameworks: Mapping[str, str]
    rules: tuple[TagRule, ...]
    negation: Mapping[str, Negation] = field(default_factory=dict)
    together: Mapping[str, str] = field(default_factory=dict)
    _compiled: dict[tuple[str, str, str], re.Pattern[str] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def rule(self, key: str) -> TagRule | None:
        return next((r for r in self.rules if r.key == key), None)

    def extend(self, other: Lens) -> Lens:
        """This lens with ``other``'s words added: new tags appended, known tags widened."""
        rules = {r.key: r for r in self.rules}
        for extra in other.rules:
            base = rules.get(extra.key)
            if base is None:
                rules[extra.key] = extra
                continue
            wording = dict(base.wording)
            for language, words in extra.wording.items():
                old = wording.get(language, Wording())
                in_answers = {k: tuple(v) for k, v in old.in_answers_to.items()}
                for qid, phrases in words.in_answers_to.items():
                    in_answers[qid] = _unique(in_answers.get(qid, ()) + tuple(phrases))
                wording[language] = Wording(
                    phrases=_unique(old.phrases + words.phrases),
                    patterns=_unique(old.patterns + words.patterns),
                    in_answers_to=in_answers,
                    not_in_answers_to=_unique(old.not_in_answers_to + words.not_in_answers_to),
                )
            default_label = extra.tag.replace("_", " ").capitalize()
            rules[extra.key] = replace(
                base,
                label=base.label if extra.label == default_label else extra.label,
                description=extra.description or base.description,
                prefer=_unique(base.prefer + extra.prefer),
                wording=wording,
            )
        negation = dict(self.negation)
        for language, neg in other.negation.items():
            old_neg = negation.get(language, Negation())
            negation[language] = Negation(
                words=_unique(old_neg.words + neg.words),
                window=max(old_neg.window, neg.window),
                clause_breaks=_unique(old_neg.clause_breaks + neg.clause_breaks),
                after=_unique(old_neg.after + neg.after),
            )
        together = {**self.together, **other.together}
        problems = [
            f"together.{option}: unknown tag '{key}'"
            for option, key in together.items()
            if key not in rules
        ]
        if problems:
            raise LensError(problems)
        return Lens(
            frameworks={**self.frameworks, **other.frameworks},
            rules=tuple(rules.values()),
            negation=negation,
            together=together,
        )

    def _regex(self, rule: TagRule, language: str, question_id: str) -> re.Pattern[str] | None:
        cache_key = (rule.key, language, question_id)
        if cache_key not in self._compiled:
            words = rule.wording.get(language)
            parts: list[str] = []
            if words is not None:
                general = question_id not in words.not_in_answers_to
                phrases = (words.phrases if general else ()) + words.in_answers_to.get(
                    question_id, ()
                )
                if phrases:
                    ordered = sorted(phrases, key=len, reverse=True)
                    parts = [f"(?P<{PHRASE_GROUP}>" + "|".join(map(phrase_regex, ordered)) + ")"]
                if general:
                    parts += [f"(?:{p})" for p in words.patterns]
            compiled = re.compile("|".join(parts), re.IGNORECASE) if parts else None
            self._compiled[cache_key] = compiled
        return self._compiled[cache_key]

    def match(
        self, text: str, question_id: str = "", language: str = DEFAULT_LANGUAGE
    ) -> list[LensMatch]:
        """Every tag whose words occur in ``text`` (not negated), first occurrence per tag."""
        found: list[LensMatch] = []
        for rule in self.rules:
            regex = self._regex(rule, language, question_id)
            if regex is None:
                continue
            for hit in regex.finditer(text):
                if rule.negatable and self._negated(text, hit, language):
                    continue
                found.append(LensMatch(rule.key, hit.start(), hit.end(), hit.group(0)))
                break
        return found

    def negated(
        self, text: str, question_id: str = "", language: str = DEFAULT_LANGUAGE
    ) -> set[str]:
        """Tags whose words occur in ``text`` only negated ("we didn't have a say").

        The learned model reads words, not grammar: these tags it may not add on its own.
        """
        found: set[str] = set()
        for rule in self.rules:
            regex = self._regex(rule, language, question_id)
            if regex is None or not rule.negatable:
                continue
            hits = list(regex.finditer(text))
            if hits and all(self._negated(text, hit, language) for hit in hits):
                found.add(rule.key)
        return found

    def _negated(self, text: str, hit: re.Match[str], language: str) -> bool:
        """A negation word shortly before the match, in its clause, or inside a pattern's match.

        A phrase may hold a negation word on purpose ("aren't online"); a pattern that spans
        several words ("we ... picked") is undone by one inside it ("we never picked").
        """
        negation = self.negation.get(language)
        if negation is None or negation.window <= 0:
            return False
        cues = {n.casefold().replace("’", "'") for n in negation.words}
        suffixes = tuple(c for c in cues if c.startswith("n'"))

        def is_cue(word: str) -> bool:
            return word in cues or bool(suffixes and word.endswith(suffixes))

        if hit.groupdict().get(PHRASE_GROUP) is None and any(
            is_cue(w.replace("’", "'")) for w in re.findall(r"[\w'’]+", hit.group(0).casefold())
        ):
            return True
        following = re.match(r"\s*(?:in |on |about )?([\w'’]+)", text[hit.end() :])
        if following and following.group(1).casefold() in {a.casefold() for a in negation.after}:
            return True
        # Only the words just before the match can negate it: read a bounded stretch, so a
        # long answer with many matches is not re-read from its start for each one.
        start = max(0, hit.start() - _NEGATION_REACH)
        clause = re.split(r"[,;:.!?()]", text[start : hit.start()])[-1]
        if start > 0 and len(clause) == hit.start() - start:
            clause = clause.split(None, 1)[-1] if clause[:1].strip() else clause  # cut word
        words = [w.replace("’", "'") for w in re.findall(r"[\w'’]+", clause.casefold())]
        breaks = {b.casefold() for b in negation.clause_breaks}
        for index in range(len(words) - 1, -1, -1):
            if words[index] in breaks:
                words = words[index + 1 :]
                break
        return any(is_cue(word) for word in words[-negation.window :])


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --- loading and validation ----------------------------------------------------------


def _texts(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: must be a list of non-empty text")
        return ()
    return tuple(v.strip() for v in value)


def _parse_wording(raw: object, where: str, problems: list[str]) -> Wording | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with phrases, patterns or in_answers_to")
        return None
    for key in raw:
        if key not in LANGUAGE_KEYS:
            known = ", ".join(sorted(LANGUAGE_KEYS))
            problems.append(f"{where}: unknown key '{key}' (known: {known})")
    phrases = _texts(raw.get("phrases"), f"{where}.phrases", problems)
    patterns = _texts(raw.get("patterns"), f"{where}.patterns", problems)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.append(f"{where}.patterns: '{pattern}' is not a valid regex ({error})")
        if f"(?P<{PHRASE_GROUP}>" in pattern:
            problems.append(f"{where}.patterns: '{pattern}' uses the reserved group name")
    in_answers: dict[str, tuple[str, ...]] = {}
    raw_in = raw.get("in_answers_to") or {}
    if not isinstance(raw_in, dict):
        problems.append(f"{where}.in_answers_to: must map question ids to lists of phrases")
    else:
        for qid, words in raw_in.items():
            in_answers[str(qid)] = _texts(words, f"{where}.in_answers_to.{qid}", problems)
    not_in = _texts(raw.get("not_in_answers_to"), f"{where}.not_in_answers_to", problems)
    return Wording(
        phrases=phrases, patterns=patterns, in_answers_to=in_answers, not_in_answers_to=not_in
    )


def _parse_negation(raw_negation: object, source: str, problems: list[str]) -> dict[str, Negation]:
    negation: dict[str, Negation] = {}
    if not isinstance(raw_negation, dict):
        problems.append(f"{source}: negation: must map languages to words")
        return negation
    for language, raw in raw_negation.items():
        where = f"{source}: negation.{language}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a mapping with words and window")
            continue
        problems += [f"{where}: unknown key '{key}'" for key in raw if key not in NEGATION_KEYS]
        window = raw.get("window", 4)
        if isinstance(window, bool) or not isinstance(window, int) or window < 0:
            problems.append(f"{where}.window: must be a whole number, 0 or more")
            window = 4
        negation[str(language)] = Negation(
            words=_texts(raw.get("words"), f"{where}.words", problems),
            window=window,
            clause_breaks=_texts(raw.get("clause_breaks"), f"{where}.clause_breaks", problems),
            after=_texts(raw.get("after"), f"{where}.after", problems),
        )
    return negation


def _parse_tag(raw: object, where: str, problems: list[str]) -> TagRule | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with id, label and words per language")
        return None
    key = raw.get("id")
    if not isinstance(key, str) or not TAG_ID_RE.fullmatch(key):
        problems.append(f"{where}: 'id' must look like framework/tag, e.g. nef/assets")
        return None
    where = f"{where} ({key})"
    framework, tag = key.split("/", 1)
    label = raw.get("label", tag.replace("_", " ").capitalize())
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{where}: 'label' must be non-empty text")
        label = tag
    negatable = raw.get("negatable", True)
    if not isinstance(negatable, bool):
        problems.append(f"{where}: 'negatable' must be true or false")
        negatable = True
    description = raw.get("description") or ""
    if not isinstance(description, str):
        problems.append(f"{where}: 'description' must be text")
        description = ""
    wording: dict[str, Wording] = {}
    for name, value in raw.items():
        if name in TAG_KEYS:
            continue
        if not re.fullmatch(r"[a-z]{2,3}", str(name)):
            problems.append(f"{where}: unknown key '{name}' (a language code such as en?)")
            continue
        parsed = _parse_wording(value, f"{where}.{name}", problems)
        if parsed is not None:
            wording[str(name)] = parsed
    return TagRule(
        framework=framework,
        tag=tag,
        label=label.strip(),
        description=description,
        prefer=_texts(raw.get("prefer"), f"{where}.prefer", problems),
        negatable=negatable,
        wording=wording,
    )


def parse_lens(data: object, source: str) -> Lens:
    """Validate raw YAML data into a :class:`Lens`, reporting every problem at once.

    A file may hold only some sections: a staff file that adds words to known tags needs
    no frameworks or labels of its own.
    """
    if not isinstance(data, dict):
        raise LensError([f"{source}: the file must be a mapping (frameworks, tags, ...)"])
    problems = [
        f"{source}: unknown key '{key}' (known: {', '.join(sorted(TOP_KEYS))})"
        for key in data
        if key not in TOP_KEYS
    ]
    frameworks: dict[str, str] = {}
    raw_frameworks = data.get("frameworks") or {}
    if not isinstance(raw_frameworks, dict):
        problems.append(f"{source}: frameworks: must map framework ids to labels")
    else:
        for fid, label in raw_frameworks.items():
            if not isinstance(label, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", str(fid)):
                problems.append(f"{source}: frameworks: '{fid}' needs a lowercase id and a label")
            else:
                frameworks[str(fid)] = label
    negation = _parse_negation(data.get("negation") or {}, source, problems)
    rules: list[TagRule] = []
    raw_tags = data.get("tags") or []
    if not isinstance(raw_tags, list):
        problems.append(f"{source}: tags: must be a list")
        raw_tags = []
    for index, raw in enumerate(raw_tags, start=1):
        rule = _parse_tag(raw, f"{source}: tag {index}", problems)
        if rule is None:
            continue
        if any(r.key == rule.key for r in rules):
            problems.append(f"{source}: tag {index} ({rule.key}): listed twice")
        rules.append(rule)
    together: dict[str, str] = {}
    raw_together = data.get("together") or {}
    if not isinstance(raw_together, dict):
        problems.append(f"{source}: together: must map option ids to framework/tag")
    else:
        for option, key in raw_together.items():
            if not isinstance(key, str) or not TAG_ID_RE.fullmatch(key):
                problems.append(f"{source}: together.{option}: must name a tag as framework/tag")
            elif rules and key not in {r.key for r in rules}:
                problems.append(f"{source}: together.{option}: unknown tag '{key}'")
            else:
                together[str(option)] = key
    if problems:
        raise LensError(problems)
    return Lens(frameworks=frameworks, rules=tuple(rules), negation=negation, together=together)


@cache
def _builtin_lens() -> Lens:
    return _load_file(LENS_FILE)


def load_lens(path: Path | str | None = None) -> Lens:
    """Load a lens file (the built-in one, read once, by default). Extend with ``Lens.extend``."""
    return _builtin_lens() if path is None else _load_file(Path(path))


def _load_file(file: Path) -> Lens:
    try:
        with file.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=WordsLoader)  # a SafeLoader subclass
    except OSError as error:
        raise LensError([f"{file}: cannot be read ({error.strerror})"]) from error
    except yaml.YAMLError as error:
        raise LensError([f"{file}: is not valid YAML ({error})"]) from error
    return parse_lens(data, str(file))


# --- suggestions ------------------------------------------------------------------------


def evidence_span(text: str, start: int, end: int, language: str = DEFAULT_LANGUAGE) -> str:
    """The sentence of ``text`` around a match, verbatim, cut to a readable length."""
    begin, finish = start, end
    offset = 0
    for sentence in split_sentences(text, language):
        found = text.find(sentence, offset)
        if found < 0:
            continue
        if found <= start < found + len(sentence):
            begin, finish = found, found + len(sentence)
            break
        offset = found + len(sentence)
    if finish - begin > EVIDENCE_MAX_CHARS:
        half = max(0, (EVIDENCE_MAX_CHARS - (end - start)) // 2)
        lo, hi = max(begin, start - half), min(finish, end + half)
        # Cut between words; the text's own start and end are word boundaries already.
        while lo < start and lo > 0 and not text[lo - 1].isspace():
            lo += 1
        while hi > end and hi < len(text) and not text[hi].isspace():
            hi -= 1
        begin, finish = lo, hi
    return text[begin:finish].strip()


def suggest_tags(
    lens: Lens,
    script: Script,
    answers: Mapping[str, Answer],
    *,
    language: str | None = None,
    model: LensModel | None = None,
) -> tuple[LensSuggestion, ...]:
    """One suggestion per tag, with the best evidence: a preferred question's words first.

    Typed words beat a ticked box, since they say more; a ticked ``together`` option is the
    evidence when no words back the stage. With a ``model`` (of the interview's language),
    a rule match it finds very unlikely is dropped, and a tag it is confident of is added
    even where no rule matched, quoting the sentence it scores highest for that tag.
    """
    lang = language or script.language or DEFAULT_LANGUAGE
    order = [q.id for q in script.questions] + [q for q in answers if script.question(q) is None]
    typed = [
        (position, qid, answer)
        for position, qid in enumerate(order)
        if (answer := answers.get(qid)) is not None and not answer.skipped and answer.text.strip()
    ]
    learned = model if model is not None and model.language == lang else None
    scores = (
        learned.probabilities([document(qid, a.text) for _, qid, a in typed])
        if learned is not None and typed
        else None
    )
    best: dict[str, tuple[tuple[int, int], LensSuggestion]] = {}

    def offer(rank: tuple[int, int], rule: TagRule, evidence: str, qid: str) -> None:
        if rule.key in best and best[rule.key][0] <= rank:
            return
        best[rule.key] = (
            rank,
            LensSuggestion(
                framework=rule.framework,
                tag=rule.tag,
                label=rule.label,
                evidence=evidence,
                question_id=qid,
            ),
        )

    for index, (position, qid, answer) in enumerate(typed):
        hits = lens.match(answer.text, qid, lang)
        wanted = (
            learned.keys(
                {h.key for h in hits},
                list(scores[index]),
                lens.negated(answer.text, qid, lang),
                answer.text,
            )
            if learned is not None and scores is not None
            else {h.key for h in hits}
        )
        for hit in hits:
            rule = lens.rule(hit.key)
            if rule is None or hit.key not in wanted:
                continue
            rank = (0 if qid in rule.prefer else 1, position)
            offer(rank, rule, evidence_span(answer.text, hit.start, hit.end, lang), qid)
        if learned is None or scores is None:
            continue
        for key in sorted(wanted - {h.key for h in hits}):
            rule = lens.rule(key)
            if rule is not None:
                column = learned.tags.index(key)
                sure = int(1000 * scores[index][column])
                offer((2, -sure), rule, _best_sentence(learned, column, answer.text, lang), qid)
    together = answers.get("together")
    question = script.question("together")
    if together is not None and not together.skipped:
        for option_id in together.choices:
            stage = lens.together.get(option_id)
            rule = lens.rule(stage) if stage else None
            if rule is None or rule.key in best:
                continue
            option = question.option(option_id) if question else None
            offer((3, 0), rule, option.label if option else option_id, "together")
    return tuple(best[r.key][1] for r in lens.rules if r.key in best)


def _best_sentence(model: LensModel, column: int, text: str, language: str) -> str:
    """The sentence of an answer the model scores highest for one tag, verbatim."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for sentence in split_sentences(text, language):
        found = text.find(sentence, offset)
        if found < 0:
            continue
        spans.append((found, found + len(sentence)))
        offset = found + len(sentence)
    if not spans:
        return text.strip()[:EVIDENCE_MAX_CHARS]
    start = spans[0][0]
    if len(spans) > 1:
        # scored on their words alone: the question is the same for every sentence, and a
        # short sentence would give its token more weight than a long one
        scores = model.probabilities([text[a:b] for a, b in spans])[:, column]
        start = spans[int(scores.argmax())][0]
    return evidence_span(text, start, start, language)
