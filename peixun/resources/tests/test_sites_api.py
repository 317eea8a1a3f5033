"""/api/v1/resources/ sites and bookings for every persona: list, read, add, change, the
calendar and the use; ask, confirm, refuse, cancel; bad input a 422 naming the field, nothing
stored; a taken slot refused."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from peixun.resources.models import Booking, BookingState, Site
from peixun.testing import PersonaTestCase

from .fixtures import at, county_venue, make_booking, make_meeting, make_site

API = "/api/v1/resources/"


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


def error_fields(response: Any) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


class SitesApiTests(PersonaTestCase):
    venue: ClassVar[Site]
    room: ClassVar[Site]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.venue = county_venue(w)
        cls.room = make_site(w.branch, name="第一支部活动室", address="局机关3楼")

    def test_reading_sites(self) -> None:
        self.expect_personas(
            f"{API}sites/",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        items = self.client_for("other_secretary").get(f"{API}sites/").json()["items"]
        self.assertEqual([i["name"] for i in items], ["委机关党建活动室"])
        self.expect_personas(
            f"{API}sites/{self.room.pk}",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.assertEqual(self.client_for("viewer").get(f"{API}sites/?kind=nope").status_code, 422)

    def test_calendar_and_use(self) -> None:
        make_booking(self.venue, self.world.branch, 3, 9)
        when = at(3, 9)
        url = f"{API}sites/{self.venue.pk}/calendar?year={when.year}&month={when.month}"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        slots = self.client_for("member").get(url).json()["bookings"]
        self.assertEqual([s["org"]["name"] for s in slots], ["第一党支部"])
        self.assertEqual(self.client_for("member").get(f"{url[:-2]}13").status_code, 422)
        self.expect_personas(
            f"{API}sites/{self.venue.pk}/use",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_adding_and_changing_a_site(self) -> None:
        data = {
            "org": self.world.branch.pk,
            "kind": "party_venue",
            "name": "党员之家",
            "address": "局机关1楼",
            "capacity": 30,
        }
        self.assertEqual(
            self.client_for("viewer").post(f"{API}sites/", **body(data)).status_code, 403
        )
        self.assertEqual(
            self.client_for("other_secretary").post(f"{API}sites/", **body(data)).status_code, 404
        )
        bad = self.client_for("secretary").post(
            f"{API}sites/", **body({**data, "kind": "x", "name": ""})
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(error_fields(bad), {"kind", "name"})
        made = self.client_for("secretary").post(
            f"{API}sites/", **body({**data, "open_to": self.world.root.pk})
        )
        self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual(made.json()["open_to"]["id"], self.world.root.pk)
        pk = made.json()["id"]
        changed = self.client_for("secretary").patch(
            f"{API}sites/{pk}", **body({"capacity": 35, "booking_limit": 2})
        )
        self.assertEqual((changed.json()["capacity"], changed.json()["booking_limit"]), (35, 2))
        self.assertEqual(
            self.client_for("viewer")
            .patch(f"{API}sites/{pk}", **body({"capacity": 3}))
            .status_code,
            403,
        )
        self.assertEqual(
            self.client_for("other_secretary")
            .patch(f"{API}sites/{pk}", **body({"capacity": 3}))
            .status_code,
            403,
        )
        self.assertEqual(Site.objects.get(pk=pk).capacity, 35)

    def test_the_booking_flow(self) -> None:
        meeting = make_meeting(self.world.branch, 7, 9)
        url = f"{API}sites/{self.venue.pk}/bookings"
        self.assertEqual(
            self.client_for("member")
            .post(url, **body({"event": meeting.pk, "people": 5}))
            .status_code,
            403,
        )
        asked = self.client_for("secretary").post(url, **body({"event": meeting.pk, "people": 15}))
        self.assertEqual(asked.status_code, 201, asked.content)
        pk = asked.json()["id"]
        self.assertEqual(asked.json()["org"]["id"], self.world.branch.pk)
        # The same slot from the other branch: a 422 on starts_at, nothing stored.
        again = self.client_for("other_secretary").post(
            url,
            **body(
                {
                    "org": self.world.other_branch.pk,
                    "starts_at": at(7, 10).isoformat(),
                    "ends_at": at(7, 12).isoformat(),
                    "people": 5,
                    "purpose": "党课",
                }
            ),
        )
        self.assertEqual(again.status_code, 422)
        self.assertEqual(error_fields(again), {"starts_at"})
        bad = self.client_for("secretary").post(url, **body({"people": 0}))
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(Booking.objects.count(), 1)
        self.expect_personas(
            f"{API}bookings/{pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        waiting = self.client_for("org_admin").get(f"{API}bookings/?waiting=true").json()["items"]
        self.assertEqual([b["id"] for b in waiting], [pk])
        mine = self.client_for("secretary").get(f"{API}bookings/").json()["items"]
        self.assertEqual([b["id"] for b in mine], [pk])
        self.assertEqual(
            self.client_for("secretary").post(f"{API}bookings/{pk}/confirm").status_code, 403
        )
        confirmed = self.client_for("org_admin").post(f"{API}bookings/{pk}/confirm")
        self.assertEqual(confirmed.json()["state"], BookingState.CONFIRMED)
        again = self.client_for("org_admin").post(
            f"{API}bookings/{pk}/refuse", **body({"reason": "晚了"})
        )
        self.assertEqual(again.status_code, 422)
        self.assertEqual(
            self.client_for("other_secretary")
            .post(f"{API}bookings/{pk}/cancel", **body({}))
            .status_code,
            404,
        )
        cancelled = self.client_for("secretary").post(
            f"{API}bookings/{pk}/cancel", **body({"reason": "改期"})
        )
        self.assertEqual(cancelled.json()["state"], BookingState.CANCELLED)

    def test_refusing_needs_a_reason(self) -> None:
        booking = make_booking(self.venue, self.world.branch)
        url = f"{API}bookings/{booking.pk}/refuse"
        self.assertEqual(
            self.client_for("org_admin").post(url, **body({"reason": " "})).status_code, 422
        )
        refused = self.client_for("org_admin").post(url, **body({"reason": "场地维修"}))
        self.assertEqual(
            (refused.json()["state"], refused.json()["reason"]), ("refused", "场地维修")
        )
