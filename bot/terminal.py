"""The terminal chat: the same interview as on Telegram, typed at a prompt.

It needs no token and writes to the same database, so it is the two-minute way to try the
bot and the way staff test a script. Buttons are shown numbered; typing the number presses
the button, ``/command`` sends a command, anything else is an answer. ``/photo``, ``/file``
and ``/sticker`` stand in for attachments a terminal cannot send.

Input is read without a thread, so Ctrl-C leaves at once: on a terminal by prompt_toolkit
in raw mode (which also has no 4,095-character limit of a tty line, so a long paste is kept
whole), from a pipe through asyncio.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import stat
import sys
from collections.abc import Awaitable, Callable, Sequence

from rich.console import Console

from conversations.model import (
    Button,
    CommandSent,
    Event,
    MediaRef,
    MediaSent,
    Person,
    Pressed,
    Reply,
    Started,
    TextSent,
    Unsupported,
)
from storage.service import Handled, InterviewService

ReadLine = Callable[[], Awaitable[str | None]]
LOCAL_USER_ID = 1
QUIT_WORDS = frozenset({"/quit", "/exit"})
PROMPT = "> "
LINE_LIMIT = 16 * 1024 * 1024  # a pasted answer, however long, is one line
BYE = "Bye for now: your answers are saved. Run the chat again to carry on."
TERMINAL_HELP = (
    "In this terminal: type a number to press a button; /privacy – what is stored; "
    "/mydata – a copy of it; /quit – leave (your answers are kept; run the chat again to "
    "carry on)."
)
_FAKE_ATTACHMENTS = {
    "/photo": "photo",
    "/file": "document",
    "/voice": "voice",
}
# The engine words its hints for Telegram's buttons; here a button is pressed by its number.
# Only these phrases are reworded, so a contributor's own "tap" in a quoted answer stays.
_KEYBOARD_WORDING = (
    (
        re.compile(r"\b([Tt])ap the ones that fit, or reply with their numbers\b"),
        r"\1ype the numbers of the ones that fit",
    ),
    (
        re.compile(r"\b([Tt])ap the one that fits, or reply with its number\b"),
        r"\1ype the number of the one that fits",
    ),
    (  # the review card
        re.compile(r"\b([Tt])ap a question \(or reply with its number\) to change it, or ✅"),
        r"\1ype the number of a question to change it, or of ✅",
    ),
    (re.compile(r"\breply with its number \(like 2\) or tap it\b"), "type its number (like 2)"),
    (re.compile(r" \(or tap it\)"), ""),
    (re.compile(r"(\bor |\(or )tap(?= ✅)"), r"\1the number of"),
    (
        re.compile(r"\bTap to tick, tap again to untick\b"),
        "Type a number to tick it, again to untick",
    ),
    (re.compile(r"\b([Tt])ap all that fit\b"), r"\1ype the numbers of all that fit, one per line"),
    (
        re.compile(
            r"\b([Tt])ap(?=\s+(?:✅|(?:a button|a question|the question|the one that fits"
            r"|Done|at least one)\b))"
        ),
        r"\1ype the number of",
    ),
    (
        re.compile(r"(?<=[Tt]ype the number of) ✅ Send it, or a question"),
        " ✅ Send it, or of a question",
    ),
)


def keyboard_wording(text: str) -> str:
    """``text`` with its hints to tap buttons reworded for typing their numbers."""
    for pattern, replacement in _KEYBOARD_WORDING:
        text = pattern.sub(replacement, text)
    return text


def stdin_reader() -> ReadLine:
    """The way to read answers from this process's standard input, without a thread."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return _no_input
    if sys.stdin.isatty():
        return _prompt_reader()
    if stat.S_ISREG(mode):
        return _file_reader
    return _PipeReader()


async def _no_input() -> str | None:
    return None


def _prompt_reader() -> ReadLine:
    from prompt_toolkit import PromptSession

    session: PromptSession[str] = PromptSession()

    async def read() -> str | None:
        try:
            return await session.prompt_async(PROMPT)
        except EOFError:  # Ctrl-D
            return None

    return read


async def _file_reader() -> str | None:
    """A redirected file never blocks, so a plain read is enough."""
    sys.stdout.write(PROMPT)
    sys.stdout.flush()
    line = sys.stdin.readline()
    return line.rstrip("\r\n") if line else None


