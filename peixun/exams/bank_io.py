"""The question bank as .xlsx: the template to fill in, and an export in the same columns, so an
export re-imports as it is (`services.imports.questions_import` reads both).

Columns, in this order (row 1 holds the headers): 题型 (单选/多选/判断/填空), 题干, 选项A … 选项H,
答案 (B / ACD / 对 / 错 / accepted answers split by |), 知识点 (split by 、), 难度 (易/中/难),
解析, 出处. The export adds 所属组织 and 已停用 after them, which the import ignores.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from peixun.core.text import neutralise_formula

from .models import Difficulty, Question, QuestionKind
from .services.bank import OPTION_LETTERS

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
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _format_sheet(sheet: Worksheet, headers: Iterable[str], rows: int) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for index, header in enumerate(headers, start=1):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(header, 14)
        # Text columns: what is typed stays as typed (a leading = or 0 included).
        sheet.column_dimensions[letter].number_format = "@"
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
        return _save(workbook)


def questions_workbook(questions: Iterable[Question]) -> bytes:
    """The questions in the template's columns (plus their owner and whether retired); every
    text cell is neutralised, so a stem starting with = shows as text in Excel."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "题目"
    headers = (*TEMPLATE_HEADERS, *EXPORT_EXTRA_HEADERS)
    sheet.append(list(headers))
    count = 0
    for question in questions:
        cells = [
            *question_row(question),
            question.org.name,
            "是" if question.retired else "",
        ]
        sheet.append([neutralise_formula(cell) for cell in cells])
        count += 1
    _format_sheet(sheet, headers, count)
    return _save(workbook)
