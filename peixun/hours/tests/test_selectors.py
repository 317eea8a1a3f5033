"""Selectors of entries and rules: scope first, then filters; the audience of a rule."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from peixun.hours import selectors
from peixun.hours.models import CreditEntry, HoursSettings, Requirement
from peixun.hours.services import entry_approve, entry_record, self_study_file
from peixun.members.models import Member
from peixun.orgs.models import Position
from peixun.testing import PersonaTestCase, make_member

TODAY = timezone.localdate()


class EntrySelectorTests(PersonaTestCase):
    ours: ClassVar[list[CreditEntry]]
    theirs: ClassVar[list[CreditEntry]]
    far: ClassVar[list[CreditEntry]]
    filed: ClassVar[CreditEntry]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.ours = entry_record(
            actor=w.users["secretary"],
            members=[w.member, w.secretary_member],
            on=TODAY,
            hours="2",
            kind="theme_day",
            title="主题党日",
        )
        cls.theirs = entry_record(
            actor=w.users["other_secretary"],
            members=[w.other_member],
            on=TODAY,
            hours="1",
            kind="party_lecture",
            title="党课",
        )
        cls.far = entry_record(
            actor=w.users["org_admin"],
            members=[w.far_member],
            on=TODAY,
            hours="4",
            kind="concentrated_training",
            title="培训班",
            concentrated=True,
        )
        cls.filed = self_study_file(actor=w.users["member"], on=TODAY, hours="1", title="自学")

    def ids(self, persona: str, **filters: object) -> set[int]:
        qs = selectors.entry_list(
            actor=self.actor(persona),
            filters=selectors.EntryFilters(**filters),  # type: ignore[arg-type]
        )
        return set(qs.values_list("pk", flat=True))

    def test_scope(self) -> None:
        ours = {e.pk for e in self.ours} | {self.filed.pk}
        self.assertEqual(self.ids("secretary"), ours)
        self.assertEqual(self.ids("other_secretary"), {self.theirs[0].pk})
        self.assertEqual(self.ids("member"), {self.ours[0].pk, self.filed.pk})
        self.assertEqual(len(self.ids("viewer")), 5)
        self.assertEqual(self.ids("anonymous"), set())

    def test_filters(self) -> None:
        w = self.world
        self.assertEqual(self.ids("org_admin", org=w.far_unit), {self.far[0].pk})
        self.assertEqual(self.ids("org_admin", member=w.member), {self.ours[0].pk, self.filed.pk})
        self.assertEqual(self.ids("org_admin", kind="party_lecture"), {self.theirs[0].pk})
        self.assertEqual(self.ids("org_admin", state="pending"), {self.filed.pk})
        self.assertEqual(self.ids("org_admin", year=TODAY.year - 1), set())

    def test_write_lookups_404_out_of_scope(self) -> None:
        with self.assertRaises(Http404):
            selectors.entry_manageable_or_404(actor=self.user("viewer"), pk=self.ours[0].pk)
        with self.assertRaises(Http404):
            selectors.entry_manageable_or_404(actor=self.user("other_secretary"), pk="x")
        with self.assertRaises(Http404):
            selectors.entry_visible_or_404(actor=self.user("member"), pk=self.ours[1].pk)
        got = selectors.entry_manageable_or_404(actor=self.user("secretary"), pk=self.ours[0].pk)
        self.assertEqual(got.pk, self.ours[0].pk)

    def test_pending_and_stages(self) -> None:
        self.assertEqual(
            [e.pk for e in selectors.pending_for(actor=self.user("secretary"))], [self.filed.pk]
        )
        self.assertEqual(list(selectors.pending_for(actor=self.user("viewer"))), [])
        self.assertEqual(list(selectors.pending_for(actor=self.user("other_secretary"))), [])
        HoursSettings.objects.create(tenant=self.world.root, two_stage_approval=True)
        entry_approve(actor=self.user("secretary"), entry=self.filed)
        for persona, can_act in (("secretary", False), ("org_admin", True)):
            rows = list(selectors.pending_for(actor=self.user(persona)))
            selectors.attach_stages(self.user(persona), rows)
            stages = [(r.stage, r.can_act) for r in rows]  # type: ignore[attr-defined]
            self.assertEqual(stages, [("org_admin", can_act)])

    def test_self_study_mine(self) -> None:
        mine = selectors.self_study_mine(actor=self.user("member"))
        self.assertEqual([e.pk for e in mine], [self.filed.pk])
        self.assertEqual(list(selectors.self_study_mine(actor=self.user("org_admin"))), [])

    def test_record_orgs_and_members(self) -> None:
        w = self.world
        self.assertEqual(
            [o.pk for o in selectors.record_org_choices(actor=self.user("secretary"))],
            [w.branch.pk, w.group.pk],
        )
        self.assertEqual(selectors.record_org_choices(actor=self.user("viewer")), [])
        self.assertEqual(
            [o.pk for o in selectors.record_org_choices(actor=self.user("org_admin"), q="第三")],
            [w.far_branch.pk],
        )
        with self.assertRaises(Http404):
            selectors.record_org_or_404(actor=self.user("secretary"), pk=w.other_branch.pk)
        with self.assertRaises(Http404):
            selectors.record_org_or_404(actor=self.user("org_admin"), pk=w.unit.pk)
        names = [
            m.name for m in selectors.record_members(actor=self.user("org_admin"), org=w.branch)
        ]
        self.assertEqual(sorted(names), sorted(["李明", "王芳"]))


class RuleSelectorTests(PersonaTestCase):
    probationary: ClassVar[Member]
    cadre: ClassVar[Member]
    rule: ClassVar[Requirement]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.probationary = make_member(w.branch, "钱预备", status="probationary", confirmed_on=None)
        cls.cadre = make_member(w.other_branch, "吴科长", cadre_rank="township")
        Position.objects.create(
            member=cls.cadre, org=w.other_branch, role="organization", since=dt.date(2020, 1, 1)
        )
        # A position that ended does not count today.
        Position.objects.create(
            member=w.member,
            org=w.branch,
            role="organization",
            since=dt.date(2019, 1, 1),
            until=dt.date(2020, 1, 1),
        )
        cls.rule = Requirement.objects.create(
            org=w.root,
            name="年度学时",
            metric="total_hours",
            threshold=50,
            valid_from_year=TODAY.year - 1,
            valid_to_year=TODAY.year,
            statuses=["full"],
        )

    def count(self, persona: str, org: object = None, **data: object) -> int:
        return selectors.requirement_audience_count(
            actor=self.user(persona),
            rule_or_data=data,
            org=org or self.world.root,  # type: ignore[arg-type]
        )

    def test_audience_count(self) -> None:
        self.assertEqual(self.count("org_admin"), 6)
        self.assertEqual(self.count("org_admin", statuses=["full"]), 5)
        self.assertEqual(self.count("org_admin", statuses=["probationary"]), 1)
        self.assertEqual(self.count("org_admin", cadre_ranks=["township", "county_plus"]), 1)
        self.assertEqual(self.count("org_admin", positions=["organization"]), 1)
        self.assertEqual(self.count("org_admin", positions=["secretary", "organization"]), 2)
        self.assertEqual(self.count("org_admin", org=self.world.other_branch), 2)
        # Only the members the actor may see are counted.
        self.assertEqual(self.count("secretary"), 3)
        self.assertEqual(
            selectors.requirement_audience_count(
                actor=self.user("org_admin"), rule_or_data=self.rule, org=self.world.root
            ),
            5,
        )

    def test_audience_text(self) -> None:
        text = selectors.requirement_audience_text(
            rule_or_data={"statuses": ["full", "probationary"], "positions": ["secretary"]},
            org=self.world.root,
        )
        self.assertIn(self.world.root.name, text)
        everyone = selectors.requirement_audience_text(rule_or_data={}, org=self.world.unit)
        self.assertNotEqual(text, everyone)
        self.assertIn(self.world.unit.name, everyone)

    def test_rules_for_year_and_scope(self) -> None:
        far = Requirement.objects.create(
            org=self.world.far_unit,
            name="远方规则",
            metric="total_hours",
            threshold=10,
            valid_from_year=TODAY.year,
        )
        self.assertEqual(
            list(selectors.rules_for(actor=self.user("secretary"), year=TODAY.year)), [self.rule]
        )
        self.assertEqual(
            list(selectors.rules_for(actor=self.user("org_admin"), year=TODAY.year)),
            [self.rule, far],
        )
        self.assertEqual(
            list(selectors.rules_for(actor=self.user("org_admin"), year=TODAY.year + 1)), [far]
        )
        self.assertEqual(list(selectors.rules_for(actor=AnonymousUser())), [])
        with self.assertRaises(Http404):
            selectors.rule_visible_or_404(actor=self.user("secretary"), pk=far.pk)
        with self.assertRaises(Http404):
            selectors.rule_org_or_404(actor=self.user("secretary"), pk=self.world.branch.pk)
        self.assertEqual(
            selectors.rule_org_or_404(actor=self.user("org_admin"), pk=self.world.branch.pk),
            self.world.branch,
        )
        self.assertEqual(selectors.admin_roots(actor=self.user("org_admin")), [self.world.root])
        self.assertEqual(selectors.admin_roots(actor=self.user("viewer")), [])
