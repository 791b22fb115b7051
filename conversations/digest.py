"""The staff digest, from plain data: Telegram HTML messages with buttons, and a Markdown
document with the new drafts in full.

Pure: storage gathers :class:`DigestData`, the bot sends what :func:`build_digest` and
:func:`digest_document` return. Every message stays within Telegram's 4096 characters
(measured before parsing, so after it too) and carries the buttons of the drafts it lists;
long lists are cut with a pointer to the attached document.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from conversations.drafting import DraftRecord
from conversations.i18n import language_label
from conversations.model import Button
from conversations.render import draft_to_markdown, markdown_text
from conversations.workflow import DraftStatus

MESSAGE_LIMIT = 4096
MAX_BUTTONS_PER_MESSAGE = 40
MAX_LISTED_NEW = 30
MAX_LISTED_WAITING = 10
MAX_LISTED_FOLLOW_UPS = 10
# New drafts the attached document carries in full; later ones get one line each there (a
# digest of thousands would otherwise take seconds to parse and render; /export has them).
MAX_IN_FULL = 200
SUMMARY_CHARS = 140
QUESTION_CHARS = 100
WAITING_AFTER = timedelta(days=7)
# Statuses in which a draft waits for someone (the workflow's unfinished ones).
WAITING_STATUSES = (
    DraftStatus.NEW,
    DraftStatus.IN_REVIEW,
    DraftStatus.NEEDS_INFO,
    DraftStatus.READY,
)


def open_draft_data(draft_id: int) -> str:
    """Callback data of an "open this draft" button (handled by the staff side)."""
    return f"st|o|{draft_id}"


@dataclass(frozen=True)
class DigestDraft:
    """A draft as the digest lists it. ``record`` is the full draft, given only for the
    drafts the digest shows in full (see :data:`MAX_IN_FULL`); ``headline`` is its title,
    enough for a one-line mention."""

    id: int
    reference: str
    status: DraftStatus
    record: DraftRecord | None
    created_at: datetime
    status_changed_at: datetime
    language: str = "en"  # the interview's; named in the digest when it is not English
    headline: str = ""

    @property
    def title(self) -> str:
        title = self.record.title if self.record is not None else self.headline
        return title.strip() or self.reference


@dataclass(frozen=True)
class DigestFollowUp:
    """A staff question a contributor has not answered yet."""

    draft_id: int
    reference: str
    question: str
    asked_by: str
    asked_at: datetime


@dataclass(frozen=True)
class DigestData:
    """Everything one digest says; ``start``/``end`` bound the new drafts, ``now`` is when
    it was gathered (for "waiting for 9 days")."""

    start: datetime
    end: datetime
    now: datetime
    new_drafts: tuple[DigestDraft, ...] = ()
    counts: Mapping[DraftStatus, int] = field(default_factory=dict)
    waiting: tuple[DigestDraft, ...] = ()
    follow_ups: tuple[DigestFollowUp, ...] = ()
    interviews_in_progress: int = 0


@dataclass(frozen=True)
class DigestMessage:
    """One message: Telegram HTML and the button rows that go with it."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + "…"


def one_line_summary(draft: DigestDraft) -> str:
    """The draft's summary as one short line (its first sentence when that is enough)."""
    summary = " ".join(draft.record.summary.split()) if draft.record is not None else ""
    if not summary:
        return ""
    first = re.split(r"(?<=[.!?])\s+", summary, maxsplit=1)[0]
    return _clip(first if len(first) >= 40 else summary, SUMMARY_CHARS)


