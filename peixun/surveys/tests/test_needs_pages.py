"""Needs survey pages: every persona on every page, bad input, the export and the plan page's
citations."""

from __future__ import annotations

import io
from typing import ClassVar

from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from openpyxl import load_workbook

from peixun.plans.models import PlanItem
from peixun.surveys.models import PlanCitation, Survey
from peixun.surveys.services.citations import plan_item_cite
from peixun.surveys.services.needs import needs_survey_create
from peixun.testing import PersonaTestCase, download_names, ledger_rows

from .needs_fixtures import YEAR, answered_survey, needs_form, plan_item


# Written against the English messages (the catalogue came with the merge).
@override_settings(LANGUAGE_CODE="en")
class NeedsPagesTest(PersonaTestCase):
    survey: ClassVar[Survey]
    item: ClassVar[PlanItem]
    draft: ClassVar[Survey]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.survey = answered_survey(cls.world)
        cls.item = plan_item(cls.world)
        cls.draft = needs_survey_create(
            actor=cls.world.users["secretary"],
            org=cls.world.branch,
            form=needs_form(cls.world),
            title="支部需求调研",
            year=YEAR,
        )

    def test_list(self) -> None:
        self.expect_personas(
            "/surveys/needs/",
            {"anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 200,
             "org_admin": 200, "viewer": 200},
        )  # fmt: skip
        page = self.client_for("org_admin").get("/surveys/needs/", {"year": str(YEAR), "q": "2026"})
        self.assertContains(page, "2026年培训需求调研")
        self.assertNotContains(page, "支部需求调研")
        # The secretary is invited to the county's survey but it is not hers to run or read.
        mine = self.client_for("secretary").get("/surveys/needs/")
        self.assertContains(mine, "支部需求调研")
        self.assertNotContains(mine, "2026年培训需求调研")
        self.assertContains(self.client_for("org_admin").get("/surveys/needs/?year=abc"), "调研")

    def test_detail_and_results(self) -> None:
        for url in (
            f"/surveys/needs/{self.survey.pk}/",
            f"/surveys/needs/{self.survey.pk}/results/",
            f"/surveys/needs/{self.survey.pk}/results.xlsx",
        ):
            self.expect_personas(
                url,
                {"anonymous": 302, "member": 404, "secretary": 404, "other_secretary": 404,
                 "org_admin": 200, "viewer": 200},
            )  # fmt: skip
        self.expect_personas(
            f"/surveys/needs/{self.draft.pk}/",
            {"anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 404,
             "org_admin": 200, "viewer": 200},
        )  # fmt: skip

    def test_results_page_shows_the_hand_computed_demand_and_withholds_a_small_branch(self) -> None:
        page = self.client_for("org_admin").get(f"/surveys/needs/{self.survey.pk}/results/")
        text = page.content.decode()
        self.assertIn("5 respondents · 55.6%", text)
        self.assertIn("4 respondents · 44.4%", text)
        # 第二党支部 has three respondents: withheld, no link to its slice.
        self.assertIn("withheld (too few respondents)", text)
        self.assertNotIn(f"?branch={self.world.other_branch.pk}", text)
        self.assertIn(f"?branch={self.world.branch.pk}", text)
        self.assertContains(page, "Cite in a plan item")
        branch = self.client_for("org_admin").get(
            f"/surveys/needs/{self.survey.pk}/results/", {"branch": self.world.branch.pk}
        )
        self.assertContains(branch, "4 respondents · 66.7%")
        withheld = self.client_for("org_admin").get(
            f"/surveys/needs/{self.survey.pk}/results/", {"branch": self.world.other_branch.pk}
        )
        # A withheld branch asked for directly says it is withheld and gives no figure.
        self.assertNotContains(withheld, "66.7%")
        self.assertContains(withheld, "Withheld: 3 respondents so far")
        self.assertEqual(
            self.client_for("org_admin")
            .get(f"/surveys/needs/{self.survey.pk}/results/", {"branch": "x"})
            .status_code,
            404,
        )
        # The viewer reads the figures but has no plan to cite them in.
        viewer = self.client_for("viewer").get(f"/surveys/needs/{self.survey.pk}/results/")
        self.assertNotContains(viewer, "Cite in a plan item")

    # A 台账 is printed in Chinese whatever the page language.
    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_export(self) -> None:
        response = self.client_for("org_admin").get(f"/surveys/needs/{self.survey.pk}/results.xlsx")
        fallback, name = download_names(response)
        self.assertEqual(name, "需求调研结果-2026年培训需求调研-2026年.xlsx")
        self.assertEqual(fallback, f"needs-survey-{self.survey.pk}.xlsx")
        book = load_workbook(io.BytesIO(response.content))
        with translation.override("zh-hans"):
            names = [_("Overall"), _("Answers by branch"), _("Topic demand")]
            topics = [_("Party history"), _("Rule of law"), _("Integrity")]
            title = _("%(title)s: topics asked for") % {"title": self.survey.title}
            withheld = _("withheld (too few respondents)")
        self.assertEqual(book.sheetnames, [*names, "第一党支部"])
        demand = ledger_rows(book[names[2]])[1:]
        self.assertEqual(
            [(r[0], r[2], round(r[3], 4)) for r in demand],
            list(zip(topics, [5, 4, 1], [0.5556, 0.4444, 0.1111], strict=True)),
        )
        sheet = book[names[2]]
        # check_printable_ledger also wants Chinese headers, which come with the catalogue.
        self.assertEqual([c.value for c in sheet[1] if c.value], [f"测试县直机关工委{title}"])
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        self.assertTrue(sheet.print_title_rows)
        branches = ledger_rows(book[names[1]])
        self.assertIn(("第二党支部", 3, 3, withheld), branches)

    def test_new_survey(self) -> None:
        self.expect_personas(
            "/surveys/needs/new/",
            {"anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 200,
             "org_admin": 200, "viewer": 403},
        )  # fmt: skip
        client = self.client_for("org_admin")
        bad = client.post(
            "/surveys/needs/new/",
            {"org": self.world.unit.pk, "title": "", "year": "1999", "form": "template",
             "audience_statuses": ["nope"]},
        )  # fmt: skip
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(Survey.objects.count(), 2)
        good = client.post(
            "/surveys/needs/new/",
            {"org": self.world.unit.pk, "title": "机关党委需求调研", "year": str(YEAR + 1),
             "form": "template", "audience_statuses": ["full"], "closes_on": f"{YEAR + 1}-01-31"},
        )  # fmt: skip
        survey = Survey.objects.get(title="机关党委需求调研")
        self.assertRedirects(good, f"/surveys/needs/{survey.pk}/")
        self.assertEqual(survey.form.purpose, "needs")
        audience = survey.needs_audience
        self.assertEqual(audience.audience_statuses, ["full"])

    def test_open_and_close(self) -> None:
        url = f"/surveys/needs/{self.draft.pk}/open/"
        self.expect_personas(
            url,
            {"anonymous": 302, "member": 404, "secretary": 302, "other_secretary": 404,
             "org_admin": 302, "viewer": 403},
            method="post",
        )  # fmt: skip
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.state, "open")
        page = self.client_for("secretary").get(f"/surveys/needs/{self.draft.pk}/")
        self.assertContains(page, "Close the survey")
        again = self.client_for("secretary").post(url, follow=True)
        self.assertContains(again, "Only a draft survey can be opened.")
        invite = self.client_for("secretary").post(f"/surveys/needs/{self.draft.pk}/invite/")
        self.assertEqual(invite.status_code, 302)
        self.client_for("secretary").post(f"/surveys/needs/{self.draft.pk}/close/")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.state, "closed")

    def test_cite_and_the_plan_page_shows_it(self) -> None:
        url = f"/surveys/needs/{self.survey.pk}/cite/"
        data = {"plan_item": self.item.pk, "topic": "party_history", "note": "过半数希望学党史"}
        self.expect_personas(
            url,
            {"anonymous": 302, "member": 404, "secretary": 404, "other_secretary": 404,
             "org_admin": 302, "viewer": 403},
            method="post",
            data=data,
        )  # fmt: skip
        citation = PlanCitation.objects.get()
        self.assertEqual(citation.respondents, 5)
        twice = self.client_for("org_admin").post(url, data)
        self.assertContains(twice, "already cites", status_code=400)
        unknown = self.client_for("org_admin").post(url, {**data, "topic": "professional"})
        self.assertContains(unknown, "did not ask about this topic", status_code=400)
        plan = self.client_for("viewer").get(f"/plans/{self.item.plan_id}/")
        self.assertContains(plan, "2026年培训需求调研")
        self.assertContains(plan, "55.6% of respondents")
        results = self.client_for("org_admin").get(f"/surveys/needs/{self.survey.pk}/results/")
        self.assertContains(results, "5 of 9 respondents")
        withdraw = f"/surveys/needs/{self.survey.pk}/citations/{citation.pk}/withdraw/"
        self.expect_personas(
            withdraw,
            {"anonymous": 302, "member": 404, "secretary": 404, "other_secretary": 404,
             "viewer": 403, "org_admin": 302},
            method="post",
        )  # fmt: skip
        self.assertFalse(PlanCitation.objects.exists())

    def test_the_plan_document_states_the_citation(self) -> None:
        plan_item_cite(
            actor=self.user("org_admin"),
            plan_item=self.item,
            survey=self.survey,
            topic="party_history",
        )
        response = self.client_for("org_admin").get(f"/plans/{self.item.plan_id}/document.docx")
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn("需求依据：“2026年培训需求调研”", text)
        self.assertIn("党史，55.6%的答卷人选择。", text)

    def test_plan_page_of_a_branch_item(self) -> None:
        branch_item = plan_item(self.world, org=self.world.branch)
        plan_item_cite(
            actor=self.user("org_admin"),
            plan_item=branch_item,
            survey=self.survey,
            topic="rule_of_law",
        )
        page = self.client_for("secretary").get(f"/plans/{branch_item.plan_id}/")
        self.assertContains(page, "44.4% of respondents")
