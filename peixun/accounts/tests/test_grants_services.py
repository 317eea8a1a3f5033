"""Grant services: the subtree rule (never above), platform-only roles, expiry, the last org
admin of a tenant, the tenant a platform admin starts, and the audit events of each change."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.accounts.selectors import grants as selectors
from peixun.accounts.services import (
    grant_create,
    grant_revoke,
    grant_update_expiry,
    tenant_create,
)
from peixun.core.models import AuditEvent
from peixun.core.scoping import can_read_org, forget_scope
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_user


def at_day(day: dt.date) -> mock._patch[mock.MagicMock]:
    """Pretend today is `day` in the tenant's time zone (the clock itself runs on, so the
    session does not expire)."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


class GrantRuleTests(PersonaTestCase):
    unit_admin: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.unit_admin = make_user("unit_admin", role="org_admin", org=cls.world.unit)

    def test_org_admin_grants_a_secretary_in_their_subtree_audited(self) -> None:
        admin = self.user("org_admin")
        grantee = self.user("member")
        grant = grant_create(actor=admin, user=grantee, role="secretary", org=self.world.branch)
        self.assertEqual(grant.granted_by, admin)
        event = AuditEvent.objects.get(verb="grant.create", object_id=str(grant.pk))
        self.assertEqual(event.actor, admin)
        self.assertEqual((event.after or {})["role"], "secretary")
        self.assertIn("李明", event.object_repr)
        self.assertTrue(can_read_org(grantee, self.world.branch))

    def test_within_the_subtree_never_above_it(self) -> None:
        grantee = self.user("member")
        # The unit's admin may grant inside the unit, the unit itself included...
        grant_create(actor=self.unit_admin, user=grantee, role="viewer", org=self.world.unit)
        # ...never on the root above it, nor on a sibling unit's branch.
        for org in (self.world.root, self.world.far_branch):
            with self.assertRaises(PermissionDenied):
                grant_create(actor=self.unit_admin, user=grantee, role="org_admin", org=org)
        self.assertFalse(Grant.objects.filter(user=grantee, role="org_admin").exists())

    def test_platform_admin_is_the_platforms_alone(self) -> None:
        with self.assertRaises(PermissionDenied):
            grant_create(
                actor=self.user("org_admin"),
                user=self.user("member"),
                role="platform_admin",
                org=None,
            )
        grant = grant_create(
            actor=self.world.platform_admin,
            user=self.user("member"),
            role="platform_admin",
            org=None,
        )
        self.assertIsNone(grant.org)

    def test_secretary_and_viewer_grant_nothing(self) -> None:
        for persona in ("secretary", "viewer"):
            with self.assertRaises(PermissionDenied):
                grant_create(
                    actor=self.user(persona),
                    user=self.user("member"),
                    role="viewer",
                    org=self.world.branch,
                )

    def test_bad_input_is_refused_and_stores_nothing(self) -> None:
        admin = self.user("org_admin")
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        cases = [
            ({"role": "king", "org": self.world.branch}, "role"),
            ({"role": "viewer", "org": None}, "org"),
            ({"role": "secretary", "org": self.world.unit}, "org"),  # not a branch
            ({"role": "viewer", "org": self.world.branch, "expires_on": yesterday}, "expires_on"),
        ]
        for kwargs, field in cases:
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                grant_create(actor=admin, user=self.user("member"), **kwargs)  # type: ignore[arg-type]
            self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Grant.objects.filter(user=self.user("member")).exists())

    def test_a_live_grant_twice_is_refused_an_expired_one_renewed(self) -> None:
        admin = self.user("org_admin")
        grantee = self.user("member")
        grant = grant_create(actor=admin, user=grantee, role="viewer", org=self.world.unit)
        with self.assertRaises(ValidationError) as caught:
            grant_create(actor=admin, user=grantee, role="viewer", org=self.world.unit)
        self.assertIn("已在该党组织拥有此权限", str(caught.exception))
        Grant.objects.filter(pk=grant.pk).update(expires_on=dt.date(2020, 1, 1))
        renewed = grant_create(actor=admin, user=grantee, role="viewer", org=self.world.unit)
        self.assertEqual(renewed.pk, grant.pk)
        self.assertIsNone(renewed.expires_on)
        self.assertTrue(AuditEvent.objects.filter(verb="grant.renew").exists())

    def test_revoke_within_the_subtree_audited(self) -> None:
        grant = Grant.objects.get(user=self.user("secretary"))
        with self.assertRaises(PermissionDenied):
            grant_revoke(actor=self.user("other_secretary"), grant=grant)
        grant_revoke(actor=self.unit_admin, grant=grant)
        self.assertFalse(Grant.objects.filter(pk=grant.pk).exists())
        event = AuditEvent.objects.get(verb="grant.revoke")
        self.assertEqual((event.before or {})["role"], "secretary")
        self.assertEqual(event.actor, self.unit_admin)

    def test_revoke_never_above(self) -> None:
        viewer_grant = Grant.objects.get(user=self.user("viewer"))  # on the root
        with self.assertRaises(PermissionDenied):
            grant_revoke(actor=self.unit_admin, grant=viewer_grant)
        platform_grant = Grant.objects.get(user=self.world.platform_admin)
        with self.assertRaises(PermissionDenied):
            grant_revoke(actor=self.user("org_admin"), grant=platform_grant)

    def test_the_last_org_admin_of_a_tenant_stays(self) -> None:
        admin = self.user("org_admin")
        own = Grant.objects.get(user=admin, role="org_admin")
        with self.assertRaises(ValidationError) as caught:
            grant_revoke(actor=admin, grant=own)
        self.assertIn("唯一的党组织管理员", str(caught.exception))
        self.assertIn(self.world.root.name, str(caught.exception))
        with self.assertRaises(ValidationError):
            grant_update_expiry(
                actor=admin, grant=own, expires_on=timezone.localdate() + dt.timedelta(days=3)
            )
        # With a second org admin on the root, the first may step down.
        grant_create(actor=admin, user=self.user("member"), role="org_admin", org=self.world.root)
        grant_revoke(actor=admin, grant=own)
        self.assertFalse(Grant.objects.filter(pk=own.pk).exists())

    def test_update_expiry(self) -> None:
        admin = self.user("org_admin")
        grant = Grant.objects.get(user=self.user("viewer"))
        day = timezone.localdate() + dt.timedelta(days=30)
        grant_update_expiry(actor=admin, grant=grant, expires_on=day)
        grant.refresh_from_db()
        self.assertEqual(grant.expires_on, day)
        event = AuditEvent.objects.get(verb="grant.update")
        self.assertEqual((event.after or {})["expires_on"], day.isoformat())
        with self.assertRaises(ValidationError):
            grant_update_expiry(
                actor=admin, grant=grant, expires_on=timezone.localdate() - dt.timedelta(days=1)
            )
        with self.assertRaises(PermissionDenied):
            grant_update_expiry(actor=self.user("secretary"), grant=grant, expires_on=None)


