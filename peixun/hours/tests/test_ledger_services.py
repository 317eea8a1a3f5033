import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, YearlyRollup
from peixun.hours.selectors import rollup_differences
from peixun.hours.services import (
    entry_approve,
    entry_record,
    entry_reject,
    entry_reverse,
    rollup_rebuild,
    self_study_file,
)
from peixun.testing import PersonaTestCase

DAY = dt.date(2025, 3, 12)


class LedgerServiceTests(PersonaTestCase):
    def record(self, persona: str = "secretary", **kw):  # type: ignore[no-untyped-def]
        args: dict[str, Any] = {
            "members": [self.world.member, self.world.secretary_member],
            "on": DAY,
            "hours": "4",
            "kind": "concentrated_training",
            "title": "党的二十届三中全会精神专题培训",
            "topic": "innovation_theory",
            "concentrated": True,
        }
        args.update(kw)
        return entry_record(actor=self.user(persona), **args)

    def test_record_snapshots_branch_and_updates_rollup(self) -> None:
        entries = self.record()
        self.assertEqual({e.org_id for e in entries}, {self.world.branch.pk})
        cell = YearlyRollup.objects.get(member=self.world.member, year=2025)
        self.assertEqual(
            (cell.hours, cell.concentrated_hours, cell.entries), (Decimal(4), Decimal(4), 1)
        )
        self.assertEqual(AuditEvent.objects.filter(verb="hours.record").count(), 2)
        self.assertEqual(rollup_differences(), [])

    def test_bad_input_stores_nothing(self) -> None:
        bad: list[dict[str, Any]] = [
            {"hours": "-2"},
            {"hours": "0"},
            {"hours": "1.1"},
            {"hours": "9999"},
            {"hours": "abc"},
            {"on": dt.date(2025, 1, 1), "year": 2024},
            {"on": dt.date(2999, 1, 1)},
            {"kind": "nonsense"},
            {"title": "  "},
            {"members": []},
            {"members": [self.world.far_member]},
            {"on": dt.date(2005, 1, 1)},
        ]
        for kw in bad:
            with self.subTest(kw=kw), self.assertRaises(ValidationError):
                self.record(**kw)
        self.assertEqual(CreditEntry.objects.count(), 0)
        self.assertEqual(YearlyRollup.objects.count(), 0)

    def test_the_branch_of_the_day_may_credit_a_member_who_has_moved_on(self) -> None:
        from peixun.members.models import Membership

        w = self.world
        moved = w.member
        # 李明 moved to the other branch after DAY; the first branch's secretary records DAY.
        Membership.objects.filter(member=moved).update(until=DAY + dt.timedelta(days=1))
        Membership.objects.create(
            member=moved, org=w.other_branch, since=DAY + dt.timedelta(days=1)
        )
        moved.org = w.other_branch
        moved.save(update_fields=["org"])
        (entry,) = self.record(members=[moved])
        self.assertEqual(entry.org_id, w.branch.pk)  # counted to the branch of that day
        # A day after the move, the first branch's secretary may no longer record for him.
        later = DAY + dt.timedelta(days=2)
        with self.assertRaises(ValidationError):
            self.record(members=[moved], on=later)
        # Another branch's secretary never could for the day he was in the first branch.
        with self.assertRaises(ValidationError):
            self.record("other_secretary", members=[w.secretary_member])

    def test_reversal_returns_the_earlier_state_and_cannot_repeat(self) -> None:
        entry = self.record()[0]
        reversal = entry_reverse(actor=self.user("secretary"), entry=entry, reason="重复录入")
        self.assertEqual(reversal.hours, Decimal(-4))
        cell = YearlyRollup.objects.get(member=self.world.member, year=2025)
        self.assertEqual((cell.hours, cell.entries, cell.concentrated_entries), (Decimal(0), 0, 0))
        with self.assertRaises(ValidationError):
            entry_reverse(actor=self.user("secretary"), entry=entry, reason="again")
        with self.assertRaises(ValidationError):
            entry_reverse(
                actor=self.user("secretary"), entry=reversal, reason="reverse the reversal"
            )
        self.assertEqual(rollup_differences(), [])

    def test_self_study_waits_for_approval_then_counts(self) -> None:
        entry = self_study_file(
            actor=self.user("member"),
            on=DAY,
            hours="2",
            title="自学党章",
            topic="constitution_rules",
        )
        self.assertEqual(entry.state, "pending")
        self.assertFalse(YearlyRollup.objects.exists())
        entry_approve(actor=self.user("secretary"), entry=entry)
        entry.refresh_from_db()
        self.assertEqual(entry.state, "confirmed")
        self.assertEqual(YearlyRollup.objects.get(member=self.world.member).hours, Decimal(2))
        other = self_study_file(actor=self.user("member"), on=DAY, hours="1", title="读书笔记")
        with self.assertRaises(ValidationError):
            entry_reject(actor=self.user("secretary"), entry=other, reason=" ")
        entry_reject(actor=self.user("secretary"), entry=other, reason="请补充学习心得")
        other.refresh_from_db()
        self.assertEqual((other.state, other.reason), ("rejected", "请补充学习心得"))
        self.assertEqual(rollup_differences(), [])

    def test_rebuild_matches_incremental(self) -> None:
        self.record()
        entry = self.record(hours="1.5", concentrated=False, online=True, kind="online_training")[0]
        entry_reverse(actor=self.user("org_admin"), entry=entry, reason="录错")
        before = list(
            YearlyRollup.objects.order_by("member", "kind", "topic").values_list(
                "member", "kind", "topic", "hours", "entries"
            )
        )
        rollup_rebuild()
        after = list(
            YearlyRollup.objects.order_by("member", "kind", "topic").values_list(
                "member", "kind", "topic", "hours", "entries"
            )
        )
        self.assertEqual(before, after)


class NewTenantRulesTests(PersonaTestCase):
    def test_a_new_tenant_starts_with_the_national_defaults(self) -> None:
        from peixun.hours.models import Requirement
        from peixun.hours.services import DEFAULT_RULES
        from peixun.orgs.services import org_create

        tenant = org_create(
            actor=self.world.platform_admin,
            parent=None,
            code="NEW1",
            name="新县委组织部",
            kind="committee",
        )
        rules = Requirement.objects.filter(org=tenant, is_default=True)
        self.assertEqual(rules.count(), len(DEFAULT_RULES))
        self.assertEqual(
            set(rules.values_list("threshold", flat=True)),
            {Decimal(t["threshold"]) for t in DEFAULT_RULES},
        )
