"""API v1 for members: every route for every persona, the branch boundary, bad input, audit.

Statuses: anonymous 401; a member out of scope 404; a visible member the actor may not change
403; an org named in the body that the actor cannot use, or any bad value, 422.
"""

import datetime as dt
import io
import json
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from peixun.core.models import AuditEvent
from peixun.members.documents import CHINESE_HEADERS, ROSTER_FIELDS
from peixun.members.models import Member, Membership
from peixun.testing import PersonaTestCase, make_member, new_id_number

API = "/api/v1/members/"


def json_kwargs(body: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, **json_kwargs(body))


def error_fields(response: Any) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


def roster_file(rows: list[dict[str, Any]]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(CHINESE_HEADERS))
    for row in rows:
        sheet.append([row.get(field, "") for field in ROSTER_FIELDS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    return buffer


class MemberApiTestCase(PersonaTestCase):
    def setUp(self) -> None:
        self.counts_before = self.counts()

    def counts(self) -> tuple[int, int, int]:
        return Member.objects.count(), Membership.objects.count(), AuditEvent.objects.count()

    def assert_nothing_stored(self) -> None:
        self.assertEqual(self.counts(), self.counts_before)

    def new_member_body(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "org": self.world.branch.pk,
            "name": "周新",
            "id_number": new_id_number(dt.date(1988, 4, 1)),
            "status": "full",
            "joined_on": "2012-07-01",
            "mobile": "13912345678",
        }
        body.update(fields)
        return body


class MemberApiPersonaTests(MemberApiTestCase):
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
            f"{API}{self.world.other_member.pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,  # the headline: another branch's member does not exist for them
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_history(self) -> None:
        self.expect_personas(
            f"{API}{self.world.member.pk}/history",
            {
                "anonymous": 401,
                "member": 200,  # their own
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_create(self) -> None:
        # In this order the secretary creates the member, and the org admin's identical request
        # then meets the duplicate ID number.
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 403,  # sees their own branch, may not add to it
                "other_secretary": 422,  # the branch is out of their scope: a field error
                "viewer": 403,
                "secretary": 201,
                "org_admin": 422,
            },
            method="post",
            **json_kwargs(self.new_member_body()),
        )
        self.assertEqual(Member.objects.filter(name="周新").count(), 1)

    def test_patch(self) -> None:
        self.expect_personas(
            f"{API}{self.world.member.pk}",
            {
                "anonymous": 401,
                "member": 403,  # may read, not change, their own record
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 200,
                "org_admin": 200,
            },
            method="patch",
            **json_kwargs({"ethnicity": "回族"}),
        )
        self.world.member.refresh_from_db()
        self.assertEqual(self.world.member.ethnicity, "回族")

    def test_transfer(self) -> None:
        self.expect_personas(
            f"{API}{self.world.member.pk}/transfer",
            {
                "anonymous": 401,
                "member": 403,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 201,  # into the group inside their own branch
                "org_admin": 422,  # now already there
            },
            method="post",
            **json_kwargs({"to_org": self.world.group.pk, "effective": "2024-03-01"}),
        )
        self.world.member.refresh_from_db()
        self.assertEqual(self.world.member.org, self.world.group)

    def test_reveal_id(self) -> None:
        self.expect_personas(
            f"{API}{self.world.member.pk}/reveal-id",
            {
                "anonymous": 401,
                "member": 403,  # sees the record, not the plain number
                "secretary": 403,
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 200,
            },
            method="post",
        )
        self.assertEqual(AuditEvent.objects.filter(verb="member.reveal_id").count(), 1)

    def test_import(self) -> None:
        statuses = {
            "anonymous": 401,
            "member": 403,
            "secretary": 200,
            "other_secretary": 200,
            "org_admin": 200,
            "viewer": 403,
        }
        for persona, status in statuses.items():
            row = {"name": "陈新", "id_number": new_id_number(), "status": "full"}
            row.update({"joined_on": "2015-07-01", "org": "T010101"})
            response = self.client_for(persona).post(
                f"{API}import?dry_run=true", {"file": roster_file([row])}
            )
            self.assertEqual(response.status_code, status, f"{persona}: {response.content!r}")
        self.expect_personas(  # the helper's own check that every persona is named
            f"{API}import", {p: 401 if p == "anonymous" else 422 for p in statuses}, method="post"
        )
        self.assert_nothing_stored()


class MemberApiReadTests(MemberApiTestCase):
    def names(self, persona: str, query: str = "") -> list[str]:
        response = self.client_for(persona).get(API + query)
        self.assertEqual(response.status_code, 200, response.content)
        return [item["name"] for item in response.json()["items"]]

    def test_secretary_lists_only_own_branch(self) -> None:
        self.assertEqual(sorted(self.names("secretary")), sorted(["李明", "王芳"]))
        self.assertNotIn("赵强", self.names("secretary", "?q=赵"))

    def test_plain_member_lists_only_themselves(self) -> None:
        self.assertEqual(self.names("member"), ["李明"])

    def test_filters(self) -> None:
        w = self.world
        Member.objects.filter(pk=w.far_member.pk).update(
            cadre_rank="township", exempt_reason="ill", status="probationary"
        )
        self.assertEqual(self.names("org_admin", f"?org={w.unit.pk}&q=赵"), ["赵强"])
        self.assertEqual(self.names("org_admin", f"?org={w.far_unit.pk}"), ["孙丽"])
        self.assertEqual(self.names("org_admin", "?cadre_rank=township"), ["孙丽"])
        self.assertEqual(self.names("org_admin", "?exempt=yes"), ["孙丽"])
        self.assertEqual(self.names("org_admin", "?status=probationary"), ["孙丽"])
        self.assertEqual(self.names("org_admin", "?position=secretary"), ["王芳"])
        self.assertEqual(self.names("org_admin", "?q=1380000000"), ["李明", "赵强"])
        self.assertEqual(len(self.names("org_admin", "?exempt=no")), 3)
        page = self.client_for("org_admin").get(f"{API}?limit=1&offset=1").json()
        self.assertEqual((page["count"], len(page["items"])), (4, 1))

    def test_bad_filters(self) -> None:
        client = self.client_for("secretary")
        self.assertEqual(client.get(f"{API}?org={self.world.other_branch.pk}").status_code, 404)
        self.assertEqual(client.get(f"{API}?status=retired").status_code, 422)
        self.assertEqual(client.get(f"{API}?exempt=maybe").status_code, 422)
        self.assertEqual(client.get(f"{API}?org=x").status_code, 422)

    def test_detail_masks_the_id_number(self) -> None:
        member = self.world.member
        response = self.client_for("org_admin").get(f"{API}{member.pk}")
        body = response.json()
        plain = member.reveal_id_number()
        self.assertNotIn(plain, response.content.decode())
        self.assertNotIn("id_number", body)
        self.assertEqual(body["id_number_masked"], member.id_number_masked)
        self.assertIn("*", body["id_number_masked"])
        self.assertEqual(body["status"], "full")
        self.assertTrue(body["status_label"])
        self.assertEqual(body["birth_date"], "1985-06-15")
        self.assertEqual(body["org_id"], self.world.branch.pk)
        self.assertEqual(body["org_name"], "第一党支部")

    def test_history_lists_memberships_in_order(self) -> None:
        admin = self.client_for("org_admin")
        url = f"{API}{self.world.other_member.pk}"
        moved = send(
            admin,
            "post",
            f"{url}/transfer",
            {"to_org": self.world.far_branch.pk, "effective": "2023-05-01", "note": "调动"},
        )
        self.assertEqual(moved.status_code, 201, moved.content)
        history = admin.get(f"{url}/history").json()
        self.assertEqual([h["org_name"] for h in history], ["第二党支部", "第三党支部"])
        self.assertEqual(history[0]["until"], "2023-05-01")
        self.assertEqual((history[1]["since"], history[1]["note"]), ("2023-05-01", "调动"))

    def test_reveal_returns_plain_number_and_audits(self) -> None:
        member = self.world.member
        response = self.client_for("org_admin").post(f"{API}{member.pk}/reveal-id")
        self.assertEqual(response.json(), {"id_number": member.reveal_id_number()})
        event = AuditEvent.objects.get(verb="member.reveal_id")
        self.assertEqual((event.object_id, event.actor), (str(member.pk), self.user("org_admin")))


class MemberApiWriteTests(MemberApiTestCase):
    def test_create_writes_member_membership_and_audit(self) -> None:
        body = self.new_member_body(since="2020-01-01", gender="M", ethnicity="回")
        response = send(self.client_for("secretary"), "post", API, body)
        self.assertEqual(response.status_code, 201, response.content)
        created = response.json()
        self.assertEqual((created["gender"], created["ethnicity"]), ("M", "回族"))
        self.assertEqual(created["birth_date"], "1988-04-01")  # taken from the ID number
        member = Member.objects.get(pk=created["id"])
        self.assertEqual(member.reveal_id_number(), body["id_number"])
        self.assertEqual(
            list(member.memberships.values_list("org_id", "since")),
            [(self.world.branch.pk, dt.date(2020, 1, 1))],
        )
        event = AuditEvent.objects.get(verb="member.create")
        self.assertEqual(event.object_id, str(member.pk))
        self.assertNotIn(body["id_number"], json.dumps(event.after))

    def test_create_bad_fields_all_reported(self) -> None:
        body = self.new_member_body(
            id_number="110101198804010000", mobile="12345", status="retired"
        )
        response = send(self.client_for("secretary"), "post", API, body)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"id_number", "mobile", "status"})
        self.assert_nothing_stored()

    def test_create_schema_errors_are_422(self) -> None:
        client = self.client_for("secretary")
        missing = send(client, "post", API, {"org": self.world.branch.pk})
        self.assertEqual(missing.status_code, 422)
        self.assertTrue({"name", "id_number"} <= error_fields(missing))
        bad_date = send(client, "post", API, self.new_member_body(joined_on="2012-02-30"))
        self.assertEqual(bad_date.status_code, 422)
        self.assertEqual(error_fields(bad_date), {"joined_on"})
        wrong_type = send(client, "post", API, self.new_member_body(org="第一党支部"))
        self.assertEqual(wrong_type.status_code, 422)
        not_json = client.post(API, data="{", content_type="application/json")
        self.assertEqual(not_json.status_code, 400)
        self.assert_nothing_stored()

    def test_create_into_an_org_that_takes_no_members(self) -> None:
        body = self.new_member_body(org=self.world.unit.pk)
        response = send(self.client_for("org_admin"), "post", API, body)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"org"})
        self.assert_nothing_stored()

    def test_patch_invalid_mobile_changes_nothing(self) -> None:
        member = self.world.member
        url = f"{API}{member.pk}"
        response = send(
            self.client_for("secretary"), "patch", url, {"mobile": "1234", "name": "李明明"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"mobile"})
        member.refresh_from_db()
        self.assertEqual((member.name, member.mobile), ("李明", "13800000001"))
        self.assert_nothing_stored()

    def test_patch_updates_and_audits(self) -> None:
        member = self.world.member
        response = send(
            self.client_for("secretary"),
            "patch",
            f"{API}{member.pk}",
            {"mobile": "139 1111 2222", "cadre_rank": "staff", "education": None},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["mobile"], response.json()["cadre_rank"]), ("13911112222", "staff")
        )
        event = AuditEvent.objects.get(verb="member.update")
        self.assertEqual(event.before["mobile"], "13800000001")  # type: ignore[index]

    def test_patch_cannot_move_the_member(self) -> None:
        member = self.world.member
        url = f"{API}{member.pk}"
        response = send(
            self.client_for("org_admin"), "patch", url, {"org": self.world.other_branch.pk}
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"org"})
        member.refresh_from_db()
        self.assertEqual(member.org, self.world.branch)

    def test_transfer_into_the_future(self) -> None:
        future = timezone.localdate() + dt.timedelta(days=3)
        response = send(
            self.client_for("org_admin"),
            "post",
            f"{API}{self.world.member.pk}/transfer",
            {"to_org": self.world.other_branch.pk, "effective": future.isoformat()},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"effective"})
        self.assert_nothing_stored()

    def test_transfer_out_of_scope_or_unknown_org(self) -> None:
        url = f"{API}{self.world.member.pk}/transfer"
        client = self.client_for("secretary")
        for target in (self.world.other_branch.pk, 999999):
            response = send(client, "post", url, {"to_org": target, "effective": "2024-03-01"})
            self.assertEqual(response.status_code, 422)
            self.assertEqual(error_fields(response), {"to_org"})
        self.world.member.refresh_from_db()
        self.assertEqual(self.world.member.org, self.world.branch)
        self.assert_nothing_stored()

    def test_transfer_schema_errors(self) -> None:
        url = f"{API}{self.world.member.pk}/transfer"
        client = self.client_for("org_admin")
        self.assertEqual(
            send(client, "post", url, {"to_org": self.world.group.pk}).status_code, 422
        )
        bad = send(client, "post", url, {"to_org": self.world.group.pk, "effective": "yesterday"})
        self.assertEqual(bad.status_code, 422)
        self.assert_nothing_stored()


