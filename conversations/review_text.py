"""What staff see while reviewing drafts, as plain replies with buttons, and the ``st|...``
button protocol those buttons speak.

Pure: views come in as plain data (built by ``storage.review``), replies go out as
:class:`~conversations.model.Reply` values that any adapter renders. Written for a phone:
short cards, one screen per step, and always a button back to the card or the list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from conversations.drafting import FIELD_ORDER, DraftRecord
from conversations.gaps import Gap
from conversations.i18n import language_label
from conversations.model import Button, Reply
from conversations.tidy import language_pack
from conversations.workflow import DraftStatus, allowed_moves

PREFIX = "st"
CALLBACK_LIMIT = 64
PAGE_SIZE = 6
QUESTION_LIMIT = 1500  # characters of a follow-up question
EXCERPT = 70  # characters of a text quoted in a history line or a button

STATUS_ICONS: dict[DraftStatus, str] = {
    DraftStatus.NEW: "🆕",
    DraftStatus.IN_REVIEW: "👀",
    DraftStatus.NEEDS_INFO: "❓",
    DraftStatus.READY: "✅",
    DraftStatus.PUBLISHED: "📢",
    DraftStatus.ARCHIVED: "🗄",
}
# Queue filters: key -> (label, statuses; None for every draft). "todo" is the default.
QUEUE_FILTERS: dict[str, tuple[str, tuple[DraftStatus, ...] | None]] = {
    "todo": ("To do", (DraftStatus.NEW, DraftStatus.IN_REVIEW, DraftStatus.NEEDS_INFO)),
    **{status.value: (status.label.capitalize(), (status,)) for status in DraftStatus},
    "all": ("All", None),
}
MEDIA_WORDS: dict[str, tuple[str, str]] = {
    "photo": ("photo", "photos"),
    "document": ("file", "files"),
    "voice": ("voice note", "voice notes"),
    "video": ("video", "videos"),
    "video_note": ("video note", "video notes"),
    "audio": ("audio clip", "audio clips"),
    "animation": ("animation", "animations"),
    "location": ("place", "places"),
    "contact": ("contact", "contacts"),
    "link": ("link", "links"),
}


# --- the button protocol -----------------------------------------------------------------


@dataclass(frozen=True)
class StaffAction:
    """A staff button's meaning: ``verb`` on draft ``draft_id`` with ``args``."""

    verb: str
    draft_id: int | None = None
    args: tuple[str, ...] = ()


# verb -> (takes a draft id, number of further arguments)
VERBS: dict[str, tuple[bool, int]] = {
    "o": (True, 0),  # open: the whole draft, then its card
    "c": (True, 0),  # the card, in place
    "l": (False, 2),  # the list: filter, offset
    "f": (True, 0),  # choose a field to edit
    "e": (True, 1),  # edit a field: field name
    "t": (True, 0),  # lens tags
    "ty": (True, 1),  # confirm a tag: its key (or its number, when the key is too long)
    "tn": (True, 1),  # reject a tag: the same
    "s": (True, 0),  # status choices
    "m": (True, 1),  # move to a status
    "a": (True, 0),  # ask the contributor: choices
    "ag": (True, 2),  # a gap's question, to confirm: index, version
    "ac": (True, 2),  # send a gap's question: index, version
    "aw": (True, 0),  # write my own question
    "n": (True, 0),  # add a note
    "h": (True, 0),  # history
    "d": (True, 0),  # download as Markdown
    "md": (True, 0),  # the media the contributor sent
    "src": (True, 0),  # where each part came from
    "k": (True, 1),  # keep my conflicting edit after all: the event holding it
    "x": (False, 0),  # cancel what my next message was for
}


