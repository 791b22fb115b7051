"""The terminal chat: the same interview as on Telegram, typed at a prompt.

It needs no token and writes to the same database, so it is the two-minute way to try the
bot and the way staff test a script. Buttons are shown numbered; typing the number presses
the button, ``/command`` sends a command, anything else is an answer. ``/photo``, ``/file``
and ``/sticker`` stand in for attachments a terminal cannot send.
"""

from __future__ import annotations

import asyncio
import itertools
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
_FAKE_ATTACHMENTS = {
    "/photo": "photo",
    "/file": "document",
    "/voice": "voice",
}


async def read_stdin() -> str | None:
    """Read one line without blocking the event loop; ``None`` at end of input."""
    try:
        return await asyncio.to_thread(input, "> ")
    except EOFError:
        return None


def render(reply: Reply, first_number: int = 1) -> tuple[str, list[Button]]:
    """Plain-text form of a reply, with its buttons numbered from ``first_number``."""
    lines: list[str] = []
    if reply.heading:
        lines.append(f"== {reply.heading} ==")
    lines.append(reply.text)
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
    ) -> None:
        self._service = service
        self._console = console
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
        return TextSent(text=line, message_id=next(self._message_ids))

    def show(self, handled: Handled) -> None:
        if handled.notice:
            self._console.print(f"({handled.notice})", markup=False, highlight=False)
        self._buttons = []
        for reply in handled.replies:
            text, buttons = render(reply, first_number=len(self._buttons) + 1)
            self._buttons.extend(buttons)
            self._console.print(text, markup=False, highlight=False)
            self._console.print()
        if handled.submitted_reference:
            self._console.print(
                f"Reference: {handled.submitted_reference}", markup=False, highlight=False
            )

    async def send(self, event: Event) -> Handled:
        handled = await self._service.handle(self._person, event)
        self.show(handled)
        return handled

    async def run(self, read_line: ReadLine = read_stdin) -> None:
        """Open (or resume) the interview and loop until end of input or /quit."""
        self._console.print(
            "copro-bot terminal chat. Type your answers; numbers press buttons; "
            "/back /skip /review /cancel /help; /quit to leave (you can come back).",
            markup=False,
            highlight=False,
        )
        await self.send(Started(script_id=self._script_id))
        while True:
            line = await read_line()
            if line is None or line.strip().lower() in QUIT_WORDS:
                self._console.print(
                    "Bye for now: your answers are saved. Run the chat again to carry on.",
                    markup=False,
                    highlight=False,
                )
                return
            event = self.event_for(line)
            if event is not None:
                await self.send(event)


async def run_lines(chat: TerminalChat, lines: Sequence[str]) -> None:
    """Feed fixed lines to a chat (for scripted demos and tests)."""
    queue = iter(lines)

    async def read() -> str | None:
        return next(queue, None)

    await chat.run(read)
