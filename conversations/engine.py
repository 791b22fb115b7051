"""The interview state machine: one event in, the next state, replies and effects out.

Pure and total: no I/O, no clock (``now`` is passed in), and :func:`step` never raises, so
a forged button, a stale state or an odd message can never wedge a contributor's
interview. Answers are only ever changed together with an :class:`AnswerSaved` effect, so
storage sees every change; answers to questions that stop applying are kept, just not
shown or asked.

Button data (at most 64 bytes, opaque to adapters):
``c|q|o`` choose, ``t|q|o`` toggle, ``d|q`` done / that's all, ``k|q`` keep, ``s|q`` skip,
``b|q`` back, ``e|q`` edit, ``sub`` send, ``x`` cancel, ``xy``/``xn`` confirm cancel,
``wc``/``wr`` welcome back: carry on / start over, ``h`` use the held message,
``l|cy`` speak this language from now on.
Anything unknown or out of date is answered as a stale button.

Choices worth knowing:
- After any answer the next question is the first applicable *unanswered* one in script
  order, so going back to fix something returns to where the contributor was.
- ``trail`` lists questions in the order they were left (each once); ``/back`` walks it.
  Its last entry is the question answered most recently, which is where the next part of
  a long message Telegram split (within 20 seconds) is appended.
- An edited message replaces the whole text of the answer it belonged to (including a
  probe's follow-up). Edits of typed choices are ignored: a choice is changed by tapping.
  Edits never trigger the welcome-back prompt.
- ``/skip`` on a media question that already has files means "that's all", not "discard".
- Every text the contributor sees is in the interview's language (``state.language``): the
  script's translation, falling back to its own words per text, and the bot's own words
  from the gettext catalogues (:mod:`conversations.i18n`). ``/language`` changes it at any
  point; the answers stay and whatever was being asked is asked again.
- "Question 8 of about 23": questions whose conditions are not decided yet are counted as
  coming, so the total never grows; "about" says it may still shrink.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from conversations.i18n import LANGUAGE_NAMES, N_, NP_, Words
from conversations.model import (
    Answer,
    AnswerSaved,
    Button,
    CommandSent,
    Effect,
    Event,
    InterviewCancelled,
    InterviewDeclined,
    InterviewSubmitted,
    LanguageChosen,
    MediaRef,
    MediaSent,
    MessageEdited,
    Pressed,
    Question,
    QuestionKind,
    Reply,
    RestartRequested,
    Script,
    Started,
    TextSent,
    Unsupported,
)
from conversations.script import localise
from conversations.state import InterviewState, Mode, Outcome, Status, evolve

LONG_ANSWER_CHARS = 3500  # Telegram splits messages over 4096 characters into parts
CONTINUATION_WINDOW = timedelta(seconds=20)
SUMMARY_CHARS = 200
CARD_CHUNK_CHARS = 3500

STALE_NOTICE = N_("That button is from an earlier message — here's where we are.")
FINISHED_TEXT = N_("This interview is finished. Send /start to share another project.")
COMMANDS_TEXT = N_(
    "Commands:\n"
    "/skip – skip an optional question\n"
    "/back – go to the previous question\n"
    "/review – see your answers so far\n"
    "/status – where you are\n"
    "/language – choose your language\n"
    "/cancel – stop the interview\n"
    "/help – this message"
)
# Typed on the review screen, these send the story as the button does (and translations).
SEND_WORDS = N_("send, send it, done")
LANGUAGE_QUESTION = N_("Which language would you like me to use?")

TEXT_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.LINK, QuestionKind.CONTACT})
CHOICE_KINDS = frozenset({QuestionKind.CHOICE, QuestionKind.YES_NO})
EXCLUSIVE_OPTION = "none"  # in multi questions, "none of these" unticks the others

YES_WORDS = frozenset(
    {"yes", "y", "yeah", "yep", "yup", "ya", "yes please", "sure", "ok", "okay", "of course", "👍"}
)
NO_WORDS = frozenset({"no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "👎"})
# Translators add the yes and no words of their language (English ones always count).
YES_LIST = N_("yes, yeah, sure, ok")
NO_LIST = N_("no, nope, no thanks")

# What a file is called ("I can't take a photo"), and how several are counted on the card.
MEDIA_NAMES = {
    "photo": N_("photo"),
    "document": N_("document"),
    "voice": N_("voice note"),
    "video": N_("video"),
    "video_note": N_("video message"),
    "audio": N_("audio file"),
    "animation": N_("GIF"),
    "location": N_("location"),
    "contact": N_("contact"),
    "link": N_("link"),
}
MEDIA_COUNTS = {
    "photo": NP_("%(count)d photo", "%(count)d photos"),
    "document": NP_("%(count)d document", "%(count)d documents"),
    "voice": NP_("%(count)d voice note", "%(count)d voice notes"),
    "video": NP_("%(count)d video", "%(count)d videos"),
    "video_note": NP_("%(count)d video message", "%(count)d video messages"),
    "audio": NP_("%(count)d audio file", "%(count)d audio files"),
    "animation": NP_("%(count)d GIF", "%(count)d GIFs"),
    "location": NP_("%(count)d location", "%(count)d locations"),
    "contact": NP_("%(count)d contact", "%(count)d contacts"),
    "link": NP_("%(count)d link", "%(count)d links"),
}
OTHER_FILES = NP_("%(count)d file", "%(count)d files")

_URL_TOKEN = re.compile(
    r"^(?:(?P<scheme>https?://)|www\.)?(?:[\w-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)
_SCHEME_URL = re.compile(r"https?://\S+\.\S+", re.IGNORECASE)


# --- public API ----------------------------------------------------------------------------


def begin(script: Script, now: datetime, language: str = "en") -> Outcome:
    """A fresh interview in ``language``: the welcome message and the first question."""
    state = InterviewState(
        script_id=script.id,
        script_version=script.version,
        started_at=now,
        last_event_at=now,
        language=language if language in LANGUAGE_NAMES else "en",
    )
    turn = _Turn(script, state, now)
    turn.say(Reply(text=turn.script.welcome, heading=turn.script.title))
    _next_or_review(turn)
    return turn.outcome()


def step(script: Script, state: InterviewState, event: Event, now: datetime) -> Outcome:
    """Apply one event. An unexpected error is a bug: it is raised, not hidden, so the
    service rolls the update back, logs it with the update id and apologises once."""
    return _step(script, state, event, now)


def applicable_questions(script: Script, answers: Mapping[str, Answer]) -> list[Question]:
    """Questions whose conditions hold, in script order.

    A condition only sees answers of questions that themselves apply, so a kept answer to
    a question that no longer applies cannot switch on a later one.
    """
    result: list[Question] = []
    applied: dict[str, Answer] = {}
    for question in script.questions:
        if all(_condition_holds(c.question, c.any_of, c.answered, applied) for c in question.when):
            result.append(question)
            answer = answers.get(question.id)
            if answer is not None:
                applied[question.id] = answer
    return result


def possible_questions(
    script: Script, answers: Mapping[str, Answer]
) -> tuple[list[Question], bool]:
    """Questions that apply or may still apply, in script order, and whether any may not.

    A question whose condition rests on a question not answered yet counts as coming, so
    the count of questions only ever shrinks as answers come in.
    """
    result: list[Question] = []
    applied: dict[str, Answer] = {}
    undecided: set[str] = set()
    for question in script.questions:
        holds, unsure = True, False
        for c in question.when:
            listed = any(q.id == c.question for q in result)
            if c.question in undecided or (listed and c.question not in answers):
                unsure = True
            elif not _condition_holds(c.question, c.any_of, c.answered, applied):
                holds = False
                break
        if not holds:
            continue
        result.append(question)
        if unsure:
            undecided.add(question.id)
        elif question.id in answers:
            applied[question.id] = answers[question.id]
    return result, bool(undecided)


def progress(script: Script, state: InterviewState) -> tuple[int, int]:
    """(answered or skipped applicable questions, applicable questions)."""
    questions = applicable_questions(script, state.answers)
    done = sum(1 for q in questions if q.id in state.answers)
    return done, len(questions)


# --- the turn: accumulates one step's decisions ------------------------------------------


class _Turn:
    def __init__(self, script: Script, state: InterviewState, now: datetime) -> None:
        self.original = script
        self.state = state
        self.now = now
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.notice: str | None = None
        self._applicable: tuple[Script, Mapping[str, Answer], list[Question]] | None = None
        self.speak(state.language)

    def speak(self, language: str) -> None:
        """Use ``language`` for every text from now on (the script's and the bot's own)."""
        self.words = Words(language)
        self.script = localise(self.original, self.words.language)
        self.update(language=self.words.language)

    def _(self, message: str) -> str:
        return self.words._(message)

    def update(self, **changes: object) -> None:
        self.state = evolve(self.state, changes)

    def say(self, reply: Reply) -> None:
        self.replies.append(reply)

    def save(self, answer: Answer) -> None:
        """The only place answers change, always with an AnswerSaved effect."""
        answers = dict(self.state.answers)
        answers[answer.question_id] = answer
        self.update(answers=answers)
        self.effects.append(AnswerSaved(answer))

    def applicable(self) -> list[Question]:
        """The questions that apply now; worked out again only when the script (its
        language) or the answers changed, which replaces the object (a step asks several
        times). A copy, so a caller's changes to the list stay its own."""
        script, answers = self.script, self.state.answers
        known = self._applicable
        if known is None or known[0] is not script or known[1] is not answers:
            known = self._applicable = (script, answers, applicable_questions(script, answers))
        return list(known[2])

    def current_question(self) -> Question | None:
        if self.state.current is None:
            return None
        return self.script.question(self.state.current)

    def outcome(self) -> Outcome:
        return Outcome(
            state=self.state,
            replies=tuple(self.replies),
            effects=tuple(self.effects),
            notice=self.notice,
        )