class MemberApiImportTests(MemberApiTestCase):
    def post_roster(self, rows: list[dict[str, Any]], dry_run: bool) -> Any:
        flag = "true" if dry_run else "false"
        return self.client_for("secretary").post(
            f"{API}import?dry_run={flag}", {"file": roster_file(rows)}
        )

    def row(self, **fields: Any) -> dict[str, Any]:
        values = {"name": "陈新", "id_number": new_id_number(), "status": "full"}
        values.update({"joined_on": "2015-07-01", "org": "T010101"})
        values.update(fields)
        return values

    def test_dry_run_then_import(self) -> None:
        rows = [self.row(), self.row(name="刘洋")]
        checked = self.post_roster(rows, dry_run=True)
        self.assertEqual(checked.status_code, 200, checked.content)
        self.assertEqual(
            {k: checked.json()[k] for k in ("ok", "errors", "created", "updated")},
            {"ok": True, "errors": [], "created": 2, "updated": 0},
        )
        self.assert_nothing_stored()
        done = self.post_roster(rows, dry_run=False)
        self.assertEqual((done.json()["ok"], done.json()["created"]), (True, 2))
        self.assertEqual(Member.objects.filter(name__in=["陈新", "刘洋"]).count(), 2)

    def test_bad_rows_store_nothing(self) -> None:
        rows = [self.row(), self.row(mobile="123"), self.row(org="T010102")]
        response = self.post_roster(rows, dry_run=False)
        # A real import that stores nothing is a 422 with the same report as a dry run.
        self.assertEqual(response.status_code, 422)
        body = response.json()
        self.assertFalse(body["ok"])
        self.assertEqual([e["row"] for e in body["errors"]], [3, 4])
        self.assertTrue(all(e["column"] and e["message"] for e in body["errors"]))
        self.assert_nothing_stored()

    def test_not_a_workbook_and_no_file(self) -> None:
        junk = io.BytesIO(b"not a workbook")
        junk.name = "roster.xlsx"
        client = self.client_for("secretary")
        response = client.post(f"{API}import?dry_run=false", {"file": junk})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(response.json()["ok"])
        self.assertIsNone(response.json()["errors"][0]["row"])
        self.assertEqual(client.post(f"{API}import").status_code, 422)
        self.assert_nothing_stored()

    @override_settings(ROSTER_MAX_UPLOAD_BYTES=1000)
    def test_oversized_file_refused(self) -> None:
        big = io.BytesIO(b"x" * 5000)
        big.name = "roster.xlsx"
        response = self.client_for("secretary").post(f"{API}import?dry_run=false", {"file": big})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(response.json()["ok"])
        self.assertEqual(len(response.json()["errors"]), 1)
        self.assert_nothing_stored()


class MemberApiQueryTests(MemberApiTestCase):
    def test_list_queries_do_not_grow_with_rows(self) -> None:
        client = self.client_for("org_admin")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(API).status_code, 200)
                self.assertEqual(client.get("/api/v1/orgs/").status_code, 200)
            return len(captured)

        before = queries()
        for n in range(6):
            make_member(self.world.far_branch, f"新人{n}")
        self.assertEqual(queries(), before)
