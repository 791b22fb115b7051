"""Interview scripts as data: loading YAML, validating it, and snapshotting it as JSON.

Staff edit the YAML files; this module turns them into the frozen dataclasses of
:mod:`conversations.model` and reports every problem at once, so a typo never reaches a
contributor. Storage keeps a JSON snapshot of the script each interview follows, so a file
changed later never breaks an interview already under way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from conversations.model import (
    Condition,
    Option,
    Question,
    QuestionKind,
    QuestionTranslation,
    Script,
    ScriptTranslation,
)

SCRIPTS_DIR = Path(__file__).parent / "scripts"
BUILTIN_FILES = {"full-story": "full_story.yaml", "spotted": "spotted.yaml"}

SCRIPT_ID_RE = re.compile(r"[a-z0-9_-]{1,32}")
QUESTION_ID_RE = re.compile(r"[a-z0-9_]{1,24}")
OPTION_ID_RE = re.compile(r"[a-z0-9_-]{1,16}")
CALLBACK_LIMIT = 64  # bytes of callback data Telegram accepts on a button

TOP_KEYS = frozenset(
    {
        "id",
        "version",
        "title",
        "language",
        "welcome",
        "thanks",
        "description",
        "resume_after_hours",
        "questions",
    }
)
QUESTION_KEYS = frozenset(
    {
        "id",
        "kind",
        "prompt",
        "label",
        "optional",
        "help",
        "probe",
        "thin_words",
        "options",
        "when",
        "allow_media",
        "stop_on",
        "stop_message",
    }
)
OPTION_KEYS = frozenset({"id", "label"})
TRANSLATION_KEYS = frozenset({"language", "partial", "title", "welcome", "thanks", "questions"})
QUESTION_TRANSLATION_KEYS = frozenset(
    {"prompt", "label", "help", "probe", "stop_message", "options"}
)
LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
CONDITION_KEYS = frozenset({"question", "any_of", "answered"})

CHOICE_KINDS = frozenset({QuestionKind.CHOICE, QuestionKind.MULTI, QuestionKind.YES_NO})
PROBE_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.LINK, QuestionKind.CONTACT})
STOP_KINDS = frozenset({QuestionKind.CHOICE, QuestionKind.YES_NO})

YES_NO_DEFAULT = (Option("yes", "Yes"), Option("no", "No"))
DEFAULT_STOP_MESSAGE = (
    "No problem at all — I won't ask anything else, and nothing is kept beyond your answer "
    "to this question. Thanks for stopping by!"
)


class _ScriptLoader(yaml.SafeLoader):
    """SafeLoader reading only true/false as booleans (YAML 1.2 style).

    Plain YAML 1.1 turns ``no``, ``yes``, ``on`` and ``off`` into booleans, which would
    silently break option ids such as ``yes``/``no`` in ``stop_on: [no]``.
    """


_ScriptLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScriptLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class ScriptError(Exception):
    """A script file is not valid; ``problems`` lists every problem, one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))


def _callback_samples(question_id: str, option_id: str | None) -> list[str]:
    """The longest callback data strings the engine builds for a question (and option)."""
    samples = [f"{p}|{question_id}" for p in "dksbe"]
    if option_id is not None:
        samples += [f"c|{question_id}|{option_id}", f"t|{question_id}|{option_id}"]
    return samples