def _step(script: Script, state: InterviewState, event: Event, now: datetime) -> Outcome:
    previous_event_at = state.last_event_at
    continuation_until = state.continuation_until
    turn = _Turn(script, evolve(state, {"last_event_at": now, "continuation_until": None}), now)
    if _language_event(turn, event):
        return turn.outcome()
    if state.status != Status.ACTIVE:
        if not _rest_of_album(turn, event):
            _finished(turn, event)
        return turn.outcome()
    _normalise(turn)
    mode = turn.state.mode
    interrupted = mode in (Mode.WELCOME_BACK, Mode.CONFIRM_CANCEL) or _after_break(
        script, previous_event_at, now
    )

    if isinstance(event, MediaSent) and interrupted and _rest_of_album(turn, event):
        pass  # the first item of the album already got the answer below
    elif isinstance(event, MessageEdited):
        _edited(turn, event)
    elif isinstance(event, Pressed):
        _pressed(turn, event.data)
    elif isinstance(event, Started) or (
        isinstance(event, CommandSent) and _command_name(event) == "start"
    ):
        _welcome_back(turn, held=None)
    elif mode == Mode.WELCOME_BACK:
        if isinstance(event, TextSent) and event.text.strip():
            turn.update(held_text=event.text)
        turn.say(_welcome_back_reply(turn))
    elif _after_break(script, previous_event_at, now):
        held = event.text if isinstance(event, TextSent) and event.text.strip() else None
        _welcome_back(turn, held=held, media_dropped=isinstance(event, MediaSent))
    elif mode == Mode.CONFIRM_CANCEL:
        _confirming(turn, event)
    elif isinstance(event, TextSent):
        if not _continue_long_answer(turn, event, continuation_until):
            _text(turn, event.text, event.message_id)
    elif isinstance(event, MediaSent):
        _media(turn, event)
    elif isinstance(event, CommandSent):
        _command(turn, _command_name(event))
    elif isinstance(event, Unsupported):
        what = " ".join(str(event.what).split())[:40] or "message"
        if what.lower() in {"sticker", "stickers"}:
            hint = turn._(
                "Stickers are lovely, but I can only take text, photos, files, voice notes "
                "or links here."
            )
        else:
            hint = turn._(
                "Sorry, I can't use a %(thing)s here — I can only take text, photos, files, "
                "voice notes or links."
            ) % {"thing": what}
        turn.say(Reply(hint))
        _prompt(turn)
    return turn.outcome()


def _language_event(turn: _Turn, event: Event) -> bool:
    """/language shows the choice; a language button switches and asks again what was asked."""
    if isinstance(event, CommandSent) and _command_name(event) == "language":
        wanted = event.argument.strip().lower()
        if wanted not in LANGUAGE_NAMES:
            turn.say(_language_reply(turn))
            return True
    elif isinstance(event, Pressed) and event.data.startswith("l|"):
        wanted = event.data[2:]
        if wanted not in LANGUAGE_NAMES:
            return False
    else:
        return False
    turn.speak(wanted)
    turn.effects.append(LanguageChosen(wanted))
    turn.notice = LANGUAGE_NAMES[wanted]
    switched = turn._("OK, from now on I'll talk with you in this language. Your answers are kept.")
    turn.say(Reply(switched))
    if turn.state.status == Status.ACTIVE:
        _normalise(turn)
        _prompt(turn)
    return True