def callback(verb: str, draft_id: int | None = None, *args: str | int) -> str:
    """The callback data of a staff button; never over Telegram's 64 bytes."""
    parts = [PREFIX, verb]
    if draft_id is not None:
        parts.append(str(draft_id))
    parts += [str(a) for a in args]
    data = "|".join(parts)
    if len(data.encode("utf-8")) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def parse_action(data: str) -> StaffAction | None:
    """The action a button carries, or ``None`` for data no staff button ever had."""
    parts = data.split("|")
    if len(parts) < 2 or parts[0] != PREFIX or parts[1] not in VERBS:
        return None
    verb, rest = parts[1], parts[2:]
    takes_id, arity = VERBS[verb]
    draft_id: int | None = None
    if takes_id:
        if not rest or not rest[0].isdigit():
            return None
        draft_id, rest = int(rest[0]), rest[1:]
    if len(rest) != arity or any(not part for part in rest):
        return None
    action = StaffAction(verb, draft_id, tuple(rest))
    return action if _valid_args(action) else None


def _valid_args(action: StaffAction) -> bool:
    args = action.args
    if action.verb == "l":
        return args[0] in QUEUE_FILTERS and args[1].isdigit()
    if action.verb == "k":
        return args[0].isdigit()
    if action.verb in ("ag", "ac"):
        return args[0].isdigit() and args[1].isdigit()
    if action.verb == "m":
        return args[0] in {s.value for s in DraftStatus}
    return True


def tag_ref(draft_id: int, index: int, key: str) -> str:
    """How a lens button names its tag: the key, or the 1-based number if the key is long."""
    fits = len(f"{PREFIX}|ty|{draft_id}|{key}".encode()) <= CALLBACK_LIMIT
    return key if fits and "|" not in key else str(index)


def open_button(draft_id: int, label: str = "Open the draft") -> Button:
    return Button(label, callback("o", draft_id))


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    id: int
    reference: str
    title: str
    status: DraftStatus
    created_at: datetime


@dataclass(frozen=True)
class QueuePage:
    filter: str
    entries: tuple[QueueEntry, ...]
    offset: int
    total: int
    counts: Mapping[DraftStatus, int]


@dataclass(frozen=True)
class DraftCard:
    """A draft as a staff member sees it on its card."""

    id: int
    reference: str
    status: DraftStatus
    version: int
    record: DraftRecord
    created_at: datetime
    status_changed_at: datetime
    status_changed_by: str
    contributor_name: str
    contributor_reachable: bool
    follow_ups_waiting: int
    follow_ups_answered: int
    staff_edited: tuple[str, ...]
    language: str = "en"  # the interview's: staff see in which language it was told

    @property
    def title(self) -> str:
        return self.record.title or self.reference


@dataclass(frozen=True)
class EventLine:
    """One entry of a draft's history."""

    kind: str
    field: str | None
    before: str | None
    after: str | None
    actor_name: str
    created_at: datetime


# --- small helpers -----------------------------------------------------------------------


