"""SQLAlchemy models: the schema, and nothing else. Rows never leave ``storage/``.

The migrations in ``storage/migrations/versions`` must create exactly this schema; a test
compares the two on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

INTERVIEW_STATUSES = ("active", "submitted", "cancelled", "declined", "abandoned")
REVISION_REASONS = ("answer", "edit", "probe", "followup")
DRAFT_STATUSES = ("new", "in_review", "needs_info", "ready", "published", "archived")
DRAFT_EVENT_KINDS = ("created", "regenerated", "field", "lens", "status", "note", "followup")
FOLLOW_UP_STATUSES = ("pending", "delivered", "answered", "failed", "cancelled")
OUTBOX_STATES = ("pending", "sent", "failed", "blocked")


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite, which keeps no zone, reads back as UTC too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonValue = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonValue}  # noqa: RUF012


class Contributor(Base):
    """A person who talks to the bot; after /delete only a tombstone (no name) remains."""

    __tablename__ = "contributors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    display_name: Mapped[str] = mapped_column(String(256), server_default="")
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))  # Telegram's language_code
    chosen_language: Mapped[str | None] = mapped_column(String(16))  # picked with /language
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class ScriptVersion(Base):
    """A snapshot of a script, keyed by the hash of its canonical JSON."""

    __tablename__ = "script_versions"
    __table_args__ = (UniqueConstraint("script_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    script_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Interview(Base):
    """One interview; ``state`` is the engine's whole memory (NULL once erased)."""

    __tablename__ = "interviews"
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'submitted', 'cancelled', 'declined', 'abandoned')",
            name="status",
        ),
        Index(None, "contributor_id", "status"),
        Index(None, "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    script_version_id: Mapped[int] = mapped_column(ForeignKey("script_versions.id"))
    script_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16), server_default="en")
    state: Mapped[dict[str, Any] | None]
    lock_version: Mapped[int] = mapped_column(Integer, server_default="0")
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    last_reminded_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(Integer, server_default="0")


