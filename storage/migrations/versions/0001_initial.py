"""Initial schema: contributors, script snapshots, interviews, answers, processed updates.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here rather than imported, so later model changes cannot rewrite history.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contributors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=256), server_default="", nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("reminders_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        timestamp("created_at"),
        timestamp("updated_at"),
        timestamp("erased_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_contributors"),
        sa.UniqueConstraint("telegram_user_id", name="uq_contributors_telegram_user_id"),
    )
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        timestamp("processed_at"),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name="pk_processed_updates"),
    )
    op.create_table(
        "script_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", JSON, nullable=False),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_script_versions"),
        sa.UniqueConstraint("script_id", "sha256", name="uq_script_versions_script_id_sha256"),
    )
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("script_version_id", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", JSON, nullable=True),
        sa.Column("lock_version", sa.Integer(), server_default="0", nullable=False),
        timestamp("started_at"),
        timestamp("updated_at"),
        timestamp("submitted_at", nullable=True),
        sa.Column("reference", sa.String(length=32), nullable=True),
        timestamp("last_reminded_at", nullable=True),
        sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'submitted', 'cancelled', 'declined', 'abandoned')",
            name="ck_interviews_status",
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name="fk_interviews_contributor_id_contributors",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["script_version_id"],
            ["script_versions.id"],
            name="fk_interviews_script_version_id_script_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_interviews"),
        sa.UniqueConstraint("reference", name="uq_interviews_reference"),
    )
    op.create_index(
        "ix_interviews_contributor_id_status", "interviews", ["contributor_id", "status"]
    )
    op.create_index("ix_interviews_status_updated_at", "interviews", ["status", "updated_at"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        timestamp("created_at"),
        timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name="fk_answers_interview_id_interviews",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.UniqueConstraint(
            "interview_id", "question_id", name="uq_answers_interview_id_question_id"
        ),
    )
    op.create_table(
        "answer_messages",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name="fk_answer_messages_answer_id_answers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name="pk_answer_messages"),
    )
    op.create_index("ix_answer_messages_answer_id", "answer_messages", ["answer_id"])
    op.create_table(
        "answer_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        timestamp("created_at"),
        sa.CheckConstraint(
            "reason IN ('answer', 'edit', 'probe', 'followup')",
            name="ck_answer_revisions_reason",
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name="fk_answer_revisions_answer_id_answers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_answer_revisions"),
        sa.UniqueConstraint("answer_id", "revision", name="uq_answer_revisions_answer_id_revision"),
    )


def downgrade() -> None:
    op.drop_table("answer_revisions")
    op.drop_index("ix_answer_messages_answer_id", table_name="answer_messages")
    op.drop_table("answer_messages")
    op.drop_table("answers")
    op.drop_index("ix_interviews_status_updated_at", table_name="interviews")
    op.drop_index("ix_interviews_contributor_id_status", table_name="interviews")
    op.drop_table("interviews")
    op.drop_table("script_versions")
    op.drop_table("processed_updates")
    op.drop_table("contributors")
