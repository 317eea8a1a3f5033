"""The answer page: only the invited member sees it, it says whether the survey is anonymous,
errors are shown beside their questions with what was given kept, a second answer is refused,
and the thank-you page; "Surveys to answer" and the workbench card list what waits."""

from __future__ import annotations

from typing import Any, ClassVar

from django.test import override_settings
from django.urls import reverse

from peixun.core.workbench import member_section
from peixun.surveys.models import Invitation, Question, Response
from peixun.surveys.services.forms import form_from_template
from peixun.surveys.services.surveys import survey_close, survey_create, survey_invite, survey_open
from peixun.testing import PersonaTestCase


# Written against the English messages (the catalogue came with the merge).
@override_settings(LANGUAGE_CODE="en")
class AnswerPagesTest(PersonaTestCase):
    form: ClassVar[Any]
    survey: ClassVar[Any]
    ratings: ClassVar[Any]
    comment: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        admin = cls.world.users["org_admin"]
        cls.form = form_from_template(actor=admin, org=cls.world.root, template="teaching")
        cls.survey = survey_create(
            actor=admin, form=cls.form, org=cls.world.root, title="第一讲评估", year=2026
        )
        survey_invite(actor=admin, survey=cls.survey, members=[cls.world.member])
        survey_open(actor=admin, survey=cls.survey)
        cls.ratings = list(Question.objects.filter(form=cls.form, kind="rating"))
        cls.comment = Question.objects.get(form=cls.form, kind="text")

    def test_personas(self) -> None:
        only_member = {
            "anonymous": 302,
            "member": 200,
            "secretary": 404,
            "other_secretary": 404,
            "org_admin": 404,
            "viewer": 404,
        }
        self.expect_personas(reverse("surveys:answer", args=[self.survey.pk]), only_member)
        self.expect_personas(reverse("surveys:answer_thanks", args=[self.survey.pk]), only_member)
        # Every member has the list (the secretary and other secretary are members too).
        self.expect_personas(
            reverse("surveys:mine"),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 404,
                "viewer": 404,
            },
        )

    def test_the_page_says_it_is_anonymous_and_shows_large_buttons(self) -> None:
        page = self.client_for("member").get(reverse("surveys:answer", args=[self.survey.pk]))
        self.assertContains(page, 'id="anonymity"')
        self.assertContains(page, "alert-success")
        self.assertContains(page, 'class="btn-check"', count=len(self.ratings) * 5)

    def test_errors_beside_each_question_keep_what_was_given(self) -> None:
        client = self.client_for("member")
        url = reverse("surveys:answer", args=[self.survey.pk])
        data = {f"q-{q.pk}": "4" for q in self.ratings[1:]}
        data[f"q-{self.comment.pk}"] = "讲得好"
        response = client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, f'id="error-{self.ratings[0].pk}"', status_code=400)
        self.assertNotContains(response, f'id="error-{self.ratings[1].pk}"', status_code=400)
        self.assertContains(
            response,
            f'id="q-{self.ratings[1].pk}-4" value="4" autocomplete="off" checked',
            status_code=400,
        )
        self.assertContains(response, "讲得好</textarea>", status_code=400)
        self.assertFalse(Response.objects.exists())
        data[f"q-{self.ratings[0].pk}"] = "9"  # beyond the scale
        self.assertEqual(client.post(url, data).status_code, 400)
        data[f"q-{self.ratings[0].pk}"] = "5"
        self.assertRedirects(
            client.post(url, data), reverse("surveys:answer_thanks", args=[self.survey.pk])
        )
        self.assertEqual(Response.objects.filter(survey=self.survey).count(), 1)
        self.assertIsNotNone(Invitation.objects.get(survey=self.survey).responded_on)
        # A second answer is refused: the page says so and stores nothing.
        again = client.post(url, data)
        self.assertEqual(again.status_code, 302)
        self.assertContains(client.get(url), "already answered")
        self.assertEqual(Response.objects.filter(survey=self.survey).count(), 1)
        thanks = client.get(reverse("surveys:answer_thanks", args=[self.survey.pk]))
        self.assertContains(thanks, "anonymous")

    def test_the_list_and_the_workbench_card_show_what_waits(self) -> None:
        client = self.client_for("member")
        self.assertContains(client.get(reverse("surveys:mine")), "第一讲评估")
        cards = [c for c in member_section(self.user("member")).cards if c.key == "surveys.answer"]
        self.assertEqual([line.text for line in cards[0].lines], ["第一讲评估"])
        survey_close(actor=self.world.users["org_admin"], survey=self.survey)
        self.assertNotContains(client.get(reverse("surveys:mine")), "第一讲评估")
        closed = client.get(reverse("surveys:answer", args=[self.survey.pk]))
        self.assertContains(closed, "not open for answers")
