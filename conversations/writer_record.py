"""Where the writer model meets a draft record: which fields are sent, how rewrites land.

The one place that knows both :mod:`conversations.writer` and the draft record's shape
(fields of sentences with their question ids), so a change to either stays here.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import replace

from conversations.drafting import DraftField, DraftRecord, DraftSentence
from conversations.review_text import field_label
from conversations.writer import (
    LEFT_OUT_FIELD,
    LEFT_OUT_TEMPLATE,
    NOT_REWRITTEN,
    WRITER_TEMPLATE,
    FieldRequest,
    FieldRewrite,
    Withheld,
    field_request,
)


def is_written(draft_field: DraftField) -> bool:
    """The field's text is the writer model's (it passed the checker)."""
    return any(s.template == WRITER_TEMPLATE for s in draft_field.sentences)


def field_requests(
    record: DraftRecord, staff_edited: Set[str], withheld: Withheld
) -> list[FieldRequest]:
    """The fields to send: prose written by the drafter from answers, not yet rewritten,
    never one a person edited (their words are theirs)."""
    requests = []
    for name, draft_field in record.fields.items():
        if name in NOT_REWRITTEN or name == LEFT_OUT_FIELD or name in staff_edited:
            continue
        if draft_field.is_empty or is_written(draft_field):
            continue
        if not any(not s.template for s in draft_field.sentences):
            continue  # only fixed wording ("Stage: idea"): nothing to make readable
        sentences = [(s.text, s.question_ids) for s in draft_field.sentences]
        request = field_request(name, field_label(record, name), sentences, withheld)
        if request.sentences:
            requests.append(request)
    return requests


def _left_out_line(record: DraftRecord, rewrite: FieldRewrite) -> list[DraftSentence]:
    label = field_label(record, rewrite.field)
    cited = tuple(
        dict.fromkeys(q for s in record.field(rewrite.field).sentences for q in s.question_ids)
    )
    return [
        DraftSentence(
            f"{label}: {f.text} (not in the answers: {', '.join(f.reasons)})",
            cited,
            LEFT_OUT_TEMPLATE,
        )
        for f in rewrite.flagged
    ]


def apply_rewrites(record: DraftRecord, rewrites: Sequence[FieldRewrite]) -> DraftRecord:
    """The record with each used rewrite in its field (the drafter's text stays in
    ``generated_text``, one tap away) and every sentence the checker left out listed under
    :data:`LEFT_OUT_FIELD` for staff."""
    fields = dict(record.fields)
    for rewrite in rewrites:
        old = fields.get(rewrite.field)
        if old is None or not rewrite.used:
            continue
        fields[rewrite.field] = replace(
            old,
            text=rewrite.text,
            sentences=tuple(
                DraftSentence(s.text, s.question_ids, WRITER_TEMPLATE) for s in rewrite.sentences
            ),
            generated_text=old.generated_text if old.generated_text is not None else old.text,
        )
    redone = {field_label(record, r.field) + ":" for r in rewrites}
    previous = record.field(LEFT_OUT_FIELD).sentences
    left_out = [s for s in previous if not s.text.startswith(tuple(redone))]
    for rewrite in rewrites:
        left_out += _left_out_line(record, rewrite)
    fields.pop(LEFT_OUT_FIELD, None)
    if left_out:
        fields[LEFT_OUT_FIELD] = DraftField(
            LEFT_OUT_FIELD,
            "\n".join(s.text for s in left_out),
            (),
            sentences=tuple(left_out),
        )
    return replace(record, fields=fields)
