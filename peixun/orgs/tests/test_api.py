"""API v1 for the org tree: every route for every persona, filters, bad input, audit.

Statuses in the API: anonymous 401; an org in the path out of scope 404; a visible org the actor
may not change 403; an org named in the body out of scope, or any bad value, 422.
"""

import json
from typing import Any, ClassVar

from django.test import Client

from peixun.core.models import AuditEvent
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_org

API = "/api/v1/orgs/"


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


def json_kwargs(body: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def error_fields(response: Any) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


class OrgApiPersonaTests(PersonaTestCase):
    empty: ClassVar[Organization]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.empty = make_org(cls.world.unit, "T010103", "空支部", Organization.Kind.BRANCH)

    def test_list(self) -> None:
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_detail(self) -> None:
        self.expect_personas(
            f"{API}{self.world.other_branch.pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_children(self) -> None:
        self.expect_personas(
            f"{API}{self.world.branch.pk}/children",
            {
                "anonymous": 401,
                "member": 200,  # a member sees their own branch, though none of its children
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_patch(self) -> None:
        self.expect_personas(
            f"{API}{self.world.branch.pk}",
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,  # a secretary keeps the roster, not the tree
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 200,
            },
            method="patch",
            **json_kwargs({"name": "第一党支部（改）"}),
        )
        self.world.branch.refresh_from_db()
        self.assertEqual(self.world.branch.name, "第一党支部（改）")

    def test_create(self) -> None:
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 422,  # the parent is out of scope: a field error
                "viewer": 403,
                "org_admin": 201,
            },
            method="post",
            **json_kwargs(
                {
                    "parent": self.world.branch.pk,
                    "code": "T01010102",
                    "name": "第二小组",
                    "kind": "group",
                }
            ),
        )
        self.assertTrue(Organization.objects.filter(code="T01010102").exists())

    def test_move(self) -> None:
        self.expect_personas(
            f"{API}{self.world.group.pk}/move",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 403,
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 200,
            },
            method="post",
            **json_kwargs({"new_parent": self.world.other_branch.pk}),
        )
        self.world.group.refresh_from_db()
        self.assertTrue(self.world.group.path.startswith(self.world.other_branch.path))

    def test_close(self) -> None:
        self.expect_personas(
            f"{API}{self.empty.pk}/close",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 200,
            },
            method="post",
            **json_kwargs({}),
        )
        self.empty.refresh_from_db()
        self.assertIsNotNone(self.empty.closed_on)


class OrgApiReadTests(PersonaTestCase):
    def codes(self, persona: str, query: str = "") -> list[str]:
        response = self.client_for(persona).get(API + query)
        self.assertEqual(response.status_code, 200, response.content)
        return [item["code"] for item in response.json()["items"]]

    def test_secretary_sees_own_subtree_only(self) -> None:
        self.assertEqual(self.codes("secretary"), ["T010101", "T01010101"])

    def test_filters(self) -> None:
        w = self.world
        self.assertEqual(self.codes("org_admin", f"?parent={w.unit.pk}"), ["T010101", "T010102"])
        self.assertEqual(self.codes("org_admin", "?kind=group"), ["T01010101"])
        self.assertEqual(self.codes("org_admin", "?q=第三"), ["T010201"])
        self.assertEqual(self.codes("org_admin", "?q=t0102"), ["T0102", "T010201"])
        self.assertEqual(self.codes("org_admin", "?limit=2&offset=1"), ["T0101", "T010101"])
        response = self.client_for("org_admin").get(API + "?limit=2")
        self.assertEqual(response.json()["count"], 7)
        # A huge limit is clamped to a page of at most 500 rows, not refused.
        self.assertEqual(len(self.codes("org_admin", "?limit=100000")), 7)

    def test_closed_orgs_only_on_request(self) -> None:
        Organization.objects.filter(pk=self.world.far_branch.pk).update(closed_on="2024-01-01")
        self.assertNotIn("T010201", self.codes("org_admin"))
        self.assertIn("T010201", self.codes("org_admin", "?include_closed=true"))

    def test_parent_out_of_scope_is_404_and_bad_filters_422(self) -> None:
        client = self.client_for("secretary")
        self.assertEqual(client.get(f"{API}?parent={self.world.other_branch.pk}").status_code, 404)
        self.assertEqual(client.get(f"{API}?kind=club").status_code, 422)
        self.assertEqual(client.get(f"{API}?parent=abc").status_code, 422)

    def test_detail_shape(self) -> None:
        body = self.client_for("viewer").get(f"{API}{self.world.branch.pk}").json()
        self.assertEqual(body["code"], "T010101")
        self.assertEqual(body["kind"], "branch")
        self.assertTrue(body["kind_label"])
        self.assertEqual(body["parent_id"], self.world.unit.pk)
        self.assertIsNone(body["closed_on"])
        listed = self.client_for("viewer").get(f"{API}{self.world.unit.pk}/children").json()
        self.assertEqual({o["parent_id"] for o in listed["items"]}, {self.world.unit.pk})
        root = self.client_for("viewer").get(f"{API}{self.world.root.pk}").json()
        self.assertIsNone(root["parent_id"])