class _Checker:
    """Collects problems while converting raw YAML data into model objects."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, problem: str, where: str | None = None) -> None:
        prefix = f"{self.source}: {where}: " if where else f"{self.source}: "
        self.problems.append(prefix + problem)

    def text(
        self, data: Mapping[str, Any], key: str, where: str | None, *, required: bool
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"'{key}' is required", where)
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"'{key}' must be non-empty text", where)
            return None
        return value.strip()

    def flag(self, data: Mapping[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(f"'{key}' must be true or false", where)
            return False
        return value

    def unknown_keys(
        self, data: Mapping[str, Any], allowed: frozenset[str], where: str | None
    ) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(f"unknown key '{key}' (known keys: {known})", where)


def parse_script(data: object, source: str) -> Script:
    """Validate raw data (as loaded from YAML) into a :class:`Script`, or raise ScriptError."""
    check = _Checker(source)
    if not isinstance(data, dict):
        check.fail("the file must be a mapping of keys (id, version, title, ... questions)")
        raise ScriptError(check.problems)
    check.unknown_keys(data, TOP_KEYS, None)

    script_id = check.text(data, "id", None, required=True)
    if script_id is not None and not SCRIPT_ID_RE.fullmatch(script_id):
        check.fail(f"id '{script_id}' must be 1-32 lowercase letters, digits, _ or -")
    version = data.get("version")
    if version is None:
        check.fail("'version' is required")
    elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
        check.fail("'version' must be a positive whole number")
    title = check.text(data, "title", None, required=True)
    language = check.text(data, "language", None, required=False) or "en"
    welcome = check.text(data, "welcome", None, required=True)
    thanks = check.text(data, "thanks", None, required=True)
    description = check.text(data, "description", None, required=False) or ""
    resume = data.get("resume_after_hours", 6.0)
    if isinstance(resume, bool) or not isinstance(resume, int | float) or resume <= 0:
        check.fail("'resume_after_hours' must be a number greater than 0")
        resume = 6.0

    raw_questions = data.get("questions")
    questions: list[Question] = []
    if raw_questions is None:
        check.fail("'questions' is required")
    elif not isinstance(raw_questions, list) or not raw_questions:
        check.fail("'questions' must be a non-empty list")
    else:
        for index, raw in enumerate(raw_questions, start=1):
            question = _parse_question(check, raw, index, questions)
            if question is not None:
                questions.append(question)

    if check.problems:
        raise ScriptError(check.problems)
    assert script_id and title and welcome and thanks and isinstance(version, int)
    return Script(
        id=script_id,
        version=version,
        title=title,
        language=language,
        welcome=welcome,
        thanks=thanks,
        questions=tuple(questions),
        description=description,
        resume_after_hours=float(resume),
    )


def _parse_question(
    check: _Checker, raw: object, index: int, earlier: list[Question]
) -> Question | None:
    where = f"question #{index}"
    if not isinstance(raw, dict):
        check.fail("must be a mapping of keys (id, kind, prompt, ...)", where)
        return None
    qid = raw.get("id")
    if isinstance(qid, str) and qid:
        where = f"question '{qid}'"
    before = len(check.problems)
    check.unknown_keys(raw, QUESTION_KEYS, where)

    if qid is None:
        check.fail("'id' is required", where)
    elif not isinstance(qid, str) or not re.fullmatch(r"[a-z0-9_]+", qid):
        check.fail(f"id '{qid}' must be lowercase letters, digits or _", where)
    elif not QUESTION_ID_RE.fullmatch(qid):
        check.fail(f"id '{qid}' is longer than 24 characters", where)
    elif any(q.id == qid for q in earlier):
        check.fail(f"id '{qid}' is used twice", where)

    raw_kind = raw.get("kind")
    kind: QuestionKind | None = None
    if raw_kind is None:
        check.fail("'kind' is required", where)
    else:
        try:
            kind = QuestionKind(str(raw_kind))
        except ValueError:
            kinds = ", ".join(k.value for k in QuestionKind)
            check.fail(f"kind '{raw_kind}' is not one of {kinds}", where)

    prompt = check.text(raw, "prompt", where, required=True)
    label = check.text(raw, "label", where, required=False)
    optional = check.flag(raw, "optional", where)
    help_text = check.text(raw, "help", where, required=False)
    probe = check.text(raw, "probe", where, required=False)
    if probe is not None and kind is not None and kind not in PROBE_KINDS:
        check.fail("'probe' only applies to text, link or contact questions", where)
    thin_words = raw.get("thin_words", 5)
    if isinstance(thin_words, bool) or not isinstance(thin_words, int) or thin_words < 1:
        check.fail("'thin_words' must be a whole number of at least 1", where)
        thin_words = 5
    allow_media = check.flag(raw, "allow_media", where)
    if allow_media and kind is not None and kind not in PROBE_KINDS:
        check.fail("'allow_media' only applies to text, link or contact questions", where)

    options = _parse_options(check, raw.get("options"), kind, where)
    question_id = qid if isinstance(qid, str) else ""
    for option in options:
        for sample in _callback_samples(question_id, option.id):
            if len(sample.encode()) > CALLBACK_LIMIT:
                check.fail(f"button data '{sample}' is over {CALLBACK_LIMIT} bytes", where)

    when = _parse_when(check, raw.get("when"), earlier, where)

    stop_on: tuple[str, ...] = ()
    raw_stop = raw.get("stop_on")
    if raw_stop is not None:
        if kind is not None and kind not in STOP_KINDS:
            check.fail("'stop_on' only applies to choice or yes_no questions", where)
        elif not isinstance(raw_stop, list) or not all(isinstance(s, str) for s in raw_stop):
            check.fail("'stop_on' must be a list of option ids", where)
        else:
            known = {o.id for o in options}
            for option_id in raw_stop:
                if option_id not in known:
                    check.fail(f"stop_on option '{option_id}' is not an option here", where)
            stop_on = tuple(raw_stop)
    stop_message = check.text(raw, "stop_message", where, required=False)
    if stop_message is not None and not stop_on:
        check.fail("'stop_message' needs 'stop_on'", where)

    if len(check.problems) > before or kind is None or prompt is None:
        return None
    assert isinstance(qid, str)
    return Question(
        id=qid,
        kind=kind,
        prompt=prompt,
        label=label or qid.replace("_", " "),
        optional=optional,
        help=help_text,
        probe=probe,
        thin_words=thin_words,
        options=options,
        when=when,
        allow_media=allow_media,
        stop_on=stop_on,
        stop_message=(stop_message or DEFAULT_STOP_MESSAGE) if stop_on else None,
    )


def _parse_options(
    check: _Checker, raw: object, kind: QuestionKind | None, where: str
) -> tuple[Option, ...]:
    if kind is None:
        return ()
    if kind not in CHOICE_KINDS:
        if raw is not None:
            check.fail("'options' only apply to choice, multi or yes_no questions", where)
        return ()
    if raw is None and kind == QuestionKind.YES_NO:
        return YES_NO_DEFAULT
    if not isinstance(raw, list) or not raw:
        check.fail(f"{kind.value} questions need a non-empty list of 'options'", where)
        return ()
    options: list[Option] = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            check.fail(f"option #{number} must be a mapping with 'id' and 'label'", where)
            continue
        check.unknown_keys(item, OPTION_KEYS, f"{where}: option #{number}")
        option_id = item.get("id")
        option_label = item.get("label")
        if not isinstance(option_id, str) or not re.fullmatch(r"[a-z0-9_-]+", option_id):
            check.fail(f"option id '{option_id}' must be lowercase letters, digits, _ or -", where)
            continue
        if not OPTION_ID_RE.fullmatch(option_id):
            check.fail(f"option id '{option_id}' is longer than 16 characters", where)
            continue
        if any(o.id == option_id for o in options):
            check.fail(f"option id '{option_id}' is used twice", where)
            continue
        if not isinstance(option_label, str) or not option_label.strip():
            check.fail(f"option '{option_id}' needs a non-empty 'label'", where)
            continue
        options.append(Option(option_id, option_label.strip()))
    return tuple(options)


def _parse_when(
    check: _Checker, raw: object, earlier: list[Question], where: str
) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        check.fail("'when' must be a non-empty list of conditions", where)
        return ()
    conditions: list[Condition] = []
    for item in raw:
        if not isinstance(item, dict):
            check.fail("each 'when' condition must be a mapping with 'question'", where)
            continue
        check.unknown_keys(item, CONDITION_KEYS, f"{where}: when")
        ref = item.get("question")
        target = next((q for q in earlier if q.id == ref), None)
        if target is None:
            check.fail(f"'when' refers to '{ref}', which is not an earlier question", where)
            continue
        raw_any = item.get("any_of", [])
        answered = item.get("answered")
        if not isinstance(raw_any, list) or not all(isinstance(a, str) for a in raw_any):
            check.fail("'any_of' must be a list of option ids", where)
            continue
        if answered is not None and not isinstance(answered, bool):
            check.fail("'answered' must be true or false", where)
            continue
        if not raw_any and answered is None:
            check.fail("a 'when' condition needs 'any_of' or 'answered'", where)
            continue
        missing = [a for a in raw_any if target.option(a) is None]
        if missing:
            check.fail(f"'any_of' option '{missing[0]}' is not an option of '{ref}'", where)
            continue
        conditions.append(Condition(target.id, tuple(raw_any), answered))
    return tuple(conditions)


def load_script(path: Path) -> Script:
    """Read and validate one YAML script file and the translations beside it; raise
    ScriptError naming every problem."""
    source = path.name
    data = _read_yaml(path)
    script = parse_script(data, source)
    problems: list[str] = []
    translations: list[ScriptTranslation] = []
    for sibling in translation_files(path):
        try:
            translations.append(load_translation(sibling, script))
        except ScriptError as exc:
            problems += exc.problems
    if problems:
        raise ScriptError(problems)
    return replace(script, translations=tuple(translations))


def translation_files(path: Path) -> list[Path]:
    """The translations kept beside a script: ``full_story.cy.yaml`` for ``full_story.yaml``."""
    found = []
    for sibling in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        code = sibling.name[len(path.stem) + 1 : -len(path.suffix)]
        if LANGUAGE_RE.fullmatch(code):
            found.append(sibling)
    return found


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError([f"{path.name}: cannot read the file ({exc.strerror or exc})"]) from exc
    try:
        return yaml.load(text, Loader=_ScriptLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ScriptError([f"{path.name}: not valid YAML: {detail}"]) from exc


def load_translation(path: Path, script: Script) -> ScriptTranslation:
    """Read and check one translation file against the script it translates."""
    code = path.name.split(".")[-2]
    return parse_translation(_read_yaml(path), script, path.name, code)


def parse_translation(
    data: object, script: Script, source: str, code: str | None = None
) -> ScriptTranslation:
    """Validate a translation: every question and option of the script is there (unless it
    says ``partial: true``), and nothing is there that the script does not have."""
    check = _Checker(source)
    if not isinstance(data, dict):
        check.fail("the file must be a mapping of keys (language, title, ... questions)")
        raise ScriptError(check.problems)
    check.unknown_keys(data, TRANSLATION_KEYS, None)
    language = check.text(data, "language", None, required=True) or ""
    if language and not LANGUAGE_RE.fullmatch(language):
        check.fail(f"language '{language}' must be a two- or three-letter code such as cy")
    elif code is not None and language and language != code:
        check.fail(f"language '{language}' does not match the file name (…{code}.yaml)")
    partial = bool(data.get("partial", False))
    if not isinstance(data.get("partial", False), bool):
        check.fail("'partial' must be true or false")
    hint = " (or mark the translation 'partial: true')"

    def text(raw: Mapping[str, Any], key: str, where: str | None, needed: bool) -> str | None:
        value = check.text(raw, key, where, required=False)
        if value is None and needed and not partial and key not in raw:
            check.fail(f"'{key}' is missing{hint}", where)
        return value

    title = text(data, "title", None, True)
    welcome = text(data, "welcome", None, True)
    thanks = text(data, "thanks", None, True)
    raw_questions = data.get("questions") or {}
    questions: list[QuestionTranslation] = []
    if not isinstance(raw_questions, dict):
        check.fail("'questions' must map question ids to their texts")
        raw_questions = {}
    for qid in raw_questions:
        if script.question(str(qid)) is None:
            check.fail(f"question '{qid}' is not a question of {script.id}")
    for question in script.questions:
        where = f"question '{question.id}'"
        raw = raw_questions.get(question.id)
        if raw is None:
            if not partial:
                check.fail(f"the question is missing{hint}", where)
            continue
        if not isinstance(raw, dict):
            check.fail("must be a mapping of texts (prompt, label, help...)", where)
            continue
        check.unknown_keys(raw, QUESTION_TRANSLATION_KEYS, where)
        prompt = text(raw, "prompt", where, True)
        label = text(raw, "label", where, True)
        help_text = text(raw, "help", where, question.help is not None)
        probe = text(raw, "probe", where, question.probe is not None)
        stop = text(raw, "stop_message", where, bool(question.stop_on))
        for key, present in (("help", question.help), ("probe", question.probe)):
            if key in raw and present is None:
                check.fail(f"'{key}' is not in the script's own question", where)
        if "stop_message" in raw and not question.stop_on:
            check.fail("'stop_message' is not in the script's own question", where)
        options: list[Option] = []
        raw_options = raw.get("options") or {}
        if not isinstance(raw_options, dict):
            check.fail("'options' must map option ids to labels", where)
            raw_options = {}
        for option_id in raw_options:
            if question.option(str(option_id)) is None:
                check.fail(f"option '{option_id}' is not an option of this question", where)
        for option in question.options:
            label_text = raw_options.get(option.id)
            if label_text is None:
                if not partial:
                    check.fail(f"option '{option.id}' has no label{hint}", where)
            elif not isinstance(label_text, str) or not label_text.strip():
                check.fail(f"option '{option.id}' needs a non-empty label", where)
            else:
                options.append(Option(option.id, label_text.strip()))
        questions.append(
            QuestionTranslation(
                id=question.id,
                prompt=prompt,
                label=label,
                help=help_text,
                probe=probe,
                stop_message=stop,
                options=tuple(options),
            )
        )
    if check.problems:
        raise ScriptError(check.problems)
    return ScriptTranslation(
        language=language,
        partial=partial,
        title=title,
        welcome=welcome,
        thanks=thanks,
        questions=tuple(questions),
    )


def localise(script: Script, language: str) -> Script:
    """The script in ``language``: each text from its translation when there is one, else
    the script's own. Ids, kinds and conditions never change."""
    translation = script.translation(language)
    if translation is None or language == script.language:
        return script
    questions = []
    for question in script.questions:
        words = translation.question(question.id)
        if words is None:
            questions.append(question)
            continue
        labels = {o.id: o.label for o in words.options}
        questions.append(
            replace(
                question,
                prompt=words.prompt or question.prompt,
                label=words.label or question.label,
                help=words.help or question.help,
                probe=words.probe or question.probe,
                stop_message=(words.stop_message or question.stop_message)
                if question.stop_on
                else None,
                options=tuple(Option(o.id, labels.get(o.id, o.label)) for o in question.options),
            )
        )
    return replace(
        script,
        title=translation.title or script.title,
        welcome=translation.welcome or script.welcome,
        thanks=translation.thanks or script.thanks,
        questions=tuple(questions),
    )


