"""API v1 grants and tenants: every route for every persona, the subtree rule, bad input, audit.

Statuses: anonymous 401; a grant or org in the path or query out of the actor's admin subtrees
404; a user or org named in the body out of scope, or a bad value, 422; a role the actor may not
grant 403.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.test import Client
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.models import AuditEvent
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_user

API = "/api/v1/grants/"
TENANTS = "/api/v1/tenants/"


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data), "content_type": "application/json"}


def fields(response: Any) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


class GrantApiTests(PersonaTestCase):
    unit_admin: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.unit_admin = make_user("unit_admin", role="org_admin", org=cls.world.unit)

    def secretary_grant(self) -> Grant:
        return Grant.objects.get(user=self.user("secretary"))

    def test_list(self) -> None:
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "viewer": 200,
                "org_admin": 200,
            },
        )
        # Only those who give grants read them; the rest see none.
        self.assertEqual(self.client_for("viewer").get(API).json()["count"], 0)
        items = self.client_for("org_admin").get(f"{API}?role=secretary").json()["items"]
        paths = {i["name"]: i["org_path"] for i in items}
        self.assertEqual(paths["王芳"], "测试县直机关工委 › 测试局机关党委 › 第一党支部")
        self.assertEqual(
            self.client_for("org_admin").get(f"{API}?q=赵").json()["items"][0]["username"],
            "other_secretary",
        )

    def test_list_by_org(self) -> None:
        self.expect_personas(
            f"{API}?org={self.world.branch.pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,  # a secretary reads the branch but gives no grants
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 200,
            },
        )
        response = self.client_for("org_admin").get(f"{API}?role=king")
        self.assertEqual(response.status_code, 422)

    def test_detail(self) -> None:
        self.expect_personas(
            f"{API}{self.secretary_grant().pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 200,
            },
        )

    def test_create(self) -> None:
        day = timezone.localdate() + dt.timedelta(days=30)
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 403,
                "viewer": 403,
                "org_admin": 201,
            },
            method="post",
            **body(
                {
                    "user": self.user("member").pk,
                    "role": "viewer",
                    "org": self.world.unit.pk,
                    "expires_on": day.isoformat(),
                }
            ),
        )
        grant = Grant.objects.get(user=self.user("member"))
        self.assertEqual((grant.role, grant.expires_on), ("viewer", day))
        self.assertEqual(grant.granted_by, self.user("org_admin"))
        self.assertTrue(AuditEvent.objects.filter(verb="grant.create").exists())

    def test_create_never_above_and_bad_input(self) -> None:
        client = Client()
        client.force_login(self.unit_admin)
        member = self.user("member").pk
        # The root is above the unit admin: a body org out of scope is a field error.
        response = client.post(
            API, **body({"user": member, "role": "viewer", "org": self.world.root.pk})
        )
        self.assertEqual((response.status_code, fields(response)), (422, {"org"}))
        # 孙丽's branch is outside the unit, and the platform admin has no member: not grantable.
        response = client.post(
            API,
            **body(
                {"user": self.world.platform_admin.pk, "role": "viewer", "org": self.world.unit.pk}
            ),
        )
        self.assertEqual((response.status_code, fields(response)), (422, {"user"}))
        response = client.post(API, **body({"user": member, "role": "platform_admin"}))
        self.assertEqual(response.status_code, 403)
        response = client.post(
            API,
            **body(
                {
                    "user": member,
                    "role": "viewer",
                    "org": self.world.unit.pk,
                    "expires_on": "2020-01-01",
                }
            ),
        )
        self.assertEqual((response.status_code, fields(response)), (422, {"expires_on"}))
        response = client.post(
            API, **body({"user": member, "role": "secretary", "org": self.world.unit.pk})
        )
        self.assertEqual((response.status_code, fields(response)), (422, {"org"}))
        self.assertFalse(Grant.objects.filter(user_id=member).exists())

    def test_update_expiry(self) -> None:
        day = timezone.localdate() + dt.timedelta(days=7)
        self.expect_personas(
            f"{API}{self.secretary_grant().pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 200,
            },
            method="patch",
            **body({"expires_on": day.isoformat()}),
        )
        self.assertEqual(self.secretary_grant().expires_on, day)
        response = self.client_for("org_admin").patch(
            f"{API}{self.secretary_grant().pk}", **body({"expires_on": "2020-01-01"})
        )
        self.assertEqual((response.status_code, fields(response)), (422, {"expires_on"}))
        cleared = self.client_for("org_admin").patch(
            f"{API}{self.secretary_grant().pk}", **body({"expires_on": None})
        )
        self.assertIsNone(cleared.json()["expires_on"])

    def test_revoke(self) -> None:
        self.expect_personas(
            f"{API}{self.secretary_grant().pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 404,
                "org_admin": 204,
            },
            method="delete",
        )
        self.assertFalse(Grant.objects.filter(user=self.user("secretary")).exists())

    def test_revoke_last_admin_is_422(self) -> None:
        own = Grant.objects.get(user=self.user("org_admin"))
        response = self.client_for("org_admin").delete(f"{API}{own.pk}")
        self.assertEqual(response.status_code, 422)
        self.assertIn("唯一的党组织管理员", response.json()["detail"][0]["msg"])

    def test_revoke_above_is_404(self) -> None:
        client = Client()
        client.force_login(self.unit_admin)
        viewer_grant = Grant.objects.get(user=self.user("viewer"))
        self.assertEqual(client.delete(f"{API}{viewer_grant.pk}").status_code, 404)

    def test_tenants(self) -> None:
        payload = {"code": "X05", "name": "新县", "kind": "committee", "admin_username": "xin5"}
        self.expect_personas(
            TENANTS,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 403,
                "viewer": 403,
                "org_admin": 403,
            },
            method="post",
            **body(payload),
        )
        client = Client()
        client.force_login(self.world.platform_admin)
        response = client.post(TENANTS, **body({**payload, "admin_mobile": "13900005555"}))
        self.assertEqual(response.status_code, 201, response.content)
        out = response.json()
        self.assertEqual(
            (out["code"], out["admin_username"], out["admin_has_password"]), ("X05", "xin5", False)
        )
        root = Organization.objects.get(pk=out["org_id"])
        self.assertTrue(
            Grant.objects.filter(org=root, role="org_admin", user__username="xin5").exists()
        )
        # The first admin activates with the code in the answer, all through the API.
        self.assertGreater(dt.datetime.fromisoformat(out["activation_expires_at"]), timezone.now())
        activated = Client().post(
            "/api/v1/accounts/activate",
            **body({"code": out["activation_code"], "password": "Xin-county-2024!"}),
        )
        self.assertEqual(activated.status_code, 200, activated.content)
        self.assertTrue(User.objects.get(username="xin5").check_password("Xin-county-2024!"))
        self.assertTrue(
            AuditEvent.objects.filter(
                verb="account.code_reissue", object_id=str(out["admin_user_id"])
            ).exists()
        )
        again = client.post(TENANTS, **body(payload))
        self.assertEqual((again.status_code, fields(again)), (422, {"code", "admin_username"}))


class GrantApiQueryTests(PersonaTestCase):
    def test_list_query_count_does_not_grow_with_rows(self) -> None:
        client = self.client_for("org_admin")
        client.get(API)  # warm the session
        with self.assertNumQueries(6) as first:
            client.get(API)
        for i in range(5):
            make_user(f"extra{i}", role="viewer", org=self.world.far_branch)
        with self.assertNumQueries(len(first.captured_queries)):
            response = client.get(API)
        self.assertEqual(response.json()["count"], 9)  # not the platform grant
