"""What an export shows of each draft, stored beside its body (``drafts.export_view``).

Existing drafts get theirs here, a batch at a time (keyset on the id, so memory stays
bounded however many drafts there are); a body that cannot be read as a draft keeps a null
view, which exports read from the body as before.

Revision ID: 0005_export_view
Revises: 0004_job_runs
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from conversations.drafting import DraftRecord
from storage.export_view import export_view

revision: str = "0005_export_view"
down_revision: str | None = "0004_job_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
BATCH = 500

_drafts = sa.table(
    "drafts",
    sa.column("id", sa.Integer),
    sa.column("body", JSON),
    sa.column("export_view", JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("export_view", JSON, nullable=True))
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(_drafts.c.id, _drafts.c.body)
            .where(_drafts.c.id > after)
            .order_by(_drafts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        views = []
        for draft_id, body in rows:
            try:
                view = export_view(DraftRecord.from_json(body))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # not a readable draft: exports read its body
            views.append({"draft_id": draft_id, "view": view})
        if views:
            connection.execute(
                sa.update(_drafts)
                .where(_drafts.c.id == sa.bindparam("draft_id"))
                .values(export_view=sa.bindparam("view")),
                views,
            )
        after = int(rows[-1][0])


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("export_view")