def check_script_file(path: Path) -> list[str]:
    """Problems with a script file and its translations, one per entry; empty when fine.

    Given a translation (``full_story.cy.yaml``), the script it translates is checked too.
    """
    parts = path.name.split(".")
    if len(parts) == 3 and LANGUAGE_RE.fullmatch(parts[1]):
        path = path.with_name(f"{parts[0]}.{parts[2]}")
    try:
        load_script(path)
    except ScriptError as exc:
        return exc.problems
    return []


# --- JSON snapshots ----------------------------------------------------------------------


def script_to_json(script: Script) -> dict[str, Any]:
    """A complete, explicit JSON form of a script (every default written out)."""
    return {
        "id": script.id,
        "version": script.version,
        "title": script.title,
        "language": script.language,
        "welcome": script.welcome,
        "thanks": script.thanks,
        "description": script.description,
        "resume_after_hours": script.resume_after_hours,
        "questions": [_question_to_json(q) for q in script.questions],
    } | (  # only when there are some, so a script without translations keeps its hash
        {"translations": {t.language: _translation_to_json(t) for t in script.translations}}
        if script.translations
        else {}
    )


def _translation_to_json(t: ScriptTranslation) -> dict[str, Any]:
    return {
        "partial": t.partial,
        "title": t.title,
        "welcome": t.welcome,
        "thanks": t.thanks,
        "questions": {
            q.id: {
                "prompt": q.prompt,
                "label": q.label,
                "help": q.help,
                "probe": q.probe,
                "stop_message": q.stop_message,
                "options": {o.id: o.label for o in q.options},
            }
            for q in t.questions
        },
    }


