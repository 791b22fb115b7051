"""The language of each interview, and the one a contributor chose with /language.

Revision ID: 0003_language
Revises: 0003_parked
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_language"
down_revision: str | None = "0003_parked"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=16), server_default="en", nullable=False)
        )
    with op.batch_alter_table("contributors") as batch:
        batch.add_column(sa.Column("chosen_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contributors") as batch:
        batch.drop_column("chosen_language")
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("language")
