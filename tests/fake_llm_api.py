"""A fake OpenAI-compatible chat completions server on 127.0.0.1, for the writer model.

It answers ``POST /v1/chat/completions`` the way Ollama, vLLM, llama.cpp's server or a
hosted API would, and can be told to misbehave: invent facts (a number, a date, a URL or a
capitalised name found nowhere in the sentences it was sent), fail with a status, hang past
the client's timeout, send garbage or an empty answer. Every request is recorded, so tests
can check what left the bot. Nothing here reaches beyond the loopback interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

# One invented fact of each kind; none of them occurs in any fixture or test answer.
INVENTED: dict[str, str] = {
    "number": "In total 7391 residents signed up.",
    "date": "It opened on Thursday in November 1987.",
    "url": "Photos are at https://invented-example.net/gallery.",
    "name": "Councillor Zebedee Quortley chaired every meeting.",
}
# The same facts as phrases, for a rewrite that slips them into a faithful sentence.
INVENTED_PHRASES: dict[str, str] = {
    "number": "with 7391 residents",
    "date": "on Thursday in November 1987",
    "url": "see https://invented-example.net/gallery",
    "name": "with Zebedee Quortley",
}
INVENTED_FACTS: dict[str, tuple[str, ...]] = {
    "number": ("7391",),
    "date": ("Thursday", "November", "1987"),
    "url": ("invented-example.net",),
    "name": ("Zebedee", "Quortley"),
}
MODES = ("good", "invent", "invent_inside", "error", "timeout", "garbage", "wrong_shape", "empty")


def sentences_of(messages: list[JSON]) -> list[str]:
    """The numbered sentences of the last user message (what a model is asked to rewrite)."""
    user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    lines = str(user).split("Sentences:", 1)[-1].splitlines()
    return [m.group(1) for line in lines if (m := re.match(r"\s*\d+\.\s+(.*\S)", line))]


def good_rewrite(messages: list[JSON]) -> str:
    """A faithful rewrite: the sentences as one paragraph, with "we"/"I" turned third person
    and the first word given a capital, every fact kept."""
    out = []
    for sentence in sentences_of(messages):
        sentence = re.sub(r"\bwe\b", "they", sentence)
        sentence = re.sub(r"\bWe\b", "They", sentence)
        sentence = sentence[:1].upper() + sentence[1:]
        if sentence[-1:] not in ".!?":
            sentence += "."
        out.append(sentence)
    return " ".join(out)


@dataclass
class RecordedRequest:
    path: str
    authorization: str | None
    body: JSON


@dataclass
class FakeLlmApi:
    """``async with FakeLlmApi() as llm: ... llm.base_url ...``; set ``mode`` (one of
    :data:`MODES`) or ``reply`` (messages -> text) to choose the answers."""

    mode: str = "good"
    invented_kinds: tuple[str, ...] = ("number", "date", "url", "name")
    hang_seconds: float = 5.0
    reply: Callable[[list[JSON]], str] | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _closing: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""

    async def __aenter__(self) -> FakeLlmApi:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._closing.set()  # a hanging answer ends now rather than holding up the shutdown
        if self._runner is not None:
            await self._runner.cleanup()

    def sent_text(self) -> str:
        """Everything the bot sent to the model, for checks of what left it."""
        return "\n".join(json.dumps(r.body, ensure_ascii=False) for r in self.requests)

    def invented(self, kind: str) -> str:
        return INVENTED[kind]

    def answer(self, messages: list[JSON]) -> str:
        """The text this fake gives for ``messages`` in modes that answer at all."""
        if self.reply is not None:
            return self.reply(messages)
        text = good_rewrite(messages)
        extra = " ".join(INVENTED[k] for k in self.invented_kinds)
        if self.mode == "invent":
            return f"{text} {extra}"
        if self.mode == "invent_inside":
            # The invented facts inside the rewrite's first sentence, not in a sentence apart.
            first, _, rest = text.partition(". ")
            phrases = ", ".join(INVENTED_PHRASES[k] for k in self.invented_kinds)
            return f"{first.rstrip('.')}, {phrases}. {rest}".strip()
        return text

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unparsed": raw.decode("utf-8", "replace")}
        self.requests.append(
            RecordedRequest(request.path, request.headers.get("Authorization"), body)
        )
        if self.mode == "error":
            return web.json_response({"error": {"message": "model overloaded"}}, status=503)
        if self.mode == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self.hang_seconds)
        if self.mode == "garbage":
            return web.Response(text="<html>Bad gateway</html>", content_type="text/html")
        if self.mode == "wrong_shape":
            return web.json_response({"result": "ok", "choices": []})
        content = "" if self.mode == "empty" else self.answer(list(body.get("messages") or []))
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "model": body.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        )