def _translation_from_json(language: str, data: Mapping[str, Any]) -> ScriptTranslation:
    return ScriptTranslation(
        language=language,
        partial=bool(data.get("partial", False)),
        title=data.get("title"),
        welcome=data.get("welcome"),
        thanks=data.get("thanks"),
        questions=tuple(
            QuestionTranslation(
                id=str(qid),
                prompt=q.get("prompt"),
                label=q.get("label"),
                help=q.get("help"),
                probe=q.get("probe"),
                stop_message=q.get("stop_message"),
                options=tuple(Option(str(k), str(v)) for k, v in (q.get("options") or {}).items()),
            )
            for qid, q in (data.get("questions") or {}).items()
        ),
    )


def _question_to_json(q: Question) -> dict[str, Any]:
    return {
        "id": q.id,
        "kind": q.kind.value,
        "prompt": q.prompt,
        "label": q.label,
        "optional": q.optional,
        "help": q.help,
        "probe": q.probe,
        "thin_words": q.thin_words,
        "options": [{"id": o.id, "label": o.label} for o in q.options],
        "when": [
            {"question": c.question, "any_of": list(c.any_of), "answered": c.answered}
            for c in q.when
        ],
        "allow_media": q.allow_media,
        "stop_on": list(q.stop_on),
        "stop_message": q.stop_message,
    }