def _language_reply(turn: _Turn) -> Reply:
    buttons = [Button(name, f"l|{code}") for code, name in LANGUAGE_NAMES.items()]
    return Reply(turn._(LANGUAGE_QUESTION), buttons=(tuple(buttons[:2]), tuple(buttons[2:])))


def _rest_of_album(turn: _Turn, event: Event) -> bool:
    """True for the 2nd, 3rd... item of an album while the interview is not taking files:
    one album gets one reply, not one per photo."""
    if not isinstance(event, MediaSent):
        return False
    group = event.media.group_id
    if group is not None and group == turn.state.last_media_group:
        return True
    turn.update(last_media_group=group)
    return False


def _command_name(event: CommandSent) -> str:
    return event.name.strip().lstrip("/").split("@")[0].lower()


def _after_break(script: Script, last: datetime | None, now: datetime) -> bool:
    if last is None:
        return False
    try:
        return now - last > timedelta(hours=script.resume_after_hours)
    except (TypeError, OverflowError):  # naive against aware: no break we can measure
        return False


def _normalise(turn: _Turn) -> None:
    """Repair a state that no longer fits the script (question removed, odd mode)."""
    state = turn.state
    underlying = state.mode
    if state.mode in (Mode.WELCOME_BACK, Mode.CONFIRM_CANCEL):
        underlying = state.resume_mode or Mode.ASKING
        if underlying in (Mode.WELCOME_BACK, Mode.CONFIRM_CANCEL):
            underlying = Mode.ASKING
            turn.update(resume_mode=Mode.ASKING)
    if underlying not in (Mode.ASKING, Mode.PROBING):
        return
    applicable_ids = {q.id for q in turn.applicable()}
    if state.current in applicable_ids:
        if underlying == Mode.PROBING and state.current not in state.answers:
            _set_underlying(turn, Mode.ASKING)
        return
    target = _next_unanswered(turn)
    if target is None:
        _set_underlying(turn, Mode.REVIEW)
        turn.update(current=None, pending_choices=(), return_to_review=False)
    else:
        _set_underlying(turn, Mode.ASKING)
        turn.update(current=target.id, pending_choices=_initial_pending(turn, target))


def _set_underlying(turn: _Turn, mode: Mode) -> None:
    if turn.state.mode in (Mode.WELCOME_BACK, Mode.CONFIRM_CANCEL):
        turn.update(resume_mode=mode)
    else:
        turn.update(mode=mode)


# --- moving through the script -------------------------------------------------------------


def _next_unanswered(turn: _Turn) -> Question | None:
    return next((q for q in turn.applicable() if q.id not in turn.state.answers), None)


def _initial_pending(turn: _Turn, question: Question) -> tuple[str, ...]:
    if question.kind != QuestionKind.MULTI:
        return ()
    answer = turn.state.answers.get(question.id)
    return answer.choices if answer is not None and not answer.skipped else ()


def _ask(turn: _Turn, question: Question, *, return_to_review: bool, prefix: str = "") -> None:
    turn.update(
        mode=Mode.ASKING,
        current=question.id,
        return_to_review=return_to_review,
        pending_choices=_initial_pending(turn, question),
        resume_mode=None,
    )
    turn.say(_question_reply(turn, question, prefix=prefix))


def _next_or_review(turn: _Turn) -> None:
    target = _next_unanswered(turn)
    if target is None:
        _enter_review(turn)
    else:
        _ask(turn, target, return_to_review=turn.state.return_to_review)


def _advance(turn: _Turn, from_id: str) -> None:
    """Leave a question (answered, skipped or kept) for the next unanswered one or review."""
    trail = (*(q for q in turn.state.trail if q != from_id), from_id)
    turn.update(trail=trail, held_text=None, pending_choices=())
    _next_or_review(turn)


def _enter_review(turn: _Turn) -> None:
    turn.update(
        mode=Mode.REVIEW,
        current=None,
        return_to_review=False,
        pending_choices=(),
        resume_mode=None,
    )
    for reply in _review_replies(turn, final=True):
        turn.say(reply)


def _back(turn: _Turn) -> None:
    state = turn.state
    if state.mode == Mode.REVIEW:
        questions = turn.applicable()
        if questions:
            _ask(turn, questions[-1], return_to_review=False)
        return
    if state.return_to_review:
        _enter_review(turn)
        return
    applicable_ids = {q.id for q in turn.applicable()}
    trail = list(state.trail)
    while trail:
        candidate = trail.pop()
        question = turn.script.question(candidate)
        if question is not None and candidate in applicable_ids and candidate != state.current:
            turn.update(trail=tuple(trail))
            _ask(turn, question, return_to_review=False)
            return
    turn.say(Reply(turn._("This is the first question — there's nothing to go back to.")))
    _prompt(turn)


def _has_previous(turn: _Turn) -> bool:
    if turn.state.return_to_review:
        return True
    applicable_ids = {q.id for q in turn.applicable()}
    return any(q in applicable_ids and q != turn.state.current for q in turn.state.trail)


# --- answering -----------------------------------------------------------------------------


def _finish_answer(turn: _Turn, question: Question, answer: Answer, typed: str) -> None:
    """Save a typed answer, then probe once if it is thin, or move on."""
    turn.save(answer)
    if len(typed) >= LONG_ANSWER_CHARS:
        turn.update(continuation_until=turn.now + CONTINUATION_WINDOW)
    if (
        question.kind in TEXT_KINDS
        and question.probe
        and question.id not in turn.state.probed
        and len(answer.text.split()) < question.thin_words
    ):
        turn.update(mode=Mode.PROBING, probed=(*turn.state.probed, question.id), held_text=None)
        turn.say(_probe_reply(turn, question))
        return
    _advance(turn, question.id)


def _existing(turn: _Turn, question: Question) -> Answer | None:
    answer = turn.state.answers.get(question.id)
    return None if answer is None or answer.skipped else answer


def _ids(message_id: int | None) -> tuple[int, ...]:
    return () if message_id is None else (message_id,)


def _text(turn: _Turn, text: str, message_id: int | None) -> None:
    mode = turn.state.mode
    if mode == Mode.REVIEW:
        _review_text(turn, text)
        return
    question = turn.current_question()
    if question is None:
        _prompt(turn)
        return
    if not text.strip():
        turn.say(Reply(turn._("I didn't get any words there — have another go?")))
        _prompt(turn)
        return
    if mode == Mode.PROBING:
        _probe_answer(turn, question, text, message_id)
    else:
        _answer_text(turn, question, text, message_id)


