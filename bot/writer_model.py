"""The writer model over HTTP: any OpenAI-compatible server (a hosted API, Ollama, vLLM,
llama.cpp's server), and the loop that rewrites stored drafts beside the scheduler.

The client never raises: an error, a timeout, a status other than 200, a body that is not
the expected JSON or an empty answer all come back as ``None``, and the draft keeps the
deterministic text for that field. Nothing here runs when ``DRAFT_WRITER`` is
``deterministic``: no client is built and no request leaves.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.scheduler import Clock
from bot.settings import Settings
from storage.database import Database
from storage.writing import WritingReport, write_pending

log = logging.getLogger(__name__)

WRITER_POLL_SECONDS = 5.0
DRAFTS_PER_ROUND = 5
# When the model does not answer for a draft, ask again after these waits, then give up
# (the deterministic text stays until the draft next changes).
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 2, 4, 8, 16))


class OpenAICompatibleModel:
    """``POST {base_url}/chat/completions`` with a bearer key; the first choice's text."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_seconds: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            headers=headers, timeout=httpx.Timeout(timeout_seconds), transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatibleModel:
        if settings.llm_base_url is None or settings.llm_model is None:
            raise ValueError("LLM_BASE_URL and LLM_MODEL are required for the writer model")
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_seconds=settings.llm_timeout_seconds,
        )

    async def complete(self, messages: list[dict[str, str]]) -> str | None:
        payload = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            response = await self._client.post(self.url, json=payload)
        except httpx.HTTPError as error:
            log.warning("writer model unreachable (%s): %s", self.url, type(error).__name__)
            return None
        if response.status_code != 200:
            log.warning("writer model answered %s", response.status_code)
            return None
        try:
            content = _first_choice(response.json())
        except ValueError:
            log.warning("writer model sent a body that is not a chat completion")
            return None
        return content if content and content.strip() else None

    async def close(self) -> None:
        await self._client.aclose()


def _first_choice(body: Any) -> str | None:
    """``choices[0].message.content``, or ``ValueError`` when the body has another shape."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ValueError("not a chat completion") from None
    if content is not None and not isinstance(content, str):
        raise ValueError("content is not text")
    return content


class DraftWriter:
    """Rewrites drafts waiting for the writer model, a few per round, every few seconds.

    A draft the model did not answer for waits longer and longer (:data:`RETRY_DELAYS`) and
    is then given up; these waits live in this process only, which is enough for them to
    spare a server that is down.
    """

    def __init__(
        self,
        database: Database,
        model: OpenAICompatibleModel,
        clock: Clock,
        *,
        poll_seconds: float = WRITER_POLL_SECONDS,
    ) -> None:
        self.database = database
        self.model = model
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._retries: dict[int, tuple[int, datetime]] = {}  # draft id: failures, next try

    async def tick(self) -> WritingReport:
        now = self.clock.now()
        waiting = {d for d, (_, due) in self._retries.items() if due > now}
        give_up = {d for d, (n, due) in self._retries.items() if n >= len(RETRY_DELAYS)}
        report = await write_pending(
            self.database,
            self.model,
            now,
            limit=DRAFTS_PER_ROUND,
            waiting=waiting,
            give_up=give_up - waiting,
        )
        for draft_id in report.seen:
            failures = self._retries.pop(draft_id, (0, now))[0]
            if draft_id in report.unanswered and draft_id not in give_up:
                self._retries[draft_id] = (failures + 1, now + RETRY_DELAYS[failures])
        if report.unanswered:
            log.warning(
                "writer model did not answer for %d drafts; they keep the deterministic text "
                "for now",
                len(report.unanswered),
            )
        if report.drafts_written or report.stale:
            log.info(
                "writer model: %d drafts, %d fields rewritten, %d kept, %d sentences left out",
                report.drafts_written,
                report.fields_rewritten,
                report.fields_kept,
                report.sentences_left_out,
            )
        return report

    async def run(self) -> None:
        """Round after round until cancelled; a failed round is logged and retried."""
        try:
            while True:
                try:
                    await self.tick()
                except Exception:
                    log.exception("rewriting drafts failed; trying again shortly")
                await self.clock.sleep(self.poll_seconds)
        finally:
            await self.model.close()
