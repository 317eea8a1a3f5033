"""Files of knowledge tests: what turns rows into .xlsx workbooks and workbooks into rows.

- The question bank as .xlsx: the template to fill in, and an export in the same columns, so an
  export re-imports as it is; `question_rows` reads either back into rows of text for
  `services.imports.questions_import` to check and store.
- The results 台账 of one exam (`results_workbook`), from `selectors.exam_results`.

Bank columns, in this order (row 1 of the template holds the headers; an export is a
`core.workbooks` 台账 with its title rows above them, and the reader finds them): 题型 (单选/多选/判断/填空), 题干, 选项A … 选项H,
答案 (B / ACD / 对 / 错 / accepted answers split by |), 知识点 (split by 、), 难度 (易/中/难),
解析, 出处. The export adds 所属组织 and 已停用 after them, which the import ignores.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from peixun.core.spreadsheets import (
    SheetFileError,
    cell_text,
    check_xlsx_package,
    read_first_sheet,
    undo_neutralise,
)
from peixun.core.text import fold_width
from peixun.core.workbooks import (
    Column,
    LedgerBook,
    LedgerSheet,
    as_of_period,
    date_span,
    ledger_title,
    notes_page,
    template_page,
)
from peixun.orgs.selectors import org_above_label

from .logic import OPTION_LETTERS
from .models import Difficulty, Exam, Question, QuestionKind

if TYPE_CHECKING:
    from .selectors import ExamResults

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OPTION_HEADERS = tuple(f"选项{letter}" for letter in OPTION_LETTERS)
TEMPLATE_HEADERS: tuple[str, ...] = (
    "题型", "题干", *OPTION_HEADERS, "答案", "知识点", "难度", "解析", "出处",
)  # fmt: skip
EXPORT_EXTRA_HEADERS = ("所属组织", "已停用")

# The word the template writes for each type and difficulty (the import accepts more).
KIND_WORD: dict[str, str] = {
    QuestionKind.SINGLE: "单选",
    QuestionKind.MULTIPLE: "多选",
    QuestionKind.JUDGE: "判断",
    QuestionKind.BLANK: "填空",
}
DIFFICULTY_WORD: dict[int, str] = {
    Difficulty.EASY: "易",
    Difficulty.MEDIUM: "中",
    Difficulty.HARD: "难",
}
TRUE_WORD = "对"
FALSE_WORD = "错"
TEMPLATE_TITLE = "题库导入模板"
WIDTHS = {"题型": 8, "题干": 48, "答案": 12, "知识点": 16, "难度": 8, "解析": 36, "出处": 20}

EXAMPLES: tuple[tuple[str, ...], ...] = (
    ("单选", "中国共产党的最高理想和最终目标是什么？", "实现共产主义", "全面建成小康社会",
     "实现中华民族伟大复兴", "", "", "", "", "", "A", "党章、理想信念", "易",
     "见《中国共产党章程》总纲。", "《中国共产党章程》"),
    ("多选", "“四个意识”包括哪些？", "政治意识", "大局意识", "核心意识", "看齐意识", "群众意识",
     "", "", "", "ABCD", "四个意识", "中", "", ""),
)  # fmt: skip


def answer_text(question: Question) -> str:
    """The key as a person writes it in the answer column: B, ACD, 对, 错, or 人民|人民群众."""
    key: list[Any] = list(question.answer or [])
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(OPTION_LETTERS[i] for i in key if 0 <= i < len(OPTION_LETTERS))
    if question.kind == QuestionKind.JUDGE:
        return TRUE_WORD if key and key[0] is True else FALSE_WORD
    return "|".join(str(a) for a in key)


def question_row(question: Question) -> list[str]:
    """One question in the template's columns (without the export's extra ones)."""
    options = [str(o) for o in (question.options or [])][: len(OPTION_LETTERS)]
    options += [""] * (len(OPTION_LETTERS) - len(options))
    return [
        KIND_WORD.get(question.kind, question.kind),
        question.stem,
        *options,
        answer_text(question),
        "、".join(question.topic_list),
        DIFFICULTY_WORD.get(question.difficulty, ""),
        question.explanation,
        question.source,
    ]


def _column_letter(index: int) -> str:
    return str(get_column_letter(index))


def _format_sheet(sheet: Worksheet, headers: Sequence[str], rows: int) -> None:
    # Row 1 keeps the headers the import and the 说明 sheet name; A4, fitted, repeated.
    template_page(
        sheet,
        headers,
        widths=[WIDTHS.get(header, 14) for header in headers],
        freeze_columns=1,
        title=TEMPLATE_TITLE,
    )
    wrapped = Alignment(vertical="top", wrap_text=True)
    for row in sheet.iter_rows(min_row=2, max_row=rows + 1):
        for cell in row:
            cell.alignment = wrapped
    for index, _header in enumerate(headers, start=1):
        # Text columns: what is typed stays as typed (a leading = or 0 included).
        sheet.column_dimensions[_column_letter(index)].number_format = "@"
    last = max(rows, 1) + 1000
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(KIND_WORD.values()) + '"', allow_blank=True
    )
    levels = DataValidation(
        type="list", formula1='"' + ",".join(DIFFICULTY_WORD.values()) + '"', allow_blank=True
    )
    for check, header in ((kinds, "题型"), (levels, "难度")):
        check.showErrorMessage = False  # the import judges, with better messages
        sheet.add_data_validation(check)
        column = _column_letter(TEMPLATE_HEADERS.index(header) + 1)
        check.add(f"{column}2:{column}{last}")


def _help_lines() -> list[str]:
    return [
        _("One question per row, on the first sheet. Keep the headers of row 1 as they are."),
        _(
            "题型: 单选 (single choice), 多选 (multiple choice), 判断 (true or false) or 填空 "
            "(fill in the blank)."
        ),
        _("题干: the question, at most 2,000 characters."),
        _(
            "选项A to 选项H: the options of a choice question, at least two, filled from 选项A "
            "on without gaps. Leave them empty for 判断 and 填空."
        ),
        _(
            "答案: the letters of the right options (B for single choice, ACD for multiple "
            "choice), 对 or 错 for true or false, or the accepted answers of a blank separated "
            "by | (人民|人民群众)."
        ),
        _("知识点: topics separated by 、 (党章、党史); papers draw questions by topic."),
        _("难度: 易, 中 or 难 (or 1, 2, 3); empty means 中."),
        _("解析 and 出处: optional; the explanation is shown after the test when answers are."),
        _(
            "Delete the two example rows before importing. Other columns are ignored; text "
            "starting with = is kept as text."
        ),
        _(
            "At most 5,000 questions and 5 MB per file. The file is checked first and every "
            "problem is listed; nothing is saved until every row is correct. Questions already "
            "in the bank are skipped."
        ),
    ]


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def question_template_workbook() -> bytes:
    """The template: the headers, two example rows and a 说明 sheet."""
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "题目"
        sheet.append(list(TEMPLATE_HEADERS))
        for example in EXAMPLES:
            sheet.append(list(example))
        _format_sheet(sheet, TEMPLATE_HEADERS, len(EXAMPLES))
        notes = workbook.create_sheet("说明")
        for line in _help_lines():
            notes.append([line])
        notes.column_dimensions["A"].width = 100
        for row in notes.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        notes_page(notes, TEMPLATE_TITLE)
        return _save(workbook)


def questions_workbook(questions: Iterable[Question], *, org_name: str = "") -> bytes:
    """The questions in the template's columns (plus their owner and whether retired), as a
    `core.workbooks` 台账 titled with `org_name`: text starting with = stays text as typed, and
    the import finds the header row below the title, so an export re-imports as it is."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        headers = (*TEMPLATE_HEADERS, *EXPORT_EXTRA_HEADERS)
        sheet = book.sheet(
            "题目",
            title=ledger_title(org_name, _("Question bank with answers")),
            org=org_name,
            period=as_of_period(timezone.localdate()),
            columns=[Column(h, max_width=WIDTHS.get(h, 24)) for h in headers],
            freeze_columns=2,
        )
        for question in questions:
            sheet.append(
                [*question_row(question), question.org.name, "是" if question.retired else None]
            )
        for choices, header in ((KIND_WORD, "题型"), (DIFFICULTY_WORD, "难度")):
            sheet.choice_list(TEMPLATE_HEADERS.index(header), list(choices.values()), 1000)
        return book.save()


