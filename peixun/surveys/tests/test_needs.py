"""Needs surveys: the audience, opening with notices, the topic demand computed by hand, and a
plan item citing a topic."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from peixun.accounts.models import User
from peixun.core.models import AuditEvent, Notification
from peixun.plans.models import PlanItem
from peixun.plans.registry import citations_by_item
from peixun.surveys.models import Invitation, NeedsAudience, PlanCitation, Survey
from peixun.surveys.selectors.needs import citable_plan_items, needs_surveys, needs_topic_demand
from peixun.surveys.services.citations import plan_citation_remove, plan_item_cite
from peixun.surveys.services.forms import form_from_template
from peixun.surveys.services.needs import (
    needs_survey_close,
    needs_survey_create,
    needs_survey_open,
)
from peixun.testing import World, make_member

from .needs_fixtures import YEAR, answered_survey, member_count, needs_form, plan_item


class NeedsSurveyLifeTest(TestCase):
    w: ClassVar[World]
    admin: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.admin = cls.w.users["org_admin"]

    def test_audience_narrowed_by_status_is_invited_and_told_on_opening(self) -> None:
        make_member(self.w.branch, "预备", status="probationary")
        form = form_from_template(actor=self.admin, org=self.w.root, template="needs")
        survey = needs_survey_create(
            actor=self.admin,
            org=self.w.root,
            form=form,
            title="需求调研",
            year=YEAR,
            audience={"audience_org": self.w.unit, "audience_statuses": ["full"]},
        )
        self.assertEqual(NeedsAudience.objects.get(survey=survey).audience_statuses, ["full"])
        self.assertTrue(survey.anonymous)
        told = needs_survey_open(actor=self.admin, survey=survey)
        invited = set(
            Invitation.objects.filter(survey=survey).values_list("member__name", flat=True)
        )
        # 第三党支部 (another committee) and the probationary member are outside the audience.
        self.assertEqual(invited, {"李明", "王芳", "赵强"})
        # Those with a login: 李明 (member), 王芳 (secretary), 赵强 (other_secretary).
        self.assertEqual(told, 3)
        note = Notification.objects.filter(recipient=self.w.users["member"]).get()
        self.assertEqual(note.url, f"/surveys/{survey.pk}/answer/")
        survey.refresh_from_db()
        self.assertEqual(survey.state, Survey.State.OPEN)
        needs_survey_close(actor=self.admin, survey=survey)
        survey.refresh_from_db()
        self.assertEqual(survey.state, Survey.State.CLOSED)
        self.assertTrue(AuditEvent.objects.filter(verb="survey.audience").exists())

    def test_bad_input_is_reported_whole_and_nothing_is_stored(self) -> None:
        evaluation = form_from_template(actor=self.admin, org=self.w.root, template="teaching")
        with self.assertRaises(ValidationError) as caught:
            needs_survey_create(
                actor=self.admin,
                org=self.w.unit,
                form=evaluation,
                title=" ",
                year=1999,
                audience={"audience_org": self.w.far_unit, "audience_statuses": ["nope"]},
            )
        self.assertEqual(
            set(caught.exception.message_dict),
            {"form", "title", "year", "audience_org", "audience_statuses"},
        )
        self.assertFalse(Survey.objects.exists())

    def test_a_secretary_may_not_run_a_survey_for_the_county(self) -> None:
        form = needs_form(self.w)
        with self.assertRaises(PermissionDenied):
            needs_survey_create(
                actor=self.w.users["secretary"], org=self.w.root, form=form, title="t", year=YEAR
            )

    def test_a_branch_survey_asks_its_branch_only(self) -> None:
        form = needs_form(self.w)
        secretary = self.w.users["secretary"]
        survey = needs_survey_create(
            actor=secretary, org=self.w.branch, form=form, title="支部调研", year=YEAR
        )
        needs_survey_open(actor=secretary, survey=survey)
        self.assertEqual(Invitation.objects.filter(survey=survey).count(), 2)
        self.assertEqual(list(needs_surveys(actor=secretary, year=YEAR)), [survey])
        self.assertEqual(list(needs_surveys(actor=secretary, q="不存在")), [])
        self.assertEqual(list(needs_surveys(actor=self.w.users["other_secretary"])), [])


class TopicDemandTest(TestCase):
    w: ClassVar[World]
    survey: ClassVar[Survey]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.survey = answered_survey(cls.w)

    def test_topic_demand_by_hand(self) -> None:
        # Nine respondents. 党史 (either option): 第一支部 rows 1, 2, 4, 5 and 第二支部 row 2 = 5;
        # 法治: rows 3, 4 and 第二支部 rows 1, 3 = 4; 廉洁: row 6 = 1.
        demand = needs_topic_demand(self.survey)
        self.assertTrue(demand.shown)
        self.assertEqual(demand.responses, 9)
        self.assertEqual(
            [(r.topic, r.respondents, r.share) for r in demand.rows],
            [
                ("party_history", 5, Decimal("0.5556")),
                ("rule_of_law", 4, Decimal("0.4444")),
                ("integrity", 1, Decimal("0.1111")),
            ],
        )
        self.assertEqual(demand.rows[0].percent, Decimal("55.6"))
        self.assertEqual(demand.rows[0].options, ["党史", "红色故事"])
        self.assertGreater(member_count(self.w), 9)

    def test_topic_demand_costs_a_fixed_number_of_queries(self) -> None:
        # The threshold, the count, the options, the choices: however many answers.
        with self.assertNumQueries(4):
            needs_topic_demand(self.survey)

    def test_per_branch_shown_only_at_the_threshold(self) -> None:
        first = needs_topic_demand(self.survey, branch=self.w.branch)
        # 第一支部's six: 党史 4 of 6, 法治 2 of 6, 廉洁 1 of 6.
        self.assertEqual(
            [(r.topic, r.respondents, r.share) for r in first.rows],
            [
                ("party_history", 4, Decimal("0.6667")),
                ("rule_of_law", 2, Decimal("0.3333")),
                ("integrity", 1, Decimal("0.1667")),
            ],
        )
        second = needs_topic_demand(self.survey, branch=self.w.other_branch)
        self.assertFalse(second.shown)
        self.assertEqual((second.responses, second.rows), (3, []))


class WithheldDemandTest(TestCase):
    w: ClassVar[World]
    survey: ClassVar[Survey]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.survey = answered_survey(cls.w, answer_other=False)

    def test_the_whole_survey_below_the_threshold_shows_nothing(self) -> None:
        demand = needs_topic_demand(self.survey, threshold=7)
        self.assertFalse(demand.shown)
        self.assertEqual(demand.rows, [])


class PlanCitationTest(TestCase):
    w: ClassVar[World]
    admin: ClassVar[User]
    survey: ClassVar[Survey]
    item: ClassVar[PlanItem]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.survey = answered_survey(cls.w)
        cls.admin = cls.w.users["org_admin"]
        cls.item = plan_item(cls.w)

    def test_cite_stores_the_share_as_it_stood_and_the_plan_sees_it(self) -> None:
        citation = plan_item_cite(
            actor=self.admin,
            plan_item=self.item,
            survey=self.survey,
            topic="party_history",
            note="过半数党员希望学习党史",
        )
        self.assertEqual(
            (citation.respondents, citation.responses, citation.share),
            (5, 9, Decimal("0.5556")),
        )
        self.assertTrue(AuditEvent.objects.filter(verb="plan_item.cite").exists())
        shown = citations_by_item([self.item.pk])[self.item.pk]
        self.assertEqual(len(shown), 1)
        self.assertIn("2026年培训需求调研", shown[0].label)
        self.assertEqual(shown[0].percent, Decimal("55.6"))
        self.assertEqual(shown[0].url, f"/surveys/needs/{self.survey.pk}/results/")
        with self.assertRaises(ValidationError) as caught:
            plan_item_cite(
                actor=self.admin, plan_item=self.item, survey=self.survey, topic="party_history"
            )
        self.assertIn("topic", caught.exception.message_dict)
        plan_citation_remove(actor=self.admin, citation=citation)
        self.assertFalse(PlanCitation.objects.exists())

    def test_refusals(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            plan_item_cite(
                actor=self.admin, plan_item=self.item, survey=self.survey, topic="professional"
            )
        self.assertIn("topic", caught.exception.message_dict)
        other_year = plan_item(self.w, org=self.w.unit, year=YEAR + 1)
        with self.assertRaises(ValidationError) as caught:
            plan_item_cite(
                actor=self.admin, plan_item=other_year, survey=self.survey, topic="party_history"
            )
        self.assertIn("plan_item", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            plan_item_cite(
                actor=self.admin,
                plan_item=self.item,
                survey=self.survey,
                topic="x" * 10,
                note="长" * 501,
            )
        self.assertEqual(set(caught.exception.message_dict), {"note", "topic"})
        # A secretary manages no county plan; invited to answer the county's survey, she still
        # does not read its results, so may not cite it in her branch's plan.
        with self.assertRaises(PermissionDenied):
            plan_item_cite(
                actor=self.w.users["secretary"],
                plan_item=self.item,
                survey=self.survey,
                topic="party_history",
            )
        branch_item = plan_item(self.w, org=self.w.branch)
        with self.assertRaises(PermissionDenied):
            plan_item_cite(
                actor=self.w.users["secretary"],
                plan_item=branch_item,
                survey=self.survey,
                topic="party_history",
            )
        self.assertFalse(PlanCitation.objects.exists())

    def test_withheld_results_cannot_be_cited(self) -> None:
        from peixun.surveys.models import SurveySettings

        SurveySettings.objects.create(tenant=self.w.root, min_responses=10)
        with self.assertRaises(ValidationError) as caught:
            plan_item_cite(
                actor=self.admin, plan_item=self.item, survey=self.survey, topic="party_history"
            )
        self.assertIn("survey", caught.exception.message_dict)

    def test_citable_items_are_the_readers_plans_of_the_year(self) -> None:
        plan_item(self.w, org=self.w.unit, year=YEAR + 1)
        branch_item = plan_item(self.w, org=self.w.branch)
        self.assertEqual(
            set(citable_plan_items(actor=self.admin, survey=self.survey)), {self.item, branch_item}
        )
        self.assertEqual(
            list(citable_plan_items(actor=self.w.users["secretary"], survey=self.survey)),
            [branch_item],
        )
