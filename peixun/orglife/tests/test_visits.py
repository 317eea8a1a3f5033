"""送学上门 visits: the service (credit written, not in the future, members below only), the
pages and the API for every persona, bad input storing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.hours.models import CreditEntry
from peixun.orglife.models import HomeVisit
from peixun.orglife.services.visits import visit_record
from peixun.testing import PersonaTestCase, make_member

from .test_meetings_fixtures import body, error_fields

LIST_PAGE = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}


def yesterday() -> dt.date:
    today = timezone.localdate()
    return max(today - dt.timedelta(days=1), today.replace(month=1, day=1))


class VisitServiceTests(PersonaTestCase):
    def visit(self, actor: Actor | None = None, **overrides: Any) -> HomeVisit:
        w = self.world
        fields: dict[str, Any] = {
            "org": w.branch,
            "member": w.member,
            "visited_on": yesterday(),
            "visitors": "王芳",
            "content": "学习党的二十届四中全会精神",
            "hours": "1",
        }
        fields.update(overrides)
        return visit_record(actor=actor or self.user("secretary"), **fields)

    def test_a_visit_with_hours_credits_the_member(self) -> None:
        visit = self.visit()
        entry = CreditEntry.objects.get(reference=f"visit:{visit.pk}")
        self.assertEqual((entry.member, entry.hours), (self.world.member, Decimal(1)))
        self.assertEqual(visit.credit_reference, f"visit:{visit.pk}")

    def test_a_visit_without_hours_credits_nothing(self) -> None:
        visit = self.visit(hours=0)
        self.assertEqual(visit.credit_reference, "")
        self.assertFalse(CreditEntry.objects.exists())

    def test_bad_input_stores_nothing(self) -> None:
        w = self.world
        cases: list[tuple[dict[str, Any], str]] = [
            ({"visited_on": timezone.localdate() + dt.timedelta(days=1)}, "visited_on"),
            ({"member": w.other_member}, "member"),
            ({"hours": "-1"}, "hours"),
            ({"hours": "0.1"}, "hours"),
            ({"visitors": " "}, "visitors"),
            ({"content": ""}, "content"),
        ]
        for overrides, field in cases:
            with self.assertRaises(ValidationError) as caught:
                self.visit(**overrides)
            self.assertIn(field, caught.exception.message_dict, overrides)
        self.assertFalse(HomeVisit.objects.exists())
        self.assertFalse(CreditEntry.objects.exists())

    def test_another_secretary_may_not_record(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.visit(actor=self.user("other_secretary"))
        self.assertFalse(HomeVisit.objects.exists())


class VisitPageTests(PersonaTestCase):
    def test_list_and_new(self) -> None:
        self.expect_personas("/orglife/visits/", LIST_PAGE)
        self.expect_personas("/orglife/visits/new/", {**LIST_PAGE, "viewer": 404})

    def test_record_from_the_page(self) -> None:
        w = self.world
        exempt = make_member(w.branch, "周老", exempt_reason="elderly")
        data = {
            "member": exempt.pk,
            "visited_on": yesterday().isoformat(),
            "visitors": "王芳、李明",
            "content": "送学上门：党章",
            "hours": "2",
        }
        response = self.client_for("secretary").post("/orglife/visits/new/", data)
        self.assertRedirects(response, "/orglife/visits/")
        self.assertEqual(HomeVisit.objects.get().member, exempt)
        page = self.client_for("viewer").get("/orglife/visits/")
        self.assertContains(page, "周老")
        self.assertNotContains(self.client_for("other_secretary").get("/orglife/visits/"), "周老")
        future = {**data, "visited_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}
        response = self.client_for("secretary").post("/orglife/visits/new/", future)
        self.assertEqual(response.status_code, 200)
        response = self.client_for("other_secretary").post("/orglife/visits/new/", data)
        self.assertEqual(response.status_code, 200)  # not one of their members: a form error
        self.assertEqual(HomeVisit.objects.count(), 1)


class VisitApiTests(PersonaTestCase):
    def test_list_and_create(self) -> None:
        w = self.world
        url = "/api/v1/orglife/visits"
        self.expect_personas(url, {**LIST_PAGE, "anonymous": 401, "member": 200})
        data = {
            "member": w.member.pk,
            "visited_on": yesterday().isoformat(),
            "visitors": "王芳",
            "content": "学习",
            "hours": "1.5",
        }
        statuses = {
            "anonymous": 401,
            "member": 403,  # sees only themself: not theirs to record
            "secretary": 201,
            "other_secretary": 422,
            "org_admin": 201,
            "viewer": 403,
        }
        self.expect_personas(url, statuses, method="post", **body(data))
        self.assertEqual(HomeVisit.objects.count(), 2)
        response = self.client_for("secretary").post(
            url, **body({**data, "visited_on": "2100-01-01"})
        )
        self.assertEqual(error_fields(response), {"visited_on"})
        self.assertEqual(HomeVisit.objects.count(), 2)
        listed = self.client_for("secretary").get(url).json()
        self.assertEqual(listed["count"], 2)
        self.assertTrue(listed["items"][0]["credited"])
