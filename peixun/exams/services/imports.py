"""Questions from an .xlsx workbook (the template of `documents`, which reads it into rows of
text): checked row by row first, then stored all at once or not at all.

Every row is checked with the bank's own rules (`clean_question_fields`, `parse_answer`) and
every problem of every row is reported, by Excel row number and column. A question already in
the org's bank (same fingerprint) or repeated within the file is a duplicate: listed and
skipped, not an error. A real import refuses when any row is bad; otherwise it creates the new
questions in one transaction and writes one audit record.

Cells are read as text (`documents.question_rows`): openpyxl gives a formula cell's formula, never its result, so a stem
starting with = + - @ is stored as written (the apostrophe our export puts before such text is
dropped again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.core.text import fold_width
from peixun.orgs.models import Organization

from ..documents import OPTION_HEADERS, question_rows
from ..logic import OPTION_LETTERS
from ..models import Difficulty, Question, QuestionKind
from .bank import clean_question_fields

BATCH = 500

# The column named in a row problem, by the field `clean_question_fields` names.
COLUMN_OF = {
    "kind": "题型", "stem": "题干", "options": "选项", "answer": "答案", "topics": "知识点",
    "difficulty": "难度", "explanation": "解析", "source": "出处",
}  # fmt: skip

KIND_WORDS: dict[str, str] = {
    word: kind
    for kind, words in {
        QuestionKind.SINGLE: ("单选", "单选题", "单项选择", "单项选择题", "single"),
        QuestionKind.MULTIPLE: ("多选", "多选题", "多项选择", "多项选择题", "multiple"),
        QuestionKind.JUDGE: ("判断", "判断题", "是非题", "judge"),
        QuestionKind.BLANK: ("填空", "填空题", "blank"),
    }.items()
    for word in words
}
DIFFICULTY_WORDS: dict[str, int] = {
    word: level
    for level, words in {
        Difficulty.EASY: ("易", "容易", "简单", "1"),
        Difficulty.MEDIUM: ("中", "中等", "一般", "适中", "2"),
        Difficulty.HARD: ("难", "困难", "较难", "3"),
    }.items()
    for word in words
}


@dataclass(frozen=True)
class RowProblem:
    row: int  # as Excel numbers rows (the headers are row 1)
    column: str  # the column's header, such as 答案
    value: str  # what the cell holds, shortened
    message: str


@dataclass(frozen=True)
class Duplicate:
    row: int
    stem: str
    first_row: int | None  # the earlier row of the file it repeats; None: already in the bank


@dataclass
class ImportReport:
    org: Organization
    dry_run: bool
    rows: int = 0  # non-blank data rows read
    errors: list[RowProblem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    to_create: int = 0  # new questions the file holds (created, unless a dry run)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.errors})


class ImportRejected(ValidationError):
    """A real import refused because rows are bad; `report` lists every problem."""

    def __init__(self, report: ImportReport) -> None:
        messages = [
            _("Row %(row)d, %(column)s: %(message)s")
            % {"row": p.row, "column": p.column, "message": p.message}
            for p in report.errors
        ]
        super().__init__({"rows": messages})
        self.report = report


def _word(text: str) -> str:
    return re.sub(r"\s", "", fold_width(text)).lower()


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:60] + "…"


def check_row(
    number: int, values: dict[str, str]
) -> tuple[dict[str, Any] | None, list[RowProblem]]:
    """The cleaned fields of one row, or every problem in it."""
    problems: list[RowProblem] = []

    def problem(field_name: str, message: str, value: str = "") -> None:
        column = COLUMN_OF.get(field_name, field_name)
        problems.append(RowProblem(number, column, _short(value), message))

    kind_text = values.get("kind", "")
    kind = KIND_WORDS.get(_word(kind_text), "")
    options = [values.get(f"option{n}", "") for n in range(len(OPTION_LETTERS))]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        filled = [n for n, text in enumerate(options) if text.strip()]
        gaps = [n for n in range(filled[-1]) if not options[n].strip()] if filled else []
        if gaps:
            problem(
                "options",
                _("Fill the options from 选项A on, without gaps: %(column)s is empty.")
                % {"column": OPTION_HEADERS[gaps[0]]},
            )
    difficulty_text = _word(values.get("difficulty", ""))
    difficulty: Any = DIFFICULTY_WORDS.get(difficulty_text, difficulty_text or Difficulty.MEDIUM)
    data = {
        "kind": kind,
        "stem": values.get("stem", ""),
        "options": options,
        "answer": values.get("answer", ""),
        "topics": values.get("topics", ""),
        "difficulty": difficulty,
        "explanation": values.get("explanation", ""),
        "source": values.get("source", ""),
    }
    gap = bool(problems)
    try:
        clean = clean_question_fields(data)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            if name == "answer" and gap:
                continue  # the letters point at shifted options: the gap is the problem
            if name == "kind":
                messages = [_("Write the type as 单选, 多选, 判断 or 填空.")]
            elif name == "difficulty":
                messages = [_("Write the difficulty as 易, 中 or 难 (or 1, 2, 3).")]
            shown = "" if name == "options" else str(data.get(name, "") or "")
            if name == "kind":
                shown = kind_text
            for message in messages:
                problem(name, message, shown)
        return None, problems
    if problems:
        return None, problems
    return clean, []


def _plan(
    org: Organization, rows: list[tuple[int, dict[str, str]]], report: ImportReport
) -> list[dict[str, Any]]:
    """The questions to create; problems and duplicates go to `report`."""
    checked: list[tuple[int, dict[str, Any]]] = []
    for number, values in rows:
        clean, problems = check_row(number, values)
        report.errors.extend(problems)
        if clean is not None:
            checked.append((number, clean))
    existing = set(
        Question.objects.filter(
            org=org, fingerprint__in=[c["fingerprint"] for _n, c in checked]
        ).values_list("fingerprint", flat=True)
    )
    first_row: dict[str, int] = {}
    new: list[dict[str, Any]] = []
    for number, clean in checked:
        fp = clean["fingerprint"]
        if fp in existing:
            report.duplicates.append(Duplicate(number, _short(clean["stem"]), None))
        elif fp in first_row:
            report.duplicates.append(Duplicate(number, _short(clean["stem"]), first_row[fp]))
        else:
            first_row[fp] = number
            new.append(clean)
    report.to_create = len(new)
    return new


def questions_import(
    *, actor: Actor, org: Organization, upload: bytes | IO[bytes] | Any, dry_run: bool
) -> ImportReport:
    """Check (dry_run) or import the questions of an .xlsx upload into `org`'s bank.

    A file that can't be read as the template raises ValidationError({"file": …}); a real
    import with bad rows raises `ImportRejected` (a ValidationError carrying the report)."""
    require_manage(actor, org)
    rows = question_rows(upload)
    report = ImportReport(org=org, dry_run=dry_run, rows=len(rows))
    if dry_run:
        _plan(org, rows, report)
        return report
    with transaction.atomic():
        # Checked again inside the transaction: the bank may have changed since the dry run.
        list(Organization.objects.select_for_update().filter(pk=org.pk))
        new = _plan(org, rows, report)
        if report.errors:
            raise ImportRejected(report)
        Question.objects.bulk_create(
            [Question(org=org, created_by_id=actor_id(actor), **clean) for clean in new],
            batch_size=BATCH,
        )
        report.created = len(new)
        audit_record(
            actor=actor, verb="exams.question.import", obj=org, org=org,
            after={"created": report.created, "duplicates": len(report.duplicates)},
        )  # fmt: skip
    return report
