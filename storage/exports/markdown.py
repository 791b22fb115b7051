"""One example as a Markdown page with YAML front matter, ready for a static site.

Front matter is written by PyYAML's safe dumper, so any title or place is quoted safely.
Contributor text is kept as written except ``<`` and ``>``, which become entities so a
site generator never renders contributor text as HTML.
"""

from __future__ import annotations

import re

import yaml

from storage.exports.columns import FIELD_HEADINGS, tag_names
from storage.exports.consent import credit_line
from storage.exports.model import ExportExample, iso_utc
from storage.exports.text import safe_name, slugify

# libyaml's safe dumper when PyYAML has it (several times faster), else the pure one.
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_WEB_URL = re.compile(r"https?://[^\s<>\[\]]+", re.IGNORECASE)
# A value the safe dumper writes as a plain scalar: a letter first (no indicator, nothing
# the resolver reads as a number or date), then single spaces or colons between runs of
# printable characters other than ``#`` (no ``: ``, no trailing ``:``, no line breaks).
# libyaml escapes characters past U+FFFF and the private ones; those are left to it.
_RUN = r"[^\s:#\x00-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\U0010ffff]"
_PLAIN = re.compile(rf"[^\W\d_\ud800-\U0010ffff]{_RUN}*(?:[ :]{_RUN}+)*")
# A time as every format prints it: the resolver reads it as a timestamp, so it is quoted.
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", re.ASCII)
# Words the resolver reads as a boolean or null, which the dumper quotes.
_RESOLVED_WORDS = frozenset(
    word
    for stem in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (stem, stem.capitalize(), stem.upper())
)
# libyaml's default line width and the indent of a scalar's continuation lines.
_WIDTH = 80
_CONTINUATION = "\n  "


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str) -> str:
    """An autolink for a plain http(s) URL; anything else stays inert, escaped text."""
    if _WEB_URL.fullmatch(url):
        return f"<{url}>"
    return _escape(url).replace("[", "\\[").replace("]", "\\]")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def title_of(example: ExportExample) -> str:
    """The example's title on one line, or its reference when it has none."""
    return _one_line(example.fields.get("title", "")) or example.reference


def markdown_file_name(example: ExportExample) -> str:
    """``<reference>-<title slug>.md``, from safe characters only."""
    slug = slugify(example.fields.get("title", ""))
    stem = safe_name(example.reference) + (f"-{slug}" if slug else "")
    return f"{stem}.md"


def front_matter(example: ExportExample) -> dict[str, object]:
    """The YAML front matter values; tags are the confirmed ones only."""
    return {
        "reference": example.reference,
        "title": title_of(example),
        "status": example.status,
        "script": example.script_id,
        "language": example.language,
        "submitted_at": iso_utc(example.submitted_at),
        "credit": credit_line(example),
        "tags": tag_names(example, "confirmed"),
        "place": _one_line(example.fields.get("place", "")),
    }


def _node(matter: dict[str, object]) -> yaml.MappingNode:
    """The YAML node ``yaml.safe_dump(matter, sort_keys=False, default_flow_style=False)``
    represents: made directly, as PyYAML's representer (pure Python even with libyaml) was
    most of the time of a Markdown export. Values are strings or lists of strings."""
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in matter.items():
        node: yaml.Node
        if isinstance(value, list):
            items: list[yaml.Node] = [yaml.ScalarNode(_STR, str(item)) for item in value]
            node = yaml.SequenceNode(_SEQ, items, flow_style=False)
        else:
            node = yaml.ScalarNode(_STR, str(value))
        pairs.append((yaml.ScalarNode(_STR, key), node))
    return yaml.MappingNode(_MAP, pairs, flow_style=False)


def _plain(prefix: str, value: str) -> str | None:
    """``prefix`` and ``value`` as the safe dumper writes a plain scalar after it, lines
    broken where libyaml breaks them (at a space once past the line width), or ``None``
    when the dumper would quote the value."""
    if not value:
        return f"{prefix} ''\n"  # read as null unquoted
    if value in _RESOLVED_WORDS or not _PLAIN.fullmatch(value):
        return None
    column = len(prefix) + 1  # the space between prefix and value
    if column + len(value) <= _WIDTH:
        return f"{prefix} {value}\n"
    parts = [prefix, " "]
    for index, word in enumerate(value.split(" ")):
        if index:
            if column > _WIDTH:
                parts.append(_CONTINUATION)
                column = 2
            else:
                parts.append(" ")
                column += 1
        parts.append(word)
        column += len(word)
    parts.append("\n")
    return "".join(parts)


def _pair(key: str, value: object) -> str:
    """One ``key: value`` of the front matter, as the safe dumper writes it in a block
    mapping: built here for plain values, else by the dumper itself."""
    if isinstance(value, list):
        if not value:
            return f"{key}: []\n"
        items = [_plain("-", str(item)) for item in value]
        if all(items):
            return f"{key}:\n" + "".join(item for item in items if item)
    elif _TIME.fullmatch(str(value)):
        return f"{key}: '{value}'\n"
    else:
        text = _plain(f"{key}:", str(value))
        if text is not None:
            return text
    return str(
        yaml.serialize(
            _node({key: value}), Dumper=_SAFE_DUMPER, allow_unicode=True, explicit_start=False
        )
    )


def front_matter_yaml(matter: dict[str, object]) -> str:
    """``yaml.safe_dump(matter, allow_unicode=True, sort_keys=False)``, byte for byte (tests
    hold it to the dumper), a pair at a time: a block mapping's pairs do not depend on each
    other, and most values are plain text that the dumper was slow to write."""
    return "".join([_pair(key, value) for key, value in matter.items()])


def render_markdown(example: ExportExample) -> str:
    """The Markdown page of an example that consent was applied to."""
    matter = front_matter_yaml(front_matter(example))
    parts = [f"---\n{matter}---\n", f"# {_escape(title_of(example))}\n"]
    for name, heading in FIELD_HEADINGS:
        text = example.fields.get(name, "").strip()
        if text:
            parts.append(f"## {heading}\n\n{_escape(text)}\n")
    if example.quotes:
        quotes = "\n\n".join(
            "\n".join(f"> {line}".rstrip() for line in _escape(quote.strip()).splitlines())
            for quote in example.quotes
        )
        parts.append(f"## In their words\n\n{quotes}\n")
    if example.links:
        parts.append("## Links\n\n" + "".join(f"- {_link(link)}\n" for link in example.links))
    if example.media:
        items = "".join(
            f"- {m.kind}: {_escape(_one_line(m.caption or '')) or m.file_id}"
            + (f" ({_link(m.url)})" if m.url else "")
            + "\n"
            for m in example.media
        )
        parts.append(f"## Media\n\n{items}")
    parts.append(f"*Shared by {_escape(credit_line(example))}.*\n")
    return "\n".join(parts)