class _PipeReader:
    """Lines from a pipe through the event loop, so Ctrl-C is not stuck behind a read."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None

    async def __call__(self) -> str | None:
        if self._reader is None:
            reader = asyncio.StreamReader(limit=LINE_LIMIT)
            await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
            )
            self._reader = reader
        sys.stdout.write(PROMPT)
        sys.stdout.flush()
        line = await self._reader.readline()
        return line.decode("utf-8", "replace").rstrip("\r\n") if line else None


def render(reply: Reply, first_number: int = 1) -> tuple[str, list[Button]]:
    """Plain-text form of a reply, with its buttons numbered from ``first_number``."""
    lines: list[str] = []
    if reply.heading:
        lines.append(f"== {reply.heading} ==")
    lines.append(keyboard_wording(reply.text))
    buttons = [b for row in reply.buttons for b in row]
    for number, button in enumerate(buttons, start=first_number):
        lines.append(f"  [{number}] {button.label}")
    return "\n".join(lines), buttons


class TerminalChat:
    """Drives one contributor's interview from lines of text."""

    def __init__(
        self,
        service: InterviewService,
        console: Console,
        *,
        person: Person | None = None,
        script_id: str | None = None,
        privacy: str = "",
    ) -> None:
        self._service = service
        self._console = console
        self._privacy = privacy
        self._person = person or Person(user_id=LOCAL_USER_ID, chat_id=LOCAL_USER_ID, name="You")
        self._script_id = script_id
        self._buttons: list[Button] = []
        self._message_ids = itertools.count(1)

    def event_for(self, line: str) -> Event | None:
        """Translate a typed line into an event; ``None`` means nothing to send."""
        text = line.strip()
        if not text:
            return None
        if text.isdigit() and 1 <= int(text) <= len(self._buttons):
            return Pressed(self._buttons[int(text) - 1].data)
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            name = name.lower()
            if name == "start":
                return Started(script_id=argument.strip() or self._script_id)
            if f"/{name}" in _FAKE_ATTACHMENTS:
                kind = _FAKE_ATTACHMENTS[f"/{name}"]
                number = next(self._message_ids)
                media = MediaRef(
                    kind=kind,
                    file_id=f"terminal-{kind}-{number}",
                    caption=argument.strip(),
                    meta={"file_name": argument.strip()} if kind == "document" else {},
                )
                return MediaSent(media=media, message_id=number)
            if name == "sticker":
                return Unsupported(what="sticker")
            return CommandSent(name=name, argument=argument.strip())
        # A person at a prompt sends whole answers: nothing is a split part of the last one.
        return TextSent(text=line, message_id=next(self._message_ids), may_continue=False)

    def say(self, text: str) -> None:
        self._console.print(text, markup=False, highlight=False)

    def show(self, handled: Handled) -> None:
        if handled.notice:
            self._console.print(f"({handled.notice})", markup=False, highlight=False)
        shown: list[Button] = []
        for reply in handled.replies:
            text, buttons = render(reply, first_number=len(shown) + 1)
            shown.extend(buttons)
            self._console.print(text, markup=False, highlight=False)
            self._console.print()
        # A reply without buttons (/help, /status) leaves the last ones pressable, as the
        # buttons of an earlier message stay on a Telegram screen.
        if shown:
            self._buttons = shown
        if handled.submitted_reference:
            self._console.print(
                f"Reference: {handled.submitted_reference}", markup=False, highlight=False
            )

    async def send(self, event: Event) -> Handled | None:
        """Hand ``event`` to the interview, or answer it here: /privacy and /mydata are the
        bot's own, as on Telegram, and never reach the interview."""
        if isinstance(event, CommandSent) and event.name == "privacy":
            self.say(self._privacy)
            self._console.print()
            return None
        if isinstance(event, CommandSent) and event.name == "mydata":
            data = await self._service.export_person_data(self._person.user_id)
            self.say("Everything copro-bot stores about you:")
            # Printed unwrapped, so the copy stays valid JSON however long its texts are.
            self._console.print(
                json.dumps(data, ensure_ascii=False, indent=2, default=str),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            self._console.print()
            return None
        handled = await self._service.handle(self._person, event)
        self.show(handled)
        if isinstance(event, CommandSent) and event.name == "help":
            self.say(TERMINAL_HELP)
            self._console.print()
        return handled

    async def run(self, read_line: ReadLine | None = None) -> None:
        """Open (or resume) the interview and loop until end of input, /quit or Ctrl-C."""
        read = read_line or stdin_reader()
        self.say(
            "copro-bot terminal chat. Type your answers; numbers press buttons; "
            "/back /skip /review /cancel /help /language /privacy /mydata; /quit to leave "
            "(you can come back)."
        )
        try:
            await self.send(Started(script_id=self._script_id))
            while True:
                line = await read()
                if line is None or line.strip().lower() in QUIT_WORDS:
                    break
                event = self.event_for(line)
                if event is not None:
                    await self.send(event)
        except KeyboardInterrupt:  # Ctrl-C at the prompt
            pass
        except asyncio.CancelledError:  # Ctrl-C while an answer was being stored
            self.say(BYE)
            raise
        self.say(BYE)


async def run_lines(chat: TerminalChat, lines: Sequence[str]) -> None:
    """Feed fixed lines to a chat (for scripted demos and tests)."""
    queue = iter(lines)

    async def read() -> str | None:
        return next(queue, None)

    await chat.run(read)
