"""Support pairs (在职党员联系帮扶离退休党员): the services (who may be paired, the pair's org,
its visits credited as 送学上门), the list's figures computed by hand, pages and API for every
persona, bad input storing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.hours.models import CreditEntry
from peixun.members.models import Member
from peixun.orglife.models import HomeVisit, Pair
from peixun.orglife.selectors.pairs import pair_list
from peixun.orglife.services import pairs as services
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


def days_ago(n: int) -> dt.date:
    today = timezone.localdate()
    return max(today - dt.timedelta(days=n), today.replace(month=1, day=1))


class PairTestCase(PersonaTestCase):
    retired: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.retired = make_member(cls.world.branch, "周老", employment="retired")

    def pair(self) -> Pair:
        return services.pair_create(
            actor=self.user("secretary"),
            helper=self.world.member,
            retired=self.retired,
            since=days_ago(20),
        )


class PairServiceTests(PairTestCase):
    def test_pair_and_visit_credit_the_retired_member(self) -> None:
        pair = self.pair()
        self.assertEqual(pair.org, self.world.branch)
        visit = services.pair_visit_record(
            actor=self.user("secretary"),
            pair=pair,
            visited_on=days_ago(1),
            content="学习党的二十届四中全会精神",
            hours="1.5",
        )
        self.assertEqual((visit.member, visit.visitors, visit.pair), (self.retired, "李明", pair))
        entry = CreditEntry.objects.get(reference=f"visit:{visit.pk}")
        self.assertEqual((entry.member, entry.hours), (self.retired, Decimal("1.50")))

    def test_the_list_figures_by_hand(self) -> None:
        pair = self.pair()
        secretary = self.user("secretary")
        for n in (3, 1):
            services.pair_visit_record(
                actor=secretary, pair=pair, visited_on=days_ago(n), content="送学", hours=0
            )
        row = pair_list(secretary).get(pk=pair.pk)
        # Two visits this year, the later one the last.
        self.assertEqual((row.visits_this_year, row.last_visit), (2, days_ago(1)))  # type: ignore[attr-defined]

    def test_a_pair_across_branches_belongs_to_the_unit(self) -> None:
        w = self.world
        with self.assertRaises(PermissionDenied):
            services.pair_create(
                actor=self.user("secretary"), helper=w.other_member, retired=self.retired
            )
        pair = services.pair_create(
            actor=self.user("org_admin"), helper=w.other_member, retired=self.retired
        )
        self.assertEqual(pair.org, w.unit)

    def test_bad_input_stores_nothing(self) -> None:
        w = self.world
        secretary = self.user("secretary")
        cases = [
            ({"helper": self.retired, "retired": self.retired}, "helper"),
            ({"helper": w.member, "retired": w.secretary_member}, "retired"),
            (
                {
                    "helper": w.member,
                    "retired": self.retired,
                    "since": days_ago(0) + dt.timedelta(days=2),
                },
                "since",
            ),
        ]
        for fields, field in cases:
            with self.assertRaises(ValidationError) as caught:
                services.pair_create(actor=secretary, **fields)  # type: ignore[arg-type]
            self.assertIn(field, caught.exception.message_dict, fields)
        self.assertFalse(Pair.objects.exists())
        pair = self.pair()
        with self.assertRaises(ValidationError):
            self.pair()
        with self.assertRaises(ValidationError) as caught:
            services.pair_visit_record(
                actor=secretary,
                pair=pair,
                visited_on=days_ago(0) - dt.timedelta(days=40),
                content="x",
            )
        self.assertIn("visited_on", caught.exception.message_dict)
        with self.assertRaises(PermissionDenied):
            services.pair_visit_record(
                actor=self.user("viewer"), pair=pair, visited_on=days_ago(1), content="x"
            )
        self.assertFalse(HomeVisit.objects.exists())
        services.pair_end(actor=secretary, pair=pair)
        with self.assertRaises(ValidationError):
            services.pair_end(actor=secretary, pair=pair)
        self.assertEqual(Pair.objects.get().until, timezone.localdate())


class PairPageTests(PairTestCase):
    def test_pages_for_every_persona(self) -> None:
        pair = self.pair()
        self.expect_personas("/orglife/pairs/", LIST_PAGE)
        self.expect_personas("/orglife/pairs/new/", {**LIST_PAGE, "viewer": 404})
        detail = {**LIST_PAGE, "other_secretary": 404}
        self.expect_personas(f"/orglife/pairs/{pair.pk}/", detail)
        self.expect_personas(f"/orglife/pairs/{pair.pk}/visits/new/", {**detail, "viewer": 403})

    def test_pair_visit_and_end_from_the_pages(self) -> None:
        client = self.client_for("secretary")
        response = client.post(
            "/orglife/pairs/new/",
            {"helper": self.world.member.pk, "retired": self.retired.pk, "since": days_ago(10)},
        )
        pair = Pair.objects.get()
        self.assertRedirects(response, f"/orglife/pairs/{pair.pk}/")
        # Only retired members are offered as the retired one, only in-service as the helper.
        self.assertEqual(len(self.picked("secretary", "/orglife/pairs/new/", "retired")), 1)
        helpers = self.picked("secretary", "/orglife/pairs/new/", "helper", "周")
        self.assertEqual(helpers, [])
        url = f"/orglife/pairs/{pair.pk}/visits/new/"
        data = {"visited_on": days_ago(1).isoformat(), "content": "读党章", "hours": "1"}
        self.assertRedirects(client.post(url, data), f"/orglife/pairs/{pair.pk}/")
        bad = {**data, "visited_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
        self.assertEqual(client.post(url, bad).status_code, 200)
        self.assertEqual(HomeVisit.objects.count(), 1)
        page = self.client_for("viewer").get("/orglife/pairs/")
        self.assertContains(page, "周老")
        self.assertNotContains(self.client_for("other_secretary").get("/orglife/pairs/"), "周老")
        self.assertRedirects(
            client.post(f"/orglife/pairs/{pair.pk}/end/", {"until": timezone.localdate()}),
            f"/orglife/pairs/{pair.pk}/",
        )
        pair.refresh_from_db()
        self.assertEqual(pair.until, timezone.localdate())


class PairApiTests(PairTestCase):
    def test_list_create_and_visits(self) -> None:
        w = self.world
        url = "/api/v1/orglife/pairs"
        self.expect_personas(url, {**LIST_PAGE, "anonymous": 401, "member": 200})
        data = {"helper": w.member.pk, "retired": self.retired.pk}
        statuses = {
            "anonymous": 401,
            "member": 422,  # the retired member is out of their sight
            "secretary": 201,
            "other_secretary": 422,
            "org_admin": 422,  # already paired by the secretary
            "viewer": 403,
        }
        self.expect_personas(url, statuses, method="post", **body(data))
        pair = Pair.objects.get()
        visits = f"{url}/{pair.pk}/visits"
        visit = {"visited_on": days_ago(0).isoformat(), "content": "读党章", "hours": "1"}
        statuses = {
            "anonymous": 401,
            "member": 404,
            "secretary": 201,
            "other_secretary": 404,
            "org_admin": 201,
            "viewer": 403,
        }
        self.expect_personas(visits, statuses, method="post", **body(visit))
        response = self.client_for("secretary").post(visits, **body({**visit, "hours": "-1"}))
        self.assertEqual(error_fields(response), {"hours"})
        listed = self.client_for("viewer").get(visits).json()
        self.assertEqual(len(listed), 2)
        got = self.client_for("viewer").get(f"{url}/{pair.pk}").json()
        self.assertEqual((got["visits_this_year"], got["retired_name"]), (2, "周老"))
        ended = self.client_for("org_admin").post(f"{url}/{pair.pk}/end", **body({}))
        self.assertEqual(ended.json()["until"], timezone.localdate().isoformat())
