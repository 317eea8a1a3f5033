"""Pages for recording, filing, approving and correcting study hours.

Access (see the views' docstring): anonymous → 302 to login; out of scope → 404; write pages are 404
for a viewer or a plain member; the one 403 is a decision the actor sees but may not take (the
org admin's second stage, or one's own filing).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, HoursSettings, YearlyRollup
from peixun.hours.services import entry_record, entry_reverse, self_study_file
from peixun.testing import PersonaTestCase, make_member

MEDIA = tempfile.mkdtemp(prefix="peixun-test-media-")
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n% a tiny test file\n"


def pdf(name: str = "心得.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@override_settings(MEDIA_ROOT=MEDIA)
class HoursPageTestCase(PersonaTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def record_form(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "主题党日：学习党章",
            "on": TODAY.isoformat(),
            "year": TODAY.year,
            "hours": "2",
            "kind": "theme_day",
            "topic": "constitution_rules",
            "members": [self.world.member.pk, self.world.secretary_member.pk],
        }
        data.update(overrides)
        return data

    def recorded(self) -> CreditEntry:
        return entry_record(
            actor=self.user("secretary"),
            members=[self.world.member],
            on=TODAY,
            hours="3",
            kind="concentrated_training",
            title="专题培训",
            concentrated=True,
        )[0]

    def filed(self, persona: str = "member", **kw: Any) -> CreditEntry:
        args: dict[str, Any] = {"on": TODAY, "hours": "1.5", "title": "自学党章"}
        args.update(kw)
        return self_study_file(actor=self.user(persona), **args)


class RecordPageTests(HoursPageTestCase):
    def test_personas(self) -> None:
        self.expect_personas(
            "/hours/record/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        url = f"/hours/record/?org={self.world.branch.pk}"
        every = {
            "anonymous": 302,
            "member": 404,
            "secretary": 200,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 404,
        }
        self.expect_personas(url, every)
        # A crafted POST without any field: the form answers, nothing is stored.
        self.expect_personas(url, every, method="post", data={})
        self.assertFalse(CreditEntry.objects.exists())
        # A unit is not a branch: nobody records for it directly.
        self.assertEqual(
            self.client_for("org_admin")
            .get(f"/hours/record/?org={self.world.unit.pk}")
            .status_code,
            404,
        )

    def test_chooser_lists_only_manageable_branches(self) -> None:
        response = self.client_for("secretary").get("/hours/record/")
        self.assertEqual(
            [o.pk for o in response.context["orgs"]], [self.world.branch.pk, self.world.group.pk]
        )

    def test_thirty_members_all_ticked_then_recorded(self) -> None:
        extra = [make_member(self.world.branch, f"党员{i:02d}") for i in range(30)]
        client = self.client_for("secretary")
        url = f"/hours/record/?org={self.world.branch.pk}"
        page = client.get(url)
        everyone = {str(m.pk) for m in [self.world.member, self.world.secretary_member, *extra]}
        self.assertEqual(page.context["ticked"], everyone)
        self.assertContains(page, 'type="checkbox" name="members"', count=32)
        self.assertContains(page, 'data-select="all"')
        response = client.post(url, self.record_form(members=sorted(everyone)))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(CreditEntry.objects.filter(title="主题党日：学习党章").count(), 32)
        self.assertEqual(
            YearlyRollup.objects.get(member=self.world.member, year=TODAY.year).hours, Decimal(2)
        )

    def test_org_admin_records_unticked_members_get_nothing(self) -> None:
        response = self.client_for("org_admin").post(
            f"/hours/record/?org={self.world.branch.pk}",
            self.record_form(members=[self.world.member.pk], hours="1.25", concentrated="on"),
        )
        self.assertEqual(response.status_code, 302)
        entry = CreditEntry.objects.get()
        self.assertEqual(
            (entry.member, entry.hours, entry.concentrated, entry.org),
            (self.world.member, Decimal("1.25"), True, self.world.branch),
        )

    def test_bad_input_shows_errors_and_stores_nothing(self) -> None:
        last_year_day = dt.date(TODAY.year - 1, 12, 31)
        cases: list[tuple[dict[str, Any], str]] = [
            ({"hours": "-2"}, "hours"),
            ({"hours": "0"}, "hours"),
            ({"hours": "9999"}, "hours"),
            ({"hours": "1.1"}, "hours"),
            ({"hours": "abc"}, "hours"),
            ({"on": last_year_day.isoformat()}, "on"),  # outside the accounting year
            ({"on": (TODAY + dt.timedelta(days=1)).isoformat(), "year": TODAY.year + 1}, "year"),
            ({"on": "2999-01-01", "year": TODAY.year}, "on"),
            ({"title": " "}, "title"),
            ({"members": []}, "members"),
            # A member of another branch ticked by a crafted POST.
            ({"members": [self.world.member.pk, self.world.other_member.pk]}, "members"),
            ({"members": [self.world.far_member.pk]}, "members"),
            ({"members": ["x"]}, "members"),
            ({"kind": "nonsense"}, "kind"),
        ]
        client = self.client_for("secretary")
        for overrides, field in cases:
            with self.subTest(overrides=overrides):
                response = client.post(
                    f"/hours/record/?org={self.world.branch.pk}", self.record_form(**overrides)
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(CreditEntry.objects.exists())
        self.assertFalse(YearlyRollup.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="hours.record").exists())


class LedgerListTests(HoursPageTestCase):
    def test_personas(self) -> None:
        self.recorded()
        self.expect_personas(
            "/hours/entries/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            f"/hours/entries/?org={self.world.branch.pk}&year={TODAY.year}&kind=concentrated_training&state=confirmed",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            f"/hours/entries/?member={self.world.far_member.pk}",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_scope_filters_and_reverse_links(self) -> None:
        entry = self.recorded()
        reversal = entry_reverse(actor=self.user("secretary"), entry=entry, reason="录错")
        fresh = self.recorded()
        own = self.client_for("secretary").get("/hours/entries/")
        self.assertEqual(own.context["page"].paginator.count, 3)
        links = [e.can_reverse for e in own.context["page"].object_list]
        self.assertEqual(links, [True, False, False])  # newest first: fresh, reversal, reversed
        self.assertContains(own, f"/hours/entries/{fresh.pk}/reverse/")
        self.assertNotContains(own, f"/hours/entries/{entry.pk}/reverse/")
        self.assertNotContains(own, f"/hours/entries/{reversal.pk}/reverse/")
        self.assertEqual(
            self.client_for("other_secretary")
            .get("/hours/entries/")
            .context["page"]
            .paginator.count,
            0,
        )
        viewer = self.client_for("viewer").get("/hours/entries/")
        self.assertEqual(viewer.context["page"].paginator.count, 3)
        self.assertNotContains(viewer, "/reverse/")
        filtered = self.client_for("viewer").get("/hours/entries/?state=pending&year=bad")
        self.assertEqual(filtered.context["page"].paginator.count, 0)


class ReversePageTests(HoursPageTestCase):
    def test_personas(self) -> None:
        entry = self.recorded()
        url = f"/hours/entries/{entry.pk}/reverse/"
        expected = {
            "anonymous": 302,
            "member": 404,
            "secretary": 200,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 404,
        }
        self.expect_personas(url, expected)
        # Without a reason: the form asks for one, nothing is stored.
        self.expect_personas(url, expected, method="post", data={"reason": " "})
        self.assertEqual(CreditEntry.objects.count(), 1)

    def test_reverse_then_no_reversal_of_a_reversal_nor_twice(self) -> None:
        entry = self.recorded()
        client = self.client_for("secretary")
        response = client.post(f"/hours/entries/{entry.pk}/reverse/", {"reason": "人员录错"})
        self.assertEqual(response.status_code, 302)
        reversal = CreditEntry.objects.get(reverses=entry)
        self.assertEqual((reversal.hours, reversal.reason), (Decimal(-3), "人员录错"))
        again = client.post(f"/hours/entries/{entry.pk}/reverse/", {"reason": "再来"})
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.context["form"].errors)
        back = client.post(f"/hours/entries/{reversal.pk}/reverse/", {"reason": "撤销更正"})
        self.assertEqual(back.status_code, 200)
        self.assertTrue(back.context["form"].errors)
        self.assertEqual(CreditEntry.objects.count(), 2)
        self.assertEqual(
            YearlyRollup.objects.get(member=self.world.member, kind="concentrated_training").hours,
            Decimal(0),
        )

    def test_pending_entry_cannot_be_reversed(self) -> None:
        entry = self.filed()
        response = self.client_for("secretary").post(
            f"/hours/entries/{entry.pk}/reverse/", {"reason": "不对"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(CreditEntry.objects.count(), 1)


class SelfStudyPageTests(HoursPageTestCase):
    def test_personas(self) -> None:
        members_only = {
            "anonymous": 302,
            "member": 200,
            "secretary": 200,  # a secretary is also a member of their branch
            "other_secretary": 200,
            "org_admin": 404,
            "viewer": 404,
        }
        self.expect_personas("/hours/self-study/", members_only)
        self.expect_personas("/hours/self-study/new/", members_only)
        self.expect_personas("/hours/self-study/new/", members_only, method="post", data={})
        self.assertFalse(CreditEntry.objects.exists())

    def test_member_files_with_evidence_and_sees_the_rejection_reason(self) -> None:
        client = self.client_for("member")
        response = client.post(
            "/hours/self-study/new/",
            {
                "title": "学习《中国共产党纪律处分条例》",
                "on": TODAY.isoformat(),
                "hours": "2.5",
                "topic": "integrity",
                "reflection": "深刻认识到纪律的重要性。",
                "evidence": pdf(),
            },
        )
        self.assertEqual(response.status_code, 302)
        entry = CreditEntry.objects.get()
        self.assertEqual(
            (entry.state, entry.kind, entry.hours, entry.source),
            ("pending", "self_study", Decimal("2.5"), "self_study"),
        )
        self.assertTrue((entry.evidence.name or "").endswith(".pdf"))
        self.assertFalse(YearlyRollup.objects.exists())
        listing = client.get("/hours/self-study/")
        self.assertEqual([e.pk for e in listing.context["entries"]], [entry.pk])
        self.assertEqual(listing.context["entries"][0].stage, "secretary")
        self.client_for("secretary").post(
            f"/hours/entries/{entry.pk}/reject/", {"reason": "请补充学习笔记照片"}
        )
        self.assertContains(client.get("/hours/self-study/"), "请补充学习笔记照片")
        # The mine page links here.
        self.assertContains(client.get("/members/mine/"), "/hours/self-study/new/")

    def test_bad_evidence_and_hours_store_nothing(self) -> None:
        client = self.client_for("member")
        base = {"title": "自学", "on": TODAY.isoformat(), "hours": "1", "topic": "other"}
        cases: list[tuple[dict[str, Any], str]] = [
            ({"evidence": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}, "evidence"),
            ({"evidence": SimpleUploadedFile("a.html", b"<script>")}, "evidence"),
            ({"evidence": pdf("disguised.pdf", b"<html><script>alert(1)</script>")}, "evidence"),
            ({"evidence": pdf("big.pdf", PDF + b"0" * (10 * 1024 * 1024))}, "evidence"),
            ({"hours": "-1"}, "hours"),
            ({"hours": "600"}, "hours"),
            ({"on": "2999-01-01"}, "on"),
            ({"title": ""}, "title"),
        ]
        for overrides, field in cases:
            with self.subTest(field=field, overrides=list(overrides)):
                response = client.post("/hours/self-study/new/", {**base, **overrides})
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(CreditEntry.objects.exists())

    def test_evidence_download_is_scoped(self) -> None:
        entry = self.filed(evidence=pdf())
        url = f"/hours/entries/{entry.pk}/evidence/"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        response = self.client_for("member").get(url)
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined,arg-type]
        self.assertIn("attachment", response["Content-Disposition"])
        # An entry without evidence has nothing to download.
        bare = self.filed()
        self.assertEqual(
            self.client_for("member").get(f"/hours/entries/{bare.pk}/evidence/").status_code, 404
        )


class ApprovalPageTests(HoursPageTestCase):
    def test_queue_personas(self) -> None:
        self.filed()
        self.expect_personas(
            "/hours/pending/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        self.assertEqual(
            len(self.client_for("secretary").get("/hours/pending/").context["entries"]), 1
        )
        self.assertEqual(
            len(self.client_for("other_secretary").get("/hours/pending/").context["entries"]), 0
        )

    def test_approve_personas_and_approving_twice(self) -> None:
        entry = self.filed()
        url = f"/hours/entries/{entry.pk}/approve/"
        # Ordered: the outsiders first, then the secretary approves, then the org admin's second
        # approval meets a decided entry and gets an error message.
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "other_secretary": 404,
                "viewer": 404,
                "secretary": 302,
                "org_admin": 302,
            },
            method="post",
        )
        entry.refresh_from_db()
        self.assertEqual(entry.state, "confirmed")
        self.assertEqual(AuditEvent.objects.filter(verb="hours.approve").count(), 1)
        self.assertEqual(YearlyRollup.objects.get(member=self.world.member).hours, Decimal("1.5"))
        response = self.client_for("secretary").post(url, follow=True)
        self.assertEqual([m.level_tag for m in get_messages(response.wsgi_request)], ["error"])

    def test_reject_personas_and_reason_required(self) -> None:
        entry = self.filed()
        url = f"/hours/entries/{entry.pk}/reject/"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 302,  # no reason: an error message, still pending
                "other_secretary": 404,
                "org_admin": 302,
                "viewer": 404,
            },
            method="post",
            data={"reason": " "},
        )
        entry.refresh_from_db()
        self.assertEqual(entry.state, "pending")
        response = self.client_for("secretary").post(
            url, {"reason": "材料不清晰"}, headers={"HX-Request": "true"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "hours/_pending_row.html")
        self.assertTrue(response.context["done"])
        entry.refresh_from_db()
        self.assertEqual((entry.state, entry.reason), ("rejected", "材料不清晰"))
        again = self.client_for("org_admin").post(
            url, {"reason": "x"}, headers={"HX-Request": "true"}
        )
        self.assertTrue(again.context["error"])

    def test_htmx_approve_returns_the_row(self) -> None:
        entry = self.filed()
        url = f"/hours/entries/{entry.pk}/approve/"
        first = self.client_for("secretary").post(url, headers={"HX-Request": "true"})
        self.assertTemplateUsed(first, "hours/_pending_row.html")
        self.assertEqual((first.context["error"], first.context["e"].state), ("", "confirmed"))
        second = self.client_for("secretary").post(url, headers={"HX-Request": "true"})
        self.assertTrue(second.context["error"])

    def test_two_stage_approval(self) -> None:
        HoursSettings.objects.update_or_create(
            tenant=self.world.root, defaults={"two_stage_approval": True}
        )
        entry = self.filed()
        url = f"/hours/entries/{entry.pk}/approve/"
        secretary = self.client_for("secretary")
        queue = secretary.get("/hours/pending/").context["entries"]
        self.assertEqual((queue[0].stage, queue[0].can_act), ("secretary", True))
        secretary.post(url)
        entry.refresh_from_db()
        self.assertEqual(
            (entry.state, entry.first_approved_by), ("pending", self.user("secretary"))
        )
        self.assertFalse(YearlyRollup.objects.exists())
        queue = secretary.get("/hours/pending/").context["entries"]
        self.assertEqual((queue[0].stage, queue[0].can_act), ("org_admin", False))
        self.assertEqual(secretary.post(url).status_code, 403)  # the org admin's stage
        admin_queue = self.client_for("org_admin").get("/hours/pending/").context["entries"]
        self.assertEqual((admin_queue[0].stage, admin_queue[0].can_act), ("org_admin", True))
        self.assertEqual(
            self.client_for("member").get("/hours/self-study/").context["entries"][0].stage,
            "org_admin",
        )
        self.client_for("org_admin").post(url)
        entry.refresh_from_db()
        self.assertEqual((entry.state, entry.decided_by), ("confirmed", self.user("org_admin")))
        self.assertEqual(YearlyRollup.objects.get().hours, Decimal("1.5"))

    def test_secretary_cannot_decide_own_filing(self) -> None:
        entry = self.filed("secretary")
        client = self.client_for("secretary")
        row = client.get("/hours/pending/").context["entries"][0]
        self.assertEqual((row.own, row.can_act), (True, False))
        self.assertEqual(client.post(f"/hours/entries/{entry.pk}/approve/").status_code, 403)
        entry.refresh_from_db()
        self.assertEqual(entry.state, "pending")
        self.client_for("org_admin").post(f"/hours/entries/{entry.pk}/approve/")
        entry.refresh_from_db()
        self.assertEqual(entry.state, "confirmed")
