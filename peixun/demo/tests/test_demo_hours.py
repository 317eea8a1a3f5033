"""The demo's study hours: every ledger invariant holds, the rollup equals the ledger, and the
compliance pages have real spread to show."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import ClassVar

from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.demo.generator import TenantSize, generate_tenant
from peixun.demo.hours import generate_hours
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.hours.models import CreditEntry, Requirement
from peixun.hours.selectors import org_compliance, rollup_differences
from peixun.hours.services.rules import DEFAULT_RULES
from peixun.members.models import Membership
from peixun.orgs.models import Organization

RULE_32 = "党员每年集中学习培训不少于32学时"


class DemoHoursTests(TestCase):
    root: ClassVar[Organization]
    today: ClassVar[dt.date]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", members=240, branches=16, stdout=io.StringIO())
        cls.root = Organization.objects.get(code=DEMO_CODE)
        cls.today = timezone.localdate()

    def test_rollup_equals_ledger(self) -> None:
        self.assertEqual(rollup_differences(), [])

    def test_two_years_of_entries_with_every_invariant(self) -> None:
        entries = list(
            CreditEntry.objects.values_list(
                "member_id", "org_id", "on", "year", "hours", "state", "reverses_id"
            )
        )
        self.assertGreater(len(entries), 240 * 20)
        self.assertEqual({e[3] for e in entries}, {self.today.year - 1, self.today.year})
        stays = defaultdict(list)
        for member_id, org_id, since, until in Membership.objects.values_list(
            "member_id", "org_id", "since", "until"
        ):
            stays[member_id].append((org_id, since, until))
        for member_id, org_id, on, year, hours, _state, _reverses in entries:
            self.assertEqual(year, on.year)
            self.assertLessEqual(on, self.today)
            self.assertEqual(hours % Decimal("0.25"), 0)
            # The org is the member's org on that date, from the membership history.
            held = [
                o
                for o, since, until in stays[member_id]
                if since <= on and (not until or on < until)
            ]
            self.assertEqual(held, [org_id], (member_id, on))

    def test_pending_rejected_and_reversals_present(self) -> None:
        secretary = User.objects.get(username="secretary")
        branch = Grant.objects.get(user=secretary, role=Grant.Role.SECRETARY).org
        assert branch is not None
        pending = CreditEntry.objects.filter(
            state=CreditEntry.State.PENDING, org__path__startswith=branch.path
        )
        self.assertGreaterEqual(pending.count(), 3)  # in the demo secretary's queue
        self.assertTrue(all(e.reflection and e.kind == "self_study" for e in pending))
        rejected = CreditEntry.objects.filter(state=CreditEntry.State.REJECTED)
        self.assertGreaterEqual(rejected.count(), 2)
        # Each refusal carries a reason and was made by someone granted over the entry's org:
        # the demo secretary for the hours demo's own, an admin above for the reading lists'.
        for e in rejected.select_related("org"):
            self.assertTrue(e.reason)
            over = [
                g.org.path
                for g in Grant.objects.filter(user_id=e.decided_by_id).select_related("org")
                if g.org is not None
            ]
            self.assertTrue(any(e.org.path.startswith(p) for p in over), e.pk)
        self.assertTrue(rejected.filter(decided_by=secretary).exists())
        reversals = CreditEntry.objects.filter(reverses__isnull=False).select_related("reverses")
        self.assertGreaterEqual(reversals.count(), 3)
        for r in reversals:
            assert r.reverses is not None
            self.assertEqual(r.hours, -r.reverses.hours)
            self.assertEqual(r.state, CreditEntry.State.CONFIRMED)
            self.assertEqual(r.reverses.state, CreditEntry.State.CONFIRMED)
            self.assertEqual(
                (r.member_id, r.org_id, r.on),
                (r.reverses.member_id, r.reverses.org_id, r.reverses.on),
            )
            self.assertTrue(r.reason)
        # Member filings name the member's own account where there is one.
        member = User.objects.get(username="member")
        filed = CreditEntry.objects.filter(member=member.member, source="self_study")
        self.assertTrue(all(e.recorded_by_id == member.pk for e in filed))

    def test_default_rules_seeded(self) -> None:
        rules = Requirement.objects.filter(org=self.root, is_default=True)
        self.assertEqual(rules.count(), len(DEFAULT_RULES))
        # Each rule holds in its document's years; last year's are the defaults of that year.
        year = self.today.year - 1
        expected = {
            (r["source"], r["name"])
            for r in DEFAULT_RULES
            if r["valid_from_year"] <= year <= (r.get("valid_to_year") or year)
        }
        self.assertEqual({(r.source, r.name) for r in rules if r.holds_in(year)}, expected)

    def test_spread_per_branch(self) -> None:
        # Judged on last year as a whole, so the test does not depend on today's date.
        admin = User.objects.get(username="admin")
        year = self.today.year - 1
        rule = Requirement.objects.get(org=self.root, name=RULE_32)
        healthy = behind = 0
        units = Organization.objects.get_children(self.root)
        for unit in units:
            for child in org_compliance(actor=admin, org=unit, year=year).children:
                counts = child.per_rule.get(rule.pk, {})
                judged = sum(n for s, n in counts.items() if s != "exempt")
                if not judged:
                    continue
                good = counts.get("met", 0) + counts.get("on_track", 0)
                bad = counts.get("behind", 0) + counts.get("at_risk", 0)
                healthy += good / judged > 0.7
                behind += bad / judged > 0.7
        self.assertGreaterEqual(healthy, 8)
        self.assertGreaterEqual(behind, 1)
        self.assertGreater(healthy, behind)

    def test_some_cadres_short_of_online_hours(self) -> None:
        admin = User.objects.get(username="admin")
        summary = org_compliance(actor=admin, org=self.root, year=self.today.year - 1).summary
        rule = Requirement.objects.get(org=self.root, name="干部每年网络自学不少于50学时")
        counts = summary.per_rule[rule.pk]
        self.assertGreater(counts["met"], 0)
        self.assertGreater(counts["behind"] + counts["at_risk"], 0)

    def test_second_load_writes_no_hours(self) -> None:
        before = CreditEntry.objects.count()
        call_command("load_demo", stdout=io.StringIO())
        self.assertEqual(CreditEntry.objects.count(), before)


class GeneratedHoursTests(TestCase):
    def test_entries_per_member_for_benchmarks(self) -> None:
        out = io.StringIO()
        call_command(
            "generate_tenant",
            members=60,
            branches=5,
            code="BENCH",
            entries_per_member=12,
            stdout=out,
        )
        root = Organization.objects.get(code="BENCH")
        entries = CreditEntry.objects.filter(member__org__path__startswith=root.path)
        self.assertGreater(entries.count(), 50 * 6)
        self.assertLessEqual(entries.count(), 60 * 12)
        self.assertEqual(set(entries.values_list("year", flat=True)), {timezone.localdate().year})
        self.assertEqual(rollup_differences(), [])
        self.assertIn("Study hours in", out.getvalue())
        with self.assertRaises(CommandError):
            call_command(
                "generate_tenant",
                members=6,
                branches=2,
                code="X",
                entries_per_member=-1,
                stdout=out,
            )

    def test_deterministic_for_a_seed(self) -> None:
        today = dt.date(2025, 9, 30)
        tenant = generate_tenant(
            code="DET", name="甲", size=TenantSize(members=40, branches=4), seed=7, today=today
        )
        shapes = []
        for _run in range(2):
            with transaction.atomic():
                generate_hours(tenant.root, today=today, seed=7)
                shapes.append(
                    list(
                        CreditEntry.objects.order_by("id").values_list(
                            "member_id", "org_id", "on", "hours", "kind", "topic", "state"
                        )
                    )
                )
                transaction.set_rollback(True)
        self.assertTrue(shapes[0])
        self.assertEqual(shapes[0], shapes[1])


class DemoWarningsTests(TestCase):
    def test_load_demo_sends_todays_warnings_once(self) -> None:
        from peixun.core.models import Notification

        out = io.StringIO()
        call_command("load_demo", members=240, branches=16, stdout=out)
        self.assertIn("Warnings:", out.getvalue())
        sent = Notification.objects.count()
        call_command("run_warnings", stdout=io.StringIO())
        self.assertEqual(Notification.objects.count(), sent)  # same day: nothing new
        # Digests reach only users holding a secretary grant.
        digest_users = set(
            Notification.objects.filter(kind=Notification.Kind.BRANCH_DIGEST).values_list(
                "recipient_id", flat=True
            )
        )
        secretaries = set(
            Grant.objects.filter(role=Grant.Role.SECRETARY).values_list("user_id", flat=True)
        )
        self.assertLessEqual(digest_users, secretaries)