def script_from_json(data: Mapping[str, Any]) -> Script:
    """Rebuild a snapshot without re-validating: an old snapshot must always load."""
    return Script(
        id=str(data["id"]),
        version=int(data["version"]),
        title=str(data["title"]),
        language=str(data.get("language") or "en"),
        welcome=str(data["welcome"]),
        thanks=str(data["thanks"]),
        description=str(data.get("description") or ""),
        resume_after_hours=float(data.get("resume_after_hours", 6.0)),
        questions=tuple(_question_from_json(q) for q in data["questions"]),
        translations=tuple(
            _translation_from_json(str(lang), t)
            for lang, t in (data.get("translations") or {}).items()
        ),
    )


def _question_from_json(data: Mapping[str, Any]) -> Question:
    return Question(
        id=str(data["id"]),
        kind=QuestionKind(data["kind"]),
        prompt=str(data["prompt"]),
        label=str(data.get("label") or data["id"]),
        optional=bool(data.get("optional", False)),
        help=data.get("help"),
        probe=data.get("probe"),
        thin_words=int(data.get("thin_words", 5)),
        options=tuple(Option(str(o["id"]), str(o["label"])) for o in data.get("options") or ()),
        when=tuple(
            Condition(
                question=str(c["question"]),
                any_of=tuple(str(a) for a in c.get("any_of") or ()),
                answered=c.get("answered"),
            )
            for c in data.get("when") or ()
        ),
        allow_media=bool(data.get("allow_media", False)),
        stop_on=tuple(str(s) for s in data.get("stop_on") or ()),
        stop_message=data.get("stop_message"),
    )


