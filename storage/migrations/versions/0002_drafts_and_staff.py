"""Drafts and their history, staff (added in chat, and their pending prompts), follow-up
questions, digest periods.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("script_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="new", nullable=False),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("staff_edited", JSON, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        timestamp("created_at"),
        timestamp("updated_at"),
        timestamp("status_changed_at"),
        sa.Column("status_changed_by", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('new', 'in_review', 'needs_info', 'ready', 'published', 'archived')",
            name="ck_drafts_status",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name="fk_drafts_interview_id_interviews",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.UniqueConstraint("interview_id", name="uq_drafts_interview_id"),
        sa.UniqueConstraint("reference", name="uq_drafts_reference"),
    )
    op.create_index("ix_drafts_status_created_at", "drafts", ["status", "created_at"])
    op.create_table(
        "draft_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=256), server_default="", nullable=False),
        timestamp("created_at"),
        sa.CheckConstraint(
            "kind IN ('created', 'regenerated', 'field', 'lens', 'status', 'note', 'followup')",
            name="ck_draft_events_kind",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_draft_events_draft_id_drafts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_draft_events"),
    )
    op.create_index("ix_draft_events_draft_id_id", "draft_events", ["draft_id", "id"])
    op.create_table(
        "staff_members",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("display_name", sa.String(length=256), server_default="", nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        timestamp("added_at"),
        sa.PrimaryKeyConstraint("user_id", name="pk_staff_members"),
    )
    op.create_table(
        "staff_prompts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        timestamp("created_at"),
        sa.CheckConstraint("kind IN ('edit', 'note', 'ask')", name="ck_staff_prompts_kind"),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_staff_prompts_draft_id_drafts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_staff_prompts"),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.BigInteger(), nullable=False),
        sa.Column("asked_by_name", sa.String(length=256), server_default="", nullable=False),
        sa.Column("notify_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("answer_question_id", sa.String(length=64), nullable=True),
        sa.Column("answer", JSON, nullable=True),
        timestamp("created_at"),
        timestamp("delivered_at", nullable=True),
        timestamp("answered_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'answered', 'failed', 'cancelled')",
            name="ck_follow_ups_status",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name="fk_follow_ups_draft_id_drafts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name="fk_follow_ups_contributor_id_contributors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_follow_ups"),
    )
    op.create_index(
        "ix_follow_ups_contributor_id_status", "follow_ups", ["contributor_id", "status"]
    )
    op.create_index("ix_follow_ups_status_created_at", "follow_ups", ["status", "created_at"])
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        timestamp("period_start"),
        timestamp("period_end"),
        timestamp("claimed_at"),
        timestamp("sent_at", nullable=True),
        sa.Column("draft_count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digest_runs"),
        sa.UniqueConstraint("period_key", name="uq_digest_runs_period_key"),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_index("ix_follow_ups_status_created_at", table_name="follow_ups")
    op.drop_index("ix_follow_ups_contributor_id_status", table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_table("staff_prompts")
    op.drop_table("staff_members")
    op.drop_index("ix_draft_events_draft_id_id", table_name="draft_events")
    op.drop_table("draft_events")
    op.drop_index("ix_drafts_status_created_at", table_name="drafts")
    op.drop_table("drafts")
