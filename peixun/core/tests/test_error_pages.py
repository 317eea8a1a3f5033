"""404 and 403 pages are in the site's language and layout, and say why when they can."""

from __future__ import annotations

from peixun.testing import PersonaTestCase


class ErrorPageTests(PersonaTestCase):
    def test_not_found_is_a_translated_page(self) -> None:
        response = self.client_for("member").get("/exams/rules/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "页面不存在，或您无权查看。", status_code=404)
        self.assertContains(response, 'href="/"', status_code=404)

    def test_forbidden_names_the_reason(self) -> None:
        response = self.client_for("viewer").post("/exams/rules/", {"pass_credit_hours": "1"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "您无权进行此操作。", status_code=403)
        # The service's own message, translated.
        self.assertContains(response, "管理员可以执行此操作", status_code=403)
