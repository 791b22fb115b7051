"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

The real python-telegram-bot ``Bot``/``Application`` talks to it over HTTP exactly as it would
to Telegram: ``POST {url}/bot{token}/{method}`` with form, JSON or multipart parameters, and
``{"ok": true, "result": ...}`` back. Tests play the user's side by queueing real-looking
``Update`` JSON (see :class:`FakeUser`), inspect what the bot called (:attr:`FakeBotApi.calls`)
and inject failures (:meth:`FakeBotApi.fail_next`, :attr:`FakeBotApi.blocked_chats`,
:attr:`FakeBotApi.faults` for 429s, 500s and slow answers, :meth:`FakeBotApi.redeliver` for
updates Telegram sends again). Every call is recorded with its time (``at``). Nothing
here reaches beyond the loopback interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

JSON = dict[str, Any]

# Parameters that are always strings, even when they look like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "file_id",
        "action",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "question",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
    }
)
_INLINE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_URL = re.compile(r"https?://[^\s<>\"]+")
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


class ApiError(Exception):
    """An error answer: the HTTP status doubles as ``error_code``, as Telegram does."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part as the bot uploaded it."""

    field: str
    file_name: str
    content: bytes
    content_type: str


@dataclass
class RecordedCall:
    """One Bot API request: decoded parameters, uploaded files and what was answered."""

    method: str
    params: JSON
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 200
    result: Any = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Faults:
    """Scripted trouble for the calls that deliver messages (``send*`` and ``edit*``):
    a share of them refused with ``status`` (``retry_after`` for a 429), and the others
    carried out at once but answered only after ``delay`` seconds (past the bot's read
    timeout: a timeout that still delivered, as Telegram's can). Set
    :attr:`FakeBotApi.faults`; ``None`` ends it."""

    error_rate: float = 0.0
    status: int = 500
    retry_after: int | None = None
    delay: float = 0.0
    seed: int = 0
    random: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import random

        self.random = random.Random(self.seed)

    def error(self) -> ApiError | None:
        if self.error_rate <= 0 or self.random.random() >= self.error_rate:
            return None
        if self.status == 429:
            return ApiError(
                429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after
            )
        if self.status == 403:
            return ApiError(403, "Forbidden: bot was blocked by the user")
        return ApiError(self.status, "Internal Server Error")


def _delivers(method: str) -> bool:
    return method.lower().startswith(("send", "edit"))


def utf16_len(text: str) -> int:
    """Telegram measures text and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Parses HTML the way Telegram's parse_mode=HTML does, enough to reject what it rejects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[JSON] = []
        self.stack: list[tuple[str, int, JSON]] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
            return
        extra: JSON = {}
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                extra["url"] = href
        self.stack.append((tag, utf16_len(self.text), extra))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.error = f'Unmatched end tag "{tag}"'
            return
        _, start, extra = self.stack.pop()
        length = utf16_len(self.text) - start
        if length > 0 and not (tag == "a" and "url" not in extra):
            entity: JSON = {"type": _INLINE_TAGS[tag], "offset": start, "length": length}
            entity.update(extra)
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Plain text and entities of an HTML-formatted message, or ``ApiError`` 400 as Telegram."""
    if re.search(r"<(?![a-zA-Z/])", text):
        raise ApiError(400, "Bad Request: can't parse entities: unexpected '<'")
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.stack:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1][0]}"'
    if parser.error is not None:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
    parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return parser.text, parser.entities


