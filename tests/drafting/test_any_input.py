"""No answer text can stop a draft: random text of every shape (unicode of any category,
empty, huge, nothing but punctuation or emoji, odd whitespace), given to every kind of
question in every interview language, still makes a draft that places each answer sentence
exactly once and has a short, non-empty title whenever an answer holds a word."""

from __future__ import annotations

import re

import hypothesis
from hypothesis import HealthCheck
from hypothesis import strategies as st

from conversations.drafting import build_draft
from conversations.drafting_placement import Placer
from conversations.lens import load_lens
from conversations.model import Answer, MediaRef, QuestionKind
from conversations.script import builtin_scripts
from tests.drafting.fixture_data import Interview
from tests.drafting.quality import answer_units, placement_counts

SCRIPTS = builtin_scripts()
TITLE_MAX = 70

# Text that stresses splitting and tidying: every unicode category, then the shapes that
# have broken drafts before.
ODD = st.sampled_from(
    [
        *("\u200b", "\u00a0", "\t", "\r\n", "\u2028", "\ufeff", "\u202e", " ", "  ", "\n\n"),
        *("...", "!!!", "?!", "…", "—", "'", "’", "“", "„", "«", "(", ")", "&", "/", "#", "@"),
        *("😀", "👩‍🔧", "🇵🇱", "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "❤️", "🙏🏽", "ul.", "e.g.", "St.", "J.", "1."),
        *("£2,000", "n=214", "(n=214).", "59.6%"),
        *("I", "i", "Ceòl", "Łódź", "ŁÓDŹ", "'S e", "Mae'n", "called", '"The', 'X"', "wee"),
        *("see above", "www.", "https://", "a@b.cd", "07700 900123", "2019", "2019-2021"),
    ]
)
ANY_TEXT = (
    st.text(max_size=200)
    | st.lists(ODD | st.text(max_size=8), max_size=40).map("".join)
    | st.lists(ODD | st.text(max_size=8), max_size=40).map(" ".join)
    | st.builds(
        lambda word, n: (word + " ") * n, st.text(min_size=1, max_size=12), st.integers(0, 900)
    )
    | st.just("")
)
LANGUAGES = st.sampled_from(["en", "cy", "gd", "pl", "ga", "xx"])


@st.composite
def interviews(draw: st.DrawFn) -> tuple[str, dict[str, Answer], str]:
    """A script, answers to any of its questions (of every kind), and a language."""
    script_id = draw(st.sampled_from(sorted(SCRIPTS)))
    script = SCRIPTS[script_id]
    answers: dict[str, Answer] = {}
    for question in draw(st.lists(st.sampled_from(script.questions), max_size=10, unique=True)):
        text = draw(ANY_TEXT)
        options = [o.id for o in question.options]
        choices: tuple[str, ...] = ()
        if options and question.kind in {QuestionKind.CHOICE, QuestionKind.YES_NO}:
            choices = (draw(st.sampled_from(options)),)
        elif options and question.kind == QuestionKind.MULTI:
            choices = tuple(draw(st.lists(st.sampled_from(options), unique=True)))
        media: tuple[MediaRef, ...] = ()
        if question.kind in {QuestionKind.MEDIA, QuestionKind.LINK, QuestionKind.CONTACT}:
            caption = draw(ANY_TEXT)
            kind = draw(st.sampled_from(["photo", "link", "contact", "voice", "odd"]))
            meta = {"url": caption} if kind == "link" else {}
            media = (MediaRef(kind, file_id=f"file-{question.id}", caption=caption, meta=meta),)
        skipped = draw(st.booleans()) and not text
        answers[question.id] = Answer(
            question.id, text=text, choices=choices, media=media, skipped=skipped
        )
    return script_id, answers, draw(LANGUAGES)


@hypothesis.settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@hypothesis.given(interviews())
def test_any_answers_of_any_kind_make_a_draft_placing_each_sentence_once(
    given: tuple[str, dict[str, Answer], str],
) -> None:
    script_id, answers, language = given
    script = SCRIPTS[script_id]
    draft = build_draft(script, answers, language=language, contributor_name="Ana")
    interview = Interview("any", script, answers, None, {}, language)
    expected = sorted(ref for ref, _ in answer_units(interview))
    counts = placement_counts(draft)
    assert (sorted(counts), set(counts.values()) - {1}) == (expected, set())
    assert len(draft.title) <= TITLE_MAX
    placer = Placer(load_lens(), language)
    if any(
        re.search(r"[^\W\d_]", text) and not placer.is_aside(text)
        for _, text in answer_units(interview)
    ):
        assert draft.title.strip()


def test_an_answer_with_nothing_to_describe_still_gets_a_title_but_a_greeting_does_not() -> None:
    script = SCRIPTS["full-story"]
    assert build_draft(script, {"project": Answer("project", text="A! A")}).title == "A"
    assert build_draft(script, {"project": Answer("project", text="Hiya!")}).title == ""
