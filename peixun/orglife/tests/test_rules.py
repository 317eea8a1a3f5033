"""The meeting credit rules per tenant: the page and the API for every persona; bad hours store
nothing; a changed rule sets the hours of meetings recorded afterwards."""

from __future__ import annotations

from decimal import Decimal

from peixun.orglife.models import MeetingCreditRule, MeetingKind
from peixun.testing import PersonaTestCase

from .test_meetings_fixtures import body, error_fields, record

ADMIN_ONLY = {
    "anonymous": 302,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 404,
}


def form_data(**hours: str) -> dict[str, str]:
    data = {f"hours_{kind}": "1" for kind in MeetingKind.values}
    data.update({f"hours_{k}": v for k, v in hours.items()})
    data["concentrated_central_group"] = "on"
    return data


class RulesPageTests(PersonaTestCase):
    def test_personas(self) -> None:
        self.expect_personas("/orglife/rules/", ADMIN_ONLY)
        self.expect_personas(
            "/orglife/rules/", {**ADMIN_ONLY, "org_admin": 302}, method="post", data=form_data()
        )
        self.assertEqual(MeetingCreditRule.objects.count(), len(MeetingKind.values))

    def test_bad_hours_store_nothing_and_a_rule_sets_new_meetings_hours(self) -> None:
        client = self.client_for("org_admin")
        response = client.post("/orglife/rules/", form_data(lecture="0.3"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(MeetingCreditRule.objects.exists())
        client.post("/orglife/rules/", form_data(lecture="3"))
        meeting = record(self.user("secretary"), self.world.branch, "lecture")
        self.assertEqual(meeting.event.hours, Decimal(3))


class RulesApiTests(PersonaTestCase):
    url = "/api/v1/orglife/rules"

    def test_get(self) -> None:
        self.expect_personas(
            self.url,
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        rules = self.client_for("secretary").get(self.url).json()
        lecture = next(r for r in rules if r["kind"] == "lecture")
        self.assertEqual((Decimal(lecture["hours"]), lecture["is_default"]), (Decimal(2), True))
        far = self.client_for("secretary").get(f"{self.url}?tenant={self.world.unit.pk}")
        self.assertEqual(far.status_code, 404)

    def test_put(self) -> None:
        payload = {"rules": [{"kind": "lecture", "hours": "2.5", "concentrated": True}]}
        self.expect_personas(
            self.url,
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 403,
                "other_secretary": 403,
                "org_admin": 200,
                "viewer": 403,
            },
            method="put",
            **body(payload),
        )
        rule = MeetingCreditRule.objects.get()
        self.assertEqual((rule.hours, rule.concentrated), (Decimal("2.5"), True))
        bad = {"rules": [{"kind": "lecture", "hours": "9"}, {"kind": "party", "hours": "1"}]}
        response = self.client_for("org_admin").put(self.url, **body(bad))
        self.assertEqual(error_fields(response), {"party"})
        rule.refresh_from_db()
        self.assertEqual(rule.hours, Decimal("2.5"))
