"""The outbox: every message the bot owes, written in the transaction that caused it.

Revision ID: 0003_outbox
Revises: 0003_language
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_outbox"
down_revision: str | None = "0003_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        timestamp("next_attempt_at", nullable=True),
        timestamp("attempted_at", nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        timestamp("claimed_until", nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("edits_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("digest_key", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        timestamp("created_at"),
        timestamp("sent_at", nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed', 'blocked')", name="ck_outbox_state"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_state_chat_id_id", "outbox", ["state", "chat_id", "id"])
    op.create_index("ix_outbox_attempted_at", "outbox", ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_attempted_at", table_name="outbox")
    op.drop_index("ix_outbox_state_chat_id_id", table_name="outbox")
    op.drop_table("outbox")
