"""API v1 for ledger entries: every route for every persona, bad input with nothing stored
half-way, approvals in one and two stages, and a bearer-token flow.

Statuses: anonymous 401; an entry, member or org out of scope 404; a visible entry the actor may
not change 403, and so is recording for an actor who may record for nobody or filing self-study
without being a member; a member id in the body out of scope, or any bad value, 422.
"""

import datetime as dt
import json
import shutil
import tempfile
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, HoursSettings, MemberYearTotal, YearlyRollup
from peixun.hours.selectors import rollup_differences
from peixun.hours.services import entry_record, self_study_file
from peixun.testing import PASSWORD, PersonaTestCase

API = "/api/v1/hours/"
ENTRIES = f"{API}entries"
DAY = dt.date(2025, 3, 12)
PDF = b"%PDF-1.4\n% a tiny test file\n"
MEDIA = tempfile.mkdtemp(prefix="peixun-test-media-")


def json_kwargs(body: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def error_fields(response: Any) -> set[str]:
    """The body field each error names: ["body", "hours"] from a service, ["body", "payload",
    "members", 0] from the schema."""
    wrappers = {"body", "query", "form", "payload"}
    return {
        next(str(part) for part in item["loc"] if str(part) not in wrappers)
        for item in response.json()["detail"]
    }


@override_settings(MEDIA_ROOT=MEDIA)
class EntryApiTestCase(PersonaTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self) -> None:
        self.counts_before = self.counts()

    def counts(self) -> tuple[int, ...]:
        return (
            CreditEntry.objects.count(),
            YearlyRollup.objects.count(),
            MemberYearTotal.objects.count(),
            AuditEvent.objects.count(),
        )

    def assert_nothing_stored(self) -> None:
        self.assertEqual(self.counts(), self.counts_before)

    def body(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "members": [self.world.member.pk, self.world.secretary_member.pk],
            "on": DAY.isoformat(),
            "hours": "4",
            "kind": "concentrated_training",
            "title": "党的二十届三中全会精神专题培训",
            "topic": "innovation_theory",
            "concentrated": True,
        }
        body.update(fields)
        return body

    def confirmed(self, member: Any = None, hours: str = "2") -> CreditEntry:
        return entry_record(
            actor=self.world.platform_admin,
            members=[member or self.world.member],
            on=DAY,
            hours=hours,
            kind="three_meetings",
            title="支部党员大会",
        )[0]

    def pending(self, persona: str = "member") -> CreditEntry:
        return self_study_file(
            actor=self.user(persona), on=DAY, hours="1.5", title="学习《党章》", topic="other"
        )


class EntryApiPersonaTests(EntryApiTestCase):
    def test_list(self) -> None:
        self.expect_personas(
            ENTRIES,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_list_of_a_member(self) -> None:
        self.expect_personas(
            f"{ENTRIES}?member={self.world.other_member.pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,  # another branch's member does not exist for them
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_record(self) -> None:
        self.expect_personas(
            ENTRIES,
            {
                "anonymous": 401,
                "member": 403,  # records for nobody
                "viewer": 403,
                "other_secretary": 422,  # the members are out of their scope: a field error
                "secretary": 201,
                "org_admin": 201,
            },
            method="post",
            **json_kwargs(self.body(members=[self.world.member.pk])),
        )
        self.assertEqual(CreditEntry.objects.filter(member=self.world.member).count(), 2)
        self.assertEqual(rollup_differences(), [])

    def test_reverse(self) -> None:
        entry = self.confirmed()
        self.expect_personas(
            f"{ENTRIES}/{entry.pk}/reverse",
            {
                "anonymous": 401,
                "member": 403,  # sees their own entry, may not correct it
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 201,
                "org_admin": 422,  # already reversed by then
            },
            method="post",
            **json_kwargs({"reason": "重复录入"}),
        )

    def test_approve(self) -> None:
        entry = self.pending()
        self.expect_personas(
            f"{ENTRIES}/{entry.pk}/approve",
            {
                "anonymous": 401,
                "member": 403,  # their own filing
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 200,
                "org_admin": 422,  # confirmed by then
            },
            method="post",
        )

    def test_reject(self) -> None:
        entry = self.pending()
        self.expect_personas(
            f"{ENTRIES}/{entry.pk}/reject",
            {
                "anonymous": 401,
                "member": 403,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 200,
                "org_admin": 422,  # rejected by then
            },
            method="post",
            **json_kwargs({"reason": "请补充学习心得"}),
        )

    def test_self_study(self) -> None:
        self.expect_personas(
            f"{API}self-study",
            {
                "anonymous": 401,
                "member": 201,
                "secretary": 201,  # a secretary is a member too
                "other_secretary": 201,
                "org_admin": 403,  # an account without a member files nothing
                "viewer": 403,
            },
            method="post",
            data={"on": DAY.isoformat(), "hours": "2", "title": "学习《党章》"},
        )
        self.assertEqual(CreditEntry.objects.filter(state="pending").count(), 3)


class EntryListTests(EntryApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        entry_record(
            actor=w.platform_admin,
            members=[w.member, w.secretary_member, w.other_member, w.far_member],
            on=DAY,
            hours="4",
            kind="concentrated_training",
            title="专题培训",
            concentrated=True,
        )
        entry_record(
            actor=w.platform_admin,
            members=[w.member],
            on=dt.date(2024, 6, 1),
            hours="1",
            kind="theme_day",
            title="主题党日",
        )

    def names(self, persona: str, query: str = "") -> list[str]:
        response = self.client_for(persona).get(f"{ENTRIES}{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(item["member_name"] for item in response.json()["items"])

    def test_each_sees_their_part(self) -> None:
        self.assertEqual(self.names("member"), ["李明", "李明"])
        self.assertEqual(self.names("secretary"), ["李明", "李明", "王芳"])
        self.assertEqual(self.names("other_secretary"), ["赵强"])
        self.assertEqual(len(self.names("viewer")), 5)

    def test_filters(self) -> None:
        w = self.world
        self.assertEqual(self.names("org_admin", "?year=2024"), ["李明"])
        self.assertEqual(self.names("org_admin", "?kind=theme_day"), ["李明"])
        self.assertEqual(self.names("org_admin", "?state=pending"), [])
        self.assertEqual(
            self.names("org_admin", f"?org={w.unit.pk}&year=2025"), ["李明", "王芳", "赵强"]
        )
        self.assertEqual(self.names("org_admin", f"?org={w.far_unit.pk}"), ["孙丽"])
        self.assertEqual(self.names("org_admin", f"?member={w.member.pk}&year=2025"), ["李明"])

    def test_entry_figures(self) -> None:
        item = self.client_for("member").get(f"{ENTRIES}?year=2025").json()["items"][0]
        self.assertEqual(Decimal(item["hours"]), Decimal(4))
        self.assertEqual(
            (item["org_name"], item["kind"], item["state"], item["concentrated"], item["on"]),
            ("第一党支部", "concentrated_training", "confirmed", True, DAY.isoformat()),
        )
        self.assertIsNone(item["reversed_by_id"])

    def test_bad_filters(self) -> None:
        client = self.client_for("org_admin")
        for query, field in (
            ("kind=nonsense", "kind"),
            ("state=x", "state"),
            ("year=99999", "year"),
        ):
            response = client.get(f"{ENTRIES}?{query}")
            self.assertEqual(response.status_code, 422, query)
            self.assertEqual(error_fields(response), {field})
        self.assertEqual(client.get(f"{ENTRIES}?year=abc").status_code, 422)
        self.assertEqual(
            self.client_for("secretary").get(f"{ENTRIES}?org={self.world.far_unit.pk}").status_code,
            404,
        )
        self.assertEqual(client.get(f"{ENTRIES}?org=999999").status_code, 404)

    def test_page_is_capped_at_500(self) -> None:
        entries = [
            CreditEntry(
                member=self.world.far_member,
                org=self.world.far_branch,
                on=DAY,
                year=2025,
                hours=Decimal(1),
                kind="other",
                title=f"活动{n}",
            )
            for n in range(501)
        ]
        client = self.client_for("org_admin")
        with CaptureQueriesContext(connection) as few:
            client.get(f"{ENTRIES}?limit=5000")
        CreditEntry.objects.bulk_create(entries)
        with CaptureQueriesContext(connection) as many:
            page = client.get(f"{ENTRIES}?limit=5000").json()
        self.assertEqual((page["count"], len(page["items"])), (506, 500))
        self.assertEqual(len(many), len(few))  # no query per row


class RecordTests(EntryApiTestCase):
    def post(self, persona: str = "secretary", **fields: Any) -> Any:
        return self.client_for(persona).post(ENTRIES, **json_kwargs(self.body(**fields)))

    def test_one_activity_for_a_list(self) -> None:
        response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        items = response.json()
        self.assertEqual(sorted(i["member_name"] for i in items), ["李明", "王芳"])
        self.assertTrue(all(i["state"] == "confirmed" and i["year"] == 2025 for i in items))
        self.assertEqual({Decimal(i["hours"]) for i in items}, {Decimal(4)})
        total = MemberYearTotal.objects.get(member=self.world.member, year=2025)
        self.assertEqual((total.hours, total.concentrated_hours), (Decimal(4), Decimal(4)))
        self.assertEqual(AuditEvent.objects.filter(verb="hours.record").count(), 2)
        self.assertEqual(rollup_differences(), [])

    def test_bad_input_stores_nothing(self) -> None:
        w = self.world
        cases: list[tuple[dict[str, Any], str]] = [
            ({"hours": "-2"}, "hours"),
            ({"hours": "0"}, "hours"),
            ({"hours": "1.1"}, "hours"),
            ({"hours": "9999"}, "hours"),
            ({"hours": "1e9"}, "hours"),
            ({"hours": "abc"}, "hours"),
            ({"hours": "NaN"}, "hours"),
            ({"on": "2025-01-01", "year": 2024}, "on"),  # a date outside the accounting year
            ({"on": "2999-01-01"}, "on"),
            ({"on": "2025-02-30"}, "on"),
            ({"on": "2005-01-01"}, "on"),  # before either member joined a branch
            ({"kind": "nonsense"}, "kind"),
            ({"topic": "nonsense"}, "topic"),
            ({"title": "   "}, "title"),
            ({"members": []}, "members"),
            ({"members": [w.member.pk, w.member.pk]}, "members"),
            ({"members": [w.member.pk, w.far_member.pk]}, "members"),  # one outside scope
            ({"members": [w.member.pk, 999999]}, "members"),
            ({"members": ["x"]}, "members"),
        ]
        for fields, field in cases:
            with self.subTest(fields=fields):
                response = self.post(**fields)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(error_fields(response), {field})
        self.assert_nothing_stored()

    def test_out_of_scope_reads_like_unknown(self) -> None:
        # Whether member 999999 exists or the far member does, the answer is the same sentence.
        far = self.post(members=[self.world.far_member.pk]).json()["detail"][0]["msg"]
        unknown = self.post(members=[999999]).json()["detail"][0]["msg"]
        self.assertEqual(
            far.replace(str(self.world.far_member.pk), "N"), unknown.replace("999999", "N")
        )
        self.assertNotIn("孙丽", far)
        self.assert_nothing_stored()

    def test_missing_body_fields(self) -> None:
        response = self.client_for("secretary").post(
            ENTRIES, **json_kwargs({"members": [self.world.member.pk]})
        )
        self.assertEqual(response.status_code, 422)
        self.assertTrue({"on", "hours", "kind", "title"} <= error_fields(response))
        self.assert_nothing_stored()


class CorrectionAndApprovalTests(EntryApiTestCase):
    def post(self, persona: str, url: str, body: dict[str, Any] | None = None) -> Any:
        return self.client_for(persona).post(url, **json_kwargs(body or {}))

    def test_reverse_and_not_again(self) -> None:
        entry = self.confirmed(hours="3")
        url = f"{ENTRIES}/{entry.pk}/reverse"
        missing_reason = self.post("secretary", url, {"reason": "  "})
        self.assertEqual(
            (missing_reason.status_code, error_fields(missing_reason)), (422, {"reason"})
        )
        response = self.post("secretary", url, {"reason": "重复录入"})
        self.assertEqual(response.status_code, 201, response.content)
        reversal = response.json()
        self.assertEqual(
            (Decimal(reversal["hours"]), reversal["reverses_id"]), (Decimal(-3), entry.pk)
        )
        self.assertEqual(reversal["reason"], "重复录入")
        total = MemberYearTotal.objects.get(member=self.world.member, year=2025)
        self.assertEqual(total.hours, Decimal(0))
        again = self.post("secretary", url, {"reason": "再次更正"})
        self.assertEqual((again.status_code, error_fields(again)), (422, {"entry"}))
        of_reversal = self.post("secretary", f"{ENTRIES}/{reversal['id']}/reverse", {"reason": "x"})
        self.assertEqual((of_reversal.status_code, error_fields(of_reversal)), (422, {"entry"}))
        self.assertEqual(CreditEntry.objects.count(), 2)
        original = self.client_for("secretary").get(f"{ENTRIES}?member={self.world.member.pk}")
        by_id = {i["id"]: i for i in original.json()["items"]}
        self.assertEqual(by_id[entry.pk]["reversed_by_id"], reversal["id"])
        self.assertEqual(rollup_differences(), [])

    def test_pending_cannot_be_reversed(self) -> None:
        entry = self.pending()
        response = self.post("secretary", f"{ENTRIES}/{entry.pk}/reverse", {"reason": "x"})
        self.assertEqual((response.status_code, error_fields(response)), (422, {"entry"}))
        self.assert_nothing_stored_but(entry)

    def assert_nothing_stored_but(self, entry: CreditEntry) -> None:
        self.assertEqual(list(CreditEntry.objects.values_list("pk", flat=True)), [entry.pk])

    def test_approve_twice(self) -> None:
        entry = self.pending()
        url = f"{ENTRIES}/{entry.pk}/approve"
        first = self.post("secretary", url)
        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual(first.json()["state"], "confirmed")
        total = MemberYearTotal.objects.get(member=self.world.member, year=2025)
        self.assertEqual(total.hours, Decimal("1.5"))
        second = self.post("secretary", url)
        self.assertEqual((second.status_code, error_fields(second)), (422, {"state"}))
        total.refresh_from_db()
        self.assertEqual(total.hours, Decimal("1.5"))  # counted once
        self.assertEqual(rollup_differences(), [])

    def test_reject_needs_a_reason_the_member_sees(self) -> None:
        entry = self.pending()
        url = f"{ENTRIES}/{entry.pk}/reject"
        for body in ({}, {"reason": "   "}):
            response = self.post("secretary", url, body)
            self.assertEqual((response.status_code, error_fields(response)), (422, {"reason"}))
        entry.refresh_from_db()
        self.assertEqual(entry.state, "pending")
        self.assertEqual(self.post("secretary", url, {"reason": "请补充学习心得"}).status_code, 200)
        mine = self.client_for("member").get(f"{ENTRIES}?state=rejected").json()["items"]
        self.assertEqual([(i["id"], i["reason"]) for i in mine], [(entry.pk, "请补充学习心得")])
        self.assertFalse(YearlyRollup.objects.exists())
        again = self.post("secretary", f"{ENTRIES}/{entry.pk}/approve")
        self.assertEqual(again.status_code, 422)

    def test_secretary_does_not_decide_own_filing(self) -> None:
        entry = self.pending("secretary")
        response = self.post("secretary", f"{ENTRIES}/{entry.pk}/approve")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.post("org_admin", f"{ENTRIES}/{entry.pk}/approve").status_code, 200)

    def test_two_stage_approval(self) -> None:
        HoursSettings.objects.update_or_create(
            tenant=self.world.root, defaults={"two_stage_approval": True}
        )
        entry = self.pending()
        url = f"{ENTRIES}/{entry.pk}/approve"
        first = self.post("secretary", url).json()
        self.assertEqual((first["state"], first["first_approved"]), ("pending", True))
        self.assertFalse(YearlyRollup.objects.exists())
        self.assertEqual(self.post("secretary", url).status_code, 403)  # the admin's stage
        second = self.post("org_admin", url).json()
        self.assertEqual(second["state"], "confirmed")
        self.assertEqual(rollup_differences(), [])

    def test_unknown_entry_is_404(self) -> None:
        for action in ("reverse", "approve", "reject"):
            response = self.post("org_admin", f"{ENTRIES}/999999/{action}", {"reason": "x"})
            self.assertEqual(response.status_code, 404, action)


class SelfStudyTests(EntryApiTestCase):
    URL = f"{API}self-study"

    def file(self, persona: str = "member", **fields: Any) -> Any:
        data: dict[str, Any] = {
            "on": DAY.isoformat(),
            "hours": "2",
            "title": "学习《中国共产党纪律处分条例》",
            "topic": "constitution_rules",
            "reflection": "心得体会……",
        }
        data.update(fields)
        return self.client_for(persona).post(self.URL, data=data)

    def test_with_evidence_pending_until_approved(self) -> None:
        evidence = SimpleUploadedFile("心得.pdf", PDF, content_type="application/pdf")
        response = self.file(evidence=evidence)
        self.assertEqual(response.status_code, 201, response.content)
        item = response.json()
        self.assertEqual(
            (
                item["state"],
                item["kind"],
                item["source"],
                item["has_evidence"],
                item["member_name"],
            ),
            ("pending", "self_study", "self_study", True, "李明"),
        )
        self.assertFalse(YearlyRollup.objects.exists())
        queue = self.client_for("secretary").get(f"{ENTRIES}?state=pending").json()["items"]
        self.assertEqual([i["id"] for i in queue], [item["id"]])

    def test_bad_input_stores_nothing(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"hours": "-1"}, "hours"),
            ({"hours": "600"}, "hours"),
            ({"hours": "x"}, "hours"),
            ({"on": "2999-01-01"}, "on"),
            ({"title": " "}, "title"),
            ({"topic": "nonsense"}, "topic"),
            ({"evidence": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")}, "evidence"),
            ({"evidence": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, "evidence"),
        ]
        for fields, field in cases:
            with self.subTest(fields=fields):
                response = self.file(**fields)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(error_fields(response), {field})
        self.assert_nothing_stored()


class BearerTokenTests(EntryApiTestCase):
    def bearer(self, username: str) -> Client:
        response = Client().post(
            "/api/v1/auth/token", **json_kwargs({"username": username, "password": PASSWORD})
        )
        self.assertEqual(response.status_code, 200, response.content)
        # CSRF is enforced as for a browser: a token-authenticated write still goes through.
        return Client(
            enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}"
        )

    def test_secretary_records_member_files_secretary_approves(self) -> None:
        secretary = self.bearer("secretary")
        recorded = secretary.post(ENTRIES, **json_kwargs(self.body(members=[self.world.member.pk])))
        self.assertEqual(recorded.status_code, 201, recorded.content)
        member = self.bearer("member")
        filed = member.post(
            f"{API}self-study", data={"on": DAY.isoformat(), "hours": "1", "title": "自学党史"}
        )
        self.assertEqual(filed.status_code, 201, filed.content)
        approved = secretary.post(f"{ENTRIES}/{filed.json()['id']}/approve")
        self.assertEqual(approved.status_code, 200, approved.content)
        mine = member.get(f"{ENTRIES}?year=2025").json()
        self.assertEqual(sorted(Decimal(i["hours"]) for i in mine["items"]), [1, 4])
        self.assertEqual(
            member.get(f"{ENTRIES}?member={self.world.other_member.pk}").status_code, 404
        )
        event = AuditEvent.objects.get(verb="hours.approve")
        self.assertEqual(event.actor, self.user("secretary"))
        self.assertEqual(Client(HTTP_AUTHORIZATION="Bearer nope").get(ENTRIES).status_code, 401)
