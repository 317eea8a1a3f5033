"""The three-role separation in grants (三员分立): the security administrator and auditor roles
are given by a security administrator over the org or a platform admin only, never by an org
admin; one person holds roles of one family only; a security administrator keeps the logins and
grants of the subtree without touching business data."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from peixun.accounts.models import Grant, User
from peixun.accounts.services import grant_create, grant_revoke
from peixun.core.models import AuditEvent
from peixun.core.scoping import forget_scope, scope_of
from peixun.testing import PersonaTestCase, make_member, make_user


class SeparationRoleTests(PersonaTestCase):
    security: ClassVar[User]
    unit_security: ClassVar[User]
    clerk: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.security = make_user("security", role=Grant.Role.SECURITY_ADMIN, org=w.root)
        cls.unit_security = make_user("unit_security", role=Grant.Role.SECURITY_ADMIN, org=w.unit)
        # A member with a login and no role yet: who the grants are given to.
        cls.clerk = make_user("clerk", member=make_member(w.branch, "周洁"))

    def client_as(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_scope_of_each_separation_role(self) -> None:
        w = self.world
        scope = scope_of(self.security)
        self.assertEqual(scope.security_paths, (w.root.path,))
        self.assertEqual(scope.audit_paths, (w.root.path,))
        self.assertEqual(scope.account_paths, (w.root.path,))
        self.assertEqual((scope.read_paths, scope.manage_paths, scope.admin_paths), ((), (), ()))
        auditor = make_user("auditor", role=Grant.Role.AUDITOR, org=w.unit)
        scope = scope_of(auditor)
        self.assertEqual(scope.audit_paths, (w.unit.path,))
        self.assertEqual(
            (scope.read_paths, scope.account_paths, scope.security_paths), ((), (), ())
        )

    def test_an_org_admin_may_not_grant_the_separation_roles(self) -> None:
        for role in (Grant.Role.AUDITOR, Grant.Role.SECURITY_ADMIN):
            with self.assertRaises(PermissionDenied):
                grant_create(
                    actor=self.user("org_admin"), user=self.clerk, role=role, org=self.world.unit
                )
        self.assertFalse(Grant.objects.filter(user=self.clerk).exists())

    def test_a_security_admin_grants_them_within_the_subtree_only(self) -> None:
        w = self.world
        grant = grant_create(
            actor=self.security, user=self.clerk, role=Grant.Role.AUDITOR, org=w.unit
        )
        self.assertEqual(grant.granted_by_id, self.security.pk)
        forget_scope(self.clerk)
        self.assertEqual(scope_of(self.clerk).audit_paths, (w.unit.path,))
        event = AuditEvent.objects.get(verb="grant.create", object_id=str(grant.pk))
        self.assertEqual(event.actor_id, self.security.pk)
        with self.assertRaises(PermissionDenied):
            grant_create(
                actor=self.unit_security, user=self.clerk, role=Grant.Role.AUDITOR, org=w.far_unit
            )
        # Org roles too, inside the subtree: logins and grants are the security admin's work.
        other = make_user("other_clerk", member=make_member(w.other_branch, "吴刚"))
        grant_create(
            actor=self.unit_security, user=other, role=Grant.Role.SECRETARY, org=w.other_branch
        )
        with self.assertRaises(PermissionDenied):
            grant_create(actor=self.unit_security, user=other, role=Grant.Role.VIEWER, org=w.root)

    def test_a_platform_admin_grants_a_security_admin(self) -> None:
        grant = grant_create(
            actor=self.world.platform_admin,
            user=self.clerk,
            role=Grant.Role.SECURITY_ADMIN,
            org=self.world.root,
        )
        self.assertEqual(grant.role, Grant.Role.SECURITY_ADMIN)

    def test_one_person_holds_one_family_of_roles(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as caught:
            grant_create(
                actor=self.security,
                user=self.user("secretary"),
                role=Grant.Role.AUDITOR,
                org=w.root,
            )
        self.assertIn("role", caught.exception.message_dict)
        # Nor may a security administrator make themselves an org admin.
        with self.assertRaises(ValidationError):
            grant_create(
                actor=self.security, user=self.security, role=Grant.Role.ORG_ADMIN, org=w.root
            )
        grant_create(actor=self.security, user=self.clerk, role=Grant.Role.AUDITOR, org=w.root)
        with self.assertRaises(ValidationError):
            grant_create(
                actor=self.security, user=self.clerk, role=Grant.Role.SECRETARY, org=w.branch
            )
        self.assertEqual(
            list(Grant.objects.filter(user=self.clerk).values_list("role", flat=True)), ["auditor"]
        )

    def test_an_org_admin_cannot_revoke_or_change_a_separation_grant(self) -> None:
        w = self.world
        grant = grant_create(
            actor=self.security, user=self.clerk, role=Grant.Role.AUDITOR, org=w.unit
        )
        with self.assertRaises(PermissionDenied):
            grant_revoke(actor=self.user("org_admin"), grant=grant)
        client = self.client_for("org_admin")
        page = client.get(reverse("accounts:grants"), {"org": w.root.pk}).content.decode()
        self.assertIn("周洁", page)  # listed (org admins see who holds what in their subtree)
        self.assertNotIn(reverse("accounts:grant_revoke", args=[grant.pk]), page)
        self.assertNotIn(reverse("accounts:grant_edit", args=[grant.pk]), page)
        self.assertEqual(
            client.get(reverse("accounts:grant_edit", args=[grant.pk])).status_code, 404
        )
        self.assertEqual(
            client.post(reverse("accounts:grant_revoke", args=[grant.pk])).status_code, 404
        )
        self.assertTrue(Grant.objects.filter(pk=grant.pk).exists())
        # The security admin may.
        self.security_client = self.client_as(self.security)
        response = self.security_client.post(reverse("accounts:grant_revoke", args=[grant.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Grant.objects.filter(pk=grant.pk).exists())

    def test_the_grant_form_offers_the_separation_roles_to_those_who_may_give_them(self) -> None:
        url = reverse("accounts:grant_new")
        admin_form = self.client_for("org_admin").get(url).content.decode()
        self.assertNotIn('value="auditor"', admin_form)
        self.assertNotIn('value="security_admin"', admin_form)
        security_form = self.client_as(self.security).get(url).content.decode()
        self.assertIn('value="auditor"', security_form)
        self.assertIn('value="security_admin"', security_form)
        # Posting a role the form does not offer is refused, and nothing is stored.
        response = self.client_for("org_admin").post(
            url, {"user": self.clerk.pk, "role": "auditor", "org": self.world.root.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Grant.objects.filter(user=self.clerk).exists())

    def test_a_security_admin_keeps_the_accounts_pages(self) -> None:
        client = self.client_as(self.security)
        org_page = reverse("accounts:org", args=[self.world.root.pk])
        self.assertEqual(client.get(org_page).status_code, 200)
        self.assertEqual(client.get(reverse("accounts:settings")).status_code, 200)
        unit_client = self.client_as(self.unit_security)
        self.assertEqual(unit_client.get(org_page).status_code, 404)
        self.assertEqual(unit_client.get(reverse("accounts:settings")).status_code, 404)
        unit_page = reverse("accounts:org", args=[self.world.unit.pk])
        self.assertEqual(unit_client.get(unit_page).status_code, 200)
