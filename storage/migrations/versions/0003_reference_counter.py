"""Reference numbers from a counter per year, given only to submitted stories.

Existing references keep their numbers: each year's counter starts after the highest
number already given in that year.

Revision ID: 0003_refs
Revises: 0003_writer
Create Date: 2026-11-30
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_refs"
down_revision: str | None = "0003_writer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFERENCE = re.compile(r"^CP-(\d{4})-(\d+)$")


def upgrade() -> None:
    counters = op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_reference_counters"),
    )
    highest: dict[int, int] = {}
    rows = op.get_bind().execute(
        sa.text(
            "SELECT reference FROM interviews WHERE reference IS NOT NULL "
            "UNION SELECT reference FROM drafts"
        )
    )
    for (reference,) in rows:
        match = _REFERENCE.match(reference or "")
        if match is not None:
            year, number = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), number)
    if highest:
        op.bulk_insert(
            counters,
            [{"year": year, "last_number": number} for year, number in sorted(highest.items())],
        )


def downgrade() -> None:
    op.drop_table("reference_counters")
