"""The form builder's pages: list (purpose filter), new from a template, blank or a copy, the
editor's rows posted into the criteria tree with errors beside their rows, the answered form
read only, and the persona rules."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse

from peixun.surveys.models import Form, Question
from peixun.surveys.services.forms import form_create, form_spec
from peixun.surveys.services.responses import response_submit
from peixun.surveys.services.surveys import survey_create, survey_invite, survey_open
from peixun.testing import PersonaTestCase

SPEC = [
    {
        "kind": "section",
        "text": "教学内容",
        "items": [{"kind": "rating", "text": "内容充实"}],
    },
    {"kind": "text", "text": "意见建议", "required": False},
]


def rows_post(rows: list[dict[str, Any]], **head: Any) -> dict[str, Any]:
    """The editor's POST for `rows` (each: kind, text, item, required, scale_max, options)."""
    data: dict[str, Any] = {"rows": str(len(rows)), "action": "save", **head}
    for i, row in enumerate(rows):
        p = f"q-{i}-"
        data[p + "kind"] = row["kind"]
        data[p + "text"] = row.get("text", "")
        data[p + "scale_max"] = str(row.get("scale_max", 5))
        if row.get("item"):
            data[p + "item"] = "1"
        if row.get("required", True):
            data[p + "required"] = "1"
        options = row.get("options", [])
        data[p + "slots"] = str(len(options))
        for k, (text, topic) in enumerate(options):
            data[f"{p}o-{k}-text"] = text
            data[f"{p}o-{k}-topic"] = topic
    return data


class FormPagesTest(PersonaTestCase):
    form: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.form = form_create(
            actor=cls.world.users["org_admin"],
            org=cls.world.root,
            purpose="evaluation",
            title="党校评估表",
            spec=SPEC,
        )

    def test_personas(self) -> None:
        staff = {
            "anonymous": 302,
            "member": 404,
            "secretary": 200,
            "other_secretary": 200,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(reverse("surveys:forms"), staff)
        # Shared down the root's subtree: every staff reader sees it.
        self.expect_personas(reverse("surveys:form_detail", args=[self.form.pk]), staff)
        self.expect_personas(
            reverse("surveys:form_edit", args=[self.form.pk]),
            {**staff, "secretary": 403, "other_secretary": 403, "viewer": 403},
        )
        # Secretaries keep forms of their own branch; the viewer manages nothing.
        self.expect_personas(reverse("surveys:form_new"), {**staff, "viewer": 403})

    def test_the_list_filters_by_purpose(self) -> None:
        client = self.client_for("org_admin")
        self.assertContains(client.get(reverse("surveys:forms")), "党校评估表")
        self.assertNotContains(
            client.get(reverse("surveys:forms"), {"purpose": "needs"}), "党校评估表"
        )

    def test_a_template_fills_the_editor_and_the_rows_become_a_criteria_tree(self) -> None:
        client = self.client_for("org_admin")
        page = client.get(reverse("surveys:form_new"), {"template": "needs"})
        self.assertEqual(page.context["head"].initial["purpose"], "needs")
        self.assertTrue(any(row.has_options for row in page.context["rows"]))
        data = rows_post(
            [
                {"kind": "section", "text": "教学效果"},
                {"kind": "rating", "text": "学有所获", "item": True},
                {"kind": "rating", "text": "总体满意", "item": True, "scale_max": 10},
                {
                    "kind": "multiple",
                    "text": "希望学习",
                    "options": [("党史", "party_history"), ("法治", "rule_of_law"), ("", "")],
                },
                {"kind": "rating", "text": ""},  # an empty slot: ignored
            ],
            org=str(self.world.root.pk),
            purpose="needs",
            title="新表",
        )
        response = client.post(reverse("surveys:form_new"), data)
        form = Form.objects.get(title="新表")
        self.assertRedirects(response, reverse("surveys:form_detail", args=[form.pk]))
        spec = form_spec(form)
        self.assertEqual([q["text"] for q in spec], ["教学效果", "希望学习"])
        self.assertEqual([i["text"] for i in spec[0]["items"]], ["学有所获", "总体满意"])
        self.assertEqual(spec[0]["items"][1]["scale_max"], 10)
        self.assertEqual(spec[1]["options"][1], {"text": "法治", "topic": "rule_of_law"})

    def test_errors_are_shown_beside_their_rows_and_nothing_is_stored(self) -> None:
        client = self.client_for("org_admin")
        data = rows_post(
            [
                {"kind": "section", "text": "空的指标"},
                {"kind": "choice", "text": "只有一个选项", "options": [("甲", "")]},
                {"kind": "rating", "text": "满分太高", "scale_max": 20},
                {"kind": "rating", "text": "好"},
            ],
            org=str(self.world.root.pk),
            purpose="evaluation",
            title="",
        )
        response = client.post(reverse("surveys:form_new"), data)
        self.assertEqual(response.status_code, 400)
        rows = response.context["rows"]
        self.assertTrue(rows[0].errors)  # a criterion with no item
        self.assertTrue(rows[1].errors)  # one option
        self.assertTrue(rows[2].errors)  # scale 20
        self.assertFalse(rows[3].errors)
        self.assertTrue(response.context["head"].errors["title"])
        self.assertEqual(Form.objects.count(), 1)

    def test_add_buttons_offer_a_new_row_without_saving(self) -> None:
        client = self.client_for("org_admin")
        data = rows_post([{"kind": "rating", "text": "好"}], title="x")
        data.pop("action")
        data["add"] = "section"
        response = client.post(reverse("surveys:form_edit", args=[self.form.pk]), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r.kind for r in response.context["rows"]][:2], ["rating", "section"])
        self.assertEqual(Question.objects.filter(form=self.form).count(), 3)

    def test_an_answered_form_is_read_only_with_a_copy(self) -> None:
        admin = self.world.users["org_admin"]
        survey = survey_create(
            actor=admin, form=self.form, org=self.world.root, title="评估", year=2026
        )
        survey_invite(actor=admin, survey=survey, members=[self.world.member])
        survey_open(actor=admin, survey=survey)
        rating = Question.objects.get(form=self.form, kind="rating")
        response_submit(actor=self.world.users["member"], survey=survey, answers={rating.pk: 4})
        client = self.client_for("org_admin")
        page = client.get(reverse("surveys:form_detail", args=[self.form.pk]))
        self.assertFalse(page.context["can_edit"])
        self.assertContains(page, f"?copy={self.form.pk}")
        self.assertRedirects(
            client.get(reverse("surveys:form_edit", args=[self.form.pk])),
            reverse("surveys:form_detail", args=[self.form.pk]),
        )
        copy = client.get(reverse("surveys:form_new"), {"copy": self.form.pk})
        self.assertEqual(
            [r.text for r in copy.context["rows"]][:3], ["教学内容", "内容充实", "意见建议"]
        )

    def test_edit_saves_the_new_questions(self) -> None:
        client = self.client_for("org_admin")
        data = rows_post(
            [
                {"kind": "section", "text": "教学方法"},
                {"kind": "rating", "text": "生动", "item": True},
            ],
            title="改过的表",
        )
        client.post(reverse("surveys:form_edit", args=[self.form.pk]), data)
        self.form.refresh_from_db()
        self.assertEqual(self.form.title, "改过的表")
        self.assertEqual(form_spec(self.form)[0]["items"][0]["text"], "生动")
