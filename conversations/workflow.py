"""The draft status workflow: which moves are allowed, and why a move is refused.

new -> in review -> needs info -> ready -> published, or archived from anywhere. A few
moves back are allowed because real review goes back and forth (information arrives, a
published example needs correcting, an archived one was archived by mistake).
"""

from __future__ import annotations

from enum import StrEnum


class DraftStatus(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    NEEDS_INFO = "needs_info"
    READY = "ready"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[DraftStatus, str] = {
    DraftStatus.NEW: "new",
    DraftStatus.IN_REVIEW: "in review",
    DraftStatus.NEEDS_INFO: "needs info",
    DraftStatus.READY: "ready",
    DraftStatus.PUBLISHED: "published",
    DraftStatus.ARCHIVED: "archived",
}

TRANSITIONS: dict[DraftStatus, tuple[DraftStatus, ...]] = {
    DraftStatus.NEW: (DraftStatus.IN_REVIEW, DraftStatus.ARCHIVED),
    DraftStatus.IN_REVIEW: (DraftStatus.NEEDS_INFO, DraftStatus.READY, DraftStatus.ARCHIVED),
    DraftStatus.NEEDS_INFO: (DraftStatus.IN_REVIEW, DraftStatus.READY, DraftStatus.ARCHIVED),
    DraftStatus.READY: (DraftStatus.PUBLISHED, DraftStatus.IN_REVIEW, DraftStatus.ARCHIVED),
    DraftStatus.PUBLISHED: (DraftStatus.IN_REVIEW, DraftStatus.ARCHIVED),
    DraftStatus.ARCHIVED: (DraftStatus.IN_REVIEW,),
}


def allowed_moves(status: DraftStatus) -> tuple[DraftStatus, ...]:
    """The statuses a draft in ``status`` may move to, in the order buttons show them."""
    return TRANSITIONS[status]


def refusal(current: DraftStatus, target: DraftStatus) -> str | None:
    """Why moving from ``current`` to ``target`` is not allowed; ``None`` when it is."""
    if current == target:
        return f"It is already {current.label}."
    if target in TRANSITIONS[current]:
        return None
    if current == DraftStatus.NEW and target in (DraftStatus.READY, DraftStatus.PUBLISHED):
        return f"A new draft has to be reviewed before it can be {target.label}."
    if target == DraftStatus.PUBLISHED:
        return "Only a draft marked ready can be published."
    if target == DraftStatus.NEW:
        return "A draft never goes back to new; move it to in review instead."
    moves = ", ".join(s.label for s in TRANSITIONS[current])
    return f"A draft that is {current.label} can only move to: {moves}."
