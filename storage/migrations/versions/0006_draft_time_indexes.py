"""Indexes for the digest's two lists of drafts: by creation time and by status change.

Without them each list scanned the whole drafts table, and a draft's times are stored after
its large body, so every row's overflow pages were read: most of a digest's time.

Revision ID: 0006_draft_time_indexes
Revises: 0005_export_view
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_draft_time_indexes"
down_revision: str | None = "0005_export_view"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_drafts_created_at", "drafts", ["created_at"])
    op.create_index("ix_drafts_status_status_changed_at", "drafts", ["status", "status_changed_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_status_status_changed_at", table_name="drafts")
    op.drop_index("ix_drafts_created_at", table_name="drafts")