def _review_text(turn: _Turn, text: str) -> None:
    """On the review screen a number opens that question and "send" sends; anything else
    is told how, with the buttons again (numbered in the terminal)."""
    word = _normal_word(text)
    if word in turn.words.words(SEND_WORDS):
        _submit(turn)
        return
    questions = turn.applicable()
    if word.isdigit() and len(word) < 4 and 1 <= int(word) <= len(questions):
        _ask(turn, questions[int(word) - 1], return_to_review=True)
        return
    turn.say(
        Reply(
            turn._(
                "To change an answer, reply with its number (like 2) or tap it. "
                "To send your story, type “send” or tap ✅ Send it."
            ),
            buttons=_review_buttons(turn, questions, final=True),
        )
    )


def _probe_answer(turn: _Turn, question: Question, text: str, message_id: int | None) -> None:
    old = turn.state.answers.get(question.id) or Answer(question.id)
    joined = f"{old.text}\n{text}" if old.text else text
    answer = replace(
        old,
        text=joined,
        skipped=False,
        message_ids=old.message_ids + _ids(message_id),
        answered_at=turn.now,
    )
    turn.save(answer)
    if len(text) >= LONG_ANSWER_CHARS:
        turn.update(continuation_until=turn.now + CONTINUATION_WINDOW)
    turn.update(mode=Mode.ASKING)
    _advance(turn, question.id)


def _answer_text(turn: _Turn, question: Question, text: str, message_id: int | None) -> None:
    kind = question.kind
    existing = _existing(turn, question)
    if kind in CHOICE_KINDS:
        yes = YES_WORDS | turn.words.words(YES_LIST)
        no = NO_WORDS | turn.words.words(NO_LIST)
        option_id = _parse_choice(question, text, yes, no)
        if option_id is None:
            turn.say(_choice_retry(turn, question, multi=False))
            return
        _choose(turn, question, option_id, message_id)
        return
    if kind == QuestionKind.MULTI:
        choices = _parse_multi(question, text)
        if not choices:
            turn.say(_choice_retry(turn, question, multi=True))
            return
        answer = Answer(
            question.id, choices=choices, message_ids=_ids(message_id), answered_at=turn.now
        )
        turn.save(answer)
        _advance(turn, question.id)
        return
    if kind == QuestionKind.MEDIA:
        old = existing or Answer(question.id)
        note = f"{old.text}\n{text}" if old.text else text
        answer = replace(
            old,
            text=note,
            message_ids=old.message_ids + _ids(message_id),
            answered_at=turn.now,
        )
        turn.save(answer)
        if len(text) >= LONG_ANSWER_CHARS:
            turn.update(continuation_until=turn.now + CONTINUATION_WINDOW)
        _advance(turn, question.id)
        return
    value = text
    if kind == QuestionKind.LINK:
        link = _as_link(text)
        if link is None:
            turn.say(
                Reply(
                    turn._(
                        "That doesn't look like a link. Paste a web address (like example.org), "
                        "or tell me in a few words where you heard about it."
                    ),
                    buttons=_question_buttons(turn, question),
                )
            )
            return
        value = link
    media = existing.media if existing is not None else ()
    answer = Answer(
        question.id,
        text=value,
        media=media,
        message_ids=_ids(message_id),
        answered_at=turn.now,
    )
    _finish_answer(turn, question, answer, text)


def _choose(turn: _Turn, question: Question, option_id: str, message_id: int | None) -> None:
    answer = Answer(
        question.id, choices=(option_id,), message_ids=_ids(message_id), answered_at=turn.now
    )
    turn.save(answer)
    if option_id in question.stop_on:
        turn.update(status=Status.DECLINED, current=None, pending_choices=(), held_text=None)
        turn.effects.append(InterviewDeclined())
        stop = question.stop_message or turn._("OK — I won't ask anything else. Thank you.")
        turn.say(Reply(stop))
        return
    _advance(turn, question.id)


def _normal_word(text: str) -> str:
    return " ".join(text.strip().lower().rstrip(".!").split())


def _parse_choice(
    question: Question, text: str, yes: frozenset[str] = YES_WORDS, no: frozenset[str] = NO_WORDS
) -> str | None:
    word = _normal_word(text)
    if not word:
        return None
    if word.isdecimal() and len(word) < 4:
        index = int(word)
        if 1 <= index <= len(question.options):
            return question.options[index - 1].id
        return None
    for option in question.options:
        if word in (option.id.lower(), _normal_word(option.label)):
            return option.id
    ids = {o.id for o in question.options}
    if question.kind == QuestionKind.YES_NO and {"yes", "no"} <= ids:
        if word in yes:
            return "yes"
        if word in no:
            return "no"
    return None


def _parse_multi(question: Question, text: str) -> tuple[str, ...]:
    parts = [p for p in re.split(r"[,;\n]", text) if p.strip()]
    if len(parts) == 1 and re.fullmatch(r"[\d\s]+", parts[0]):
        parts = parts[0].split()
    chosen: list[str] = []
    for part in parts:
        option_id = _parse_choice(question, part)
        found: list[str | None] = [option_id]
        if option_id is None:  # "design and delivery"
            found = [_parse_choice(question, p) for p in re.split(r"\s+and\s+", part)]
        if None in found:
            return ()
        chosen.extend(o for o in found if o is not None and o not in chosen)
    return tuple(chosen)


def _as_link(text: str) -> str | None:
    """A URL (https:// added when missing), the text itself if it holds a URL or is at
    least three words (e.g. "heard it on local radio"), else None."""
    stripped = text.strip()
    if not stripped:
        return None
    match = _URL_TOKEN.match(stripped) if len(stripped.split()) == 1 else None
    if match is not None:
        return stripped if match.group("scheme") else f"https://{stripped}"
    if _SCHEME_URL.search(stripped) or len(stripped.split()) >= 3:
        return stripped
    return None