class ExpiryTests(PersonaTestCase):
    def test_a_persona_loses_access_the_day_after_expiry(self) -> None:
        today = timezone.localdate()
        viewer = self.user("viewer")
        Grant.objects.filter(user=viewer).update(expires_on=today)
        client = Client()
        client.force_login(viewer)
        url = f"/orgs/{self.world.branch.pk}/"
        with at_day(today):
            self.assertEqual(client.get(url).status_code, 200)  # the expiry day still counts
            self.assertTrue(can_read_org(viewer, self.world.branch))
        forget_scope(viewer)
        with at_day(today + dt.timedelta(days=1)):
            self.assertEqual(client.get(url).status_code, 404)
            self.assertEqual(list(selectors.grants_of(viewer.pk)), [])
            self.assertFalse(can_read_org(viewer, self.world.branch))

    def test_expired_managers_are_not_managers(self) -> None:
        Grant.objects.filter(user=self.user("secretary")).update(expires_on=dt.date(2020, 1, 1))
        self.assertEqual(selectors.org_managers(self.world.branch), [])
        self.assertNotIn(self.user("secretary"), selectors.nearest_managers(self.world.branch))


class TenantCreateTests(PersonaTestCase):
    def test_platform_admin_creates_a_tenant_and_its_first_admin(self) -> None:
        root, admin = tenant_create(
            actor=self.world.platform_admin,
            code="x02",
            name="新县委组织部",
            kind="committee",
            admin_username="xinxian",
            admin_mobile="13900001111",
        )
        self.assertEqual(root.depth, 1)
        self.assertEqual(root.code, "X02")
        self.assertFalse(admin.has_usable_password())
        self.assertEqual(admin.mobile, "13900001111")
        grant = Grant.objects.get(user=admin)
        self.assertEqual((grant.role, grant.org), ("org_admin", root))
        self.assertEqual(grant.granted_by, self.world.platform_admin)
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
        self.assertTrue({"org.create", "user.create", "grant.create"} <= verbs)
        # The national rules came with the root (orgs.registry → hours).
        self.assertTrue(root.requirements.exists())

    def test_only_a_platform_admin(self) -> None:
        for persona in ("org_admin", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                tenant_create(
                    actor=self.user(persona),
                    code="X03",
                    name="县",
                    kind="committee",
                    admin_username="a",
                )

    def test_every_bad_field_at_once_and_nothing_stored(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            tenant_create(
                actor=self.world.platform_admin,
                code="T01",  # taken by the test tenant
                name="",
                kind="committee",
                admin_username="org_admin",  # taken
                admin_mobile="12345",
            )
        self.assertEqual(
            set(caught.exception.message_dict), {"code", "name", "admin_username", "admin_mobile"}
        )
        with self.assertRaises(ValidationError) as caught:
            tenant_create(
                actor=self.world.platform_admin,
                code="X04",
                name="好县",
                kind="committee",
                admin_username="bad name!",
            )
        self.assertEqual(set(caught.exception.message_dict), {"admin_username"})
        self.assertFalse(Organization.objects.filter(code="X04").exists())  # the root undone
        self.assertFalse(User.objects.filter(username="bad name!").exists())
