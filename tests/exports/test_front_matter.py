"""Markdown front matter is built a pair at a time, yet is exactly what the YAML safe
dumper writes: quoting, resolved words, wrapped long lines and lists alike."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.exports.markdown import front_matter_yaml

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_WORDS = st.sampled_from(
    [
        *("council", "garden", "café", "Żółć", "中文", "’quoted’", "yes", "No", "null", "-", "1.5"),
        *("nsce:impact", "x:", "#tag", "a#b", "2026-03-01T09:30:00Z", "x😀", "\ue000", "é", ""),
    ]
)
_SEPARATORS = st.sampled_from([" ", " ", " ", "  ", ":", ": ", "\n", ", "])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """Prose of up to a few lines (where wrapping starts), or any short string at all."""
    if draw(st.booleans()):
        return draw(st.text(max_size=40))
    words = draw(st.lists(_WORDS, max_size=40))
    text = "".join(word + draw(_SEPARATORS) for word in words)
    return text.strip() if draw(st.booleans()) else text


@settings(max_examples=400, deadline=None)
@given(
    title=_texts(),
    credit=_texts(),
    place=_texts(),
    tags=st.lists(_texts(), max_size=3),
)
def test_front_matter_is_the_safe_dumpers(
    title: str, credit: str, place: str, tags: list[str]
) -> None:
    matter: dict[str, object] = {
        "reference": "CP-2026-00001",
        "title": title,
        "submitted_at": "2026-03-01T09:30:00Z",
        "credit": credit,
        "tags": tags,
        "place": place,
    }
    expected = yaml.dump(
        matter, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, default_flow_style=False
    )
    assert front_matter_yaml(matter) == expected


def test_a_long_plain_title_wraps_where_the_dumper_wraps_it() -> None:
    title = " ".join(["neighbourhood"] * 20)
    text = front_matter_yaml({"title": title})
    assert text.count("\n") > 1  # continued on indented lines, as the dumper does
    assert yaml.safe_load(text) == {"title": title}
    assert text == yaml.dump({"title": title}, Dumper=_DUMPER, allow_unicode=True, width=80)
