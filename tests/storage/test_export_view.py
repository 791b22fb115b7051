"""The export view stored with each draft: every writer keeps it equal to what the draft's
body shows, and an export reads the same examples from views as from bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.writer_model import OpenAICompatibleModel
from conversations.drafting import DraftRecord
from conversations.model import MessageEdited
from conversations.workflow import DraftStatus
from storage.database import Database
from storage.drafts import DraftInfo
from storage.export_source import stream_examples
from storage.export_view import export_view, parts_of_body, parts_of_record, parts_of_view
from storage.exports import ExportFilters, export
from storage.models import Draft
from storage.uow import UnitOfWork
from storage.writing import write_pending
from tests.fake_llm_api import FakeLlmApi
from tests.storage.test_drafts import NIA, draft_of, spotted_service
from tests.storage.test_export_output import EXPORTED_AT, GOLDEN, _comparable, _store
from tests.storage.test_service import ADA, START
from tests.storage.test_writing import submit


@pytest.fixture
async def model() -> AsyncIterator[OpenAICompatibleModel]:
    async with FakeLlmApi() as api:
        client = OpenAICompatibleModel(api.base_url, "fake-model", timeout_seconds=0.5)
        try:
            yield client
        finally:
            await client.close()


def by_nia(draft: DraftInfo) -> dict[str, Any]:
    return {"expected_version": draft.version, "actor": NIA, "now": START}


async def stored_rows(database: Database) -> list[tuple[int, dict[str, Any], Any]]:
    async with database.session() as session:
        rows = await session.execute(select(Draft.id, Draft.body, Draft.export_view))
        return [(int(i), body, view) for i, body, view in rows.all()]


async def assert_views_are_current(database: Database) -> None:
    """Every draft's stored view is the one its body gives, and an export shows it."""
    rows = await stored_rows(database)
    assert rows
    for _, body, view in rows:
        record = DraftRecord.from_json(body)
        assert view == export_view(record)
        assert parts_of_view(view) == parts_of_record(record) == parts_of_body(body)
    exported = [e async for e in stream_examples(database, ExportFilters())]
    assert [dict(e.fields) for e in exported] == [
        parts_of_record(DraftRecord.from_json(body)).fields for _, body, _ in rows
    ]


async def test_every_writer_of_a_draft_keeps_its_export_view_current(
    database: Database, model: OpenAICompatibleModel
) -> None:
    service = spotted_service(database)
    submitted = await submit(service)
    await assert_views_are_current(database)  # created on submission

    before = await draft_of(database, submitted)
    assert (await write_pending(database, model, START)).drafts_written == 1
    assert (await draft_of(database, submitted)).record.summary != before.record.summary
    await assert_views_are_current(database)  # rewritten by the writer model

    draft = await draft_of(database, submitted)
    async with UnitOfWork(database) as uow:
        draft = await uow.drafts.edit_field(draft.id, "place", "Harehills, Leeds", **by_nia(draft))
        key = draft.record.lens[0].key
        draft = await uow.drafts.decide_tag(draft.id, key, "confirmed", **by_nia(draft))
        await uow.commit()
    await assert_views_are_current(database)  # staff edits and lens decisions
    [example] = [e async for e in stream_examples(database, ExportFilters())]
    assert example.fields["place"] == "Harehills, Leeds"
    assert example.tags[0].status == "confirmed"

    await service.handle(ADA, MessageEdited(11, "Parents and pupils rebuilt the playground."))
    await assert_views_are_current(database)  # regenerated from a corrected answer

    async with UnitOfWork(database) as uow:
        await uow.drafts.set_status(
            draft.id, DraftStatus.IN_REVIEW, expected_version=None, actor=NIA, now=START
        )
        await uow.commit()
    await assert_views_are_current(database)


async def set_views(database: Database, view_of: Any) -> None:
    """Store ``view_of(draft id, body)`` as each draft's view."""
    async with database.session() as session:
        for draft_id, body, _ in await stored_rows(database):
            await session.execute(
                update(Draft)
                .where(Draft.id == draft_id)
                .values(export_view=view_of(draft_id, body))
            )
        await session.commit()


def current_view(draft_id: int, body: dict[str, Any]) -> dict[str, Any]:
    return export_view(DraftRecord.from_json(body))


def every_other_view(draft_id: int, body: dict[str, Any]) -> dict[str, Any] | None:
    return current_view(draft_id, body) if draft_id % 2 else None


def other_format_view(draft_id: int, body: dict[str, Any]) -> dict[str, Any] | None:
    return {**current_view(draft_id, body), "format": 0, "fields": {"title": "stale"}}


@pytest.mark.parametrize(
    "view_of",
    [current_view, every_other_view, other_format_view],
    ids=["views", "some-views", "views-in-another-format"],
)
@pytest.mark.parametrize("include_raw", [False, True], ids=["consented", "raw"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md", "xlsx"])
async def test_exports_read_from_views_write_the_pinned_files(
    database: Database, tmp_path: Path, fmt: str, include_raw: bool, view_of: Any
) -> None:
    """The pinned files were written from bodies alone: views must change nothing."""
    await _store(database, 12)
    await set_views(database, view_of)
    filters = ExportFilters(include_raw=include_raw)
    path = tmp_path / f"out.{fmt}"
    await export(
        stream_examples(database, filters, batch_size=5),
        fmt,
        path,
        filters=filters,
        exported_at=EXPORTED_AT,
    )
    golden = GOLDEN / f"{'raw' if include_raw else 'consented'}.{fmt}.txt"
    assert _comparable(fmt, path.read_bytes()) == golden.read_bytes()
