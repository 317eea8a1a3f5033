"""The question import: every bad row listed and nothing stored, duplicates skipped, files that
are not the template refused with a reason, one transaction and one audit record."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, ledger_rows

from ..documents import MAX_ROWS, TEMPLATE_HEADERS, question_template_workbook, questions_workbook
from ..models import Question
from ..services import question_create
from ..services.imports import ImportRejected, questions_import

OPTIONS = ("实现共产主义", "发展经济", "改善民生", "其他")


def row(
    kind: str,
    stem: str,
    options: tuple[str, ...] | list[str] = (),
    answer: Any = "",
    topics: str = "党章",
    difficulty: Any = "中",
    explanation: str = "",
    source: str = "",
) -> list[Any]:
    """A row in the template's columns."""
    cells = list(options) + [""] * (8 - len(options))
    return [kind, stem, *cells, answer, topics, difficulty, explanation, source]


def workbook(rows: list[list[Any]], headers: Any = TEMPLATE_HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if headers is not None:
        sheet.append(list(headers))
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_rows(prefix: str = "") -> list[list[Any]]:
    return [
        row("单选", f"{prefix}党的最高理想是什么？", OPTIONS, "A", difficulty="易"),
        row("多选", f"{prefix}“四个意识”包括哪些？", ("政治意识", "大局意识", "核心意识", "看齐意识"),
            "ABCD", topics="四个意识、党章", difficulty=3),
        row("判断", f"{prefix}党员应按期交纳党费。", answer="对", difficulty=""),
        row("填空", f"{prefix}党的根本宗旨是全心全意为____服务。", answer="人民|人民群众",
            difficulty="难", explanation="见党章总纲。", source="党章"),
    ]  # fmt: skip


class QuestionImportTests(PersonaTestCase):
    def run_import(
        self, data: Any, *, dry_run: bool, persona: str = "org_admin", org: Any = None
    ) -> Any:
        return questions_import(
            actor=self.user(persona), org=org or self.world.root, upload=data, dry_run=dry_run
        )

    def file_error(self, data: Any) -> str:
        with self.assertRaises(ValidationError) as caught:
            self.run_import(data, dry_run=True)
        self.assertIn("file", caught.exception.message_dict)
        return caught.exception.message_dict["file"][0]

    def test_a_good_file_is_checked_then_imported_in_one_go_with_one_audit_record(self) -> None:
        data = workbook(good_rows())
        report = self.run_import(data, dry_run=True)
        self.assertTrue(report.ok)
        self.assertEqual((report.rows, report.to_create, report.created), (4, 4, 0))
        self.assertFalse(Question.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="exams.question.import").exists())

        report = self.run_import(SimpleUploadedFile("题库.xlsx", data), dry_run=False)
        self.assertEqual(report.created, 4)
        by_kind = {q.kind: q for q in Question.objects.filter(org=self.world.root)}
        self.assertEqual(set(by_kind), {"single", "multiple", "judge", "blank"})
        self.assertEqual(by_kind["single"].options, list(OPTIONS))
        self.assertEqual(by_kind["single"].answer, [0])
        self.assertEqual(by_kind["single"].difficulty, 1)
        self.assertEqual(by_kind["multiple"].answer, [0, 1, 2, 3])
        self.assertEqual(by_kind["multiple"].topics, "四个意识、党章")
        self.assertEqual(by_kind["multiple"].difficulty, 3)
        self.assertEqual(by_kind["judge"].answer, [True])
        self.assertEqual(by_kind["judge"].difficulty, 2)  # empty: medium
        self.assertEqual(by_kind["blank"].answer, ["人民", "人民群众"])
        self.assertEqual(by_kind["blank"].source, "党章")
        self.assertEqual(by_kind["blank"].created_by, self.user("org_admin"))
        events = AuditEvent.objects.filter(verb="exams.question.import")
        self.assertEqual(events.count(), 1)
        self.assertEqual(events.get().after, {"created": 4, "duplicates": 0})
        self.assertFalse(AuditEvent.objects.filter(verb="exams.question.create").exists())

    def test_every_bad_row_is_listed_and_a_real_import_stores_nothing(self) -> None:
        rows = [
            row("单选", "好的一题：党的最高理想是什么？", OPTIONS, "A"),  # row 2 is fine
            row("问答", "类型不对的题", answer="对"),  # 3: type
            row("单选", "", OPTIONS, "A"),  # 4: no stem
            row("单选", "答案字母不存在的题", OPTIONS, "E"),  # 5: answer names no option
            row("多选", "只有一个答案的多选题", OPTIONS, "B"),  # 6: multiple with one key
            row("判断", "答案不是对错的判断题", answer="也许"),  # 7
            row("填空", "没有答案的填空题", answer=""),  # 8
            row("单选", "选项中间空一格的题", ("甲", "", "丙"), "C"),  # 9: gap in options
            row("单选", "难度写错的题", OPTIONS, "A", difficulty="很难"),  # 10
            row("单选", "只有一个选项的题", ("唯一",), "A"),  # 11
        ]
        data = workbook(rows)
        report = self.run_import(data, dry_run=True)
        self.assertFalse(report.ok)
        self.assertEqual(report.bad_rows, list(range(3, 12)))
        columns = {(p.row, p.column) for p in report.errors}
        for expected in [(3, "题型"), (4, "题干"), (5, "答案"), (6, "答案"), (7, "答案"),
                         (8, "答案"), (9, "选项"), (10, "难度"), (11, "选项")]:  # fmt: skip
            self.assertIn(expected, columns)
        self.assertTrue(all(p.message for p in report.errors))
        self.assertEqual(report.to_create, 1)
        wrong_letter = next(p for p in report.errors if p.row == 5)
        self.assertEqual(wrong_letter.value, "E")

        with self.assertRaises(ImportRejected) as caught:
            self.run_import(data, dry_run=False)
        self.assertEqual(caught.exception.report.bad_rows, list(range(3, 12)))
        self.assertEqual(len(caught.exception.message_dict["rows"]), len(report.errors))
        self.assertFalse(Question.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="exams.question.import").exists())

    def test_duplicates_of_the_bank_and_within_the_file_are_skipped_not_errors(self) -> None:
        w = self.world
        question_create(
            actor=self.user("org_admin"),
            org=w.root,
            data={"kind": "judge", "stem": "党员应按期交纳党费。", "answer": "对"},
        )
        rows = [
            *good_rows(),
            # The same judge question with full-width punctuation and spaces: a duplicate.
            row("判断", " 党员应按期交纳党费 ", answer="错"),
            row("单选", "党的最高理想是什么?", list(reversed(OPTIONS)), "D"),  # repeats row 2
        ]
        report = self.run_import(workbook(rows), dry_run=True)
        self.assertTrue(report.ok)
        self.assertEqual(
            sorted((d.row, d.first_row) for d in report.duplicates),
            [(4, None), (6, None), (7, 2)],
        )
        self.assertEqual(report.to_create, 3)
        report = self.run_import(workbook(rows), dry_run=False)
        self.assertEqual(report.created, 3)
        self.assertEqual(Question.objects.filter(org=w.root).count(), 4)
        event = AuditEvent.objects.get(verb="exams.question.import")
        self.assertEqual(event.after, {"created": 3, "duplicates": 3})
        # Another org's bank is its own: the same file is new there.
        other = self.run_import(workbook(rows), dry_run=True, persona="secretary", org=w.branch)
        self.assertEqual((other.to_create, len(other.duplicates)), (4, 2))

    def test_files_that_are_not_the_template_are_refused_with_a_reason(self) -> None:
        csv = "题型,题干,答案\n判断,党员应按期交纳党费,对\n".encode()
        self.file_error(csv)
        self.file_error(SimpleUploadedFile("题库.xlsx", csv))
        self.file_error(SimpleUploadedFile("题库.csv", workbook(good_rows())))
        self.file_error(b"")
        self.file_error(b"\xd0\xcf\x11\xe0" + b"\0" * 100)  # an old .xls
        zipped = io.BytesIO()
        import zipfile

        with zipfile.ZipFile(zipped, "w") as package:
            package.writestr("readme.txt", "not a workbook")
        self.file_error(zipped.getvalue())
        big = SimpleUploadedFile("题库.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024))
        self.assertIn("5", self.file_error(big))
        self.assertFalse(Question.objects.exists())

    def test_wrong_headers_and_empty_sheets_say_so(self) -> None:
        missing = self.file_error(
            workbook([row("判断", "题", answer="对")], headers=("类别", "题干", "说明"))
        )
        self.assertIn("题型", missing)
        self.assertIn("答案", missing)
        self.file_error(workbook([], headers=None))
        self.file_error(workbook([], headers=TEMPLATE_HEADERS))

    def test_too_many_rows_are_refused(self) -> None:
        rows = [row("判断", f"第{n}题", answer="对") for n in range(MAX_ROWS + 1)]
        message = self.file_error(workbook(rows))
        self.assertIn(str(MAX_ROWS), message)

    def test_formula_like_cells_stay_text_and_an_export_reimports(self) -> None:
        rows = [
            row("单选", "=1+1 的结果是？", ("=2", "+3", "-4", "@5"), "A"),
            row("判断", "+1 是正数。", answer="对"),
        ]
        report = self.run_import(workbook(rows), dry_run=False)
        self.assertEqual(report.created, 2)
        formula = Question.objects.get(kind="single")
        self.assertEqual(formula.stem, "=1+1 的结果是？")
        self.assertEqual(formula.options, ["=2", "+3", "-4", "@5"])

        exported = questions_workbook(Question.objects.select_related("org").order_by("id"))
        sheet = load_workbook(io.BytesIO(exported)).active
        assert sheet is not None
        cells = list(ledger_rows(sheet)[1])
        self.assertEqual(cells[0], "单选")
        # As typed, in text cells that are never evaluated; no apostrophe added.
        self.assertEqual(cells[1], "=1+1 的结果是？")
        self.assertEqual(cells[2:6], ["=2", "+3", "-4", "@5"])
        again = self.run_import(exported, dry_run=True)
        self.assertEqual((again.to_create, len(again.duplicates), again.errors), (0, 2, []))
        elsewhere = self.run_import(
            exported, dry_run=False, persona="secretary", org=self.world.branch
        )
        self.assertEqual(elsewhere.created, 2)
        copy = Question.objects.get(org=self.world.branch, kind="single")
        self.assertEqual(
            (copy.stem, copy.options, copy.answer), (formula.stem, formula.options, [0])
        )

    def test_the_template_examples_pass_the_check(self) -> None:
        template = question_template_workbook()
        book = load_workbook(io.BytesIO(template))
        self.assertEqual(book.sheetnames, ["题目", "说明"])
        self.assertEqual([c.value for c in book["题目"][1]], list(TEMPLATE_HEADERS))
        report = self.run_import(template, dry_run=True)
        self.assertTrue(report.ok)
        self.assertEqual(report.to_create, 2)

    def test_only_managers_of_the_org_may_import(self) -> None:
        data = workbook(good_rows())
        for persona, org in [
            ("viewer", self.world.root),
            ("secretary", self.world.root),
            ("other_secretary", self.world.branch),
            ("member", self.world.branch),
        ]:
            with self.assertRaises(PermissionDenied):
                self.run_import(data, dry_run=True, persona=persona, org=org)
        report = self.run_import(data, dry_run=False, persona="secretary", org=self.world.branch)
        self.assertEqual(report.created, 4)
