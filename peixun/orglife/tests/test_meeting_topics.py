"""Meetings filtered by topic (the event's hours.Topic), server side, on the list page, its
.xlsx ledger and GET /api/v1/orglife/meetings: "sessions on the Party's innovative theory across
the branches" returns exactly those meetings of the subtree, for every persona."""

from __future__ import annotations

import io
from typing import ClassVar

from openpyxl import load_workbook

from peixun.hours.models import Topic
from peixun.orglife.models import Meeting, MeetingKind
from peixun.testing import PersonaTestCase, ledger_rows

from .test_meetings_fixtures import record

API = "/api/v1/orglife/meetings"
THEORY = Topic.INNOVATION_THEORY


class MeetingTopicTests(PersonaTestCase):
    theory_branch: ClassVar[Meeting]
    theory_other: ClassVar[Meeting]
    theory_far: ClassVar[Meeting]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        admin = w.users["org_admin"]
        cls.theory_branch = record(admin, w.branch, MeetingKind.LECTURE, "理论党课", topic=THEORY)
        cls.theory_other = record(
            admin, w.other_branch, MeetingKind.EXPERT_LECTURE, "理论讲座", topic=THEORY
        )
        cls.theory_far = record(
            admin, w.far_branch, MeetingKind.THEME_DAY, "远方理论", topic=THEORY
        )
        record(admin, w.branch, MeetingKind.LECTURE, "党史党课", topic=Topic.PARTY_HISTORY)
        record(admin, w.other_branch, MeetingKind.COMMITTEE, "支委会")  # topic "other"

    def titles(self, persona: str, query: str) -> set[str]:
        response = self.client_for(persona).get(f"{API}?{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return {item["title"] for item in response.json()["items"]}

    def test_api_filters_by_topic_within_the_subtree(self) -> None:
        unit = self.world.unit.pk
        self.assertEqual(
            self.titles("org_admin", f"topic={THEORY}&org={unit}"), {"理论党课", "理论讲座"}
        )
        self.assertEqual(
            self.titles("org_admin", f"topic={THEORY}"), {"理论党课", "理论讲座", "远方理论"}
        )
        self.assertEqual(
            self.titles("org_admin", f"topic={THEORY}&kind=expert_lecture"), {"理论讲座"}
        )
        self.assertEqual(
            self.titles("viewer", f"topic={THEORY}&org={unit}"), {"理论党课", "理论讲座"}
        )
        # A secretary sees only their branch's, whatever the filter asks.
        self.assertEqual(self.titles("secretary", f"topic={THEORY}"), {"理论党课"})
        self.assertEqual(self.titles("other_secretary", f"topic={THEORY}"), {"理论讲座"})
        self.assertEqual(self.titles("member", f"topic={THEORY}"), set())
        item = self.client_for("org_admin").get(f"{API}?topic={THEORY}&kind=lecture").json()
        self.assertEqual(item["items"][0]["topic"], THEORY)

    def test_api_rejects_an_unknown_topic(self) -> None:
        self.assertEqual(self.client.get(f"{API}?topic={THEORY}").status_code, 401)
        response = self.client_for("org_admin").get(f"{API}?topic=xi")
        self.assertEqual(response.status_code, 422)
        self.assertIn("topic", str(response.json()))

    def test_page_filters_and_shows_the_topic(self) -> None:
        self.expect_personas(
            f"/orglife/?topic={THEORY}",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        page = self.client_for("org_admin").get(
            f"/orglife/?topic={THEORY}&org={self.world.unit.pk}"
        )
        self.assertContains(page, "理论党课")
        self.assertContains(page, "理论讲座")
        self.assertNotContains(page, "远方理论")
        self.assertNotContains(page, "党史党课")
        self.assertContains(page, "党的创新理论")
        self.assertContains(page, 'name="topic"')
        page = self.client_for("other_secretary").get(f"/orglife/?topic={THEORY}")
        self.assertNotContains(page, "理论党课")
        # An unknown topic drops the filter, as every other filter of the page does.
        self.assertContains(self.client_for("secretary").get("/orglife/?topic=xi"), "党史党课")

    def test_export_carries_the_filter_and_the_topic(self) -> None:
        response = self.client_for("org_admin").get(
            f"/orglife/export.xlsx?topic={THEORY}&org={self.world.unit.pk}"
        )
        rows = ledger_rows(load_workbook(io.BytesIO(response.content)).active)[:-1]  # no totals
        self.assertEqual(rows[0][3], "专题类别")
        self.assertEqual({row[4] for row in rows[1:]}, {"理论党课", "理论讲座"})
        self.assertEqual({row[3] for row in rows[1:]}, {"党的创新理论"})