# --- shipped scripts and the catalogue ---------------------------------------------------


def builtin_script_path(script_id: str) -> Path:
    """The file of a shipped script; KeyError for an unknown id."""
    return SCRIPTS_DIR / BUILTIN_FILES[script_id]


def builtin_scripts() -> dict[str, Script]:
    """The shipped scripts by id (loaded fresh each call; they are small)."""
    return {sid: load_script(builtin_script_path(sid)) for sid in BUILTIN_FILES}


class ScriptCatalog:
    """The scripts new interviews may start with, plus older versions still being followed.

    Interviews keep the (id, version) they started with; ``get_version`` finds the current
    script when the version matches, or a snapshot recorded with ``remember``.
    """

    def __init__(self, scripts: Mapping[str, Script], default_id: str) -> None:
        if default_id not in scripts:
            raise ValueError(f"default script '{default_id}' is not in the catalogue")
        self._scripts = dict(scripts)
        self._default_id = default_id
        self._snapshots: dict[tuple[str, int], Script] = {
            (s.id, s.version): s for s in self._scripts.values()
        }

    def get(self, script_id: str) -> Script | None:
        return self._scripts.get(script_id)

    @property
    def default(self) -> Script:
        return self._scripts[self._default_id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._scripts)

    def remember(self, script: Script) -> None:
        """Keep a snapshot (e.g. read back from storage) findable by id and version."""
        self._snapshots.setdefault((script.id, script.version), script)

    def get_version(self, script_id: str, version: int) -> Script | None:
        return self._snapshots.get((script_id, version))