def _continue_long_answer(
    turn: _Turn, event: TextSent, continuation_until: datetime | None
) -> bool:
    """Append the next part of a message Telegram split, if one is expected now."""
    state = turn.state
    if not event.may_continue:
        return False
    if continuation_until is None or state.mode not in (Mode.ASKING, Mode.REVIEW):
        return False
    try:
        if turn.now >= continuation_until:
            return False
    except TypeError:
        return False
    if not state.trail or not event.text.strip():
        return False
    previous = turn.script.question(state.trail[-1])
    answer = state.answers.get(state.trail[-1])
    if previous is None or answer is None or answer.skipped:
        return False
    if previous.kind not in TEXT_KINDS and previous.kind != QuestionKind.MEDIA:
        return False
    joined = f"{answer.text}\n{event.text}" if answer.text else event.text
    turn.save(
        replace(
            answer,
            text=joined,
            message_ids=answer.message_ids + _ids(event.message_id),
            answered_at=turn.now,
        )
    )
    turn.update(continuation_until=turn.now + CONTINUATION_WINDOW)
    turn.say(Reply(turn._("Added that to your previous answer.")))
    _prompt(turn)
    return True


# --- media -------------------------------------------------------------------------------


def _media(turn: _Turn, event: MediaSent) -> None:
    media = event.media
    state = turn.state
    group = media.group_id
    if group is not None and group == state.last_media_group:
        # the rest of an album: goes where its first item went, one acknowledgement only
        for answer in state.answers.values():
            if not answer.skipped and any(m.group_id == group for m in answer.media):
                turn.save(
                    replace(
                        answer,
                        media=(*answer.media, media),
                        message_ids=answer.message_ids + _ids(event.message_id),
                        answered_at=turn.now,
                    )
                )
                return
        return  # the album's first item was refused: the refusal covers it all
    turn.update(last_media_group=group)
    question = turn.current_question()
    if state.mode == Mode.REVIEW or question is None:
        turn.say(Reply(turn._("To add a photo or file, tap the question it belongs to first.")))
        _prompt(turn)
        return
    kind = question.kind
    existing = _existing(turn, question)
    old = existing or Answer(question.id)
    attached = replace(
        old,
        media=(*old.media, media),
        message_ids=old.message_ids + _ids(event.message_id),
        answered_at=turn.now,
        skipped=False,
    )
    done_row = (Button(turn._("Done"), f"d|{question.id}"),)
    if kind == QuestionKind.MEDIA:
        turn.save(attached)
        if group is not None:
            # Only the album's first item is here yet: a count would say 1 for 3 photos.
            got = turn._("Got your album. Send more or tap Done.")
            turn.say(Reply(got, buttons=(done_row,)))
            return
        got = turn._("Got it (%(count)d so far). Send more or tap Done.")
        turn.say(Reply(got % {"count": len(attached.media)}, buttons=(done_row,)))
        return
    if kind == QuestionKind.LINK and media.kind == "link":
        url = str(media.meta.get("url") or media.caption or "").strip()
        text = url or attached.text
        _finish_answer(turn, question, replace(attached, text=text), "")
        return
    if kind == QuestionKind.CONTACT and media.kind == "contact":
        turn.save(attached)
        turn.update(mode=Mode.ASKING)
        _advance(turn, question.id)
        return
    if question.allow_media:
        caption = media.caption.strip()
        if caption:
            text = f"{old.text}\n{caption}" if old.text else caption
            if state.mode == Mode.PROBING:
                turn.save(replace(attached, text=text))
                turn.update(mode=Mode.ASKING)
                _advance(turn, question.id)
            else:
                _finish_answer(turn, question, replace(attached, text=text), caption)
            return
        turn.save(attached)
        attached_text = turn._("Thanks, attached. Add words too, or tap Done.")
        turn.say(Reply(attached_text, buttons=(done_row,)))
        return
    word = turn._(MEDIA_NAMES.get(media.kind, N_("file")))
    if kind in CHOICE_KINDS or kind == QuestionKind.MULTI:
        hint = turn._("I can't take a %(thing)s for this one — please tap a button.")
    else:
        hint = turn._("I can't take a %(thing)s for this one — please answer in words.")
    hint = hint % {"thing": word}
    turn.say(Reply(hint))
    _prompt(turn)


# --- buttons -----------------------------------------------------------------------------


def _pressed(turn: _Turn, data: str) -> None:
    state = turn.state
    mode = state.mode
    parts = data.split("|")
    action = parts[0]
    qid = parts[1] if len(parts) > 1 else None
    option = parts[2] if len(parts) > 2 else None
    question = turn.current_question()
    on_current = qid is not None and question is not None and qid == question.id and len(parts) <= 3
    asking = mode == Mode.ASKING and on_current and question is not None

    if data == "wc" and mode == Mode.WELCOME_BACK:
        resume = state.resume_mode or Mode.ASKING
        if resume in (Mode.WELCOME_BACK, Mode.CONFIRM_CANCEL):
            resume = Mode.ASKING
        turn.update(mode=resume, resume_mode=None)
        if resume not in (Mode.ASKING, Mode.PROBING):
            turn.update(held_text=None)
        _prompt(turn)
        return
    if data == "wr" and mode == Mode.WELCOME_BACK:
        turn.update(status=Status.ABANDONED, held_text=None, resume_mode=None)
        turn.effects.append(RestartRequested(turn.script.id))
        turn.notice = turn._("Starting over")
        return
    if data == "xy" and mode == Mode.CONFIRM_CANCEL:
        _cancel(turn)
        return
    if data == "xn" and mode == Mode.CONFIRM_CANCEL:
        _resume_after_confirm(turn)
        return
    if data == "x" and mode in (Mode.ASKING, Mode.PROBING, Mode.REVIEW):
        _confirm_cancel(turn)
        return
    if data == "sub" and mode == Mode.REVIEW:
        _submit(turn)
        return
    if data == "h" and mode in (Mode.ASKING, Mode.PROBING) and state.held_text:
        held = state.held_text
        turn.update(held_text=None)
        _text(turn, held, None)
        return
    if action == "e" and len(parts) == 2 and mode in (Mode.ASKING, Mode.PROBING, Mode.REVIEW):
        target = next((q for q in turn.applicable() if q.id == qid), None)
        if target is not None:
            back_to_review = mode == Mode.REVIEW or state.return_to_review
            _ask(turn, target, return_to_review=back_to_review)
            return
    if question is not None and on_current:
        known = option is not None and question.option(option) is not None
        if asking and action == "c" and known and question.kind in CHOICE_KINDS:
            assert option is not None
            _choose(turn, question, option, None)
            return
        if asking and action == "t" and known and question.kind == QuestionKind.MULTI:
            assert option is not None
            _toggle(turn, question, option)
            return
        if option is None:
            if action == "d" and mode in (Mode.ASKING, Mode.PROBING):
                _done(turn, question)
                return
            if asking and action == "k" and state.answers.get(question.id) is not None:
                _advance(turn, question.id)
                return
            if asking and action == "s":
                _skip(turn, question)
                return
            if action == "b" and mode in (Mode.ASKING, Mode.PROBING):
                _back(turn)
                return
    turn.notice = turn._(STALE_NOTICE)
    _prompt(turn)


