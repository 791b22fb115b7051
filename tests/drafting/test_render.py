"""Rendering drafts: Markdown for files, Telegram HTML that is escaped and within limits."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.drafting import DraftField, DraftRecord, DraftSentence, build_draft
from conversations.gaps import Gap
from conversations.lens import LensSuggestion
from conversations.model import Answer
from conversations.render import TELEGRAM_LIMIT, draft_to_markdown, draft_to_telegram_html
from conversations.script import builtin_scripts

FULL = builtin_scripts()["full-story"]
ALLOWED_TAGS = {"b", "i", "a", "blockquote"}


class TagChecker(HTMLParser):
    """Collects problems: unknown tags, closing tags out of order, tags left open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        if tag == "a" and [k for k, _ in attrs] != ["href"]:
            self.problems.append(f"attrs {attrs}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced {tag}")

    def handle_data(self, data: str) -> None:
        self.text += data

    def check(self, markup: str) -> list[str]:
        self.feed(markup)
        self.close()
        return self.problems + [f"open {t}" for t in self.stack]


def problems(markup: str) -> list[str]:
    return TagChecker().check(markup)


def visible_text(markup: str) -> str:
    checker = TagChecker()
    checker.check(markup)
    return checker.text


def sample_draft() -> DraftRecord:
    given = {
        "project": Answer("project", text="A <script>alert(1)</script> garden & café for all"),
        "place_when": Answer("place_when", text="Leeds & Bradford, since 2020"),
        "changed": Answer("changed", text="People <b>now</b> talk to each other every single day"),
        "heard_back": Answer("heard_back", text="see https://example.org/a?b=1&c=2 for news"),
        "credit": Answer("credit", choices=("anonymous",)),
    }
    return build_draft(FULL, given, reference="EX-7")


def test_markdown_has_headings_quotes_links_credit_lens_and_gaps() -> None:
    md = draft_to_markdown(sample_draft())
    assert md.startswith(
        "# \\<script\\>alert(1)\\</script\\> garden & café for all, Leeds & Bradford\n"
    )
    assert [
        "## Place" in md,
        "\n> People \\<b\\>now\\</b\\> talk to each other every single day" in md,
        "- <https://example.org/a?b=1&c=2>" in md,
        "*Shared anonymously.*" in md,
        "## Co-production lens" in md,
        "(suggested)" in md,
        "## Questions to follow up" in md,
    ] == [True] * 7


def test_telegram_html_escapes_all_contributor_text() -> None:
    html = "\n".join(draft_to_telegram_html(sample_draft()))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Leeds &amp; Bradford" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2">' in html
    assert "People &lt;b&gt;now&lt;/b&gt;" in html


def test_telegram_html_uses_only_allowed_tags_balanced() -> None:
    messages = draft_to_telegram_html(sample_draft())
    assert [problems(m) for m in messages] == [[] for _ in messages]


def test_long_draft_splits_into_messages_within_the_limit_without_losing_text() -> None:
    long_text = " ".join(f"Sentence {n} about <tags> & ampersands." for n in range(900))
    draft = build_draft(
        FULL,
        {
            "project": Answer("project", text="A long one"),
            "hard": Answer("hard", text=long_text),
            "changed": Answer("changed", text="x" * 9000),
        },
    )
    messages = draft_to_telegram_html(draft)
    assert len(messages) > 3
    assert [len(m) for m in messages if len(m) > TELEGRAM_LIMIT] == []
    assert [problems(m) for m in messages] == [[] for _ in messages]
    shown = "".join("".join(visible_text(m).split()) for m in messages)
    assert "".join(draft.field("challenges").text.split()) in shown


def test_suggested_updates_are_shown_beside_the_field() -> None:
    draft = sample_draft()
    fields = dict(draft.fields)
    fields["outcomes"] = DraftField(
        "outcomes", "Staff wording.", suggested_update="New words from the contributor."
    )
    edited = DraftRecord(draft.script_id, None, fields)
    md = draft_to_markdown(edited)
    html = "\n".join(draft_to_telegram_html(edited))
    assert "New words from the contributor." in md and "New words from the contributor." in html


def test_untitled_draft_renders() -> None:
    draft = DraftRecord("spotted", None, {"title": DraftField("title", "")})
    assert draft_to_markdown(draft).startswith("# Untitled draft")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(min_size=0, max_size=600), min_size=1, max_size=12),
    st.text(max_size=300),
)
def test_any_text_renders_to_valid_messages_within_the_limit(
    texts: list[str], evidence: str
) -> None:
    fields = {
        f"field_{n}": DraftField(f"field_{n}", t, sentences=(DraftSentence(t, ("q",)),))
        for n, t in enumerate(texts)
    }
    fields["quotes"] = DraftField("quotes", evidence, sentences=(DraftSentence(evidence, ("q",)),))
    fields["links_and_media"] = DraftField(
        "links_and_media", evidence, sentences=(DraftSentence(evidence, ("q",)),)
    )
    draft = DraftRecord(
        "x",
        evidence,
        fields,
        lens=(LensSuggestion("nef", "assets", "Assets", evidence, "q"),),
        gaps=(Gap("outcomes", evidence or "?", "missing"),),
    )
    messages = draft_to_telegram_html(draft)
    assert [m for m in messages if len(m.encode("utf-16-le")) // 2 > TELEGRAM_LIMIT] == []
    assert [problems(m) for m in messages] == [[] for _ in messages]


def test_provenance_names_the_answer_behind_every_field() -> None:
    from conversations.drafting import DraftField, DraftRecord, Source
    from conversations.render import provenance_lines, provenance_to_telegram_html

    draft = DraftRecord(
        script_id="spotted",
        reference="CP-2026-00007",
        fields={
            "title": DraftField("title", "Kids <3 playground", (Source("project", "kids <3"),)),
            "place": DraftField("place", "Leeds.", (Source("place_when", "Leeds " * 900),)),
            "outcomes": DraftField("outcomes", ""),
        },
    )
    lines = provenance_lines(draft)
    assert [label for label, _ in lines] == ["Title", "Place"]
    assert lines[0][1] == "project: kids <3"
    messages = provenance_to_telegram_html(draft)
    assert all(len(m) <= 4096 for m in messages)
    assert "kids &lt;3" in messages[0]
    assert "<3" not in "".join(messages)
    assert "outcomes" not in "".join(messages).lower()


def test_staff_edits_to_quotes_and_links_are_what_renders() -> None:
    from dataclasses import replace

    from conversations.drafting import DraftField, DraftRecord, DraftSentence
    from conversations.render import draft_to_markdown, draft_to_telegram_html

    quotes = DraftField("quotes", "old quote", sentences=(DraftSentence("old quote", ("q",)),))
    links = DraftField(
        "links_and_media",
        "https://old.example",
        sentences=(DraftSentence("https://old.example", ("s",)),),
    )
    draft = DraftRecord("spotted", "CP-1", {"quotes": quotes, "links_and_media": links})
    edited = replace(
        draft,
        fields={
            "quotes": replace(quotes, text="We did it together", generated_text="old quote"),
            "links_and_media": replace(
                links, text="https://new.example\nhttps://two.example", generated_text="x"
            ),
        },
    )
    markdown = draft_to_markdown(edited)
    html_text = "".join(draft_to_telegram_html(edited))
    for rendered in (markdown, html_text):
        assert "We did it together" in rendered
        assert "https://new.example" in rendered and "https://two.example" in rendered
        assert "old quote" not in rendered and "old.example" not in rendered
    assert edited.quotes == ("We did it together",)
    assert "old quote" in draft_to_markdown(draft)
