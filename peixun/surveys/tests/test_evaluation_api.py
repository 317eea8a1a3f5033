"""The surveys API: forms (list, detail as spec, create, update), evaluations (start for a
session, detail with progress, results withheld below the threshold), a member's surveys to
answer and their answers; every route's persona rules and bad input."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from peixun.surveys.models import Form, Question, Response, Survey
from peixun.surveys.services.evaluations import evaluation_start
from peixun.surveys.services.forms import form_create
from peixun.testing import PersonaTestCase
from peixun.training.tests.test_closing_fixtures import closable_class, mark_all

API = "/api/v1/surveys/"
SPEC = [
    {"kind": "section", "text": "教学内容", "items": [{"kind": "rating", "text": "内容充实"}]},
    {"kind": "text", "text": "意见建议", "required": False},
]
READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class SurveysApiTest(PersonaTestCase):
    c: ClassVar[Any]
    form: ClassVar[Any]
    survey: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.c = closable_class(w)
        mark_all(cls.c)
        cls.form = form_create(
            actor=w.users["org_admin"], org=w.root, purpose="evaluation", title="评估表", spec=SPEC
        )
        cls.survey = evaluation_start(
            actor=w.users["org_admin"], form=cls.form, title="第一讲评估", session=cls.c.sessions[0]
        )

    def test_form_routes(self) -> None:
        staff = {**READ, "secretary": 200, "other_secretary": 200}
        self.expect_personas(f"{API}forms", staff)
        self.expect_personas(f"{API}forms/{self.form.pk}", staff)
        detail = self.client_for("viewer").get(f"{API}forms/{self.form.pk}").json()
        self.assertEqual(detail["spec"][0]["items"][0]["text"], "内容充实")
        new = {"org": self.world.branch.pk, "purpose": "needs", "title": "支部调研", "spec": SPEC}
        self.expect_personas(
            f"{API}forms",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 201,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            **body(new),
        )
        bad = self.client_for("org_admin").post(
            f"{API}forms",
            **body({**new, "spec": [{"kind": "choice", "text": "x", "options": ["a"]}]}),
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(Form.objects.filter(title="支部调研").count(), 2)
        # The form has been sent but not answered: it may still change.
        change = {"title": "评估表二", "spec": SPEC}
        self.expect_personas(
            f"{API}forms/{self.form.pk}",
            {**READ, "secretary": 403, "other_secretary": 403, "viewer": 403},
            method="put",
            **body(change),
        )

    def test_evaluation_routes_and_the_threshold(self) -> None:
        url = f"{API}evaluations/{self.survey.pk}"
        self.expect_personas(url, READ)
        self.expect_personas(f"{url}/results", READ)
        self.expect_personas(
            f"{API}evaluations", {**READ, "secretary": 200, "other_secretary": 200}
        )
        detail = self.client_for("org_admin").get(url).json()
        self.assertEqual(
            (detail["invited"], detail["responded"], len(detail["waiting"])), (3, 0, 3)
        )
        listed = self.client_for("org_admin").get(f"{API}evaluations").json()
        self.assertEqual(listed["items"][0]["invited"], 3)
        # Each of the three present answers over the API; results stay withheld below five.
        rating = Question.objects.get(form=self.form, kind="rating")
        self.assertEqual(
            self.client_for("member").get(f"{API}mine").json()[0]["id"], self.survey.pk
        )
        answer = f"{API}{self.survey.pk}/answer"
        self.expect_personas(
            answer,
            {
                "anonymous": 401,
                "member": 204,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
            method="post",
            **body({"answers": {str(rating.pk): 4}}),
        )
        again = self.client_for("member").post(answer, **body({"answers": {str(rating.pk): 4}}))
        self.assertEqual(again.status_code, 422)
        self.assertEqual(self.client_for("member").get(f"{API}mine").json(), [])
        results = self.client_for("org_admin").get(f"{url}/results").json()
        self.assertEqual((results["results"]["shown"], results["results"]["responses"]), (False, 1))
        self.assertIsNone(results["results"]["questions"][1]["average"])
        self.assertFalse(Response.objects.filter(respondent__isnull=False).exists())

    def test_start_an_evaluation_and_bad_input(self) -> None:
        start = {"title": "班次评估", "class_id": self.c.training_class.pk}
        self.expect_personas(
            f"{API}evaluations",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            **body(start),
        )
        admin = self.client_for("org_admin")
        for bad in (
            {"title": "", "class_id": self.c.training_class.pk},
            {
                "title": "x",
                "class_id": self.c.training_class.pk,
                "closes_at": "2001-01-01T00:00:00+08:00",
            },
            {"title": "x", "class_id": True},
        ):
            self.assertEqual(admin.post(f"{API}evaluations", **body(bad)).status_code, 422, bad)
        self.assertEqual(Survey.objects.filter(training_class=self.c.training_class).count(), 1)
