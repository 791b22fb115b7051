"""python-telegram-bot's networking on aiohttp's client instead of httpx.

Every reply the sender delivers and every button press answered is one Bot API call, and
with httpx each call cost the bot more than half a millisecond of CPU in the connection
pool alone: httpcore walks every pooled connection (and, for each idle one, the whole pool
again) twice per request, so the more calls in flight, the dearer each one. aiohttp keeps its
idle connections in a queue per host. Only the transport changes: python-telegram-bot still
builds the parameters, reads Telegram's answer and turns errors into its own exceptions.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0
POOL_TIMEOUT = 1.0
JSON_HEADERS = {"Content-Type": "application/json"}


def _given(value: object, default: float | None) -> float | None:
    """A timeout passed to a call, or the request's own when the call left it out."""
    if isinstance(value, int | float) or value is None:
        return None if value is None else float(value)
    return default  # python-telegram-bot's DEFAULT_NONE: not given


class AiohttpRequest(BaseRequest):
    """A :class:`telegram.request.BaseRequest` on one ``aiohttp.ClientSession``.

    ``connection_pool_size`` connections at most (python-telegram-bot's default for a bot's
    calls); a call that waits longer than the pool timeout for one fails with ``TimedOut``
    unsent, as with httpx. aiohttp has no write timeout of its own: the write, connect and
    read timeouts together bound the whole call instead.
    """

    __slots__ = ("_limit", "_media_write_timeout", "_session", "_timeouts")

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._limit = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        default_read, default_write, default_connect, default_pool = self._timeouts
        files = request_data.multipart_data if request_data is not None else None
        if files:
            default_write = self._media_write_timeout
        read = _given(read_timeout, default_read)
        write = _given(write_timeout, default_write)
        connect = _given(connect_timeout, default_connect)
        pool = _given(pool_timeout, default_pool)
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            # aiohttp's "connect" is the wait for a pooled connection plus a new one's set-up.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data: Any = None
        headers = None
        if request_data is not None:
            if files:
                form = aiohttp.FormData(request_data.json_parameters)
                for name, (filename, content, mime_type) in files.items():
                    form.add_field(name, content, filename=filename, content_type=mime_type)
                data = form
            else:
                # One JSON body, as the Bot API takes it: cheaper than a form, whose every
                # nested value is encoded on its own first and then the whole URL-encoded.
                data = json.dumps(request_data.parameters, ensure_ascii=False).encode()
                headers = JSON_HEADERS
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
