"""The surveys core: forms from a spec, a survey's life, anonymous answers and the threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.resources.models import Teacher
from peixun.resources.registry import teacher_ratings
from peixun.surveys.models import (
    Answer,
    Form,
    Invitation,
    Question,
    Response,
    Survey,
    SurveySettings,
)
from peixun.surveys.selectors.results import (
    min_responses_for,
    response_progress,
    results_by_branch,
    survey_results,
    surveys_to_answer,
)
from peixun.surveys.services.forms import (
    TEMPLATES,
    form_create,
    form_from_template,
    form_spec,
    form_update,
)
from peixun.surveys.services.responses import response_submit
from peixun.surveys.services.surveys import (
    survey_close,
    survey_create,
    survey_invite,
    survey_open,
    survey_set_anonymous,
)
from peixun.testing import World, make_member, make_user

SPEC = [
    {
        "kind": "section",
        "text": "教学内容",
        "items": [{"kind": "rating", "text": "内容充实"}, {"kind": "rating", "text": "联系实际"}],
    },
    {
        "kind": "multiple",
        "text": "希望学习的内容",
        "options": [
            {"text": "党史", "topic": "party_history"},
            {"text": "法治", "topic": "rule_of_law"},
        ],
    },
    {"kind": "text", "text": "意见建议", "required": False},
]


class FormSpecTest(TestCase):
    w: ClassVar[World]
    admin: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.admin = cls.w.users["org_admin"]

    def test_form_is_written_from_its_spec_and_read_back_the_same(self) -> None:
        form = form_create(
            actor=self.admin, org=self.w.root, purpose="needs", title="调研", spec=SPEC
        )
        self.assertEqual(Question.objects.filter(form=form).count(), 5)
        spec = form_spec(form)
        self.assertEqual([q["text"] for q in spec], ["教学内容", "希望学习的内容", "意见建议"])
        self.assertEqual([i["text"] for i in spec[0]["items"]], ["内容充实", "联系实际"])
        self.assertEqual(spec[1]["options"][0], {"text": "党史", "topic": "party_history"})
        self.assertTrue(AuditEvent.objects.filter(verb="form.create").exists())

    def test_a_bad_spec_reports_every_problem_and_stores_nothing(self) -> None:
        bad = [
            {"kind": "choice", "text": "只有一个选项", "options": ["甲"]},
            {"kind": "rating", "text": "", "scale_max": 5},
            {"kind": "section", "text": "空的", "items": []},
            {
                "kind": "multiple",
                "text": "题目",
                "options": [{"text": "甲", "topic": "nope"}, "乙"],
            },
            {"kind": "weird", "text": "x"},
        ]
        with self.assertRaises(ValidationError) as caught:
            form_create(actor=self.admin, org=self.w.root, purpose="needs", title="t", spec=bad)
        self.assertEqual(len(caught.exception.message_dict["spec"]), 5)
        self.assertFalse(Form.objects.exists())
        with self.assertRaises(ValidationError):
            form_create(actor=self.admin, org=self.w.root, purpose="nope", title="", spec=SPEC)

    def test_only_managers_of_the_org_create_forms(self) -> None:
        with self.assertRaises(PermissionDenied):
            form_create(
                actor=self.w.users["secretary"],
                org=self.w.root,
                purpose="needs",
                title="t",
                spec=SPEC,
            )

    def test_every_template_makes_a_valid_form(self) -> None:
        for template in TEMPLATES:
            form = form_from_template(actor=self.admin, org=self.w.root, template=template)
            self.assertTrue(form_spec(form))
        with self.assertRaises(ValidationError):
            form_from_template(actor=self.admin, org=self.w.root, template="nope")


class AnonymousSurveyTest(TestCase):
    w: ClassVar[World]
    admin: ClassVar[User]
    form: ClassVar[Form]
    teacher: ClassVar[Teacher]
    survey: ClassVar[Survey]
    users: ClassVar[list[User]]
    questions: ClassVar[list[Question]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.admin = cls.w.users["org_admin"]
        cls.form = form_create(
            actor=cls.admin, org=cls.w.root, purpose="evaluation", title="评估", spec=SPEC
        )
        cls.teacher = Teacher.objects.create(org=cls.w.root, open_to=cls.w.root, name="张老师")
        cls.survey = survey_create(
            actor=cls.admin,
            form=cls.form,
            org=cls.w.root,
            title="张老师授课评估",
            year=2026,
            teacher=cls.teacher,
        )
        # Six trainees in the first branch, one in the second.
        cls.users = [cls.w.users["member"]] + [
            make_user(f"t{i}", member=make_member(cls.w.branch, f"学员{i}")) for i in range(5)
        ]
        cls.users.append(cls.w.users["other_secretary"])
        survey_invite(
            actor=cls.admin, survey=cls.survey, members=[u.member for u in cls.users if u.member]
        )
        survey_open(actor=cls.admin, survey=cls.survey)
        cls.questions = list(Question.objects.filter(form=cls.form).order_by("position"))

    def answers(self, first: int, second: int) -> dict[int, object]:
        items = [q for q in self.questions if q.kind == "rating"]
        multiple = next(q for q in self.questions if q.kind == "multiple")
        return {
            items[0].pk: first,
            items[1].pk: second,
            multiple.pk: [multiple.options.order_by("position").first().pk],  # type: ignore[union-attr]
        }

    def test_an_anonymous_response_carries_nobody_and_the_invitation_only_a_day(self) -> None:
        response_submit(actor=self.users[0], survey=self.survey, answers=self.answers(5, 4))
        response = Response.objects.get()
        self.assertIsNone(response.respondent_id)
        self.assertEqual(response.branch_id, self.w.branch.pk)
        field_names = {f.name for f in Response._meta.get_fields()}
        self.assertFalse({"member", "user", "created_at", "submitted_at"} & field_names)
        invitation = Invitation.objects.get(survey=self.survey, member=self.users[0].member)
        self.assertIsInstance(invitation.responded_on, dt.date)
        self.assertEqual(Answer.objects.filter(response=response).count(), 3)
        event = AuditEvent.objects.get(verb="survey.respond")
        self.assertIsNone(event.actor_id)
        self.assertEqual(event.object_id, str(self.survey.pk))

    def test_answering_twice_or_uninvited_or_badly_is_refused_and_stores_nothing(self) -> None:
        response_submit(actor=self.users[0], survey=self.survey, answers=self.answers(5, 4))
        with self.assertRaises(ValidationError):
            response_submit(actor=self.users[0], survey=self.survey, answers=self.answers(1, 1))
        with self.assertRaises(PermissionDenied):
            response_submit(
                actor=self.w.users["org_admin"], survey=self.survey, answers=self.answers(1, 1)
            )
        with self.assertRaises(ValidationError) as caught:
            response_submit(actor=self.users[1], survey=self.survey, answers=self.answers(9, 0))
        self.assertEqual(len(caught.exception.message_dict), 2)
        with self.assertRaises(ValidationError):
            response_submit(actor=self.users[1], survey=self.survey, answers={})
        self.assertEqual(Response.objects.count(), 1)
        self.assertIsNone(
            Invitation.objects.get(survey=self.survey, member=self.users[1].member).responded_on
        )

    def test_results_appear_at_the_fifth_response_and_never_for_a_smaller_slice(self) -> None:
        ratings = [(5, 4), (4, 4), (3, 5), (5, 5)]
        for user, (a, b) in zip(self.users, ratings, strict=False):
            response_submit(actor=user, survey=self.survey, answers=self.answers(a, b))
        results = survey_results(actor=self.admin, survey=self.survey)
        self.assertEqual(results.responses, 4)
        self.assertFalse(results.shown)
        self.assertIsNone(results.overall)
        self.assertTrue(all(q.average is None and not q.texts for q in results.questions))
        self.assertIsNone(teacher_ratings([self.teacher.pk])[self.teacher.pk].average)
        self.assertEqual(teacher_ratings([self.teacher.pk])[self.teacher.pk].responses, 4)

        response_submit(actor=self.users[4], survey=self.survey, answers=self.answers(2, 3))
        results = survey_results(actor=self.admin, survey=self.survey)
        self.assertTrue(results.shown)
        first = next(q for q in results.questions if q.text == "内容充实")
        # (5 + 4 + 3 + 5 + 2) / 5 = 3.8; distribution of 1…5.
        self.assertEqual(first.average, Decimal("3.80"))
        self.assertEqual(first.distribution, [0, 1, 1, 1, 2])
        # Every rating: 5+4+3+5+2 + 4+4+5+5+3 = 40 over 10.
        self.assertEqual(results.overall, Decimal("4.00"))
        self.assertEqual(
            teacher_ratings([self.teacher.pk])[self.teacher.pk].average, Decimal("4.00")
        )
        # The second branch's one response is never shown on its own.
        slices = {b.branch.pk: b for b in results_by_branch(actor=self.admin, survey=self.survey)}
        self.assertTrue(slices[self.w.branch.pk].results.shown)
        self.assertEqual(slices[self.w.other_branch.pk].invited, 1)
        self.assertFalse(slices[self.w.other_branch.pk].results.shown)

    def test_the_tenant_threshold_is_a_setting(self) -> None:
        self.assertEqual(min_responses_for(self.w.branch), 5)
        SurveySettings.objects.create(tenant=self.w.root, min_responses=2)
        for user in self.users[:2]:
            response_submit(actor=user, survey=self.survey, answers=self.answers(4, 4))
        self.assertTrue(survey_results(actor=self.admin, survey=self.survey).shown)

    def test_anonymity_is_fixed_from_the_first_response(self) -> None:
        survey_set_anonymous(actor=self.admin, survey=self.survey, anonymous=False)
        survey_set_anonymous(actor=self.admin, survey=self.survey, anonymous=True)
        response_submit(actor=self.users[0], survey=self.survey, answers=self.answers(5, 4))
        with self.assertRaises(ValidationError):
            survey_set_anonymous(actor=self.admin, survey=self.survey, anonymous=False)
        self.survey.refresh_from_db()
        self.assertTrue(self.survey.anonymous)

    def test_progress_names_who_has_not_answered_and_the_form_is_then_fixed(self) -> None:
        response_submit(actor=self.users[0], survey=self.survey, answers=self.answers(5, 4))
        progress = response_progress(actor=self.admin, survey=self.survey)
        self.assertEqual((progress.invited, progress.responded), (7, 1))
        self.assertNotIn(self.users[0].member, progress.waiting)
        self.assertEqual(len(progress.waiting), 6)
        self.assertEqual(surveys_to_answer(actor=self.users[0]), [])
        self.assertEqual(surveys_to_answer(actor=self.users[1]), [self.survey])
        with self.assertRaises(ValidationError):
            form_update(actor=self.admin, form=self.form, title="改", spec=SPEC)

    def test_a_closed_survey_takes_no_answers(self) -> None:
        survey_close(actor=self.admin, survey=self.survey)
        with self.assertRaises(ValidationError):
            response_submit(actor=self.users[0], survey=self.survey, answers=self.answers(5, 4))
        self.assertFalse(Response.objects.exists())


class JudgingSurveyTest(TestCase):
    w: ClassVar[World]
    admin: ClassVar[User]
    form: ClassVar[Form]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.admin = cls.w.users["org_admin"]
        cls.form = form_from_template(actor=cls.admin, org=cls.w.root, template="lecture_judging")

    def test_a_judges_sheet_names_the_judge_and_a_second_one_replaces_it(self) -> None:
        with self.assertRaises(ValidationError):
            survey_create(
                actor=self.admin, form=self.form, org=self.w.root, title="评委", year=2026
            )
        survey = survey_create(
            actor=self.admin,
            form=self.form,
            org=self.w.root,
            title="评委打分",
            year=2026,
            anonymous=False,
        )
        judge = self.w.users["member"]
        survey_invite(
            actor=self.admin, survey=survey, members=[judge.member] if judge.member else []
        )
        survey_open(actor=self.admin, survey=survey)
        ratings = [q for q in Question.objects.filter(form=self.form) if q.kind == "rating"]
        response_submit(
            actor=judge, survey=survey, answers={q.pk: 3 for q in ratings}, subject_ref="entry:1"
        )
        response_submit(
            actor=judge, survey=survey, answers={q.pk: 5 for q in ratings}, subject_ref="entry:1"
        )
        response_submit(
            actor=judge, survey=survey, answers={q.pk: 4 for q in ratings}, subject_ref="entry:2"
        )
        self.assertEqual(Response.objects.filter(respondent=judge).count(), 2)
        one = survey_results(actor=self.admin, survey=survey, subject_ref="entry:1")
        self.assertTrue(one.shown)
        self.assertEqual(one.overall, Decimal("5.00"))