def when(moment: datetime, tz: tzinfo) -> str:
    """``2 Mar 10:05`` in the team's time zone."""
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %H:%M}"


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` on one line, cut at a word near ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    if cut < limit * 2 // 3:
        cut = limit - 1
    return flat[:cut].rstrip(" ,;:.") + "…"


def field_label(record: DraftRecord | None, name: str) -> str:
    labels = language_pack(record.language if record else "en").get("field_labels") or {}
    return str(labels.get(name) or name.replace("_", " ").capitalize())


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def media_summary(record: DraftRecord) -> str:
    kinds = Counter(m.kind for m in record.media)
    if record.links:
        kinds["link"] += len(record.links)
    parts = []
    for kind, count in kinds.items():
        one, many = MEDIA_WORDS.get(kind, (kind, kind + "s"))
        parts.append(_plural(count, one, many))
    return ", ".join(parts) or "none"


def lens_summary(record: DraftRecord) -> str:
    if not record.lens:
        return "no tags suggested"
    counts: Counter[str] = Counter(s.status for s in record.lens)
    order = ("suggested", "confirmed", "rejected")
    return ", ".join(f"{counts[s]} {s}" for s in order if counts[s])


def _back_row(draft_id: int) -> tuple[Button, ...]:
    return (Button("‹ Back to the draft", callback("c", draft_id)),)


# --- the queue ---------------------------------------------------------------------------


def queue_reply(page: QueuePage) -> Reply:
    """A page of the review queue: one button per draft, paging, and the filters."""
    label, _ = QUEUE_FILTERS[page.filter]
    todo = sum(page.counts.get(s, 0) for s in QUEUE_FILTERS["todo"][1] or ())
    lines = [
        "To review: "
        + (
            " · ".join(f"{s.label} {page.counts.get(s, 0)}" for s in QUEUE_FILTERS["todo"][1] or ())
            if todo
            else "nothing, all caught up 🎉"
        ),
        f"Ready {page.counts.get(DraftStatus.READY, 0)} · "
        f"published {page.counts.get(DraftStatus.PUBLISHED, 0)} · "
        f"archived {page.counts.get(DraftStatus.ARCHIVED, 0)}",
        "",
    ]
    if page.total == 0:
        lines.append(f"No drafts in “{label}”.")
    else:
        last = page.offset + len(page.entries)
        lines.append(f"{label}: {page.offset + 1}–{last} of {page.total}, oldest first.")
    rows: list[tuple[Button, ...]] = []
    for entry in page.entries:
        text = f"{STATUS_ICONS[entry.status]} {entry.reference} · {excerpt(entry.title, 40)}"
        rows.append((Button(text, callback("o", entry.id)),))
    paging: list[Button] = []
    if page.offset > 0:
        previous = max(0, page.offset - PAGE_SIZE)
        paging.append(Button("‹ Previous", callback("l", None, page.filter, previous)))
    if page.offset + len(page.entries) < page.total:
        following = page.offset + PAGE_SIZE
        paging.append(Button("Next ›", callback("l", None, page.filter, following)))
    if paging:
        rows.append(tuple(paging))
    filters: list[Button] = []
    for key, (name, statuses) in QUEUE_FILTERS.items():
        count = (
            sum(page.counts.values())
            if statuses is None
            else sum(page.counts.get(s, 0) for s in statuses)
        )
        mark = "• " if key == page.filter else ""
        filters.append(Button(f"{mark}{name} ({count})", callback("l", None, key, 0)))
    rows += [tuple(filters[i : i + 3]) for i in range(0, len(filters), 3)]
    return Reply("\n".join(lines), heading="Drafts", buttons=tuple(rows))


# --- the card ----------------------------------------------------------------------------


def card_reply(card: DraftCard, tz: tzinfo) -> Reply:
    """The short card under a draft: where it stands, and what can be done with it."""
    record = card.record
    by = f" by {card.status_changed_by}" if card.status_changed_by else ""
    who = card.contributor_name or "a contributor who has since erased their data"
    lines = [
        f"Status: {STATUS_ICONS[card.status]} {card.status.label} · "
        f"{when(card.status_changed_at, tz)}{by}",
        f"Sent in {when(card.created_at, tz)} by {who}",
        f"Language: {language_label(card.language)}",
        f"Lens: {lens_summary(record)}",
        f"Gaps: {len(record.gaps) or 'none'}",
        f"Media: {media_summary(record)}",
    ]
    if card.follow_ups_waiting or card.follow_ups_answered:
        parts = []
        if card.follow_ups_waiting:
            parts.append(f"{card.follow_ups_waiting} waiting for an answer")
        if card.follow_ups_answered:
            parts.append(f"{card.follow_ups_answered} answered")
        lines.append("Questions to the contributor: " + ", ".join(parts))
    if card.staff_edited:
        edited = ", ".join(field_label(record, name) for name in card.staff_edited)
        lines.append(f"Edited by staff: {edited}")
    lines.append(f"Version {card.version}")
    rows: list[tuple[Button, ...]] = [
        (
            Button("✏️ Edit a field", callback("f", card.id)),
            Button("🏷 Lens", callback("t", card.id)),
        ),
        (
            Button("❓ Ask contributor", callback("a", card.id)),
            Button("🔀 Status", callback("s", card.id)),
        ),
        (Button("🗒 Note", callback("n", card.id)), Button("🕓 History", callback("h", card.id))),
        (
            Button("📄 Whole draft", callback("o", card.id)),
            Button("⬇️ Markdown", callback("d", card.id)),
        ),
    ]
    extras = [Button("🔎 Sources", callback("src", card.id))]
    if record.media:
        extras.insert(0, Button("🖼 Media", callback("md", card.id)))
    rows.append(tuple(extras))
    rows.append((Button("‹ Back to the list", callback("l", None, "todo", 0)),))
    heading = f"{card.reference} · {excerpt(card.title, 80)}"
    return Reply("\n".join(lines), heading=heading, buttons=tuple(rows))


def fields_reply(card: DraftCard) -> Reply:
    """Which field to edit; empty fields are marked ➕."""
    names = list(FIELD_ORDER) + [n for n in card.record.fields if n not in FIELD_ORDER]
    buttons = []
    for name in names:
        empty = card.record.field(name).is_empty
        label = ("➕ " if empty else "") + field_label(card.record, name)
        buttons.append(Button(label, callback("e", card.id, name)))
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(_back_row(card.id))
    return Reply(
        "Which field? I'll show its text; your next message replaces it.",
        heading=f"{card.reference} · edit a field",
        buttons=tuple(rows),
    )


def edit_prompt_text(card: DraftCard, name: str) -> tuple[str, str, str]:
    """The heading, current text and instructions shown when a field's edit begins."""
    draft_field = card.record.field(name)
    heading = f"{card.reference} · {field_label(card.record, name)}"
    how = (
        "Send the new text as your next message: it replaces the text above. "
        "Send /clear to empty the field, or /cancel to leave it as it is."
    )
    if draft_field.suggested_update:
        how = f"New material from later answers: {draft_field.suggested_update}\n\n{how}"
    return heading, draft_field.text, how


def lens_reply(card: DraftCard) -> Reply:
    """The suggested lens tags with their evidence, each with confirm and reject buttons."""
    record = card.record
    if not record.lens:
        return Reply(
            "No co-production lens tags were suggested for this draft.",
            heading=f"{card.reference} · lens",
            buttons=(_back_row(card.id),),
        )
    marks = {"suggested": "•", "confirmed": "✅", "rejected": "❌"}
    lines = []
    rows: list[tuple[Button, ...]] = []
    for index, suggestion in enumerate(record.lens, start=1):
        lines.append(
            f"{index}. {marks[suggestion.status]} {suggestion.label} ({suggestion.status})\n"
            f"   “{excerpt(suggestion.evidence, 160)}”"
        )
        ref = tag_ref(card.id, index, suggestion.key)
        rows.append(
            (
                Button(
                    f"✅ {index}. {excerpt(suggestion.label, 24)}", callback("ty", card.id, ref)
                ),
                Button(f"❌ {index}", callback("tn", card.id, ref)),
            )
        )
    rows.append(_back_row(card.id))
    return Reply("\n".join(lines), heading=f"{card.reference} · lens tags", buttons=tuple(rows))


def status_reply(card: DraftCard, tz: tzinfo) -> Reply:
    by = f" by {card.status_changed_by}" if card.status_changed_by else ""
    text = f"Now {card.status.label} (since {when(card.status_changed_at, tz)}{by}).\nMove it to:"
    buttons = [
        Button(f"{STATUS_ICONS[s]} {s.label.capitalize()}", callback("m", card.id, s.value))
        for s in allowed_moves(card.status)
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(_back_row(card.id))
    return Reply(text, heading=f"{card.reference} · status", buttons=tuple(rows))


def ask_reply(card: DraftCard) -> Reply:
    """Ask the contributor: the gaps' questions ready to send, or one's own."""
    heading = f"{card.reference} · ask the contributor"
    if not card.contributor_reachable:
        return Reply(
            "The contributor erased their data, so they can't be asked anything.",
            heading=heading,
            buttons=(_back_row(card.id),),
        )
    who = card.contributor_name or "The contributor"
    lines = [
        f"{who} gets your question in their chat with the bot, labelled as from the team, "
        "after any interview they are in the middle of. Their answer goes into the draft "
        "and comes back to you here."
    ]
    rows: list[tuple[Button, ...]] = []
    gaps = card.record.gaps
    if gaps:
        lines += ["", "Questions from the gaps:"]
        lines += [f"{i}. {gap.question}" for i, gap in enumerate(gaps, start=1)]
        buttons = [
            Button(f"Ask {i}", callback("ag", card.id, i, card.version))
            for i in range(1, len(gaps) + 1)
        ]
        rows += [tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4)]
    rows.append((Button("✍️ Write my own", callback("aw", card.id)),))
    rows.append(_back_row(card.id))
    return Reply("\n".join(lines), heading=heading, buttons=tuple(rows))


def ask_confirm_reply(card: DraftCard, index: int, gap: Gap) -> Reply:
    return Reply(
        f"Send this to {card.contributor_name or 'the contributor'}?\n\n“{gap.question}”",
        heading=f"{card.reference} · ask the contributor",
        buttons=(
            (Button("📨 Send it", callback("ac", card.id, index, card.version)),),
            (Button("‹ Back", callback("a", card.id)),),
        ),
    )


def history_reply(card: DraftCard, events: Sequence[EventLine], tz: tzinfo) -> Reply:
    lines = [describe_event(card.record, event, tz) for event in events]
    text = "\n".join(lines) if lines else "Nothing has happened to this draft yet."
    return Reply(text, heading=f"{card.reference} · history", buttons=(_back_row(card.id),))


def describe_event(record: DraftRecord, event: EventLine, tz: tzinfo) -> str:
    who = event.actor_name or "copro-bot"
    stamp = when(event.created_at, tz)
    if event.kind == "created":
        what = "drafted from the interview"
    elif event.kind == "regenerated":
        changed = [field_label(record, n.strip()) for n in (event.after or "").split(",")]
        what = "redrafted from new answers" + (f": {', '.join(changed)}" if event.after else "")
    elif event.kind == "field":
        label = field_label(record, event.field or "")
        what = (
            f"edited {label}: “{excerpt(event.before or '', 40)}” → "
            f"“{excerpt(event.after or '', 40)}”"
        )
    elif event.kind == "lens":
        tag = next((s.label for s in record.lens if s.key == event.field), event.field or "")
        what = f"{event.after} the tag {tag}"
    elif event.kind == "status":
        before = DraftStatus(event.before).label if event.before else "?"
        after = DraftStatus(event.after).label if event.after else "?"
        what = f"moved it from {before} to {after}"
    elif event.kind == "note" and event.field:
        label = field_label(record, event.field)
        what = f"kept an unsaved edit of {label}: “{excerpt(event.after or '', 80)}”"
    elif event.kind == "note":
        what = f"noted: {excerpt(event.after or '', 160)}"
    else:
        what = excerpt(event.after or "", 160)
    return f"{stamp} · {who} · {what}"


# --- prompts and their outcomes ----------------------------------------------------------


def prompt_text(kind: str, card: DraftCard) -> tuple[str, str]:
    """The heading and instructions when a staff member's next message is for a note or a
    question (field edits show the field's text: see :func:`edit_prompt_text`)."""
    if kind == "note":
        return (
            f"{card.reference} · add a note",
            "Send your note as your next message (it goes into the draft's history), or /cancel.",
        )
    who = card.contributor_name or "the contributor"
    return (
        f"{card.reference} · ask {who}",
        f"Send your question as your next message and I'll pass it on to {who}, "
        "labelled as from the team. Or /cancel.",
    )


def saved_reply(card: DraftCard, name: str) -> Reply:
    return Reply(
        f"✅ {field_label(card.record, name)} saved (version {card.version}).",
        buttons=(
            (Button("✏️ Another field", callback("f", card.id)),),
            (Button("‹ Back to the draft", callback("c", card.id)),),
        ),
    )


def conflict_reply(
    card: DraftCard, name: str, theirs: str, yours: str, by: str, at: str, event_id: int
) -> Reply:
    """A field edit refused because a colleague changed the field meanwhile: both texts."""
    label = field_label(card.record, name)
    text = (
        f"{by or 'Someone'} changed {label} at {at}, after you started editing, so your text "
        "was not saved over theirs. Yours is kept in the draft's history.\n\n"
        f"Their {label} now:\n{theirs or '(empty)'}\n\n"
        f"Your text:\n{yours or '(empty)'}"
    )
    return Reply(
        text,
        heading=f"⚠️ {card.reference} · edited by {by or 'someone else'} meanwhile",
        buttons=(
            (Button("Use mine instead", callback("k", card.id, event_id)),),
            (Button("Keep theirs", callback("c", card.id)),),
        ),
    )


def note_saved_reply(card: DraftCard) -> Reply:
    return Reply("🗒 Note added to the history.", buttons=(_back_row(card.id),))


def cancelled_reply(draft_id: int | None) -> Reply:
    buttons = (_back_row(draft_id),) if draft_id is not None else ()
    return Reply("Cancelled: nothing was changed.", buttons=buttons)


# --- follow-up questions -----------------------------------------------------------------


def follow_up_message(reference: str, title: str, question: str, *, again: bool = False) -> Reply:
    """A staff question as the contributor sees it, clearly from the team."""
    heading = (
        "💬 Still waiting: a question from the team" if again else ("💬 A question from the team")
    )
    story = f"“{excerpt(title, 80)}” ({reference})" if title else reference
    return Reply(
        f"About your story {story}:\n\n{question}\n\n"
        "Just reply here with your answer. If you'd rather not answer, send /skip.",
        heading=heading,
    )


FOLLOW_UP_THANKS = "Thank you! I've passed your answer on to the team. 🙏"
FOLLOW_UP_SKIPPED = "No problem, I've let the team know you'd rather not answer."


def ask_outcome_text(outcome: str, who: str) -> str:
    """What the staff member is told once their question is on its way (or is not)."""
    name = who or "the contributor"
    texts = {
        "sent": f"📨 Sent to {name}. I'll tell you here when they answer.",
        "queued_interview": (
            f"⏳ {name} is in the middle of an interview. I'll send your question when they "
            "reach a pause, and tell you here when they answer."
        ),
        "queued_waiting": (
            f"⏳ {name} hasn't answered an earlier question yet. Yours goes out after that one, "
            "and I'll tell you here when they answer."
        ),
        "blocked": (
            f"🚫 I couldn't deliver your question: {name} has blocked the bot, so they can't "
            "be reached through it."
        ),
        "retry": (
            f"⚠️ Telegram didn't take the message just now. I'll send your question the next "
            f"time {name} writes to the bot."
        ),
        "unreachable": "The contributor erased their data, so they can't be asked anything.",
        "empty": "That question is empty: nothing was sent.",
        "too_long": f"Please keep a question under {QUESTION_LIMIT} characters.",
    }
    return texts[outcome]


def answered_notice(
    draft_id: int,
    reference: str,
    who: str,
    question: str,
    answer: str,
    version: int | None,
) -> Reply:
    updated = f"\n\nThe draft was redrafted with it (version {version})." if version else ""
    return Reply(
        f"You asked: {question}\n\nThey answered: {answer}{updated}",
        heading=f"💬 {who or 'The contributor'} answered your question on {reference}",
        buttons=((open_button(draft_id),),),
    )


def declined_notice(draft_id: int, reference: str, who: str, question: str) -> Reply:
    return Reply(
        f"You asked: {question}",
        heading=f"{who or 'The contributor'} would rather not answer your question on {reference}",
        buttons=((open_button(draft_id),),),
    )


# --- staff membership --------------------------------------------------------------------


@dataclass(frozen=True)
class StaffLine:
    user_id: int
    name: str
    source: str  # "admin", "settings" or "chat"
    added: str = ""


def staff_list_text(lines: Sequence[StaffLine]) -> str:
    groups = {
        "admin": "Admins (ADMIN_USER_IDS)",
        "settings": "Staff (STAFF_USER_IDS)",
        "chat": "Staff added in chat",
    }
    out: list[str] = []
    for source, title in groups.items():
        members = [line for line in lines if line.source == source]
        out.append(f"{title}:")
        if not members:
            out.append("  none")
        for line in members:
            name = f"{line.name} " if line.name else ""
            added = f", {line.added}" if line.added else ""
            out.append(f"  • {name}({line.user_id}){added}")
    out += ["", "Admins: /staff add <user id or @username> · /staff remove <user id>"]
    return "\n".join(out)


STAFF_USAGE = (
    "Use /staff list, /staff add <user id or @username> [name], or /staff remove <user id>. "
    "You can also reply to someone's message with /staff add or /staff remove."
)
