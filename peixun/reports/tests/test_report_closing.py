"""Year-end closing (年度结账): an org admin freezes a past year's figures; a later correction is
shown beside the frozen figure, never silently; only org admins close; a year closes once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_regularity import meeting
from peixun.testing import PersonaTestCase

from ..models import ReportDraft, ReportKind, YearClosing
from ..selectors.drafts import draft_report
from ..services import draft_create, year_close

LAST_YEAR = timezone.localdate().year - 1


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class ClosingTests(PersonaTestCase):
    def draft(self, org: Any = None) -> ReportDraft:
        return draft_create(
            actor=self.user("org_admin"),
            org=org or self.world.unit,
            kind=ReportKind.ANNUAL_SUMMARY,
            first_year=LAST_YEAR,
        )

    def test_frozen_figure_and_adjustment(self) -> None:
        w = self.world
        meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(LAST_YEAR, 3, 1))
        draft = self.draft()
        client = self.client_for("org_admin")
        page = client.get(f"/reports/drafts/{draft.pk}/")
        self.assertContains(page, 'data-testid="close-year"')
        response = client.post(f"/reports/drafts/{draft.pk}/close-year/")
        self.assertEqual(response.status_code, 302)
        closing = YearClosing.objects.get()
        self.assertEqual((closing.org, closing.year), (w.unit, LAST_YEAR))
        self.assertEqual(closing.figures["central_group_sessions"], "1")
        self.assertTrue(AuditEvent.objects.filter(verb="report.close_year").exists())
        # A meeting recorded afterwards: the frozen 1 stays, +1 shown beside it.
        meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(LAST_YEAR, 9, 1))
        report = draft_report(self.user("org_admin"), draft)
        figure = report.figures["central_group_sessions"]
        self.assertEqual((figure.value, figure.adjustment, figure.frozen), (1, 1, True))
        page = client.get(f"/reports/drafts/{draft.pk}/")
        self.assertContains(page, 'data-testid="closed"')
        self.assertContains(page, 'data-adjustment="central_group_sessions"')
        self.assertNotContains(page, 'data-testid="close-year"')
        sentence = " ".join(s.text for s in report.sections[1].sentences)
        self.assertIn("1", sentence)
        self.assertIn("+1", sentence)
        # Closing twice is refused, nothing more stored.
        self.assertEqual(client.post(f"/reports/drafts/{draft.pk}/close-year/").status_code, 302)
        self.assertEqual(YearClosing.objects.count(), 1)

    def test_who_may_close(self) -> None:
        draft = self.draft(self.world.branch)
        self.expect_personas(
            f"/reports/drafts/{draft.pk}/close-year/",
            {
                "anonymous": 302,
                "member": 404,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 403,
                "org_admin": 302,
            },
            method="post",
        )
        self.assertEqual(YearClosing.objects.count(), 1)

    def test_api_and_bad_years(self) -> None:
        w = self.world
        admin = self.client_for("org_admin")
        this_year = timezone.localdate().year
        for bad in (this_year, 1999, this_year + 5):
            response = admin.post(
                "/api/v1/reports/closings", **body({"org": w.unit.pk, "year": bad})
            )
            self.assertEqual(response.status_code, 422, bad)
        self.assertFalse(YearClosing.objects.exists())
        viewer = self.client_for("viewer").post(
            "/api/v1/reports/closings", **body({"org": w.unit.pk, "year": LAST_YEAR})
        )
        self.assertEqual(viewer.status_code, 403)
        created = admin.post(
            "/api/v1/reports/closings", **body({"org": w.unit.pk, "year": LAST_YEAR})
        )
        self.assertEqual(created.status_code, 201, created.content)
        self.expect_personas(
            "/api/v1/reports/closings",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.assertEqual(
            self.client_for("viewer").get("/api/v1/reports/closings").json()["count"], 1
        )
        self.assertEqual(
            self.client_for("secretary").get("/api/v1/reports/closings").json()["count"], 0
        )
        self.assertEqual(
            self.client_for("member").get("/api/v1/reports/closings").json()["count"], 0
        )

    def test_year_close_service_refuses_a_secretary(self) -> None:
        with self.assertRaises(PermissionDenied):
            year_close(actor=self.user("secretary"), org=self.world.branch, year=LAST_YEAR)
