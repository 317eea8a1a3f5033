"""The spending pages for every persona, their figures, bad input and the .xlsx ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from peixun.plans.tests.fixtures import branch_plan
from peixun.spending.models import Expense, ExpenseAttachment, Fund
from peixun.spending.services import expense_attachment_add, expense_void
from peixun.testing import PersonaTestCase

from .fixtures import YEAR, pdf, spend

READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
WRITERS = {**READERS, "viewer": 403}


class PagesTest(PersonaTestCase):
    expense: ClassVar[Expense]
    dues: ClassVar[Expense]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        secretary = w.users["secretary"]
        cls.expense = spend(secretary, w, purpose="购买学习教材")
        cls.dues = spend(
            secretary,
            w,
            amount="800",
            fund=Fund.PARTY_DUES,
            purpose="走访慰问老党员",
            decision_body="支委会",
            decision_on=dt.date(YEAR, 3, 1),
        )
        wrong = spend(secretary, w, amount="9999", purpose="录错的一笔")
        expense_void(actor=secretary, expense=wrong, reason="重复录入")
        spend(w.users["org_admin"], w, org=w.other_branch, amount="50", purpose="第二支部的茶水")

    def test_personas(self) -> None:
        e = self.expense
        self.attachment = expense_attachment_add(
            actor=self.user("secretary"), expense=e, file=pdf()
        )
        for url in (
            f"/spending/?year={YEAR}",
            f"/spending/ledger.xlsx?year={YEAR}",
            f"/spending/plan-actual/?year={YEAR}",
        ):
            self.expect_personas(url, {**READERS, "other_secretary": 200})
        self.expect_personas(f"/spending/{e.pk}/", READERS)
        self.expect_personas(f"/spending/{e.pk}/attachments/{self.attachment.pk}/", READERS)
        self.expect_personas("/spending/new/", {**WRITERS, "other_secretary": 200})
        self.expect_personas(f"/spending/{e.pk}/edit/", WRITERS)
        self.expect_personas(
            "/spending/999999/", {**READERS, "secretary": 404, "org_admin": 404, "viewer": 404}
        )

    def test_list_figures_and_filters(self) -> None:
        page = self.client_for("secretary").get(f"/spending/?year={YEAR}")
        totals = page.context["totals"]
        # 1200.50 + 800; the voided 9999 listed but not summed; 第二支部's 50 not seen.
        self.assertEqual(totals.total, Decimal("2000.50"))
        self.assertEqual(totals.by_fund[Fund.PARTY_DUES], Decimal("800"))
        self.assertContains(page, "录错的一笔")
        self.assertContains(page, "text-decoration-line-through")
        self.assertNotContains(page, "第二支部的茶水")
        self.assertContains(page, "2,000.50")
        admin = self.client_for("org_admin")
        self.assertEqual(
            admin.get(f"/spending/?year={YEAR}").context["totals"].total, Decimal("2050.50")
        )
        for query, total in (
            ("fund=party_dues", "800"),
            (f"org={self.world.other_branch.pk}", "50"),
            ("q=教材", "1200.50"),
            ("against=class", "0"),
            ("against=none", "2050.50"),
            (f"year={YEAR - 1}", "0"),
            ("year=&fund=", "2050.50"),
            ("fund=gold&year=abc&org=x", "2050.50"),  # what does not parse is ignored
        ):
            with self.subTest(query):
                page = admin.get(f"/spending/?year={YEAR}&{query}")
                self.assertEqual(page.status_code, 200)
                self.assertEqual(page.context["totals"].total, Decimal(total))
        empty = admin.get(f"/spending/?year={YEAR - 1}")
        self.assertContains(empty, "尚未登记")

    def test_plan_actual_page(self) -> None:
        page = self.client_for("org_admin").get(
            f"/spending/plan-actual/?year={YEAR}&org={self.world.unit.pk}"
        )
        self.assertEqual(page.context["orgs"].spent, Decimal("2050.50"))
        self.assertContains(page, "第一党支部")
        self.assertEqual(
            self.client_for("org_admin").get("/spending/plan-actual/?year=1&org=abc").status_code,
            200,
        )

    def test_record_through_the_page(self) -> None:
        client = self.client_for("secretary")
        data = {
            "org": self.world.branch.pk,
            "spent_on": f"{YEAR}-04-01",
            "amount": "356.00",
            "fund": "party_dues",
            "purpose": "订阅《党建》杂志",
            "payee": "邮局",
            "decision_body": "支委会",
            "decision_on": f"{YEAR}-03-28",
            "decision_ref": "支委会会议记录第5号",
        }
        response = client.post("/spending/new/", data)
        expense = Expense.objects.get(purpose="订阅《党建》杂志")
        self.assertRedirects(response, f"/spending/{expense.pk}/")
        self.assertEqual(expense.amount, Decimal("356.00"))

    def test_new_page_prefilled_from_a_link(self) -> None:
        _plan, (item,) = branch_plan(self.world)
        page = self.client_for("secretary").get(f"/spending/new/?plan_item={item.pk}&meeting=x")
        self.assertContains(page, f'<option value="{item.pk}" selected>')
        self.assertContains(page, item.content)

    def test_bad_input_on_the_page_stores_nothing(self) -> None:
        client = self.client_for("secretary")
        before = Expense.objects.count()
        response = client.post(
            "/spending/new/",
            {
                "org": self.world.branch.pk,
                "spent_on": f"{YEAR}-04-01",
                "amount": "0",
                "fund": "party_dues",
                "purpose": "x",
            },
        )
        self.assertEqual(response.status_code, 400)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"amount", "decision_body", "decision_on"})
        self.assertContains(response, "支委会", status_code=400)
        response = client.post("/spending/new/", {"org": self.world.other_branch.pk})
        self.assertEqual(response.status_code, 400)
        self.assertIn("org", response.context["form"].errors)
        self.assertEqual(Expense.objects.count(), before)

    def test_edit_void_and_attachments_through_the_pages(self) -> None:
        client = self.client_for("secretary")
        e = self.dues
        self.expect_personas(
            f"/spending/{e.pk}/void/",
            {**WRITERS, "secretary": 400, "org_admin": 400},
            method="post",
            data={"reason": ""},
        )
        page = client.get(f"/spending/{e.pk}/edit/")
        self.assertContains(page, "走访慰问老党员")
        data = {
            "org": self.world.branch.pk,
            "spent_on": f"{YEAR}-03-12",
            "amount": "850",
            "fund": "party_dues",
            "purpose": "走访慰问老党员",
            "decision_body": "支委会",
            "decision_on": f"{YEAR}-03-01",
        }
        self.assertRedirects(client.post(f"/spending/{e.pk}/edit/", data), f"/spending/{e.pk}/")
        e.refresh_from_db()
        self.assertEqual(e.amount, Decimal("850"))
        upload = client.post(
            f"/spending/{e.pk}/attachments/", {"kind": "decision", "file": pdf("决议.pdf")}
        )
        self.assertRedirects(upload, f"/spending/{e.pk}/")
        attachment = ExpenseAttachment.objects.get(name="决议.pdf")
        self.assertEqual(attachment.kind, "decision")
        url = f"/spending/{e.pk}/attachments/{attachment.pk}/delete/"
        self.assertEqual(self.client_for("viewer").post(url).status_code, 403)
        # The secretary removes it (personas run in order); the org admin and viewer find it gone.
        self.expect_personas(
            url,
            {**WRITERS, "secretary": 302, "org_admin": 404, "viewer": 404},
            method="post",
        )
        self.assertFalse(ExpenseAttachment.objects.filter(pk=attachment.pk).exists())
        self.assertRedirects(
            client.post(f"/spending/{e.pk}/void/", {"reason": "支委会撤销"}), f"/spending/{e.pk}/"
        )
        detail = client.get(f"/spending/{e.pk}/")
        self.assertContains(detail, "支委会撤销")
        self.assertNotContains(detail, f"/spending/{e.pk}/edit/")
        self.assertRedirects(client.get(f"/spending/{e.pk}/edit/"), f"/spending/{e.pk}/")

    def test_navigation(self) -> None:
        self.assertContains(self.client_for("viewer").get("/"), "/spending/")
        self.assertNotContains(self.client_for("member").get("/"), 'href="/spending/"')
