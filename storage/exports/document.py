"""Examples as Word documents (python-docx): one heading per example, one per field.

python-docx builds the whole document in memory, so a single DOCX suits reports of up to
a few thousand examples; ``docx-zip`` (one small document per example) has no such limit.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from conversations.i18n import language_label
from storage.exports.columns import FIELD_HEADINGS, tag_names
from storage.exports.consent import credit_line
from storage.exports.markdown import title_of
from storage.exports.model import ExportExample, iso_utc
from storage.exports.text import xml_safe

DOCUMENT_TITLE = "Co-production examples"
_BLANK_LINE = re.compile(r"\n\s*\n")


_STYLES = ("Title", "Heading 1", "Heading 2", "Quote", "List Bullet")


class Report:
    """A python-docx document plus its style ids, looked up once.

    python-docx's ``add_paragraph`` searches the style table by name and scans the whole
    body for its section properties on every call, which made long reports quadratic;
    here style ids are resolved once and paragraphs go straight before the section
    properties, so each paragraph costs the same however long the report is.
    """

    def __init__(self, exported_at: datetime, title: str = DOCUMENT_TITLE) -> None:
        # python-docx loads in a few hundred ms: only when a document is written.
        from docx import Document
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        self._element: Any = OxmlElement
        self._paragraph: Any = Paragraph
        self.document: Any = Document()
        self.document.core_properties.title = title
        self._style_ids = {name: self.document.styles[name].style_id for name in _STYLES}
        body = self.document.element.body
        self._append = body.sectPr.addprevious if body.sectPr is not None else body.append
        self.paragraph(title, "Title")
        self.paragraph(f"Exported {iso_utc(exported_at)}")

    def paragraph(self, text: str, style: str | None = None) -> Any:
        """Append a paragraph of ``text`` (made XML-safe) in the named style."""
        element = self._element("w:p")
        self._append(element)
        if style is not None:
            element.style = self._style_ids[style]
        paragraph = self._paragraph(element, self.document)
        if text:
            paragraph.add_run(xml_safe(text))
        return paragraph

    def text(self, text: str, style: str | None = None) -> None:
        """Append ``text`` as one paragraph per blank-line-separated block."""
        for chunk in _BLANK_LINE.split(text.strip()):
            if chunk.strip():
                self.paragraph(chunk.strip(), style)

    def clear(self) -> None:
        """Remove every paragraph, keeping styles and section properties, for reuse."""
        body = self.document.element.body
        for child in list(body):
            if child is not body.sectPr:
                body.remove(child)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.paragraph("").add_run().add_break(WD_BREAK.PAGE)

    def save(self, target: Any) -> None:
        self.document.save(target)


def add_example(report: Report, example: ExportExample) -> None:
    """Append an example that consent was applied to: Heading 1, then Heading 2 per field."""
    report.paragraph(title_of(example), "Heading 1")
    report.paragraph(
        f"{example.reference} · {example.status} · {example.script_id} · "
        f"{language_label(example.language)} · submitted {iso_utc(example.submitted_at)}"
    )
    for name, heading in FIELD_HEADINGS:
        text = example.fields.get(name, "")
        if text.strip():
            report.paragraph(heading, "Heading 2")
            report.text(text)
    if example.quotes:
        report.paragraph("In their words", "Heading 2")
        for quote in example.quotes:
            report.text(quote, "Quote")
    if example.links:
        report.paragraph("Links", "Heading 2")
        for link in example.links:
            report.paragraph(link, "List Bullet")
    if example.media:
        report.paragraph("Media", "Heading 2")
        for media in example.media:
            suffix = f" ({media.url})" if media.url else ""
            report.paragraph(
                f"{media.kind}: {media.caption or media.file_id}{suffix}", "List Bullet"
            )
    confirmed = tag_names(example, "confirmed")
    if confirmed:
        report.paragraph("Co-production lens", "Heading 2")
        report.paragraph(", ".join(confirmed))
    report.paragraph("").add_run(xml_safe(f"Shared by {credit_line(example)}.")).italic = True
