"""API v1 audit trail: only org admins (over their subtrees) and platform admins read it.

Anyone else gets a 404, as on the audit page: the trail's existence is not theirs to know.
"""

import json

from django.test import Client

from peixun.core.audit import audit_record
from peixun.members.services import member_reveal_id, member_update
from peixun.testing import PersonaTestCase, make_user

API = "/api/v1/audit/"


class AuditApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        member_update(actor=w.users["secretary"], member=w.member, data={"mobile": "13911112222"})
        member_reveal_id(actor=w.users["org_admin"], member=w.far_member)
        audit_record(
            actor=w.users["org_admin"], verb="org.rename", obj=w.far_branch, org=w.far_branch
        )

    def verbs(self, client: Client, query: str = "") -> list[str]:
        response = client.get(API + query)
        self.assertEqual(response.status_code, 200, response.content)
        return [event["verb"] for event in response.json()["items"]]

    def test_personas(self) -> None:
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_lists_newest_first_with_before_and_after(self) -> None:
        response = self.client_for("org_admin").get(API)
        body = response.json()
        self.assertEqual(body["count"], 3)
        self.assertEqual(
            [e["verb"] for e in body["items"]], ["org.rename", "member.reveal_id", "member.update"]
        )
        update = body["items"][2]
        self.assertEqual(update["actor_username"], "secretary")
        self.assertEqual(
            (update["before"]["mobile"], update["after"]["mobile"]), ("13800000001", "13911112222")
        )
        self.assertEqual(update["org_id"], self.world.branch.pk)

    def test_filters(self) -> None:
        client = self.client_for("org_admin")
        self.assertEqual(self.verbs(client, "?verb=member.reveal"), ["member.reveal_id"])
        self.assertEqual(self.verbs(client, "?actor=secretary"), ["member.update"])
        self.assertEqual(self.verbs(client, "?object=孙丽"), ["member.reveal_id"])
        self.assertEqual(self.verbs(client, "?date_from=2999-01-01"), [])
        self.assertEqual(len(self.verbs(client, "?limit=1")), 1)
        self.assertEqual(client.get(API + "?date_from=2024-02-30").status_code, 422)

    def test_org_admin_sees_only_own_subtree(self) -> None:
        unit_admin = make_user("unit_admin", role="org_admin", org=self.world.unit)
        client = Client()
        client.force_login(unit_admin)
        self.assertEqual(self.verbs(client), ["member.update"])  # the far branch is outside

    def test_api_writes_are_audited_with_address(self) -> None:
        token = (
            Client()
            .post(
                "/api/v1/auth/token",
                data=json.dumps({"username": "org_admin", "password": "test-pass-123"}),
                content_type="application/json",
            )
            .json()["token"]
        )
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        renamed = bearer.patch(
            f"/api/v1/orgs/{self.world.group.pk}",
            data=json.dumps({"name": "第一小组"}),
            content_type="application/json",
        )
        self.assertEqual(renamed.status_code, 200, renamed.content)
        newest = bearer.get(API + "?verb=org.rename&limit=1").json()["items"][0]
        self.assertEqual(newest["object_id"], str(self.world.group.pk))
        self.assertEqual(newest["actor_username"], "org_admin")
        self.assertEqual(newest["before"]["name"], "第一党小组")
        self.assertEqual(newest["after"]["name"], "第一小组")
        self.assertEqual(newest["address"], "127.0.0.1")

    def test_platform_admin_sees_events_without_an_org(self) -> None:
        platform = Client()
        platform.force_login(self.world.platform_admin)
        Client().post(
            "/api/v1/auth/token",
            data=json.dumps({"username": "viewer", "password": "test-pass-123"}),
            content_type="application/json",
        )
        self.assertIn("token.issue", self.verbs(platform))
        self.assertNotIn("token.issue", self.verbs(self.client_for("org_admin")))
