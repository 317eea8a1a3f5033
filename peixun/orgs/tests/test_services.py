"""Org services: create, rename, move, close — good input, bad input, permissions, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.services import org_close, org_create, org_move, org_rename
from peixun.testing import PersonaTestCase, make_member, make_org, make_user

K = Organization.Kind


def fresh(user: User | None) -> User:
    """A new instance, so no scope cached before a move leaks into the check after it."""
    assert user is not None
    return User.objects.get(pk=user.pk)


class ServiceTestCase(PersonaTestCase):
    @property
    def admin(self) -> User:
        return fresh(self.user("org_admin"))

    def last_event(self, verb: str, org: Organization) -> AuditEvent:
        return AuditEvent.objects.filter(verb=verb, object_id=str(org.pk)).latest("pk")

    def states(self, event: AuditEvent) -> tuple[dict[str, Any], dict[str, Any]]:
        """The before and after of an event; both must have been recorded."""
        assert event.before is not None and event.after is not None
        return event.before, event.after

    def assert_field_error(self, field: str, call: Any, **kwargs: Any) -> None:
        with self.assertRaises(ValidationError) as caught:
            call(**kwargs)
        self.assertIn(field, caught.exception.message_dict)


class OrgCreateTests(ServiceTestCase):
    def test_creates_child_and_audits_after(self) -> None:
        org = org_create(
            actor=self.admin,
            parent=self.world.unit,
            code=" t010103 ",
            name=" 第三支部 ",
            kind=K.BRANCH,
        )
        self.assertEqual((org.code, org.name), ("T010103", "第三支部"))
        self.assertEqual(Organization.objects.get_parent(org), self.world.unit)
        event = self.last_event("org.create", org)
        self.assertIsNone(event.before)
        after = event.after or {}
        self.assertEqual(after["code"], "T010103")
        self.assertEqual(after["path"], org.path)
        self.assertEqual(event.actor_id, self.admin.pk)

    def test_root_only_for_platform_admin(self) -> None:
        with self.assertRaises(PermissionDenied):
            org_create(actor=self.admin, parent=None, code="R1", name="新", kind=K.COMMITTEE)
        root = org_create(
            actor=self.world.platform_admin, parent=None, code="R1", name="新", kind=K.COMMITTEE
        )
        self.assertEqual(root.depth, 1)

    def test_bad_input_stores_nothing(self) -> None:
        count = Organization.objects.count()
        unit = self.world.unit
        cases = [
            ("code", {"parent": unit, "code": "T010101", "name": "重复", "kind": K.BRANCH}),
            ("code", {"parent": unit, "code": "  ", "name": "无码", "kind": K.BRANCH}),
            ("code", {"parent": unit, "code": "X" * 33, "name": "长码", "kind": K.BRANCH}),
            ("name", {"parent": unit, "code": "T010199", "name": "   ", "kind": K.BRANCH}),
            (
                "kind",
                {"parent": self.world.group, "code": "T0199", "name": "支部", "kind": K.BRANCH},
            ),
            ("kind", {"parent": unit, "code": "T010198", "name": "怪", "kind": "nonsense"}),
        ]
        for field, kwargs in cases:
            with self.subTest(field=field, kwargs=kwargs):
                self.assert_field_error(field, org_create, actor=self.admin, **kwargs)
        self.assertEqual(Organization.objects.count(), count)
        self.assertFalse(AuditEvent.objects.filter(verb="org.create").exists())

    def test_several_bad_fields_reported_together(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            org_create(actor=self.admin, parent=self.world.branch, code="", name="", kind=K.BRANCH)
        self.assertEqual(set(caught.exception.message_dict), {"code", "name", "kind"})

    def test_not_under_a_closed_parent(self) -> None:
        Organization.objects.filter(pk=self.world.far_branch.pk).update(
            closed_on=dt.date(2025, 1, 1)
        )
        far_branch = Organization.objects.get(pk=self.world.far_branch.pk)
        self.assert_field_error(
            "parent",
            org_create,
            actor=self.admin,
            parent=far_branch,
            code="G1",
            name="组",
            kind=K.GROUP,
        )

    def test_secretary_and_viewer_may_not_create(self) -> None:
        for persona in ("secretary", "viewer", "member"):
            with self.subTest(persona=persona), self.assertRaises(PermissionDenied):
                org_create(
                    actor=fresh(self.user(persona)),
                    parent=self.world.branch,
                    code="G2",
                    name="组",
                    kind=K.GROUP,
                )


class OrgRenameTests(ServiceTestCase):
    def test_rename_and_recode_audited(self) -> None:
        org = org_rename(
            actor=self.admin, org=self.world.branch, name="新一支部", code="ｔ０１０１０９"
        )
        org.refresh_from_db()
        self.assertEqual((org.name, org.code), ("新一支部", "T010109"))
        event = self.last_event("org.rename", org)
        before, after = self.states(event)
        self.assertEqual(before["name"], "第一党支部")
        self.assertEqual(before["code"], "T010101")
        self.assertEqual(after["name"], "新一支部")
        self.assertEqual(after["code"], "T010109")

    def test_keeping_its_own_code_is_fine(self) -> None:
        org = org_rename(actor=self.admin, org=self.world.branch, name="改名", code="T010101")
        self.assertEqual(org.code, "T010101")

    def test_bad_input_changes_nothing(self) -> None:
        branch = self.world.branch
        self.assert_field_error(
            "code", org_rename, actor=self.admin, org=branch, name="x", code="T010102"
        )
        self.assert_field_error(
            "name", org_rename, actor=self.admin, org=branch, name=" ", code=None
        )
        self.assertEqual(branch.name, "第一党支部")  # the instance was not touched either
        branch.refresh_from_db()
        self.assertEqual((branch.name, branch.code), ("第一党支部", "T010101"))
        self.assertFalse(AuditEvent.objects.filter(verb="org.rename").exists())

    def test_only_admins(self) -> None:
        with self.assertRaises(PermissionDenied):
            org_rename(actor=fresh(self.user("secretary")), org=self.world.branch, name="x")


class OrgMoveTests(ServiceTestCase):
    def test_moves_the_whole_subtree_and_audits_parents(self) -> None:
        branch, group = self.world.branch, self.world.group
        old_path = branch.path
        moved = org_move(actor=self.admin, org=branch, new_parent=self.world.far_unit)
        group.refresh_from_db()
        self.assertEqual(Organization.objects.get_parent(moved), self.world.far_unit)
        self.assertTrue(group.path.startswith(moved.path))
        self.assertNotEqual(moved.path, old_path)
        event = self.last_event("org.move", moved)
        before, after = self.states(event)
        self.assertEqual(before["parent"], self.world.unit.pk)
        self.assertEqual(after["parent"], self.world.far_unit.pk)
        self.assertEqual(before["path"], old_path)
        self.assertEqual(after["path"], moved.path)

    def test_bad_targets(self) -> None:
        unit, branch = self.world.unit, self.world.branch
        closed = make_org(self.world.root, "T0109", "撤销党委", K.COMMITTEE)
        Organization.objects.filter(pk=closed.pk).update(closed_on=dt.date(2025, 1, 1))
        cases = [
            ("under itself", unit, unit),
            ("under own descendant", unit, branch),
            ("under a closed org", branch, Organization.objects.get(pk=closed.pk)),
            ("kind not allowed", branch, self.world.other_branch),
            ("branch under a group", self.world.other_branch, self.world.group),
        ]
        for label, org, target in cases:
            with self.subTest(label):
                self.assertRaises(
                    ValidationError, org_move, actor=self.admin, org=org, new_parent=target
                )
        self.assertFalse(AuditEvent.objects.filter(verb="org.move").exists())
        branch.refresh_from_db()
        self.assertEqual(Organization.objects.get_parent(branch), unit)

    def test_needs_admin_over_both_ends(self) -> None:
        unit_admin = make_user("unit_admin", role="org_admin", org=self.world.unit)
        with self.assertRaises(PermissionDenied):
            org_move(actor=unit_admin, org=self.world.branch, new_parent=self.world.far_unit)
        with self.assertRaises(PermissionDenied):
            org_move(
                actor=fresh(self.user("viewer")),
                org=self.world.branch,
                new_parent=self.world.far_unit,
            )

    def test_members_scoping_follows_the_move(self) -> None:
        unit_admin = make_user("unit_admin", role="org_admin", org=self.world.unit)
        member = self.world.member
        self.assertTrue(Member.objects.visible_to(fresh(unit_admin)).filter(pk=member.pk).exists())
        org_move(actor=self.admin, org=self.world.branch, new_parent=self.world.far_unit)
        secretary_sees = Member.objects.visible_to(fresh(self.user("secretary")))
        self.assertEqual(
            set(secretary_sees.values_list("pk", flat=True)),
            {member.pk, self.world.secretary_member.pk},
        )
        # The old parent's admin no longer reaches the moved branch or its members.
        unit_admin_sees = Member.objects.visible_to(fresh(unit_admin))
        self.assertEqual(
            set(unit_admin_sees.values_list("pk", flat=True)), {self.world.other_member.pk}
        )
        self.assertFalse(
            Organization.objects.visible_to(fresh(unit_admin))
            .filter(pk=self.world.group.pk)
            .exists()
        )
        # The root admin still sees everything.
        self.assertEqual(Member.objects.visible_to(self.admin).count(), 4)


class OrgCloseTests(ServiceTestCase):
    def test_closes_an_empty_org_and_audits(self) -> None:
        empty = make_org(self.world.unit, "T010107", "空支部", K.BRANCH)
        org_close(actor=self.admin, org=empty, on=dt.date(2026, 3, 1))
        empty.refresh_from_db()
        self.assertEqual(empty.closed_on, dt.date(2026, 3, 1))
        event = self.last_event("org.close", empty)
        before, after = self.states(event)
        self.assertIsNone(before["closed_on"])
        self.assertEqual(after["closed_on"], "2026-03-01")

    def test_refuses_with_members_in_the_subtree(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            org_close(actor=self.admin, org=self.world.far_unit)
        self.assertIn("1", caught.exception.message_dict["org"][0])
        self.world.far_unit.refresh_from_db()
        self.assertIsNone(self.world.far_unit.closed_on)

    def test_refuses_with_open_children(self) -> None:
        committee = make_org(self.world.root, "T0108", "空党委", K.COMMITTEE)
        make_org(committee, "T010801", "空支部", K.BRANCH)
        self.assert_field_error("org", org_close, actor=self.admin, org=committee)
        self.assertFalse(AuditEvent.objects.filter(verb="org.close").exists())

    def test_refuses_twice(self) -> None:
        empty = make_org(self.world.unit, "T010107", "空支部", K.BRANCH)
        org_close(actor=self.admin, org=empty)
        self.assert_field_error("org", org_close, actor=self.admin, org=empty)

    def test_only_admins(self) -> None:
        empty = make_org(self.world.branch, "T01010109", "空小组", K.GROUP)
        with self.assertRaises(PermissionDenied):
            org_close(actor=fresh(self.user("secretary")), org=empty)

    def test_members_elsewhere_do_not_block(self) -> None:
        committee = make_org(self.world.root, "T0108", "空党委", K.COMMITTEE)
        make_member(self.world.far_branch, "别处党员")
        org_close(actor=self.admin, org=committee)
        committee.refresh_from_db()
        self.assertIsNotNone(committee.closed_on)
