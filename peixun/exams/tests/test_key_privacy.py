"""The key of a bank question reaches only those who manage its owner: staff below the owner
may be candidates of a test that draws it (they are members too)."""

from __future__ import annotations

import io
from typing import ClassVar

from openpyxl import load_workbook

from peixun.testing import PersonaTestCase, ledger_rows

from ..models import Question
from ..services import question_create
from .fixtures import add_questions


class KeyPrivacyTests(PersonaTestCase):
    root_question: ClassVar[Question]
    branch_question: ClassVar[Question]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root_question = add_questions(cls.world, per_kind=1)[0]
        cls.branch_question = question_create(
            actor=cls.world.users["secretary"], org=cls.world.branch,
            data={"kind": "judge", "stem": "支部自编判断题。", "answer": "错", "explanation": "解析甲"},
        )  # fmt: skip

    def test_api_sends_the_key_only_to_managers_of_the_owner(self) -> None:
        url = f"/api/v1/exams/bank/questions/{self.root_question.pk}"
        secretary = self.client_for("secretary").get(url).json()
        self.assertIsNone(secretary["answer"])
        self.assertEqual(secretary["explanation"], "")
        self.assertEqual(self.client_for("org_admin").get(url).json()["answer"], [0])
        own = self.client_for("secretary").get(
            f"/api/v1/exams/bank/questions/{self.branch_question.pk}"
        )
        self.assertEqual(own.json()["answer"], [False])

    def test_page_and_export_leave_the_key_out_below_the_owner(self) -> None:
        page = self.client_for("secretary").get(f"/exams/bank/{self.root_question.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="answer"')
        self.assertNotContains(page, "见党章总纲")
        admin_page = self.client_for("org_admin").get(f"/exams/bank/{self.root_question.pk}/")
        self.assertContains(admin_page, 'name="answer"')
        book = load_workbook(
            io.BytesIO(self.client_for("secretary").get("/exams/bank/export.xlsx").content)
        )
        stems = [row[1] for row in ledger_rows(book.worksheets[0])[1:]]
        self.assertEqual(stems, ["支部自编判断题。"])
