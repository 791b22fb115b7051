"""Parked updates (ones that could not be parsed or handled, kept for the operator) and a
content fingerprint on processed updates, so a restarted update id sequence is recognised.

Revision ID: 0003_parked
Revises: 0003_refs
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_parked"
down_revision: str | None = "0003_refs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parked_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parked_updates"),
    )
    op.create_index("ix_parked_updates_update_id", "parked_updates", ["update_id"])
    op.create_index("ix_parked_updates_received_at", "parked_updates", ["received_at"])
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("fingerprint")
    op.drop_index("ix_parked_updates_received_at", table_name="parked_updates")
    op.drop_index("ix_parked_updates_update_id", table_name="parked_updates")
    op.drop_table("parked_updates")
