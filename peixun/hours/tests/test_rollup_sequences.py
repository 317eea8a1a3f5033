"""Random sequences of records, reversals and self-study decisions across members and years: the
rollup equals the ledger after every step, and record + reverse leaves compliance as it was."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from peixun.hours.models import CreditEntry, MemberYearTotal, YearlyRollup
from peixun.hours.selectors import member_compliance, rollup_differences
from peixun.hours.services import (
    entry_approve,
    entry_record,
    entry_reject,
    entry_reverse,
    requirements_seed_defaults,
    self_study_file,
)
from peixun.testing import PersonaTestCase

YEARS = [2024, 2025, 2026]
KINDS = ["concentrated_training", "online_training", "theme_day", "party_lecture"]
TOPICS = ["innovation_theory", "party_history", "other"]

record_op = st.tuples(
    st.just("record"),
    st.integers(0, 1),  # which member: 0 = the member persona, 1 = the secretary's member
    st.sampled_from(YEARS),
    st.integers(1, 40),  # quarters of an hour
    st.sampled_from(KINDS),
    st.sampled_from(TOPICS),
    st.booleans(),
    st.booleans(),
)
pick_op = st.tuples(st.sampled_from(["reverse", "approve", "reject"]), st.integers(0, 50))
file_op = st.tuples(st.just("file"), st.sampled_from(YEARS), st.integers(1, 16), st.booleans())
operations = st.lists(st.one_of(record_op, pick_op, file_op), min_size=1, max_size=10)


class RollupSequenceTests(HypothesisTestCase, PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        requirements_seed_defaults(
            actor=cls.world.platform_admin, tenant=cls.world.root, from_year=2019
        )

    def apply(self, op: tuple[Any, ...]) -> None:
        w = self.world
        secretary = self.user("secretary")
        if op[0] == "record":
            _, who, year, quarters, kind, topic, concentrated, online = op
            entry_record(
                actor=secretary,
                members=[[w.member, w.secretary_member][who]],
                on=dt.date(year, 3, 1 + quarters % 28),
                hours=Decimal(quarters) / 4,
                kind=kind,
                topic=topic,
                concentrated=concentrated,
                online=online,
                title="学习",
            )
        elif op[0] == "file":
            _, year, quarters, online = op
            self_study_file(
                actor=self.user("member"),
                on=dt.date(year, 5, 1 + quarters),
                hours=Decimal(quarters) / 4,
                title="自学",
                online=online,
            )
        else:
            verb, index = op
            if verb == "reverse":
                candidates = list(
                    CreditEntry.objects.filter(
                        state="confirmed", reverses__isnull=True, reversed_by__isnull=True
                    ).order_by("id")
                )
            else:
                candidates = list(CreditEntry.objects.filter(state="pending").order_by("id"))
            if not candidates:
                return
            entry = candidates[index % len(candidates)]
            if verb == "reverse":
                entry_reverse(actor=secretary, entry=entry, reason="更正")
            elif verb == "approve":
                entry_approve(actor=secretary, entry=entry)
            else:
                entry_reject(actor=secretary, entry=entry, reason="材料不全")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    @given(ops=operations)
    def test_rollup_equals_ledger_after_every_step(self, ops: list[tuple[Any, ...]]) -> None:
        for op in ops:
            self.apply(op)
            self.assertEqual(rollup_differences(), [], op)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    @given(ops=operations, extra=record_op)
    def test_record_then_reverse_restores_compliance(
        self, ops: list[tuple[Any, ...]], extra: tuple[Any, ...]
    ) -> None:
        for op in ops:
            self.apply(op)
        w = self.world
        target = [w.member, w.secretary_member][extra[1]]
        actor = self.user("org_admin")
        before = {y: member_compliance(actor=actor, member=target, year=y) for y in YEARS}
        self.apply(extra)
        newest = CreditEntry.objects.filter(member=target).latest("id")
        entry_reverse(actor=self.user("secretary"), entry=newest, reason="撤销")
        after = {y: member_compliance(actor=actor, member=target, year=y) for y in YEARS}
        for year in YEARS:
            self.assertEqual(before[year].results, after[year].results)
            self.assertEqual(before[year].totals.normalised(), after[year].totals.normalised())
        self.assertEqual(rollup_differences(), [])


class RebuildCommandTests(PersonaTestCase):
    def test_check_passes_then_fails_then_rebuild_fixes(self) -> None:
        w = self.world
        entry_record(
            actor=self.user("secretary"),
            members=[w.member],
            on=dt.date(2025, 4, 1),
            hours="4",
            kind="theme_day",
            title="主题党日",
        )
        out = StringIO()
        call_command("rebuild_rollups", "--check", stdout=out)
        self.assertIn("equals", out.getvalue())
        YearlyRollup.objects.filter(member=w.member).update(hours=Decimal(5))
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command("rebuild_rollups", "--check", "--year", "2025", stdout=out)
        self.assertIn(f"member {w.member.pk} year 2025 theme_day/other", out.getvalue())
        self.assertRegex(out.getvalue(), r"ledger hours=4(\.00)? .* rollup hours=5(\.00)? ")
        call_command("rebuild_rollups", "--year", "2025", stdout=StringIO())
        call_command("rebuild_rollups", "--check", stdout=StringIO())
        self.assertEqual(rollup_differences(), [])
        # The per-member-year totals are checked too, reported as kind and topic "*".
        MemberYearTotal.objects.filter(member=w.member).update(concentrated_entries=3)
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command("rebuild_rollups", "--check", stdout=out)
        self.assertIn(f"member {w.member.pk} year 2025 */*", out.getvalue())
        call_command("rebuild_rollups", stdout=StringIO())
        self.assertEqual(rollup_differences(), [])
        self.assertEqual(MemberYearTotal.objects.get(member=w.member).hours, Decimal(4))
