""" "As of" a date: every compliance figure counts only the confirmed ledger lines dated on or
before it (the line's date, not when it was recorded), on the org page, the member archive, the
selectors and the API. Hand-computed: 李明 has 10 concentrated hours on 2026-10-20 and 20 on
2026-11-20 (plus a reversed 4-hour line on 2026-11-25), so as of 2026-10-31 he has 10."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from peixun.hours import selectors
from peixun.hours.models import Metric, Requirement, Topic
from peixun.hours.services import (
    entry_record,
    entry_reverse,
    requirements_seed_defaults,
    self_study_file,
)
from peixun.testing import PersonaTestCase

YEAR = 2026
AS_OF = dt.date(YEAR, 10, 31)
RULE_32 = "党员每年集中学习培训不少于32学时"


class AsOfTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        # A topic rule, so the per-topic figures (read from the kind × topic rollup) are checked too.
        Requirement.objects.create(
            org=w.root,
            name="党史学习不少于12学时",
            metric=Metric.TOPIC_HOURS,
            topic=Topic.PARTY_HISTORY,
            threshold=Decimal(12),
            valid_from_year=2019,
        )

        def record(on: dt.date, hours: str, **fields: Any) -> Any:
            values: dict[str, Any] = {
                "kind": "concentrated_training",
                "title": "集中轮训",
                "concentrated": True,
                "topic": Topic.PARTY_HISTORY,
            }
            values.update(fields)
            return entry_record(
                actor=w.platform_admin, members=[w.member], on=on, hours=hours, **values
            )

        record(dt.date(YEAR, 10, 20), "10")
        record(dt.date(YEAR, 11, 20), "20")
        (wrong,) = record(dt.date(YEAR, 11, 25), "4", title="记错的活动")
        entry_reverse(actor=w.platform_admin, entry=wrong, reason="重复登记")

    def rule(self, results: list[Any], name: str) -> Any:
        return next(r for r in results if r.name == name)

    def test_member_selector_counts_only_lines_dated_by_then(self) -> None:
        mc = selectors.member_compliance(
            actor=self.actor("org_admin"), member=self.world.member, year=YEAR, as_of=AS_OF
        )
        self.assertEqual(mc.totals.total, Decimal("10.00"))
        self.assertEqual(mc.totals.concentrated, Decimal("10.00"))
        self.assertEqual(mc.totals.concentrated_count, 1)
        self.assertEqual(self.rule(mc.results, RULE_32).achieved, Decimal("10.00"))
        self.assertEqual(self.rule(mc.results, "党史学习不少于12学时").achieved, Decimal("10.00"))
        # Due by 31 October: 32 × 304/365 = 26.65; 10 < 0.8 × 26.65, so behind.
        self.assertEqual(self.rule(mc.results, RULE_32).status, "behind")
        # By 30 November both lines count, the reversed one cancelled by its reversal:
        # 30 ≥ 32 × 334/365 = 29.28, so on track.
        later = selectors.member_compliance(
            actor=self.actor("org_admin"),
            member=self.world.member,
            year=YEAR,
            as_of=dt.date(YEAR, 11, 30),
        )
        self.assertEqual(later.totals.total, Decimal("30.00"))
        self.assertEqual(later.totals.concentrated_count, 2)
        self.assertEqual(self.rule(later.results, RULE_32).due_by_now, Decimal("29.28"))
        self.assertEqual(self.rule(later.results, RULE_32).status, "on_track")

    def test_a_pending_line_after_the_date_adds_nothing(self) -> None:
        # As of 1 December (the lines after it taken off), a self-study still
        # waiting for the secretary, dated later and on the topic of a rule, counts for nothing
        # and breaks nothing (its group has no confirmed hours: it had raised TypeError).
        self_study_file(
            actor=self.user("member"),
            on=dt.date(YEAR, 12, 5),
            hours="3",
            title="自学党史",
            topic=Topic.PARTY_HISTORY,
        )
        report = selectors.org_compliance(
            actor=self.actor("org_admin"),
            org=self.world.branch,
            year=YEAR,
            as_of=dt.date(YEAR, 12, 1),
        )
        topic = next(r for r in report.rules if r.name == "党史学习不少于12学时")
        self.assertEqual(report.summary.per_rule[topic.pk]["met"], 1)  # 李明's 30 hours
        mc = selectors.member_compliance(
            actor=self.actor("org_admin"),
            member=self.world.member,
            year=YEAR,
            as_of=dt.date(YEAR, 12, 1),
        )
        self.assertEqual(self.rule(mc.results, "党史学习不少于12学时").achieved, Decimal("30.00"))

    def test_the_day_itself_counts(self) -> None:
        mc = selectors.member_compliance(
            actor=self.actor("org_admin"),
            member=self.world.member,
            year=YEAR,
            as_of=dt.date(YEAR, 11, 20),
        )
        self.assertEqual(mc.totals.total, Decimal("30.00"))

    def test_org_summary_and_page(self) -> None:
        w = self.world
        report = selectors.org_compliance(actor=self.actor("org_admin"), org=w.branch, year=YEAR)
        members = report.summary.members - report.summary.exempt
        self.assertEqual(
            report.summary.average_hours, (Decimal(30) / members).quantize(Decimal("0.01"))
        )
        url = reverse("compliance:org", args=[w.branch.pk]) + f"?year={YEAR}&as_of={AS_OF}"
        response = self.client_for("secretary").get(url)
        self.assertEqual(response.status_code, 200)
        summary = response.context["report"].summary
        self.assertEqual(summary.average_hours, (Decimal(10) / members).quantize(Decimal("0.01")))
        self.assertEqual(summary.coverage, Decimal(1) / members)
        row = next(mc for mc in response.context["page"].object_list if mc.member_id == w.member.pk)
        self.assertEqual(self.rule(row.results, RULE_32).achieved, Decimal("10.00"))

    def test_member_archive_page(self) -> None:
        url = reverse("compliance:member", args=[self.world.member.pk])
        response = self.client_for("member").get(url + f"?year={YEAR}&as_of={AS_OF}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["as_of"], AS_OF)
        report = response.context["report"]
        self.assertEqual(report.totals.total, Decimal("10.00"))
        self.assertEqual(self.rule(report.results, RULE_32).achieved, Decimal("10.00"))
        self.assertContains(response, 'value="2026-10-31"')
        # The entries listed are the lines the figures count: only the one of 20 October.
        self.assertEqual([e.on for e in response.context["entries"]], [dt.date(YEAR, 10, 20)])
        # A date outside the year asked for falls back to the year's default.
        response = self.client_for("member").get(url + f"?year={YEAR}&as_of=2025-10-31")
        self.assertNotEqual(response.context["as_of"], dt.date(2025, 10, 31))

    def test_api_member(self) -> None:
        url = f"/api/v1/compliance/members/{self.world.member.pk}?year={YEAR}&as_of={AS_OF}"
        data = self.client_for("secretary").get(url).json()
        self.assertEqual(Decimal(data["totals"]["total"]), Decimal(10))
        self.assertEqual(data["totals"]["concentrated_count"], 1)
        kind = data["totals"]["by_kind"]["concentrated_training"]
        self.assertEqual((Decimal(kind["hours"]), kind["entries"]), (Decimal(10), 1))
        self.assertEqual(Decimal(data["totals"]["by_topic"]["party_history"]), Decimal(10))
        rule = next(r for r in data["results"] if r["name"] == RULE_32)
        self.assertEqual(Decimal(rule["achieved"]), Decimal(10))
        later = self.client_for("secretary").get(url.replace(str(AS_OF), "2026-11-30")).json()
        self.assertEqual(Decimal(later["totals"]["total"]), Decimal(30))
        self.assertEqual(later["totals"]["by_kind"]["concentrated_training"]["entries"], 2)

    def test_api_org(self) -> None:
        w = self.world
        url = f"/api/v1/compliance/orgs/{w.branch.pk}?year={YEAR}&as_of={AS_OF}"
        data = self.client_for("org_admin").get(url).json()
        members = data["members"] - data["exempt"]
        self.assertEqual(
            Decimal(data["average_hours"]),
            (Decimal(10) / members).quantize(Decimal("0.01")),
        )