class OrgApiWriteTests(PersonaTestCase):
    def setUp(self) -> None:
        self.admin = self.client_for("org_admin")
        self.org_count = Organization.objects.count()
        self.audit_count = AuditEvent.objects.count()

    def assert_nothing_stored(self) -> None:
        self.assertEqual(Organization.objects.count(), self.org_count)
        self.assertEqual(AuditEvent.objects.count(), self.audit_count)

    def test_create_writes_audit_event(self) -> None:
        response = send(
            self.admin,
            "post",
            API,
            {"parent": self.world.unit.pk, "code": " t010109 ", "name": "新支部", "kind": "branch"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["code"], "T010109")
        self.assertEqual(body["parent_id"], self.world.unit.pk)
        event = AuditEvent.objects.get(verb="org.create")
        self.assertEqual(event.object_id, str(body["id"]))
        self.assertEqual(event.actor, self.user("org_admin"))

    def test_duplicate_code(self) -> None:
        response = send(
            self.admin,
            "post",
            API,
            {"parent": self.world.unit.pk, "code": "T010102", "name": "重复", "kind": "branch"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"code"})
        self.assert_nothing_stored()

    def test_kind_not_allowed_under_parent(self) -> None:
        response = send(
            self.admin,
            "post",
            API,
            {"parent": self.world.unit.pk, "code": "X1", "name": "小组", "kind": "group"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"kind"})
        self.assert_nothing_stored()

    def test_several_bad_fields_reported_together(self) -> None:
        response = send(
            self.admin,
            "post",
            API,
            {"parent": self.world.unit.pk, "code": "", "name": "  ", "kind": "club"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"code", "name", "kind"})
        self.assert_nothing_stored()

    def test_schema_errors_are_422(self) -> None:
        missing = send(self.admin, "post", API, {"parent": self.world.unit.pk})
        self.assertEqual(missing.status_code, 422)
        self.assertTrue({"code", "name", "kind"} <= error_fields(missing))
        wrong_type = send(
            self.admin, "post", API, {"parent": "one", "code": "X", "name": "X", "kind": "branch"}
        )
        self.assertEqual(wrong_type.status_code, 422)
        bad_date = send(
            self.admin, "post", f"{API}{self.world.group.pk}/close", {"on": "2024-02-30"}
        )
        self.assertEqual(bad_date.status_code, 422)
        self.assert_nothing_stored()

    def test_root_needs_platform_admin(self) -> None:
        body = {"code": "R2", "name": "另一租户", "kind": "committee"}
        self.assertEqual(send(self.admin, "post", API, body).status_code, 403)
        self.assert_nothing_stored()
        platform = Client()
        platform.force_login(self.world.platform_admin)
        response = send(platform, "post", API, body)
        self.assertEqual(response.status_code, 201)
        self.assertIsNone(response.json()["parent_id"])

    def test_patch_code_and_duplicate(self) -> None:
        url = f"{API}{self.world.branch.pk}"
        ok = send(self.admin, "patch", url, {"code": "t010199"})
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual(ok.json()["code"], "T010199")
        self.assertEqual(ok.json()["name"], "第一党支部")
        event = AuditEvent.objects.get(verb="org.rename")
        self.assertEqual(event.before["code"], "T010101")  # type: ignore[index]
        clash = send(self.admin, "patch", url, {"code": "T010102", "name": "改名"})
        self.assertEqual(clash.status_code, 422)
        self.world.branch.refresh_from_db()
        self.assertEqual(
            (self.world.branch.code, self.world.branch.name), ("T010199", "第一党支部")
        )

    def test_move_bad_targets(self) -> None:
        url = f"{API}{self.world.unit.pk}/move"
        under_itself = send(self.admin, "post", url, {"new_parent": self.world.branch.pk})
        self.assertEqual(under_itself.status_code, 422)
        self.assertEqual(error_fields(under_itself), {"new_parent"})
        wrong_kind = send(
            self.admin,
            "post",
            f"{API}{self.world.branch.pk}/move",
            {"new_parent": self.world.other_branch.pk},
        )
        self.assertEqual(wrong_kind.status_code, 422)
        unknown = send(self.admin, "post", url, {"new_parent": 999999})
        self.assertEqual(unknown.status_code, 422)
        self.world.unit.refresh_from_db()
        self.assertEqual(self.world.unit.depth, 2)
        self.assert_nothing_stored()

    def test_close_refused_while_members_remain(self) -> None:
        response = send(self.admin, "post", f"{API}{self.world.far_branch.pk}/close", {})
        self.assertEqual(response.status_code, 422)
        self.world.far_branch.refresh_from_db()
        self.assertIsNone(self.world.far_branch.closed_on)
        self.assert_nothing_stored()
