"""Org selectors: what each persona reads, closed orgs, counts and trails in one query each."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser

from peixun.accounts.models import User
from peixun.core.scoping import Actor
from peixun.orgs import selectors
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_member, make_org, make_user

K = Organization.Kind


class SelectorTests(PersonaTestCase):
    def actor(self, persona: str) -> Actor:
        """A fresh user object, so no scope is cached from an earlier call."""
        user = self.world.users.get(persona)
        return User.objects.get(pk=user.pk) if user else AnonymousUser()

    def codes(self, orgs: object) -> set[str]:
        return {o.code for o in orgs}  # type: ignore[attr-defined]

    def test_readable_by_persona(self) -> None:
        everything = set(Organization.objects.values_list("code", flat=True))
        expected = {
            "anonymous": set(),
            "member": set(),  # their own branch shows on 我的, not in the tree
            "secretary": {"T010101", "T01010101"},
            "other_secretary": {"T010102"},
            "org_admin": everything,
            "viewer": everything,
        }
        for persona, codes in expected.items():
            with self.subTest(persona):
                self.assertEqual(self.codes(selectors.orgs_readable(self.actor(persona))), codes)

    def test_secretary_who_is_a_member_elsewhere_reads_only_their_grant(self) -> None:
        # A member of far_branch holding a secretary grant on branch: the tree shows the grant only.
        user = make_user(
            "crossed", member=self.world.far_member, role="secretary", org=self.world.branch
        )
        self.assertEqual(self.codes(selectors.orgs_readable(user)), {"T010101", "T01010101"})

    def test_administered(self) -> None:
        self.assertEqual(selectors.orgs_administered(self.actor("viewer")).count(), 0)
        self.assertEqual(selectors.orgs_administered(self.actor("secretary")).count(), 0)
        self.assertEqual(
            selectors.orgs_administered(self.actor("org_admin")).count(),
            Organization.objects.count(),
        )

    def test_roots(self) -> None:
        self.assertEqual(self.codes(selectors.org_roots_for(actor=self.actor("member"))), set())
        self.assertEqual(
            self.codes(selectors.org_roots_for(actor=self.actor("secretary"))), {"T010101"}
        )
        self.assertEqual(self.codes(selectors.org_roots_for(actor=self.actor("viewer"))), {"T01"})
        closed_root = make_org(None, "Z01", "撤销工委", K.WORKING_COMMITTEE)
        Organization.objects.filter(pk=closed_root.pk).update(closed_on=dt.date(2025, 1, 1))
        platform = self.world.platform_admin
        self.assertEqual(self.codes(selectors.org_roots_for(actor=platform)), {"T01"})
        self.assertEqual(
            self.codes(selectors.org_roots_for(actor=platform, include_closed=True)), {"T01", "Z01"}
        )

    def test_children_hide_closed_and_stay_in_scope(self) -> None:
        closed = make_org(self.world.unit, "T010109", "撤销支部", K.BRANCH)
        Organization.objects.filter(pk=closed.pk).update(closed_on=dt.date(2025, 1, 1))
        viewer = self.actor("viewer")
        unit = self.world.unit
        self.assertEqual(
            self.codes(selectors.org_children(actor=viewer, org=unit)), {"T010101", "T010102"}
        )
        self.assertEqual(
            self.codes(selectors.org_children(actor=viewer, org=unit, include_closed=True)),
            {"T010101", "T010102", "T010109"},
        )
        # Only the children the actor may read: a secretary's own branch, not its sibling.
        self.assertEqual(
            self.codes(selectors.org_children(actor=self.actor("secretary"), org=unit)),
            {"T010101"},
        )

    def test_member_counts_in_one_query(self) -> None:
        make_member(self.world.group, "小组党员")
        orgs = list(Organization.objects.filter(code__startswith="T0101"))
        with self.assertNumQueries(1):
            selectors.attach_member_counts(orgs)
        counts = {o.code: o.member_count for o in orgs}  # type: ignore[attr-defined]
        self.assertEqual(counts, {"T0101": 0, "T010101": 2, "T010102": 1, "T01010101": 1})
        with self.assertNumQueries(0):
            selectors.attach_member_counts([])

    def test_trails_in_one_query(self) -> None:
        orgs = list(Organization.objects.all())
        with self.assertNumQueries(1):
            selectors.attach_ancestor_names(orgs)
        trails = {o.code: o.trail for o in orgs}  # type: ignore[attr-defined]
        self.assertEqual(trails["T01"], [])
        self.assertEqual(trails["T01010101"], ["测试县直机关工委", "测试局机关党委", "第一党支部"])

    def test_search(self) -> None:
        viewer = self.actor("viewer")
        self.assertEqual(selectors.org_search(actor=viewer, q="  "), [])
        found = selectors.org_search(actor=viewer, q="第三")
        self.assertEqual([o.code for o in found], ["T010201"])
        self.assertEqual(found[0].trail, ["测试县直机关工委", "测试委党委"])  # type: ignore[attr-defined]
        self.assertEqual(
            [o.code for o in selectors.org_search(actor=viewer, q="t0101")],
            ["T0101", "T010101", "T010102", "T01010101"],
        )
        self.assertEqual(selectors.org_search(actor=self.actor("member"), q="支部"), [])
        self.assertEqual(len(selectors.org_search(actor=viewer, q="T", limit=2)), 2)

    def test_subtree_member_count(self) -> None:
        self.assertEqual(selectors.org_subtree_member_count(org=self.world.root), 4)
        self.assertEqual(selectors.org_subtree_member_count(org=self.world.unit), 3)

    def test_move_targets(self) -> None:
        admin = self.actor("org_admin")
        self.assertEqual(
            self.codes(selectors.org_move_targets(actor=admin, org=self.world.branch)),
            {"T01", "T0102"},
        )
        self.assertEqual(
            self.codes(selectors.org_move_targets(actor=admin, org=self.world.group)),
            {"T010102", "T010201"},
        )
        self.assertEqual(
            self.codes(
                selectors.org_move_targets(actor=self.actor("viewer"), org=self.world.group)
            ),
            set(),
        )