def _toggle(turn: _Turn, question: Question, option_id: str) -> None:
    valid = {o.id for o in question.options}
    pending = [c for c in turn.state.pending_choices if c in valid]
    if option_id in pending:
        pending.remove(option_id)
    elif option_id == EXCLUSIVE_OPTION:
        pending = [option_id]
    else:
        pending = [c for c in pending if c != EXCLUSIVE_OPTION] + [option_id]
    turn.update(pending_choices=tuple(pending))
    turn.say(_question_reply(turn, question))


def _done(turn: _Turn, question: Question) -> None:
    state = turn.state
    existing = _existing(turn, question)
    if state.mode == Mode.PROBING:
        turn.update(mode=Mode.ASKING)
        _advance(turn, question.id)
        return
    if question.kind == QuestionKind.MULTI:
        valid = {o.id for o in question.options}
        choices = tuple(c for c in state.pending_choices if c in valid)
        if choices:
            turn.save(Answer(question.id, choices=choices, answered_at=turn.now))
            _advance(turn, question.id)
        elif question.optional:
            _skip(turn, question)
        else:
            turn.say(Reply(turn._("Tap at least one option, then Done.")))
        return
    if existing is not None and not existing.is_empty():
        _advance(turn, question.id)
        return
    if question.kind == QuestionKind.MEDIA and question.optional:
        _skip(turn, question)
        return
    if question.kind == QuestionKind.MEDIA:
        turn.say(Reply(turn._("Send a photo, file or voice note first, then tap Done.")))
        return
    needed = turn._("I still need an answer for this one.")
    turn.say(_question_reply(turn, question, prefix=needed))


def _skip(turn: _Turn, question: Question) -> None:
    existing = _existing(turn, question)
    if question.kind == QuestionKind.MEDIA and existing is not None and existing.media:
        _advance(turn, question.id)  # /skip after sending files means "that's all"
        return
    if not question.optional:
        if question.kind in CHOICE_KINDS or question.kind == QuestionKind.MULTI:
            needed = turn._("This one's needed, so I can't skip it — just tap the one that fits.")
        elif question.kind == QuestionKind.MEDIA:
            needed = turn._("This one's needed, so I can't skip it — send a file, then tap Done.")
        else:
            needed = turn._("This one's needed, so I can't skip it — a few words is plenty.")
        turn.say(Reply(needed, buttons=_question_buttons(turn, question)))
        return
    turn.save(Answer(question.id, skipped=True, answered_at=turn.now))
    turn.update(mode=Mode.ASKING)
    _advance(turn, question.id)


# --- commands ----------------------------------------------------------------------------


def _command(turn: _Turn, name: str) -> None:
    state = turn.state
    mode = state.mode
    question = turn.current_question()
    if name == "skip":
        if mode == Mode.PROBING and question is not None:
            _done(turn, question)
        elif mode == Mode.ASKING and question is not None:
            _skip(turn, question)
        else:
            turn.say(
                Reply(turn._("Nothing to skip here — tap ✅ Send it, or a question to change it."))
            )
    elif name == "back":
        _back(turn)
    elif name == "done":
        if mode in (Mode.ASKING, Mode.PROBING) and question is not None:
            _done(turn, question)
        elif mode == Mode.REVIEW:
            _submit(turn)
        else:
            _prompt(turn)
    elif name == "review":
        _review_command(turn)
    elif name == "cancel":
        _confirm_cancel(turn)
    elif name == "submit":
        if mode == Mode.REVIEW:
            _submit(turn)
        else:
            almost = turn._("Almost there — once the questions are done you can check and send.")
            turn.say(Reply(almost))
            _prompt(turn)
    elif name == "help":
        _help(turn)
    elif name == "status":
        buttons: tuple[tuple[Button, ...], ...] = ()
        if mode == Mode.REVIEW:  # the numbers keep working (they are the buttons' numbers)
            buttons = _review_buttons(turn, turn.applicable(), final=True)
        turn.say(Reply(_status_text(turn), buttons=buttons))
    else:
        shown = name[:30] or "that"
        unknown = turn._("I don't know /%(command)s, sorry. Send /help to see what I can do.")
        turn.say(Reply(unknown % {"command": shown}))


def _review_command(turn: _Turn) -> None:
    applicable = turn.applicable()
    if not any(q.id in turn.state.answers for q in applicable):
        turn.say(Reply(turn._("Nothing to review yet — let's get a first answer in.")))
        _prompt(turn)
        return
    if turn.state.mode == Mode.REVIEW or all(q.id in turn.state.answers for q in applicable):
        _enter_review(turn)
        return
    for reply in _review_replies(turn, final=False):
        turn.say(reply)
    _prompt(turn)


def _help(turn: _Turn) -> None:
    question = turn.current_question()
    if turn.state.mode == Mode.REVIEW or question is None:
        about = turn._(
            "You're checking your answers: reply with a question's number (or tap it) to "
            "change it, or type “send” (or tap ✅ Send it)."
        )
    else:
        about = question.help or turn._("Answer in your own words — there are no wrong answers.")
    turn.say(Reply(f"{about}\n\n{turn._(COMMANDS_TEXT)}"))


def _status_text(turn: _Turn) -> str:
    state = turn.state
    question = turn.current_question()
    if state.mode == Mode.REVIEW or question is None:
        return turn._(
            "All questions done — you're checking your answers. Reply with a question's "
            "number to change it, or type “send” (or tap ✅ Send it) when ready."
        )
    position, total, about = _position(turn, question)
    left = max(total - position, 0)
    if about:
        text = turn._("Question %(position)d of about %(total)d — about %(label)s; %(left)d left.")
    else:
        text = turn._("Question %(position)d of %(total)d — about %(label)s; %(left)d left.")
    return text % {"position": position, "total": total, "label": question.label, "left": left}


def _confirm_cancel(turn: _Turn) -> None:
    turn.update(resume_mode=turn.state.mode, mode=Mode.CONFIRM_CANCEL)
    turn.say(_confirm_reply(turn))


def _confirm_reply(turn: _Turn) -> Reply:
    return Reply(
        turn._(
            "Sure you want to stop? Your answers so far are kept for a while unless you send "
            "/delete."
        ),
        buttons=((Button(turn._("Yes, stop"), "xy"), Button(turn._("No, carry on"), "xn")),),
    )


