"""A draft as Markdown (for files and exports) and as Telegram HTML messages (for staff).

Telegram HTML here uses only <b>, <i>, <a href> and <blockquote>; every piece of
contributor text is escaped, and long drafts are split into messages of at most 4096
characters between whole elements, never inside a tag or an entity.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conversations.drafting import FIELD_ORDER, DraftField, DraftRecord
from conversations.tidy import DEFAULT_LANGUAGE, LINK_RE, language_pack

TELEGRAM_LIMIT = 4096
# Fields shown in their own way rather than as a heading and a paragraph.
_SPECIAL = frozenset({"title", "summary", "quotes", "credit_line", "links_and_media"})


def _labels(draft: DraftRecord) -> Mapping[str, Any]:
    return language_pack(draft.language)


def _label(draft: DraftRecord, name: str) -> str:
    labels = _labels(draft).get("field_labels") or {}
    return str(labels.get(name) or name.replace("_", " ").capitalize())


def _word(draft: DraftRecord, key: str) -> str:
    render = _labels(draft).get("render") or {}
    return str(render.get(key) or key)


def language_line(draft: DraftRecord) -> str:
    """ "Interview language: Welsh (cy)" for an interview not held in English; else ""."""
    if draft.language == DEFAULT_LANGUAGE:
        return ""
    names = _labels(draft).get("language_names") or {}
    name = str(names.get(draft.language) or draft.language)
    return _word(draft, "language").format(name=name, code=draft.language)


def _framework(draft: DraftRecord, framework: str) -> str:
    names = (_labels(draft).get("render") or {}).get("frameworks") or {}
    return str(names.get(framework) or framework)


def _href(url: str) -> str:
    """Where a listed link points; "" for an item that is not one whole link ("Ill send
    pics later", stored by an earlier drafter among links, stays plain text)."""
    if not LINK_RE.fullmatch(url.strip()):
        return ""
    if re.match(r"https?://", url, re.IGNORECASE):
        return url
    if "@" in url:
        return ""
    return "https://" + url


def _body_fields(draft: DraftRecord) -> list[DraftField]:
    ordered = [draft.fields[n] for n in FIELD_ORDER if n in draft.fields]
    extra = [f for n, f in draft.fields.items() if n not in FIELD_ORDER]
    return [f for f in ordered + extra if f.name not in _SPECIAL]


# --- Markdown ----------------------------------------------------------------------------


def _md(text: str) -> str:
    """Escape Markdown's active characters in contributor text, keeping links readable."""
    out: list[str] = []
    last = 0
    for match in LINK_RE.finditer(text):
        out.append(_md_plain(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_md_plain(text[last:]))
    return "".join(out)


def markdown_text(text: str) -> str:
    """Contributor text made safe to put in a Markdown document (links kept readable)."""
    return _md(text)


def _md_plain(text: str) -> str:
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    return re.sub(r"(?m)^(\s*)([#>+-]|\d+\.)(?=\s)", r"\1\\\2", text)


def draft_to_markdown(draft: DraftRecord) -> str:
    """The draft as Markdown: headings per field, quotes as blockquotes, lens and gaps listed."""
    title = draft.title or _word(draft, "untitled")
    lines = [f"# {_md(title)}", ""]
    if draft.reference:
        lines += [f"{_word(draft, 'reference')}: {_md(draft.reference)}", ""]
    if language_line(draft):
        lines += [_md(language_line(draft)), ""]
    if not draft.field("summary").is_empty:
        lines += [_md(draft.summary), ""]
        lines += _md_update(draft, draft.field("summary"))
    for draft_field in _body_fields(draft):
        if draft_field.is_empty and draft_field.suggested_update is None:
            continue
        lines += [f"## {_md(_label(draft, draft_field.name))}", ""]
        if not draft_field.is_empty:
            lines += [_md(draft_field.text), ""]
        lines += _md_update(draft, draft_field)
    quotes = draft.field("quotes")
    if quotes.shown_sentences():
        lines += [f"## {_md(_label(draft, 'quotes'))}", ""]
        for sentence in quotes.shown_sentences():
            lines += [f"> {_md(sentence.text)}", ""]
    links = draft.field("links_and_media")
    if links.shown_sentences():
        lines += [f"## {_md(_label(draft, 'links_and_media'))}", ""]
        for sentence in links.shown_sentences():
            if not sentence.template and _href(sentence.text):
                lines.append(f"- <{_href(sentence.text)}>")
            else:
                lines.append(f"- {_md(sentence.text)}")
        lines.append("")
    if not draft.field("credit_line").is_empty:
        lines += [f"*{_md(draft.credit_line)}*", ""]
    if draft.lens:
        lines += [f"## {_md(_word(draft, 'lens_heading'))}", ""]
        for s in draft.lens:
            lines.append(
                f"- {_md(_framework(draft, s.framework))}: {_md(s.label)} "
                f"({_md(_word(draft, s.status))}) — “{_md(s.evidence)}”"
            )
        lines.append("")
    if draft.gaps:
        lines += [f"## {_md(_word(draft, 'gaps_heading'))}", ""]
        lines += [f"- {_md(g.question)}" for g in draft.gaps]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_update(draft: DraftRecord, draft_field: DraftField) -> list[str]:
    if draft_field.suggested_update is None:
        return []
    update = _md(draft_field.suggested_update).replace("\n", "\n> ")
    return [f"> **{_md(_word(draft, 'suggested_update'))}** {update}", ""]


# --- Telegram HTML -----------------------------------------------------------------------


def _length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), never less than ``len``."""
    return len(text.encode("utf-16-le")) // 2


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _units(text: str, size: int) -> list[str]:
    """Escaped pieces of plain text, each at most ``size`` characters once escaped.

    Splits at line breaks, then spaces, then (for a run with no space) characters, always
    before escaping, so no entity is ever cut.
    """
    pieces: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        if _length(_esc(current + token)) <= size:
            current += token
            continue
        if current:
            pieces.append(current)
            current = ""
        while _length(_esc(token)) > size:
            cut = size
            while cut > 1 and _length(_esc(token[:cut])) > size:
                cut -= 1
            pieces.append(token[:cut])
            token = token[cut:]
        current = token
    if current:
        pieces.append(current)
    return [_esc(p.strip()) for p in pieces if p.strip()]


@dataclass(frozen=True)
class _Block:
    """A heading and units of HTML, wrapped in one tag; splittable between units."""

    heading: str | None
    units: tuple[str, ...]
    wrap: str = ""
    separator: str = "\n"

    def render(self, units: tuple[str, ...], first: bool) -> str:
        body = self.separator.join(units)
        if self.wrap:
            body = f"<{self.wrap}>{body}</{self.wrap}>"
        if self.heading and first:
            return (
                f"<b>{_esc(self.heading)}</b>\n{body}" if body else f"<b>{_esc(self.heading)}</b>"
            )
        return body


def _text_block(heading: str | None, text: str, wrap: str = "") -> _Block:
    overhead = len(f"<{wrap}></{wrap}>") if wrap else 0
    heading_room = len(_esc(heading or "")) + 8
    size = TELEGRAM_LIMIT - overhead - heading_room
    units = tuple(u for line in text.split("\n") for u in _units(line, size))
    return _Block(heading, units, wrap)


def _link_unit(url: str) -> str:
    href = _href(url)
    if not href or len(href) + len(url) > TELEGRAM_LIMIT // 2:
        return _esc(url)[: TELEGRAM_LIMIT // 2]
    return f'<a href="{html.escape(href, quote=True)}">{_esc(url)}</a>'


def _telegram_blocks(draft: DraftRecord) -> list[_Block]:
    blocks = [_text_block(None, draft.title or _word(draft, "untitled"), "b")]
    if draft.reference:
        blocks.append(_text_block(None, f"{_word(draft, 'reference')}: {draft.reference}", "i"))
    if language_line(draft):
        blocks.append(_text_block(None, language_line(draft), "i"))
    if not draft.field("summary").is_empty:
        blocks.append(_text_block(None, draft.summary))
    blocks += _update_blocks(draft, draft.field("summary"))
    for draft_field in _body_fields(draft):
        if draft_field.is_empty and draft_field.suggested_update is None:
            continue
        label = _label(draft, draft_field.name)
        if not draft_field.is_empty:
            blocks.append(_text_block(label, draft_field.text))
        else:
            blocks.append(_Block(label, ()))
        blocks += _update_blocks(draft, draft_field)
    quotes = draft.field("quotes")
    if quotes.shown_sentences():
        blocks.append(_Block(_label(draft, "quotes"), ()))
        blocks += [_text_block(None, s.text, "blockquote") for s in quotes.shown_sentences()]
    links = draft.field("links_and_media")
    if links.shown_sentences():
        units: list[str] = []
        for sentence in links.shown_sentences():
            if not sentence.template and _href(sentence.text):
                units.append(_link_unit(sentence.text))
            else:
                units += _units(sentence.text, TELEGRAM_LIMIT // 2)
        blocks.append(_Block(_label(draft, "links_and_media"), tuple(units)))
    if not draft.field("credit_line").is_empty:
        blocks.append(_text_block(None, draft.credit_line, "i"))
    if draft.lens:
        lens_units = []
        for s in draft.lens:
            line = f"• {_framework(draft, s.framework)}: {s.label} — “{s.evidence}”"
            lens_units += _units(line, TELEGRAM_LIMIT // 2)
            lens_units[-1] += f" <i>({_esc(_word(draft, s.status))})</i>"
        blocks.append(_Block(_word(draft, "lens_heading"), tuple(lens_units)))
    if draft.gaps:
        gap_units = [u for g in draft.gaps for u in _units(f"• {g.question}", TELEGRAM_LIMIT // 2)]
        blocks.append(_Block(_word(draft, "gaps_heading"), tuple(gap_units)))
    return blocks


def _update_blocks(draft: DraftRecord, draft_field: DraftField) -> list[_Block]:
    if draft_field.suggested_update is None:
        return []
    return [_text_block(_word(draft, "suggested_update"), draft_field.suggested_update, "i")]


def draft_to_telegram_html(draft: DraftRecord) -> list[str]:
    """The draft as Telegram HTML messages, each at most 4096 characters."""
    messages: list[str] = []
    current = ""

    def push(part: str) -> None:
        nonlocal current
        candidate = f"{current}\n\n{part}" if current else part
        if _length(candidate) <= TELEGRAM_LIMIT:
            current = candidate
            return
        if current:
            messages.append(current)
        current = part

    for block in _telegram_blocks(draft):
        whole = block.render(block.units, first=True)
        if _length(whole) <= TELEGRAM_LIMIT:
            push(whole)
            continue
        chunk: list[str] = []
        first = True
        for unit in block.units:
            trial = block.render((*chunk, unit), first)
            if chunk and _length(trial) > TELEGRAM_LIMIT:
                push(block.render(tuple(chunk), first))
                first = False
                chunk = []
            chunk.append(unit)
        if chunk:
            push(block.render(tuple(chunk), first))
    if current:
        messages.append(current)
    return messages


# --- provenance ------------------------------------------------------------------------------


def provenance_lines(draft: DraftRecord) -> list[tuple[str, str]]:
    """Where each field came from, as (field label, "question: excerpt") pairs, for staff
    checking a draft against what the contributor actually said."""
    lines: list[tuple[str, str]] = []
    for draft_field in draft.fields.values():
        if draft_field.is_empty:
            continue
        label = _label(draft, draft_field.name)
        if not draft_field.sources:
            cited = sorted({q for s in draft_field.sentences for q in s.question_ids})
            lines.append((label, ", ".join(cited) or "-"))
            continue
        for source in draft_field.sources:
            lines.append((label, f"{source.question_id}: {source.excerpt}"))
        changes = dict.fromkeys(
            f"{c.original} → {c.replacement}"
            for sentence in draft_field.sentences
            for c in sentence.changes
        )
        if changes and draft_field.text == (draft_field.generated_text or draft_field.text):
            lines.append((label, f"{_word(draft, 'tidied')}: {'; '.join(changes)}"))
    return lines


def provenance_to_telegram_html(draft: DraftRecord) -> list[str]:
    """The provenance of every field as Telegram HTML messages within the limit."""
    messages: list[str] = []
    current = f"<b>{_esc(draft.reference or draft.title)}: where each part came from</b>"
    for label, source in provenance_lines(draft):
        for unit in _units(source, TELEGRAM_LIMIT - 200):
            line = f"<b>{_esc(label)}</b> ← <i>{unit}</i>"
            if _length(current) + 1 + _length(line) > TELEGRAM_LIMIT:
                messages.append(current)
                current = line
            else:
                current = f"{current}\n{line}"
    messages.append(current)
    return messages
