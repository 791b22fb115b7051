"""The digest's content: what staff read, the buttons that open drafts, Telegram's limits."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.digest import (
    MESSAGE_LIMIT,
    DigestData,
    DigestDraft,
    DigestFollowUp,
    as_plain_text,
    build_digest,
    digest_document,
    digest_filename,
)
from conversations.drafting import DraftField, DraftRecord
from conversations.workflow import DraftStatus

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
END = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def draft(
    number: int,
    title: str = "Parents & the school redesign the playground",
    summary: str = "Parents and the school redesigned the playground together. The kids voted.",
    status: DraftStatus = DraftStatus.NEW,
    age: timedelta = timedelta(hours=3),
) -> DigestDraft:
    record = DraftRecord(
        script_id="spotted",
        reference=f"CP-2026-{number:05d}",
        fields={
            "title": DraftField("title", title),
            "summary": DraftField("summary", summary),
        },
    )
    return DigestDraft(
        id=number,
        reference=f"CP-2026-{number:05d}",
        status=status,
        record=record,
        created_at=END - age,
        status_changed_at=END - age,
    )


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def callback_data(messages: list) -> list[str]:  # type: ignore[type-arg]
    return [b.data for m in messages for row in m.buttons for b in row]


def test_a_digest_lists_new_drafts_counts_waiting_follow_ups_and_interviews() -> None:
    data = DigestData(
        start=START,
        end=END,
        now=END,
        new_drafts=(draft(7), draft(8, title="Tenants <b>redesign</b> the estate", summary="")),
        counts={DraftStatus.NEW: 2, DraftStatus.READY: 1},
        waiting=(draft(3, status=DraftStatus.IN_REVIEW, age=timedelta(days=9)),),
        follow_ups=(
            DigestFollowUp(3, "CP-2026-00003", "Who paid for it?", "Nia", END - timedelta(days=2)),
        ),
        interviews_in_progress=4,
    )
    [message] = build_digest(data, LONDON)
    text = as_plain_text([message])
    assert text.splitlines()[:2] == [
        "Digest: 2 new drafts",
        "Mon 2 Mar 09:00 – Tue 3 Mar 09:00 (Europe/London)",
    ]
    assert (
        "1. CP-2026-00007 Parents & the school redesign the playground — Parents and the school "
        "redesigned the playground together." in text
    )
    assert "2. CP-2026-00008 Tenants <b>redesign</b> the estate\n" in text  # shown, not markup
    assert "new 2, in review 0, needs info 0, ready 1, published 0, archived 0" in text
    assert (
        "• CP-2026-00003 Parents & the school redesign the playground — in review for 9 days"
        in text
    )
    assert "• CP-2026-00003 asked by Nia 2 days ago: “Who paid for it?”" in text
    assert "Interviews in progress: 4" in text
    assert callback_data([message]) == ["st|o|7", "st|o|8"]
    assert [b.label for row in message.buttons for b in row] == [
        "Open CP-2026-00007",
        "Open CP-2026-00008",
    ]
    assert "&lt;b&gt;redesign&lt;/b&gt;" in message.html


def test_a_quiet_period_still_gives_the_counts() -> None:
    data = DigestData(start=START, end=END, now=END, counts={DraftStatus.PUBLISHED: 5})
    [message] = build_digest(data, LONDON)
    text = as_plain_text([message])
    assert text.startswith("Digest: no new drafts")
    assert "Follow-ups awaiting answers: none" in text
    assert message.buttons == ()
    assert "attached" not in text


def test_many_new_drafts_are_cut_short_with_a_pointer_to_the_file() -> None:
    data = DigestData(start=START, end=END, now=END, new_drafts=tuple(draft(n) for n in range(45)))
    messages = build_digest(data, LONDON)
    text = as_plain_text(messages)
    assert "30. CP-2026-00029" in text and "31. CP-2026-00030" not in text
    assert "…and 15 more: all of them are in the attached file." in text
    assert callback_data(messages) == [f"st|o|{n}" for n in range(30)]
    document = digest_document(data, LONDON)
    assert document.count("Reference: CP-2026-") == 45
    assert document.count("Status: new · created Tue 3 Mar 06:00") == 45
    assert digest_filename(data, LONDON) == "digest-2026-03-03-0900.md"


def test_drafts_given_without_their_record_are_listed_after_the_full_ones() -> None:
    full = tuple(draft(n) for n in range(2))
    listed = tuple(
        replace(draft(n, title="Choir *for* carers"), record=None, headline="Choir *for* carers")
        for n in range(2, 5)
    )
    data = DigestData(start=START, end=END, now=END, new_drafts=full + listed)
    document = digest_document(data, LONDON)
    assert document.count("Reference: CP-2026-") == 2
    assert "## 3 more new drafts" in document
    assert "- CP-2026-00004: Choir \\*for\\* carers (new, created Tue 3 Mar 06:00)" in document
    # the digest message still names them by title, without a summary it does not have
    text = as_plain_text(build_digest(data, LONDON))
    assert "5. CP-2026-00004 Choir *for* carers\n" in text + "\n"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=400), st.text(max_size=2000)),
        min_size=0,
        max_size=40,
    ),
    st.lists(st.text(min_size=1, max_size=600), max_size=15),
)
def test_every_message_fits_telegram_and_every_listed_draft_keeps_its_button(
    drafts: list[tuple[str, str]], questions: list[str]
) -> None:
    new = tuple(draft(n, title=t, summary=s) for n, (t, s) in enumerate(drafts))
    data = DigestData(
        start=START,
        end=END,
        now=END,
        new_drafts=new,
        waiting=new[:12],
        follow_ups=tuple(
            DigestFollowUp(n, f"CP-2026-{n:05d}", q, "<Staff & co>", START)
            for n, q in enumerate(questions)
        ),
    )
    messages = build_digest(data, LONDON)
    for message in messages:
        assert 0 < units(message.html) <= MESSAGE_LIMIT
        assert sum(len(row) for row in message.buttons) <= 40
        # every tag is one of ours: contributor and staff text cannot inject markup
        assert "<" not in re.sub(r"</?[bi]>", "", message.html)
    assert callback_data(messages) == [f"st|o|{n}" for n in range(min(len(new), 30))]


def test_a_draft_told_in_another_language_says_which_in_english() -> None:
    welsh = replace(draft(9, title="Caffi trwsio"), language="cy")
    data = DigestData(start=START, end=END, now=END, new_drafts=(draft(7), welsh))
    text = as_plain_text(build_digest(data, LONDON))
    seventh = next(line for line in text.splitlines() if line.startswith("1. CP-2026-00007"))
    ninth = next(line for line in text.splitlines() if line.startswith("2. CP-2026-00009"))
    assert "Welsh" not in seventh and "English" not in seventh
    assert ninth.startswith("2. CP-2026-00009 Caffi trwsio [Welsh (cy)]")
