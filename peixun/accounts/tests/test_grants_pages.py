"""Grant pages for every persona: the list with its filters and org paths, the grant form with
its server-side member search, expiry, revoke, the new-tenant page, and the secretary grant
offered after a 书记/副书记/组织委员 is appointed to a branch."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.models import AuditEvent
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_user

LIST = "/accounts/grants/"
NEW = "/accounts/grants/new/"
USERS = "/accounts/grants/users/"
TENANT = "/accounts/tenants/new/"

ADMIN_ONLY = {
    "anonymous": 302,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "viewer": 404,
    "org_admin": 200,
}


class GrantPagePersonaTests(PersonaTestCase):
    unit_admin: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.unit_admin = make_user("unit_admin", role="org_admin", org=cls.world.unit)

    def secretary_grant(self) -> Grant:
        return Grant.objects.get(user=self.user("secretary"))

    def platform_client(self) -> Client:
        client = Client()
        client.force_login(self.world.platform_admin)
        return client

    def test_list(self) -> None:
        self.expect_personas(LIST, ADMIN_ONLY)
        self.expect_personas(f"{LIST}?org={self.world.far_branch.pk}", ADMIN_ONLY)

    def test_list_shows_org_paths_and_filters(self) -> None:
        client = self.client_for("org_admin")
        body = client.get(f"{LIST}?org={self.world.root.pk}").content.decode()
        self.assertIn("测试县直机关工委 › 测试局机关党委 › </span>第一党支部", body)
        self.assertIn("王芳", body)  # the secretary, by member name
        self.assertIn("唯一管理员", body)  # the root's only org admin cannot be revoked
        only_viewers = client.get(f"{LIST}?role=viewer").content.decode()
        self.assertIn(">viewer<", only_viewers.replace("\n", ""))
        self.assertNotIn("王芳", only_viewers)
        self.assertIn("王芳", client.get(f"{LIST}?q=王").content.decode())
        self.assertNotIn("王芳", client.get(f"{LIST}?q=赵").content.decode())

    def test_unit_admin_sees_their_subtree_only(self) -> None:
        client = Client()
        client.force_login(self.unit_admin)
        body = client.get(LIST).content.decode()
        self.assertIn("王芳", body)  # the branch's secretary, inside the unit
        self.assertNotIn(">viewer<", body.replace("\n", ""))  # the root's viewer is above
        self.assertEqual(client.get(f"{LIST}?org={self.world.root.pk}").status_code, 404)
        self.assertEqual(client.get(f"{LIST}?org={self.world.far_branch.pk}").status_code, 404)

    def test_new_form(self) -> None:
        self.expect_personas(NEW, ADMIN_ONLY)
        self.expect_personas(f"{USERS}?q=李", ADMIN_ONLY)

    def test_member_search_on_the_server(self) -> None:
        client = self.client_for("org_admin")
        found = client.get(f"{USERS}?q=李&org={self.world.branch.pk}").content.decode()
        self.assertIn("李明", found)
        self.assertIn("测试局机关党委 › 第一党支部", found)
        self.assertNotIn(
            "李明", client.get(f"{USERS}?q=李&org={self.world.far_branch.pk}").content.decode()
        )
        unit = Client()
        unit.force_login(self.unit_admin)
        # 孙丽 has no login, and is outside the unit anyway; 赵强 is in the unit.
        self.assertIn("赵强", unit.get(f"{USERS}?q=赵").content.decode())
        self.assertNotIn("孙丽", client.get(f"{USERS}?q=孙").content.decode())  # no login

    def test_grant_through_the_form(self) -> None:
        client = self.client_for("org_admin")
        day = timezone.localdate() + dt.timedelta(days=90)
        response = client.post(
            f"{NEW}?org={self.world.root.pk}",
            {
                "user": self.user("member").pk,
                "role": "viewer",
                "org": self.world.unit.pk,
                "expires_on": day.isoformat(),
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        grant = Grant.objects.get(user=self.user("member"))
        self.assertEqual(
            (grant.role, grant.org, grant.expires_on), ("viewer", self.world.unit, day)
        )

    def test_form_bad_input_stores_nothing(self) -> None:
        client = self.client_for("org_admin")
        cases = [
            {"role": "viewer", "org": self.world.unit.pk},  # nobody picked
            {"user": self.user("member").pk, "role": "secretary", "org": self.world.unit.pk},
            {
                "user": self.user("member").pk,
                "role": "viewer",
                "org": self.world.unit.pk,
                "expires_on": "2020-01-01",
            },
            {"user": self.world.platform_admin.pk, "role": "viewer", "org": self.world.unit.pk},
        ]
        for data in cases:
            with self.subTest(data=data):
                response = client.post(NEW, data)
                self.assertEqual(response.status_code, 200)
                self.assertIn("invalid-feedback", response.content.decode())
        self.assertFalse(Grant.objects.filter(user=self.user("member")).exists())

    def test_unit_admin_org_picker_stays_in_the_subtree(self) -> None:
        client = Client()
        client.force_login(self.unit_admin)
        self.assertEqual(client.get(NEW).status_code, 200)
        offered = [
            row["text"]
            for row in client.get(NEW, {"pick": "org", "pick_q": "党支部"}).json()["results"]
        ]
        self.assertEqual(
            offered,
            [
                "测试县直机关工委 › 测试局机关党委 › 第一党支部",
                "测试县直机关工委 › 测试局机关党委 › 第二党支部",
            ],
        )
        response = client.post(
            NEW, {"user": self.user("member").pk, "role": "org_admin", "org": self.world.root.pk}
        )
        self.assertEqual(response.status_code, 200)  # the root is not a choice
        self.assertFalse(Grant.objects.filter(user=self.user("member")).exists())

    def test_edit_expiry(self) -> None:
        url = f"/accounts/grants/{self.secretary_grant().pk}/"
        self.expect_personas(url, ADMIN_ONLY)
        day = timezone.localdate() + dt.timedelta(days=10)
        response = self.client_for("org_admin").post(url, {"expires_on": day.isoformat()})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.secretary_grant().expires_on, day)
        response = self.client_for("org_admin").post(url, {"expires_on": "2020-01-01"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.secretary_grant().expires_on, day)

    def test_revoke(self) -> None:
        url = f"/accounts/grants/{self.secretary_grant().pk}/revoke/"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 302,
            },
            method="post",
        )
        self.assertFalse(Grant.objects.filter(user=self.user("secretary")).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="grant.revoke").exists())

    def test_revoke_last_admin_says_why(self) -> None:
        own = Grant.objects.get(user=self.user("org_admin"))
        response = self.client_for("org_admin").post(
            f"/accounts/grants/{own.pk}/revoke/", follow=True
        )
        self.assertIn("唯一的党组织管理员", response.content.decode())
        self.assertTrue(Grant.objects.filter(pk=own.pk).exists())

    def test_unit_admin_cannot_revoke_above(self) -> None:
        viewer_grant = Grant.objects.get(user=self.user("viewer"))
        client = Client()
        client.force_login(self.unit_admin)
        self.assertEqual(
            client.post(f"/accounts/grants/{viewer_grant.pk}/revoke/").status_code, 404
        )
        self.assertTrue(Grant.objects.filter(pk=viewer_grant.pk).exists())

    def test_tenant_page(self) -> None:
        self.expect_personas(
            TENANT,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 404,  # an org admin of a tenant starts no tenant
            },
        )
        client = self.platform_client()
        self.assertEqual(client.get(TENANT).status_code, 200)
        response = client.post(
            TENANT,
            {
                "name": "新县委组织部",
                "code": "X09",
                "kind": "committee",
                "admin_username": "xin",
                "admin_mobile": "",
            },
        )
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("激活码", body)
        root = Organization.objects.get(code="X09")
        self.assertTrue(
            Grant.objects.filter(user__username="xin", org=root, role="org_admin").exists()
        )
        bad = client.post(
            TENANT, {"name": "", "code": "X09", "kind": "committee", "admin_username": ""}
        )
        self.assertEqual(bad.status_code, 200)
        self.assertContains(bad, "invalid-feedback")
        self.assertEqual(Organization.objects.filter(code="X09").count(), 1)

    def test_nav_link_only_for_admins(self) -> None:
        self.assertContains(self.client_for("org_admin").get("/orgs/"), LIST)
        self.assertNotContains(self.client_for("viewer").get("/orgs/"), LIST)


class SecretaryOfferTests(PersonaTestCase):
    """Appointing a 书记/副书记/组织委员 to a branch offers the secretary grant (members' page)."""

    def add_position(self, persona: str, role: str = "secretary") -> str:
        response = self.client_for(persona).post(
            f"/members/{self.world.member.pk}/positions/new/",
            {"org": self.world.branch.pk, "role": role, "kind": "part_time", "since": "2025-01-01"},
        )
        return response.content.decode() if response.status_code == 200 else ""

    def test_org_admin_is_offered_the_grant_and_takes_it(self) -> None:
        body = self.add_position("org_admin", "deputy_secretary")
        self.assertIn("/accounts/grants/secretary/", body)
        offer = "/accounts/grants/secretary/"
        data = {"user": self.user("member").pk, "org": self.world.branch.pk}
        self.expect_personas(
            offer,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 302,
            },
            method="post",
            data=data,
        )
        grant = Grant.objects.get(user=self.user("member"))
        self.assertEqual((grant.role, grant.org), ("secretary", self.world.branch))
        # A second click says so instead of failing.
        response = self.client_for("org_admin").post(offer, data, follow=True)
        self.assertContains(response, "已在该党组织拥有此权限")

    def test_no_offer_for_a_secretary_or_other_positions(self) -> None:
        self.assertEqual(self.add_position("secretary"), "")  # redirected: may not grant
        self.assertEqual(self.add_position("org_admin", "propaganda"), "")
        self.assertFalse(Grant.objects.filter(user=self.user("member")).exists())

    def test_no_offer_without_a_login(self) -> None:
        response = self.client_for("org_admin").post(
            f"/members/{self.world.far_member.pk}/positions/new/",
            {
                "org": self.world.far_branch.pk,
                "role": "secretary",
                "kind": "part_time",
                "since": "2025-01-01",
            },
        )
        self.assertEqual(response.status_code, 302)


class GrantListQueryTests(PersonaTestCase):
    def test_list_query_count_does_not_grow_with_rows(self) -> None:
        client = self.client_for("org_admin")
        client.get(LIST)
        with CaptureQueriesContext(connection) as first:
            client.get(LIST)
        for i in range(5):
            make_user(f"extra{i}", role="viewer", org=self.world.far_branch)
        with CaptureQueriesContext(connection) as second:
            self.assertContains(client.get(LIST), "第三党支部")
        self.assertEqual(len(second.captured_queries), len(first.captured_queries))