def _confirming(turn: _Turn, event: Event) -> None:
    if isinstance(event, TextSent):
        word = _normal_word(event.text)
        if word in YES_WORDS | turn.words.words(YES_LIST):
            _cancel(turn)
            return
        if word in NO_WORDS | turn.words.words(NO_LIST):
            _resume_after_confirm(turn)
            return
    turn.say(_confirm_reply(turn))


def _cancel(turn: _Turn) -> None:
    turn.update(status=Status.CANCELLED, resume_mode=None, held_text=None, pending_choices=())
    turn.effects.append(InterviewCancelled())
    turn.say(Reply(turn._("OK, I've stopped. Send /start any time to begin again.")))


def _resume_after_confirm(turn: _Turn) -> None:
    resume = turn.state.resume_mode or Mode.ASKING
    if resume in (Mode.CONFIRM_CANCEL, Mode.WELCOME_BACK):
        resume = Mode.ASKING
    turn.update(mode=resume, resume_mode=None)
    _normalise(turn)
    _prompt(turn)


def _submit(turn: _Turn) -> None:
    if _next_unanswered(turn) is not None:
        turn.say(Reply(turn._("A few questions are still open — let's finish those first.")))
        _next_or_review(turn)
        return
    turn.update(status=Status.SUBMITTED, current=None, held_text=None)
    turn.effects.append(InterviewSubmitted())
    turn.say(Reply(turn.script.thanks))


# --- welcome back, finished, edits -------------------------------------------------------


def _welcome_back(turn: _Turn, held: str | None, media_dropped: bool = False) -> None:
    state = turn.state
    if state.mode != Mode.WELCOME_BACK:
        resume: Mode = state.mode
        if resume == Mode.CONFIRM_CANCEL:
            resume = state.resume_mode or Mode.ASKING
        turn.update(mode=Mode.WELCOME_BACK, resume_mode=resume)
    if held is not None:
        turn.update(held_text=held)
    reply = _welcome_back_reply(turn)
    if media_dropped:
        again = turn._("(Please send that file again afterwards.)")
        reply = replace(reply, text=f"{reply.text}\n\n{again}")
    turn.say(reply)


def _welcome_back_reply(turn: _Turn) -> Reply:
    question = turn.current_question()
    if turn.state.resume_mode == Mode.REVIEW or question is None:
        text = turn._(
            "Welcome back! You'd answered everything and were checking your answers. "
            "Carry on or start over?"
        )
    else:
        position, total, about = _position(turn, question)
        if about:
            text = turn._(
                "Welcome back! You were on question %(position)d of about %(total)d "
                "(%(label)s). Carry on or start over?"
            )
        else:
            text = turn._(
                "Welcome back! You were on question %(position)d of %(total)d (%(label)s). "
                "Carry on or start over?"
            )
        text = text % {"position": position, "total": total, "label": question.label}
    return Reply(
        text,
        buttons=((Button(turn._("Carry on"), "wc"), Button(turn._("Start over"), "wr")),),
    )


def _finished(turn: _Turn, event: Event) -> None:
    if isinstance(event, MessageEdited):
        # A submitted story's answers stay correctable: the draft is regenerated from them.
        if turn.state.status == Status.SUBMITTED:
            _edited(turn, event)
        return
    if isinstance(event, Pressed):
        turn.notice = turn._(STALE_NOTICE)
    if isinstance(event, CommandSent) and _command_name(event) == "status":
        text = {
            Status.SUBMITTED: N_("Your interview was sent — thank you!"),
            Status.CANCELLED: N_("You stopped this interview."),
            Status.DECLINED: N_("You chose not to take part this time."),
            Status.ABANDONED: N_("You started over, so this interview was set aside."),
        }.get(turn.state.status, "")
        start = turn._("Send /start to share another project.")
        turn.say(Reply(f"{turn._(text) if text else ''} {start}".strip()))
        return
    turn.say(Reply(turn._(FINISHED_TEXT)))


def _edited(turn: _Turn, event: MessageEdited) -> None:
    """An edited message replaces the whole text of the answer it was part of."""
    for question_id, answer in turn.state.answers.items():
        if event.message_id not in answer.message_ids:
            continue
        question = turn.script.question(question_id)
        if question is None or question.kind in CHOICE_KINDS:
            return
        if question.kind == QuestionKind.MULTI:
            return
        turn.save(replace(answer, text=event.text, answered_at=turn.now))
        updated = turn._("Updated your answer about %(label)s.")
        turn.say(Reply(updated % {"label": question.label}))
        return


# --- rendering ---------------------------------------------------------------------------


def _position(turn: _Turn, question: Question) -> tuple[int, int, bool]:
    """(position, total, whether the total is "about"): see :func:`possible_questions`."""
    questions, about = possible_questions(turn.script, turn.state.answers)
    ids = [q.id for q in questions]
    position = ids.index(question.id) + 1 if question.id in ids else len(ids)
    return position, len(ids), about


def _prompt(turn: _Turn) -> None:
    """Re-send whatever the contributor should be looking at now."""
    state = turn.state
    if state.status != Status.ACTIVE:
        turn.say(Reply(turn._(FINISHED_TEXT)))
        return
    mode = state.mode
    question = turn.current_question()
    if mode == Mode.WELCOME_BACK:
        turn.say(_welcome_back_reply(turn))
    elif mode == Mode.CONFIRM_CANCEL:
        turn.say(_confirm_reply(turn))
    elif mode == Mode.REVIEW or question is None:
        for reply in _review_replies(turn, final=True):
            turn.say(reply)
    elif mode == Mode.PROBING:
        turn.say(_probe_reply(turn, question))
    else:
        turn.say(_question_reply(turn, question))


def _shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    flat = " / ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _media_summary(media: tuple[MediaRef, ...], words: Words) -> str:
    counts: dict[str, int] = {}
    for item in media:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    parts = []
    for kind, count in counts.items():
        one, many = MEDIA_COUNTS.get(kind, OTHER_FILES)
        parts.append(words.ngettext(one, many, count) % {"count": count})
    return ", ".join(parts)


def summarise(question: Question, answer: Answer | None, words: Words | None = None) -> str:
    """A one-line view of an answer for the review card."""
    words = words or Words("en")
    if answer is None:
        return words._("— not answered yet")
    if answer.skipped:
        return words._("— skipped")
    parts: list[str] = []
    if answer.choices:
        labels = []
        for choice in answer.choices:
            option = question.option(choice)
            labels.append(option.label if option is not None else choice)
        parts.append(", ".join(labels))
    if answer.text.strip():
        parts.append(_shorten(answer.text))
    if answer.media:
        parts.append(_media_summary(answer.media, words))
    return "; ".join(parts) if parts else "—"