# -- reading the bank's workbook back -----------------------------------------------------------

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# field → the headers accepted for it (compared after `normalise_header`).
HEADERS: dict[str, tuple[str, ...]] = {
    "kind": ("题型", "题目类型", "类型"),
    "stem": ("题干", "题目", "试题"),
    "answer": ("答案", "正确答案", "参考答案"),
    "topics": ("知识点", "考点", "标签"),
    "difficulty": ("难度", "难易程度"),
    "explanation": ("解析", "答案解析", "试题解析"),
    "source": ("出处", "来源", "依据"),
    **{f"option{n}": (header,) for n, header in enumerate(OPTION_HEADERS)},
}
REQUIRED = ("kind", "stem", "answer")
HEADER_SEARCH_ROWS = 10


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def normalise_header(value: Any) -> str:
    text = re.sub(r"[\s*＊]", "", fold_width(cell_text(value)))
    return text.upper()


def _lookup() -> dict[str, str]:
    return {normalise_header(h): name for name, headers in HEADERS.items() for h in headers}


def _too_large() -> ValidationError:
    return _file_error(
        _("The file is larger than %(mb)d MB; split it into parts.")
        % {"mb": MAX_BYTES // (1024 * 1024)}
    )


def _read_bytes(upload: bytes | IO[bytes] | Any) -> bytes:
    """The upload's bytes, once it is known to be an .xlsx package of at most 5 MB."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        name = str(getattr(upload, "name", "") or "")
        if name and not name.lower().endswith(".xlsx"):
            raise _file_error(_("Only .xlsx workbooks can be imported; save the file as .xlsx."))
        size = getattr(upload, "size", None)
        if isinstance(size, int) and size > MAX_BYTES:
            raise _too_large()
        with contextlib.suppress(AttributeError, OSError, ValueError):
            upload.seek(0)
        data = bytes(upload.read(MAX_BYTES + 1))
    if len(data) > MAX_BYTES:
        raise _too_large()
    try:
        check_xlsx_package(data)
    except SheetFileError as problem:
        raise _file_error(problem.message) from None
    return data


def _text(value: Any) -> str:
    return undo_neutralise(cell_text(value))


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, field → text) of every non-blank data row of the first sheet."""
    try:
        table = read_first_sheet(data, formulas=True)  # checked, and parsed out of the worker
    except SheetFileError as problem:
        raise _file_error(problem.message) from None
    first = _header_index(table)
    header = table[first] if table else []
    columns = _columns(tuple(header))
    out: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(table[first + 1 :], start=first + 2):
        values = {
            name: _text(cells[index]) if index < len(cells) else ""
            for name, index in columns.items()
        }
        if not any(values.values()):
            continue
        out.append((number, values))
        if len(out) > MAX_ROWS:
            raise _file_error(
                _("The file has more than %(limit)d questions; import at most %(limit)d at a time.")
                % {"limit": MAX_ROWS}
            )
    if not out:
        raise _file_error(
            _("The file has headers but no questions below them; add one question per row.")
        )
    return out


def _header_index(table: list[list[Any]]) -> int:
    """The row holding the headers: row 1 of the template, or the first row with the required
    headers among the first few (an export has its title rows above them)."""
    lookup = _lookup()
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        found = {lookup.get(normalise_header(cell)) for cell in cells}
        if all(name in found for name in REQUIRED):
            return index
    return 0


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    if not any(cell_text(c) for c in header):
        raise _file_error(
            _("The first row of the first sheet is empty; download the template and fill it in.")
        )
    lookup = _lookup()
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = lookup.get(normalise_header(cell))
        if name and name not in columns:
            columns[name] = index
    missing = [HEADERS[name][0] for name in REQUIRED if name not in columns]
    if missing:
        raise _file_error(
            _(
                "Row 1 must hold the template's headers; missing: %(missing)s. Download the "
                "template and fill it in."
            )
            % {"missing": "、".join(missing)}
        )
    return columns


def question_rows(upload: bytes | IO[bytes] | Any) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded bank workbook, each (Excel row number, field → text), once it is
    known to be an .xlsx package of at most 5 MB whose first row holds the template's headers;
    else ValidationError({"file": …})."""
    return read_rows(_read_bytes(upload))


# -- the results 台账 ----------------------------------------------------------------------------


def _pct(value: Decimal | None) -> Any:
    """A percentage of the selectors (0–100, one decimal) as the fraction a "0.0%" cell shows."""
    return float(value) / 100 if value is not None else None


def _ratio(value: Decimal | None) -> Any:
    return float(value) if value is not None else None


def results_workbook(exam: Exam, results: ExamResults) -> bytes:
    """The results 台账 of `exam` (`core.workbooks`, always in Chinese): per branch with a
    totals row, then every candidate the reader may see with their best attempt (by branch and
    name, never by score), then the item analysis (`results` is `selectors.exam_results`)."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        period = date_span(timezone.localdate(exam.opens_at), timezone.localdate(exam.closes_at))

        def sheet(name: str, what: str, columns: list[Column], freeze: int) -> LedgerSheet:
            return book.sheet(
                name,
                title=ledger_title(exam.org.name, what % {"title": exam.title}),
                org=exam.org.name,
                period=period,
                columns=columns,
                freeze_columns=freeze,
            )

        branches = sheet(
            _("By branch"),
            _("%(title)s results by branch"),
            [
                Column(_("organization above")),
                Column(_("organization")),
                Column(_("candidates expected"), "integer"),
                Column(_("number who took it"), "integer"),
                Column(_("participation rate"), "percent"),
                Column(_("average score rate"), "percent"),
                Column(_("number who passed"), "integer"),
                Column(_("pass rate"), "percent"),
            ],
            2,
        )
        for row in results.branches:
            branches.append(
                [row.parent, row.org.name, row.expected, row.took, _pct(row.participation),
                 _pct(row.average), row.passed, _pct(row.pass_rate)]
            )  # fmt: skip
        total = results.total
        branches.totals(
            [_("Total"), None, total.expected, total.took, _pct(total.participation),
             _pct(total.average), total.passed, _pct(total.pass_rate)]
        )  # fmt: skip
        people = sheet(
            _("Members"),
            _("%(title)s results by member"),
            [
                Column(_("organization above")),
                Column(_("organization")),
                Column(_("name")),
                Column(_("took it?")),
                Column(_("attempts"), "integer"),
                Column(_("best score"), "number"),
                Column(_("best score rate"), "percent"),
                Column(_("passed?")),
                Column(_("time submitted"), "datetime"),
            ],
            3,
        )
        for candidate in results.candidates:
            attempt = results.best.get(candidate.member_id)
            people.append(
                [
                    # `trail` is set by the export service (attach_ancestor_names), if at all.
                    org_above_label(candidate.org),
                    candidate.org.name,
                    candidate.member.name,
                    _("yes") if attempt else _("no"),
                    results.attempts.get(candidate.member_id, 0),
                    float(attempt.score) if attempt and attempt.score is not None else None,
                    _pct(attempt.percent) if attempt else None,
                    (_("yes") if attempt.passed else _("no")) if attempt else None,
                    attempt.submitted_at if attempt else None,
                ]
            )
        items = sheet(
            _("Questions"),
            _("%(title)s item analysis"),
            [
                Column(_("question"), max_width=60),
                Column(_("type")),
                Column(_("number who answered it"), "integer"),
                Column(_("number who answered right"), "integer"),
                Column(_("difficulty (p)"), "number"),
                Column(_("discrimination (D)"), "number"),
            ],
            1,
        )
        for item in results.items:
            items.append(
                [item.stem[:200], item.kind_label, item.shown, item.correct,
                 _ratio(item.difficulty), _ratio(item.discrimination)]
            )  # fmt: skip
        return book.save()
