"""The dashboard page and GET /api/v1/reports/dashboard: personas, scope, bad input, drill links.

Org admins and viewers read their subtree; a secretary reads their branch; a plain member never
sees it (404, no navigation entry); anonymous is sent to log in (page) or 401 (API)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peixun.core.models import AuditEvent
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.testing import OtherTenant, PersonaTestCase, make_member

YEAR = 2025
API = "/api/v1/reports/dashboard"


class DashboardPageTests(PersonaTestCase):
    other: ClassVar[OtherTenant]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        entry_record(
            actor=w.users["org_admin"], members=[w.member], on=dt.date(YEAR, 3, 12), hours="60",
            kind="concentrated_training", title="专题培训班", topic="innovation_theory",
            concentrated=True,
        )  # fmt: skip
        cls.other = OtherTenant()

    def url(self, org: Any = None, **params: Any) -> str:
        query = {"year": YEAR, **params}
        if org is not None:
            query["org"] = org.pk
        return reverse("reports:dashboard") + "?" + "&".join(f"{k}={v}" for k, v in query.items())

    # -- personas -----------------------------------------------------------------------------

    def test_root_personas(self) -> None:
        self.expect_personas(
            self.url(self.world.root),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_branch_personas(self) -> None:
        self.expect_personas(
            self.url(self.world.branch),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_without_org_each_reader_lands_on_their_top(self) -> None:
        page = self.client_for("secretary").get(self.url())
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.context["board"].org, self.world.branch)
        page = self.client_for("org_admin").get(self.url())
        self.assertEqual(page.context["board"].org, self.world.root)
        self.assertEqual(self.client_for("member").get(self.url()).status_code, 404)

    def test_other_tenant_is_404(self) -> None:
        client = self.client_for("org_admin")
        self.assertEqual(client.get(self.url(self.other.root)).status_code, 404)
        self.assertEqual(client.get(API, {"org": self.other.root.pk}).status_code, 404)

    def test_navigation_entry_only_for_readers(self) -> None:
        link = f'href="{reverse("reports:dashboard")}"'
        home = reverse("core:home")
        self.assertIn(link, self.client_for("org_admin").get(home).content.decode())
        self.assertIn(link, self.client_for("secretary").get(home).content.decode())
        self.assertNotIn(link, self.client_for("member").get(home).content.decode())

    # -- the page -----------------------------------------------------------------------------

    def test_page_shows_tiles_charts_and_drill_links(self) -> None:
        page = self.client_for("org_admin").get(self.url(self.world.root))
        html = page.content.decode()
        for key in ("compliance", "concentrated", "categories", "regularity", "training"):
            self.assertIn(f'data-tile="{key}"', html)
        self.assertIn("vendor/echarts/echarts.min.js", html)
        self.assertIn('id="dashboard-charts"', html)
        self.assertNotIn("<script>", html)  # no inline script under the CSP
        block = html.split('id="dashboard-charts" type="application/json">')[1]
        charts = json.loads(block.split("</script>")[0])
        self.assertEqual(charts["compliance"]["categories"], ["测试局机关党委", "测试委党委"])
        # A child's name drills to its dashboard; a number to the compliance drill-down.
        self.assertIn(f"org={self.world.unit.pk}&amp;year={YEAR}", html)
        self.assertIn(reverse("compliance:drilldown", args=[self.world.unit.pk]), html)

    def test_bad_year_and_as_of_fall_back(self) -> None:
        client = self.client_for("org_admin")
        page = client.get(self.url(self.world.root, as_of="2024-05-01"))
        self.assertEqual(page.context["board"].as_of, dt.date(YEAR, 12, 31))
        page = client.get(self.url(self.world.root, as_of="not-a-date"))
        self.assertEqual(page.context["board"].as_of, dt.date(YEAR, 12, 31))
        page = client.get(self.url(self.world.root, as_of=f"{YEAR}-06-30"))
        self.assertEqual(page.context["board"].as_of, dt.date(YEAR, 6, 30))
        page = client.get(reverse("reports:dashboard") + "?year=abc&org=x")
        self.assertEqual(page.status_code, 404)  # an org that is not an id
        page = client.get(reverse("reports:dashboard") + "?year=99999")
        self.assertEqual(page.status_code, 200)  # this year instead

    def test_reading_records_nothing(self) -> None:
        before = AuditEvent.objects.count()
        self.client_for("org_admin").get(self.url(self.world.root))
        self.client_for("org_admin").get(API, {"year": YEAR})
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_query_count_does_not_grow_with_members(self) -> None:
        client = self.client_for("org_admin")
        with CaptureQueriesContext(connection) as few:
            client.get(self.url(self.world.root))
        for n in range(30):
            make_member(self.world.other_branch, f"新党员{n}", mobile=f"1390000{n:04d}")
        with CaptureQueriesContext(connection) as many:
            client.get(self.url(self.world.root))
        self.assertEqual(len(few), len(many))

    # -- the API ------------------------------------------------------------------------------

    def test_api_personas(self) -> None:
        self.expect_personas(
            f"{API}?org={self.world.root.pk}&year={YEAR}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            f"{API}?org={self.world.branch.pk}&year={YEAR}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_api_figures_and_drill_urls(self) -> None:
        body = self.client_for("viewer").get(API, {"year": YEAR}).json()
        self.assertEqual(body["org"]["id"], self.world.root.pk)
        self.assertEqual(body["as_of"], f"{YEAR}-12-31")
        tiles = {t["key"]: t for t in body["tiles"]}
        behind = next(f for f in tiles["compliance"]["figures"] if f["key"] == "behind")
        self.assertEqual(behind["value"], 3)  # 王芳, 赵强, 孙丽: nothing recorded
        self.assertIn("status=behind", behind["url"])
        children = [c["org_name"] for c in tiles["compliance"]["children"]]
        self.assertEqual(children, ["测试局机关党委", "测试委党委"])
        participation = next(
            f for f in tiles["concentrated"]["figures"] if f["key"] == "participation"
        )
        self.assertEqual(participation["value"], "25.0")  # a decimal as a string

    def test_api_bad_input_is_422(self) -> None:
        client = self.client_for("org_admin")
        cases: list[tuple[dict[str, Any], str]] = [
            ({"year": 1999}, "year"),
            ({"year": "x"}, "year"),
            ({"year": YEAR, "as_of": "2024-01-01"}, "as_of"),
            ({"as_of": "31/12/2025"}, "as_of"),
            ({"org": 0}, "org"),
        ]
        for params, field in cases:
            answer = client.get(API, params)
            self.assertEqual(answer.status_code, 422, params)
            self.assertIn(field, json.dumps(answer.json()["detail"]), params)
        self.assertEqual(client.get(API, {"org": 10**9}).status_code, 404)