def _when(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _days(delta: timedelta) -> str:
    days = max(0, delta.days)
    return "today" if days == 0 else _plural(days, "day") + " ago"


@dataclass
class _Block:
    html: str
    button: Button | None = None


def _sections(data: DigestData, zone: tzinfo) -> list[_Block]:
    blocks: list[_Block] = []
    new = data.new_drafts
    period = f"{_when(data.start, zone)} – {_when(data.end, zone)} ({_esc(_zone_name(zone))})"
    headline = _plural(len(new), "new draft") if new else "no new drafts"
    blocks.append(_Block(f"<b>Digest</b>: {headline}\n<i>{period}</i>"))

    if new:
        heading = "\n<b>New drafts</b>\n"
        for number, draft in enumerate(new[:MAX_LISTED_NEW], start=1):
            summary = one_line_summary(draft)
            line = f"{number}. <b>{_esc(draft.reference)}</b> {_esc(_clip(draft.title, 80))}"
            if draft.language != "en":
                line += f" <i>[{_esc(language_label(draft.language))}]</i>"
            if summary:
                line += f" — {_esc(summary)}"
            blocks.append(
                _Block(heading + line, Button(f"Open {draft.reference}", open_draft_data(draft.id)))
            )
            heading = ""
        if len(new) > MAX_LISTED_NEW:
            more = len(new) - MAX_LISTED_NEW
            blocks.append(_Block(f"…and {more} more: all of them are in the attached file."))

    counts = ", ".join(f"{status.label} {data.counts.get(status, 0)}" for status in DraftStatus)
    blocks.append(_Block(f"\n<b>All drafts by status</b>\n{counts}"))

    if data.waiting:
        heading = f"\n<b>Waiting more than a week</b> ({len(data.waiting)})\n"
        for draft in data.waiting[:MAX_LISTED_WAITING]:
            since = _days(data.now - draft.status_changed_at).removesuffix(" ago")
            line = (
                f"• <b>{_esc(draft.reference)}</b> {_esc(_clip(draft.title, 80))} — "
                f"{draft.status.label} for {since}"
            )
            blocks.append(_Block(heading + line))
            heading = ""
        if len(data.waiting) > MAX_LISTED_WAITING:
            blocks.append(_Block(f"…and {len(data.waiting) - MAX_LISTED_WAITING} more."))

    if data.follow_ups:
        heading = f"\n<b>Follow-ups awaiting answers</b> ({len(data.follow_ups)})\n"
        for follow_up in data.follow_ups[:MAX_LISTED_FOLLOW_UPS]:
            who = f" by {_esc(follow_up.asked_by)}" if follow_up.asked_by else ""
            line = (
                f"• <b>{_esc(follow_up.reference)}</b> asked{who} "
                f"{_days(data.now - follow_up.asked_at)}: "
                f"“{_esc(_clip(follow_up.question, QUESTION_CHARS))}”"
            )
            blocks.append(_Block(heading + line))
            heading = ""
        if len(data.follow_ups) > MAX_LISTED_FOLLOW_UPS:
            more = len(data.follow_ups) - MAX_LISTED_FOLLOW_UPS
            blocks.append(_Block(f"…and {more} more."))
    else:
        blocks.append(_Block("\n<b>Follow-ups awaiting answers</b>: none"))

    blocks.append(_Block(f"\n<b>Interviews in progress</b>: {data.interviews_in_progress}"))
    if new:
        blocks.append(_Block("\nThe new drafts in full are in the attached file."))
    return blocks


def build_digest(data: DigestData, zone: tzinfo) -> list[DigestMessage]:
    """The digest as messages of at most 4096 characters, each with its drafts' buttons
    (two to a row, at most 40 to a message)."""
    messages: list[DigestMessage] = []
    lines: list[str] = []
    buttons: list[Button] = []

    def flush() -> None:
        if lines:
            text = "\n".join(lines).strip("\n")
            rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
            messages.append(DigestMessage(text, rows))
        lines.clear()
        buttons.clear()

    for block in _sections(data, zone):
        text = block.html
        if _units(text) > MESSAGE_LIMIT:  # cannot happen with clipped lines; kept safe
            text = _esc(_clip(re.sub(r"<[^>]+>", "", html.unescape(text)), 1000))
        candidate = "\n".join([*lines, text]).strip("\n")
        too_long = _units(candidate) > MESSAGE_LIMIT
        too_many = block.button is not None and len(buttons) >= MAX_BUTTONS_PER_MESSAGE
        if lines and (too_long or too_many):
            flush()
            text = text.lstrip("\n")
        lines.append(text)
        if block.button is not None:
            buttons.append(block.button)
    flush()
    return messages


def as_plain_text(messages: list[DigestMessage]) -> str:
    """The messages as a terminal shows them: tags removed, buttons listed after each."""
    parts: list[str] = []
    for message in messages:
        text = html.unescape(re.sub(r"<[^>]+>", "", message.html))
        labels = [f"[{button.label}]" for row in message.buttons for button in row]
        parts.append(text + ("\n" + " ".join(labels) if labels else ""))
    return "\n\n".join(parts)


def digest_filename(data: DigestData, zone: tzinfo) -> str:
    local = data.end.astimezone(zone)
    return f"digest-{local:%Y-%m-%d-%H%M}.md"


def digest_document(data: DigestData, zone: tzinfo) -> str:
    """The new drafts in full, as one Markdown document; drafts given without their record
    (beyond :data:`MAX_IN_FULL`) are listed one line each after them."""
    period = f"{_when(data.start, zone)} – {_when(data.end, zone)} ({_zone_name(zone)})"
    parts = [
        f"# New drafts, {period}",
        "",
        f"{_plural(len(data.new_drafts), 'new draft')}.",
    ]
    listed: list[DigestDraft] = []
    for draft in data.new_drafts:
        if draft.record is None:
            listed.append(draft)
            continue
        meta = f"Status: {draft.status.label} · created {_when(draft.created_at, zone)}"
        if draft.record.reference != draft.reference:
            meta = f"Reference: {draft.reference} · {meta}"
        parts += ["", "---", "", draft_to_markdown(draft.record).strip(), "", meta]
    if listed:
        parts += [
            "",
            "---",
            "",
            f"## {_plural(len(listed), 'more new draft')}",
            "",
            "Listed by title; open one in the bot or export them for the full records.",
            "",
        ]
        parts += [
            f"- {draft.reference}: {markdown_text(' '.join(draft.title.split()))} "
            f"({draft.status.label}, created {_when(draft.created_at, zone)})"
            for draft in listed
        ]
    return "\n".join(parts) + "\n"


def document_caption(data: DigestData) -> str:
    return f"The {_plural(len(data.new_drafts), 'new draft')} in full (Markdown)."