class ReferenceCounter(Base):
    """The last reference number given out in a year; bumped only when a story is submitted,
    so references run without gaps (abandoned and declined interviews take none)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class AnswerRow(Base):
    """The current answer to one question of one interview."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("interview_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[dict[str, Any]]
    text: Mapped[str] = mapped_column(Text, server_default="")
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AnswerRevision(Base):
    """Every value an answer has had, the current one included."""

    __tablename__ = "answer_revisions"
    __table_args__ = (
        UniqueConstraint("answer_id", "revision"),
        CheckConstraint("reason IN ('answer', 'edit', 'probe', 'followup')", name="reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    value: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class AnswerMessage(Base):
    """Which answer a chat message fed, so an edited message can find it."""

    __tablename__ = "answer_messages"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)


class ProcessedUpdate(Base):
    """A Telegram update already applied; a redelivery of it is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    """A hash of the update's content: the same id with other content is a new update (Telegram
    restarted its id sequence, or the database now serves another bot), not a redelivery."""


class ParkedUpdate(Base):
    """An update that could not be parsed or handled, kept (raw) for the operator.

    It was acknowledged, so Telegram does not send it again; ``raw`` is its JSON with
    non-ASCII escaped (lone surrogates and NULs included), exactly as it came.
    """

    __tablename__ = "parked_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(index=True)


class Draft(Base):
    """The draft example record of one submitted interview; ``body`` is ``DraftRecord`` JSON.

    ``version`` is an optimistic lock: every change bumps it, and a staff edit made against
    an older version is refused instead of silently overwriting a colleague's.
    """

    __tablename__ = "drafts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'in_review', 'needs_info', 'ready', 'published', 'archived')",
            name="status",
        ),
        Index(None, "status", "created_at"),
        # The digest's lists: new drafts by creation, drafts waiting by their status change.
        Index(None, "created_at"),
        Index(None, "status", "status_changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), unique=True
    )
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    script_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), server_default="new")
    title: Mapped[str] = mapped_column(Text, server_default="")
    body: Mapped[dict[str, Any]]
    staff_edited: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    status_changed_at: Mapped[datetime]
    status_changed_by: Mapped[int | None] = mapped_column(BigInteger)
    # The version the writer model last handled (DRAFT_WRITER=llm); null until it has.
    written_version: Mapped[int | None] = mapped_column(Integer)
    # What an export shows of ``body`` (``storage.export_view``), written with it; null in
    # rows written before it existed, which exports read from ``body`` instead.
    export_view: Mapped[dict[str, Any] | None]


class DraftEvent(Base):
    """The history of a draft: who changed what, when; a field edit keeps before and after."""

    __tablename__ = "draft_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('created', 'regenerated', 'field', 'lens', 'status', 'note', 'followup')",
            name="kind",
        ),
        Index(None, "draft_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str] = mapped_column(String(256), server_default="")
    created_at: Mapped[datetime]


class StaffMember(Base):
    """Staff added in chat by an admin (``STAFF_USER_IDS`` staff are not stored here)."""

    __tablename__ = "staff_members"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(256), server_default="")
    added_by: Mapped[int] = mapped_column(BigInteger)
    added_at: Mapped[datetime]


class StaffPrompt(Base):
    """What a staff member's next message is for (a field's new text, a note, a question
    for a contributor). In the database, not in memory, so any worker sees it."""

    __tablename__ = "staff_prompts"
    __table_args__ = (CheckConstraint("kind IN ('edit', 'note', 'ask')", name="kind"),)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    field: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class FollowUp(Base):
    """A staff question for a contributor about their draft, and the contributor's reply."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'delivered', 'answered', 'failed', 'cancelled')",
            name="status",
        ),
        Index(None, "contributor_id", "status"),
        Index(None, "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[int] = mapped_column(BigInteger)
    asked_by_name: Mapped[str] = mapped_column(String(256), server_default="")
    notify_chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    answer_question_id: Mapped[str | None] = mapped_column(String(64))
    answer: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]


class DigestRun(Base):
    """One digest period; the unique ``period_key`` makes sending it twice impossible."""

    __tablename__ = "digest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_key: Mapped[str] = mapped_column(String(64), unique=True)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    draft_count: Mapped[int] = mapped_column(Integer, server_default="0")


class JobRun(Base):
    """One run of a periodic job (the purge, pruning old update ids) for one period; the
    primary key lets only the first of several processes claim it."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(64))


class OutboxRow(Base):
    """One message the bot owes a chat, written in the transaction that caused it.

    ``payload`` holds the rendered Bot API parameters; ``id`` orders a chat's messages.
    ``next_attempt_at`` is NULL for "at once" (rows are owed on the business clock, tried on
    the sender's); ``attempted_at`` is when the latest try was claimed, then answered: the
    rate limits count it.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'failed', 'blocked')", name="state"),
        Index(None, "state", "chat_id", "id"),
        Index(None, "attempted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), server_default="pending")
    tries: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    attempted_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    edits_id: Mapped[int | None] = mapped_column(Integer)
    follow_up_id: Mapped[int | None] = mapped_column(Integer)
    digest_key: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


__all__ = [
    "DRAFT_EVENT_KINDS",
    "DRAFT_STATUSES",
    "FOLLOW_UP_STATUSES",
    "INTERVIEW_STATUSES",
    "OUTBOX_STATES",
    "REVISION_REASONS",
    "AnswerMessage",
    "AnswerRevision",
    "AnswerRow",
    "Base",
    "Contributor",
    "DigestRun",
    "Draft",
    "DraftEvent",
    "FollowUp",
    "Interview",
    "JobRun",
    "OutboxRow",
    "ParkedUpdate",
    "ProcessedUpdate",
    "ReferenceCounter",
    "ScriptVersion",
    "StaffMember",
    "StaffPrompt",
    "UtcDateTime",
]