def _decode_value(name: str, value: str) -> Any:
    """PTB sends strings raw and everything else JSON-encoded; undo that."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotApi:
    """An in-process Telegram Bot API for one bot token, served on a random loopback port.

    :attr:`calls` records every request in arrival order, except ``getUpdates`` long polls
    that came back empty (the bot polls all the time; those would only be noise).
    """

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Copro Test Bot",
            "username": "copro_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.url = ""
        self.calls: list[RecordedCall] = []
        self.blocked_chats: set[int] = set()
        self.faults: Faults | None = None
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.commands: dict[str, list[JSON]] = {}
        self.chats: dict[int, JSON] = {}
        self.files: dict[str, bytes] = {}
        self.messages: dict[tuple[int, int], JSON] = {}  # (chat_id, message_id) -> current
        self._sent: list[JSON] = []  # bot-sent messages and edits, in order
        self._updates: list[JSON] = []  # queued, not yet acknowledged
        self._redeliveries: list[JSON] = []  # see redeliver
        self.delivered: list[JSON] = []  # every update getUpdates handed out, in order
        self._captured: list[JSON] | None = None  # see capture_updates
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._failures: dict[str, list[ApiError]] = {}
        self._stalled: dict[str, asyncio.Event] = {}
        self._callback_ids: set[str] = set()
        self._callback_chats: dict[str, int] = {}
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._arrived = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._last_call_at = time.monotonic()
        self.latency = 0.0
        """Seconds every call waits before it is answered, as over a slow network."""
        self.chat_latency: dict[int, float] = {}
        """Seconds more that calls addressed to a chat wait (one slow chat, in benchmarks)."""
        self.message_listeners: list[Callable[[JSON], None]] = []
        """Called with each message the bot sends, as it arrives (benchmarks time replies)."""
        self.offset_listeners: list[Callable[[int], None]] = []
        """Called with each ``getUpdates`` offset: every update below it is acknowledged."""
        self._pushing: set[int] = set()  # update ids on their way to a webhook worker
        self._push_tasks: set[asyncio.Task[None]] = set()
        self._chat_gates: dict[int, asyncio.Lock] = {}
        self._next_worker = itertools.count()
        self.webhook_deliveries: list[tuple[int, str, int | None]] = []
        """(update_id, worker URL, HTTP status or None for no answer), in order."""

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = int(self._runner.addresses[0][1])
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._closing = True
        self._wake_pollers()
        for task in list(self._push_tasks):
            task.cancel()
        await asyncio.gather(*self._push_tasks, return_exceptions=True)
        for method in list(self._stalled):
            self.release(method)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # --- the user's side ----------------------------------------------------------------

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Ana",
        chat_id: int | None = None,
        language_code: str = "en",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        return FakeUser(
            self,
            user_id=user_id,
            first_name=first_name,
            chat_id=user_id if chat_id is None else chat_id,
            language_code=language_code,
            last_name=last_name,
            username=username,
        )

    def queue_update(self, update: JSON) -> int:
        """Queue an update for ``getUpdates``; ``update_id`` is assigned unless given."""
        if "update_id" in update:
            update_id = int(update["update_id"])
            self._update_ids = itertools.count(max(update_id + 1, next(self._update_ids)))
        else:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **update}
        if self._captured is not None:
            self._captured.append(update)
            return update_id
        self._updates.append(update)
        self._wake_pollers()
        return update_id

    def redeliver(self, updates: list[JSON]) -> None:
        """Hand ``updates`` out once more with their own ids, ahead of the queue, however
        far the bot has acknowledged: as Telegram does when an acknowledgement was lost."""
        self._redeliveries.extend(dict(u) for u in updates)
        self._wake_pollers()

    @contextlib.contextmanager
    def capture_updates(self) -> Iterator[list[JSON]]:
        """Inside the block, the users' actions build their updates into the yielded list
        instead of queueing them for ``getUpdates``: for :meth:`post_webhook`."""
        captured: list[JSON] = []
        self._captured = captured
        try:
            yield captured
        finally:
            self._captured = None

    @property
    def pending_updates(self) -> list[JSON]:
        """Queued updates the bot has not acknowledged yet (by a later ``offset``)."""
        return list(self._updates)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def next_id(self) -> int:
        return next(self._ids)

    def register_chat(self, chat: JSON) -> None:
        self.chats[int(chat["id"])] = chat

    def add_file(self, file_id: str, content: bytes) -> None:
        """Content served for ``getFile`` + download of ``file_id`` (default: a stand-in)."""
        self.files[file_id] = content

    # --- what the bot did ----------------------------------------------------------------

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """Messages the bot sent or edited (edits carry ``edit_date``), oldest first."""
        return [dict(m) for m in self._sent if chat_id is None or int(m["chat"]["id"]) == chat_id]

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def mark(self) -> int:
        """A position in :attr:`calls`, for ``wait_for(..., since=mark)``."""
        return len(self.calls)

    async def wait_for(
        self,
        predicate: Callable[[RecordedCall], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' own bound, TimeoutError past it
        *,
        since: int = 0,
    ) -> RecordedCall:
        """The first call at index >= ``since`` matching ``predicate``, waiting if needed."""
        found: list[RecordedCall] = []

        def matched() -> bool:
            found.extend(c for c in self.calls[since:] if predicate(c))
            return bool(found)

        await self.wait_until(matched, timeout)
        return found[0]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Re-check ``condition`` after every call the bot makes; TimeoutError past ``timeout``."""
        async with asyncio.timeout(timeout):
            while True:
                self._arrived.clear()
                if condition():
                    return
                await self._arrived.wait()

    async def wait_idle(
        self,
        quiet: float = 0.2,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until every queued update is acknowledged and no call came for ``quiet`` s."""
        async with asyncio.timeout(timeout):
            while True:
                idle_for = time.monotonic() - self._last_call_at
                if not self._updates and idle_for >= quiet:
                    return
                await asyncio.sleep(max(0.01, min(quiet - idle_for, quiet / 4)))

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Answer the next call of ``method`` with this error (queued, one per call)."""
        self._failures.setdefault(method.lower(), []).append(
            ApiError(status, description, retry_after)
        )

    def stall(self, method: str) -> None:
        """Record calls of ``method`` but answer none until :meth:`release`: the bot hangs
        there, as it would on a slow network, so a test can stop it at that exact point."""
        self._stalled.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        """Answer the stalled calls of ``method`` (if anyone still waits) and stop stalling."""
        gate = self._stalled.pop(method.lower(), None)
        if gate is not None:
            gate.set()

    async def post_webhook(self, url: str, update: JSON, secret: str | None = None) -> int:
        """POST an update to the bot's webhook server as Telegram would; the HTTP status."""
        host = urlsplit(url).hostname or ""
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"webhook URL must be on the loopback interface: {url}")
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, json=update, headers=headers) as response,
        ):
            await response.read()
            return response.status

    def push_to_workers(self, urls: list[str], *, answer_within: float = 10.0) -> None:
        """Deliver queued updates to webhook workers as Telegram does to a balanced webhook:
        round-robin over ``urls``, a chat's updates one after another (its next only once
        the previous was answered), and an update not answered 200 within ``answer_within``
        seconds (a worker killed, refusing, or too slow) delivered again to the next worker.
        An update counts as acknowledged (leaves :attr:`pending_updates`) on its 200."""
        task = asyncio.create_task(self._push_loop(list(urls), answer_within))
        self._push_tasks.add(task)
        task.add_done_callback(self._push_tasks.discard)

    async def _push_loop(self, urls: list[str], answer_within: float) -> None:
        while not self._closing:
            again, self._redeliveries = self._redeliveries, []
            fresh = [u for u in self._updates if int(u["update_id"]) not in self._pushing]
            for update in [*again, *fresh]:
                self._pushing.add(int(update["update_id"]))
                gate = self._chat_gates.setdefault(_chat_of(update), asyncio.Lock())
                task = asyncio.create_task(self._push(update, urls, answer_within, gate))
                self._push_tasks.add(task)
                task.add_done_callback(self._push_tasks.discard)
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.5)

    async def _push(
        self, update: JSON, urls: list[str], answer_within: float, gate: asyncio.Lock
    ) -> None:
        update_id = int(update["update_id"])
        headers = {}
        if self.webhook_secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        timeout = aiohttp.ClientTimeout(total=answer_within)
        async with gate, aiohttp.ClientSession(timeout=timeout) as session:
            first = next(self._next_worker)
            for attempt in itertools.count():
                url = urls[(first + attempt) % len(urls)]
                self.delivered.append(dict(update))
                status: int | None = None
                try:
                    async with session.post(url, json=update, headers=headers) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = None
                self.webhook_deliveries.append((update_id, url, status))
                if status == 200:
                    break
                if self._closing:
                    return
                if (attempt + 1) % len(urls) == 0:
                    await asyncio.sleep(0.5)  # every worker failed it: wait a little
        self._updates = [u for u in self._updates if int(u["update_id"]) != update_id]
        self._pushing.discard(update_id)

    # --- HTTP -------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        file_prefix = f"/file/bot{self.token}/"
        if path.startswith(file_prefix):
            return self._download(path[len(file_prefix) :])
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        if match.group(1) != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = match.group(2)
        params, files = await self._read_params(request)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if self.chat_latency:
            await asyncio.sleep(self.chat_latency.get(self._chat_called(params) or 0, 0.0))
        call = RecordedCall(method=method, params=params, files=files, at=time.monotonic())
        if method.lower() != "getupdates":
            self._record(call)
            gate = self._stalled.get(method.lower())
            if gate is not None:
                await gate.wait()
        faults = self.faults if _delivers(method) else None
        try:
            failure = self._take_failure(method)
            if faults is not None:
                failure = failure or faults.error()
            if failure is not None:
                raise failure
            result = await self._answer(method, params, files)
            if faults is not None and faults.delay > 0:
                # Done, but answered late: a client that gave up meanwhile never hears.
                await asyncio.sleep(faults.delay)
        except ApiError as error:
            call.status, call.result = error.status, error.body()
            if method.lower() == "getupdates":
                self._record(call)
            return web.json_response(error.body(), status=error.status)
        call.result = result
        if method.lower() == "getupdates" and result:
            self._record(call)
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: RecordedCall) -> None:
        self.calls.append(call)
        self._last_call_at = time.monotonic()
        self._arrived.set()

    def _take_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method.lower())
        return queue.pop(0) if queue else None

    async def _read_params(self, request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
        params: JSON = {}
        files: dict[str, UploadedFile] = {}
        for key, query_value in request.query.items():
            params[key] = _decode_value(key, query_value)
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    field=key,
                    file_name=value.filename,
                    content=value.file.read(),
                    content_type=value.content_type,
                )
            elif isinstance(value, str):
                params[key] = _decode_value(key, value)
        return params, files

    def _download(self, file_path: str) -> web.Response:
        file_id = file_path.rsplit("/", 1)[-1]
        content = self.files.get(file_id, f"content of {file_id}".encode())
        return web.Response(body=content, content_type="application/octet-stream")

    # --- methods ------------------------------------------------------------------------

    async def _answer(self, method: str, params: JSON, files: dict[str, UploadedFile]) -> Any:
        name = method.lower()
        if name == "getme":
            return dict(self.bot_user)
        if name == "getupdates":
            return await self._get_updates(params)
        if name == "setwebhook":
            self.webhook_url = str(params.get("url") or "")
            self.webhook_secret = params.get("secret_token")
            if params.get("drop_pending_updates"):
                self._updates.clear()
            return True
        if name == "deletewebhook":
            self.webhook_url, self.webhook_secret = "", None
            if params.get("drop_pending_updates"):
                self._updates.clear()
            return True
        if name == "getwebhookinfo":
            return {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
        if name in ("setmycommands", "deletemycommands", "getmycommands"):
            return self._commands(name, params)
        if name == "sendchataction":
            self._check_chat(params)
            return True
        if name == "sendmessage":
            return self._send_message(params)
        if name == "editmessagetext":
            return self._edit(params, text=True)
        if name in ("editmessagereplymarkup", "editmessagecaption"):
            return self._edit(params, text=False)
        if name == "deletemessage":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if self.messages.pop(key, None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
            return True
        if name == "answercallbackquery":
            if str(params.get("callback_query_id")) not in self._callback_ids:
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID "
                    "is invalid",
                )
            return True
        if name == "getfile":
            file_id = str(params.get("file_id") or "")
            if not file_id:
                raise ApiError(400, "Bad Request: file_id not specified")
            content = self.files.get(file_id, f"content of {file_id}".encode())
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(content),
                "file_path": f"files/{file_id}",
            }
        if name in ("close", "logout"):
            return True
        if name.startswith("send") and name != "sendmediagroup":
            return self._send_other(method, params, files)
        return True

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int):
            for listener in self.offset_listeners:
                listener(offset)
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll still waiting is terminated, as in Telegram
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self._updates or self._redeliveries or self._closing:
                again, self._redeliveries = self._redeliveries[:limit], self._redeliveries[limit:]
                batch = again + [dict(u) for u in self._updates[: max(0, limit - len(again))]]
                self.delivered.extend(batch)
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def _wake_pollers(self) -> None:
        self._changed.set()

    def _commands(self, name: str, params: JSON) -> Any:
        scope = params.get("scope") or {"type": "default"}
        key = json.dumps([scope, params.get("language_code") or ""], sort_keys=True)
        if name == "setmycommands":
            commands = params.get("commands")
            if not isinstance(commands, list):
                raise ApiError(400, 'Bad Request: parameter "commands" is required')
            for command in commands:
                if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                    raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            self.commands[key] = [dict(c) for c in commands]
            return True
        if name == "deletemycommands":
            self.commands.pop(key, None)
            return True
        return list(self.commands.get(key, []))

    # --- messages -----------------------------------------------------------------------

    def _chat(self, chat_id: int) -> JSON:
        if chat_id in self.chats:
            return dict(self.chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def _check_chat(self, params: JSON) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _formatted(self, params: JSON, key: str, limit: int) -> tuple[str, list[JSON]]:
        raw = str(params.get(key) or "")
        mode = str(params.get("parse_mode") or "").lower()
        if mode == "html":
            text, entities = parse_html(raw)
        else:
            text, entities = (
                raw,
                list(params.get(f"{key}_entities" if key != "text" else "entities") or []),
            )
        if key == "text" and not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > limit:
            raise ApiError(
                400,
                "Bad Request: message is too long"
                if key == "text"
                else "Bad Request: message caption is too long",
            )
        return text, entities

    def _markup(self, params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None
        for row in markup["inline_keyboard"]:
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not (
                    1 <= len(str(data).encode("utf-8")) <= CALLBACK_DATA_LIMIT
                ):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _new_message(self, chat_id: int, content: JSON, params: JSON) -> JSON:
        message: JSON = {
            "message_id": self.next_message_id(),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        message.update(content)
        markup = self._markup(params)
        if markup is not None:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        self._sent.append(message)
        for listener in self.message_listeners:
            listener(message)
        return dict(message)

    def _send_message(self, params: JSON) -> JSON:
        chat_id = self._check_chat(params)
        text, entities = self._formatted(params, "text", MESSAGE_LIMIT)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._new_message(chat_id, content, params)

    def _send_other(self, method: str, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        """sendDocument, sendPhoto, sendVoice...: a message with the attachment described."""
        chat_id = self._check_chat(params)
        kind = re.sub(r"(?<!^)(?=[A-Z])", "_", method[4:]).lower() or "document"
        content: JSON = {}
        upload = files.get(kind) or next(iter(files.values()), None)
        file_id = f"{kind}-{self.next_id()}"
        attachment: JSON = {"file_id": file_id, "file_unique_id": f"u-{file_id}"}
        if upload is not None:
            attachment.update(
                file_name=upload.file_name,
                mime_type=upload.content_type,
                file_size=len(upload.content),
            )
            self.files[file_id] = upload.content
        elif isinstance(params.get(kind), str):
            attachment["file_id"] = params[kind]
        if kind == "photo":
            attachment.update(width=800, height=600)
            attachment.pop("file_name", None)
            attachment.pop("mime_type", None)
            content["photo"] = [attachment]
        elif kind in ("location", "venue", "contact", "dice", "poll"):
            content[kind] = {k: v for k, v in params.items() if k != "chat_id"}
        else:
            content[kind] = attachment
        if "caption" in params:
            caption, entities = self._formatted(params, "caption", CAPTION_LIMIT)
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return self._new_message(chat_id, content, params)

    def _edit(self, params: JSON, *, text: bool) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        chat_id = self._check_chat(params)
        key = (chat_id, int(params.get("message_id") or 0))
        current = self.messages.get(key)
        if current is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        updated = dict(current)
        if text:
            new_text, entities = self._formatted(params, "text", MESSAGE_LIMIT)
            updated["text"] = new_text
            updated.pop("entities", None)
            if entities:
                updated["entities"] = entities
        elif "caption" in params:
            caption, entities = self._formatted(params, "caption", CAPTION_LIMIT)
            updated["caption"] = caption
        markup = self._markup(params)
        updated.pop("reply_markup", None)
        if markup is not None:
            updated["reply_markup"] = markup
        if {k: v for k, v in updated.items() if k != "edit_date"} == {
            k: v for k, v in current.items() if k != "edit_date"
        }:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the "
                "message",
            )
        updated["edit_date"] = int(time.time())
        self.messages[key] = updated
        self._sent.append(updated)
        return dict(updated)

    def bot_message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state of a message the bot sent (after edits), if it still exists."""
        message = self.messages.get((chat_id, message_id))
        return dict(message) if message is not None else None

    def _remember_callback(self, callback_id: str, chat_id: int | None = None) -> None:
        self._callback_ids.add(callback_id)
        if chat_id is not None:
            self._callback_chats[callback_id] = chat_id

    def _chat_called(self, params: JSON) -> int | None:
        """The chat a call is addressed to: its ``chat_id``, or the chat whose button press
        it answers."""
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return int(params["chat_id"])
        return self._callback_chats.get(str(params.get("callback_query_id")))


def _chat_of(update: JSON) -> int:
    """The chat an update belongs to (its sender's for a button press), for ordering."""
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if key in update:
            return int(update[key]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None:
        message = query.get("message")
        if message is not None:
            return int(message["chat"]["id"])
        return int(query["from"]["id"])
    return 0


class FakeUser:
    """A Telegram user in a private chat with the bot; each action queues one update."""

    def __init__(
        self,
        api: FakeBotApi,
        *,
        user_id: int,
        first_name: str,
        chat_id: int,
        language_code: str,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.api = api
        self.user_id = user_id
        self.chat_id = chat_id
        self.from_user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if last_name:
            self.from_user["last_name"] = last_name
        if username:
            self.from_user["username"] = username
        self.chat: JSON = {"id": chat_id, "type": "private", "first_name": first_name}
        if last_name:
            self.chat["last_name"] = last_name
        if username:
            self.chat["username"] = username
        api.register_chat(self.chat)
        self.sent: dict[int, JSON] = {}  # message_id -> the user's message
        self._seen = 0  # how many bot messages to this chat ``reply`` has returned

    # --- building updates -----------------------------------------------------------------

    def _message(self, content: JSON, chat: JSON | None = None) -> JSON:
        message: JSON = {
            "message_id": self.api.next_message_id(),
            "from": dict(self.from_user),
            "chat": dict(chat or self.chat),
            "date": int(time.time()),
        }
        message.update(content)
        return message

    def _send(self, content: JSON, chat: JSON | None = None) -> int:
        message = self._message(content, chat)
        self.sent[message["message_id"]] = message
        self.api.queue_update({"message": message})
        return int(message["message_id"])

    def _file(self, prefix: str, **extra: Any) -> JSON:
        file_id = f"{prefix}-{self.api.next_id()}"
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", **extra}

    # --- actions ------------------------------------------------------------------------

    def send_text(self, text: str, *, reply_to: int | None = None) -> int:
        """A text message; URLs get ``url`` entities as Telegram adds them."""
        content: JSON = {"text": text}
        entities = [
            {
                "type": "url",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group()),
            }
            for m in _URL.finditer(text)
        ]
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            original = self.sent.get(reply_to) or self.api.bot_message(self.chat_id, reply_to)
            if original is not None:
                content["reply_to_message"] = original
        return self._send(content)

    def send_command(self, command: str, payload: str = "") -> int:
        """``/start`` (or ``start``) with an optional payload; the entity covers the command."""
        command = "/" + command.lstrip("/")
        text = f"{command} {payload}" if payload else command
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return self._send({"text": text, "entities": entities})

    def send_photo(self, *, caption: str = "", media_group_id: str | None = None) -> int:
        base = f"photo-{self.api.next_id()}"
        sizes = [
            {
                "file_id": f"{base}-{side}",
                "file_unique_id": f"u-{base}-{side}",
                "width": side,
                "height": side * 3 // 4,
                "file_size": side * 40,
            }
            for side in (90, 320, 1280)
        ]
        content: JSON = {"photo": sizes}
        if caption:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._send(content)

    def send_document(
        self, file_name: str, mime_type: str, *, caption: str = "", file_size: int = 2048
    ) -> int:
        content: JSON = {
            "document": self._file(
                "document", file_name=file_name, mime_type=mime_type, file_size=file_size
            )
        }
        if caption:
            content["caption"] = caption
        return self._send(content)

    def send_voice(self, duration: int = 3) -> int:
        voice = self._file("voice", duration=duration, mime_type="audio/ogg", file_size=4000)
        return self._send({"voice": voice})

    def send_video(self, duration: int = 5, *, caption: str = "") -> int:
        video = self._file(
            "video",
            width=640,
            height=360,
            duration=duration,
            mime_type="video/mp4",
            file_size=90000,
        )
        content: JSON = {"video": video}
        if caption:
            content["caption"] = caption
        return self._send(content)

    def send_video_note(self, duration: int = 5) -> int:
        note = self._file("video_note", length=240, duration=duration, file_size=30000)
        return self._send({"video_note": note})

    def send_audio(self, duration: int = 60, title: str = "Song") -> int:
        audio = self._file(
            "audio", duration=duration, title=title, mime_type="audio/mpeg", file_size=500000
        )
        return self._send({"audio": audio})

    def send_animation(self) -> int:
        animation = self._file(
            "animation",
            width=320,
            height=240,
            duration=2,
            mime_type="video/mp4",
            file_size=20000,
        )
        return self._send({"animation": animation, "document": dict(animation)})

    def send_location(self, latitude: float, longitude: float) -> int:
        return self._send({"location": {"latitude": latitude, "longitude": longitude}})

    def send_venue(self, latitude: float, longitude: float, title: str, address: str) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        return self._send({"location": location, "venue": venue})

    def send_contact(
        self,
        phone_number: str,
        first_name: str,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> int:
        contact: JSON = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return self._send({"contact": contact})

    def send_sticker(self, emoji: str = "👍") -> int:
        sticker = self._file(
            "sticker",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            emoji=emoji,
            file_size=12000,
        )
        return self._send({"sticker": sticker})

    def send_poll(self, question: str = "Which one?", options: tuple[str, ...] = ("A", "B")) -> int:
        poll = {
            "id": str(self.api.next_id()),
            "question": question,
            "options": [
                {"text": o, "voter_count": 0, "persistent_id": f"opt-{i}"}
                for i, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        return self._send({"poll": poll})

    def send_dice(self, emoji: str = "🎲", value: int = 4) -> int:
        return self._send({"dice": {"emoji": emoji, "value": value}})

    def send_text_in_group(self, text: str, group_id: int = -100123) -> int:
        """A message in a supergroup the bot is in; the user is the sender. A leading
        ``/command`` gets its ``bot_command`` entity, as Telegram adds it."""
        group = {"id": group_id, "type": "supergroup", "title": "Test group"}
        self.api.register_chat(group)
        content: JSON = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]+(?:@\w+)?", text)
        if command is not None:
            length = utf16_len(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._send(content, chat=group)

    def press(self, message: JSON, data: str) -> int:
        """Tap an inline button with ``data`` on ``message`` (one of the bot's messages)."""
        current = self.api.bot_message(int(message["chat"]["id"]), int(message["message_id"]))
        callback_id = str(self.api.next_id() + 10**12)
        self.api._remember_callback(callback_id, self.chat_id)
        query = {
            "id": callback_id,
            "from": dict(self.from_user),
            "message": current or message,
            "chat_instance": f"ci-{self.chat_id}",
            "data": data,
        }
        return self.api.queue_update({"callback_query": query})

    def press_button(self, message: JSON, label: str) -> int:
        """Tap the inline button labelled ``label`` on ``message``."""
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in keyboard:
            for button in row:
                if button.get("text") == label and "callback_data" in button:
                    return self.press(message, str(button["callback_data"]))
        labels = [b.get("text") for row in keyboard for b in row]
        raise LookupError(f"no button {label!r} on the message; buttons: {labels}")

    def edit_text(self, message_id: int, new_text: str) -> int:
        """Edit one of this user's earlier text messages: an ``edited_message`` update."""
        original = self.sent.get(message_id)
        date = int(original["date"]) if original else int(time.time())
        edited: JSON = {
            "message_id": message_id,
            "from": dict(self.from_user),
            "chat": dict(original["chat"]) if original else dict(self.chat),
            "date": date,
            "edit_date": max(date, int(time.time())),
            "text": new_text,
        }
        if original is not None:
            self.sent[message_id] = {**original, "text": new_text}
        return self.api.queue_update({"edited_message": edited})

    # --- reading the bot's answers -----------------------------------------------------

    def bot_messages(self) -> list[JSON]:
        """New messages the bot sent to this chat (edits excluded), oldest first."""
        return [m for m in self.api.sent_messages(self.chat_id) if "edit_date" not in m]

    async def reply(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The next bot message to this chat not yet returned by ``reply``/``replies``."""
        return (await self.replies(1, timeout=timeout))[0]

    async def replies(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[JSON]:
        """The next ``count`` bot messages to this chat, waiting for them to arrive."""
        await self.api.wait_until(lambda: len(self.bot_messages()) >= self._seen + count, timeout)
        messages = self.bot_messages()[self._seen : self._seen + count]
        self._seen += count
        return messages

    def skip_replies(self) -> None:
        """Forget bot messages so far: the next ``reply`` waits for a new one."""
        self._seen = len(self.bot_messages())