def _nav_row(turn: _Turn, question: Question) -> tuple[Button, ...]:
    row: list[Button] = []
    if _has_previous(turn):
        row.append(Button(turn._("⬅ Back"), f"b|{question.id}"))
    if turn.state.answers.get(question.id) is not None:
        row.append(Button(turn._("Keep"), f"k|{question.id}"))
    if question.optional:
        row.append(Button(turn._("Skip"), f"s|{question.id}"))
    return tuple(row)


def _question_buttons(turn: _Turn, question: Question) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = []
    answer = _existing(turn, question)
    chosen = answer.choices if answer is not None else ()
    if question.kind == QuestionKind.YES_NO:
        rows.append(
            tuple(
                Button(("✅ " if o.id in chosen else "") + o.label, f"c|{question.id}|{o.id}")
                for o in question.options
            )
        )
    elif question.kind == QuestionKind.CHOICE:
        rows.extend(
            (Button(("✅ " if o.id in chosen else "") + o.label, f"c|{question.id}|{o.id}"),)
            for o in question.options
        )
    elif question.kind == QuestionKind.MULTI:
        pending = turn.state.pending_choices
        rows.extend(
            (Button(("✅ " if o.id in pending else "") + o.label, f"t|{question.id}|{o.id}"),)
            for o in question.options
        )
        rows.append((Button(turn._("Done"), f"d|{question.id}"),))
    elif question.kind == QuestionKind.MEDIA:
        rows.append((Button(turn._("Done"), f"d|{question.id}"),))
    nav = _nav_row(turn, question)
    if nav:
        rows.append(nav)
    if turn.state.held_text:
        rows.append((Button(turn._("Use what you just sent"), "h"),))
    return tuple(rows)


def _held(turn: _Turn) -> str:
    sent = turn._("You just sent: “%(text)s”")
    return sent % {"text": _shorten(turn.state.held_text or "")}


def _question_reply(turn: _Turn, question: Question, prefix: str = "") -> Reply:
    position, total, about = _position(turn, question)
    text = question.prompt
    if question.optional:
        text += " " + turn._("(optional — /skip)")
    answer = turn.state.answers.get(question.id)
    if answer is not None:
        now = turn._("Your answer now: %(summary)s")
        text += "\n\n" + now % {"summary": summarise(question, answer, turn.words)}
    if turn.state.held_text:
        text += "\n\n" + _held(turn)
    if prefix:
        text = f"{prefix}\n\n{text}"
    if about:
        heading = turn._("Question %(position)d of about %(total)d")
    else:
        heading = turn._("Question %(position)d of %(total)d")
    return Reply(
        text=text,
        heading=heading % {"position": position, "total": total},
        buttons=_question_buttons(turn, question),
    )


def _probe_reply(turn: _Turn, question: Question) -> Reply:
    text = question.probe or turn._("Could you tell me a bit more?")
    rows: list[tuple[Button, ...]] = [(Button(turn._("That's all"), f"d|{question.id}"),)]
    if turn.state.held_text:
        rows.append((Button(turn._("Use what you just sent"), "h"),))
        text += "\n\n" + _held(turn)
    return Reply(text=text, buttons=tuple(rows))


def _choice_retry(turn: _Turn, question: Question, *, multi: bool) -> Reply:
    """The choices are the buttons (numbered in the terminal): named once, not listed again."""
    if multi:
        text = turn._(
            "Sorry, I didn't catch that. Tap the ones that fit, or reply with their numbers "
            "(1 to %(count)d) separated by commas, like 1,3."
        )
    else:
        text = turn._(
            "Sorry, I didn't catch that. Tap the one that fits, or reply with its number "
            "(1 to %(count)d)."
        )
    return Reply(
        text=text % {"count": len(question.options)},
        buttons=_question_buttons(turn, question),
    )


def _review_replies(turn: _Turn, *, final: bool) -> list[Reply]:
    """The review card, split into several messages if it would be too long for one."""
    answers = turn.state.answers
    questions = turn.applicable()
    still_to_go = 0
    if not final:  # part-way: only what has been answered so far
        still_to_go = sum(1 for q in questions if q.id not in answers)
        questions = [q for q in questions if q.id in answers]
    words = turn.words
    lines = [
        f"{n}. {q.label}: {summarise(q, answers.get(q.id), words)}"
        for n, q in enumerate(questions, start=1)
    ]
    rows = _review_buttons(turn, questions, final=final)
    if final:
        footer = turn._(
            "Tap a question (or reply with its number) to change it, or ✅ Send it when "
            "you're happy."
        )
    else:
        footer = words.ngettext(
            "%(count)d more question to go. Tap a question to change it, or carry on below.",
            "%(count)d more questions to go. Tap a question to change it, or carry on below.",
            still_to_go,
        ) % {"count": still_to_go}
    chunks: list[list[str]] = [[]]
    size = 0
    for line in [*lines, "", footer]:
        if size + len(line) > CARD_CHUNK_CHARS and chunks[-1]:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    replies = [Reply(text="\n".join(chunk)) for chunk in chunks]
    replies[0] = replace(replies[0], heading=turn._("Here's what you told me"))
    replies[-1] = replace(replies[-1], buttons=rows)
    return replies


def _review_buttons(
    turn: _Turn, questions: list[Question], *, final: bool
) -> tuple[tuple[Button, ...], ...]:
    """One button per question, in the card's order (so button n is question n), then send."""
    edit_buttons = [Button(f"✏️ {q.label}", f"e|{q.id}") for q in questions]
    rows: list[tuple[Button, ...]] = [
        tuple(edit_buttons[i : i + 2]) for i in range(0, len(edit_buttons), 2)
    ]
    if final:
        rows.append((Button(turn._("✅ Send it"), "sub"), Button(turn._("✖ Cancel"), "x")))
    return tuple(rows)


def _condition_holds(
    question_id: str,
    any_of: tuple[str, ...],
    answered: bool | None,
    answers: Mapping[str, Answer],
) -> bool:
    answer = answers.get(question_id)
    if answer is not None and answer.skipped:
        answer = None
    if any_of and (answer is None or not set(answer.choices) & set(any_of)):
        return False
    return answered is None or answered == (answer is not None and not answer.is_empty())
