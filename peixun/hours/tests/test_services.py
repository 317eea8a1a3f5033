"""Services beyond the basics: two-stage approval, permissions, one's own filing, evidence checks,
decisions taken once, and the permission and bad-input paths of the rule services."""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, HoursSettings, Requirement, YearlyRollup
from peixun.hours.selectors import rollup_differences
from peixun.hours.services import (
    entry_approve,
    entry_record,
    entry_reject,
    entry_reverse,
    requirement_create,
    requirement_retire,
    self_study_file,
)
from peixun.testing import PersonaTestCase

TODAY = timezone.localdate()
MEDIA = tempfile.mkdtemp(prefix="peixun-test-media-")


@override_settings(MEDIA_ROOT=MEDIA)
class ApprovalServiceTests(PersonaTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def file(self, persona: str = "member", **kw: Any) -> CreditEntry:
        args: dict[str, Any] = {"on": TODAY, "hours": "2", "title": "自学"}
        args.update(kw)
        return self_study_file(actor=self.user(persona), **args)

    def two_stage(self) -> None:
        HoursSettings.objects.update_or_create(
            tenant=self.world.root, defaults={"two_stage_approval": True}
        )

    def test_two_stage_secretary_then_org_admin(self) -> None:
        self.two_stage()
        entry = self.file()
        first = entry_approve(actor=self.user("secretary"), entry=entry)
        self.assertEqual(
            (first.state, first.first_approved_by), ("pending", self.user("secretary"))
        )
        self.assertFalse(YearlyRollup.objects.exists())
        with self.assertRaises(PermissionDenied):
            entry_approve(actor=self.user("secretary"), entry=entry)
        done = entry_approve(actor=self.user("org_admin"), entry=entry)
        self.assertEqual(
            (done.state, done.first_approved_by, done.decided_by),
            ("confirmed", self.user("secretary"), self.user("org_admin")),
        )
        self.assertEqual(
            list(
                AuditEvent.objects.filter(verb__startswith="hours.approve")
                .values_list("verb", flat=True)
                .order_by("id")
            ),
            ["hours.approve_first", "hours.approve"],
        )
        with self.assertRaises(ValidationError):
            entry_approve(actor=self.user("org_admin"), entry=entry)
        self.assertEqual(rollup_differences(), [])

    def test_two_stage_rejection_at_either_stage(self) -> None:
        self.two_stage()
        entry = self.file()
        entry_approve(actor=self.user("secretary"), entry=entry)
        rejected = entry_reject(actor=self.user("org_admin"), entry=entry, reason="学时过多")
        self.assertEqual((rejected.state, rejected.reason), ("rejected", "学时过多"))
        with self.assertRaises(ValidationError):
            entry_approve(actor=self.user("org_admin"), entry=entry)
        self.assertFalse(YearlyRollup.objects.exists())

    def test_one_stage_org_admin_confirms_at_once(self) -> None:
        entry = entry_approve(actor=self.user("org_admin"), entry=self.file())
        self.assertEqual(entry.state, "confirmed")

    def test_permissions(self) -> None:
        entry = self.file()
        for persona in ("viewer", "other_secretary", "member"):
            with self.subTest(persona=persona):
                with self.assertRaises(PermissionDenied):
                    entry_approve(actor=self.user(persona), entry=entry)
                with self.assertRaises(PermissionDenied):
                    entry_reject(actor=self.user(persona), entry=entry, reason="x")
        entry.refresh_from_db()
        self.assertEqual(entry.state, "pending")
        with self.assertRaises(PermissionDenied):
            self_study_file(actor=self.user("org_admin"), on=TODAY, hours="1", title="自学")
        confirmed = entry_approve(actor=self.user("secretary"), entry=entry)
        for persona in ("viewer", "other_secretary", "member"):
            with self.subTest(persona=persona), self.assertRaises(PermissionDenied):
                entry_reverse(actor=self.user(persona), entry=confirmed, reason="x")
        with self.assertRaises(ValidationError):
            entry_record(
                actor=self.user("other_secretary"),
                members=[self.world.member],
                on=TODAY,
                hours="1",
                kind="theme_day",
                title="越权录入",
            )
        self.assertEqual(CreditEntry.objects.count(), 1)

    def test_nobody_decides_on_their_own_filing(self) -> None:
        entry = self.file("secretary")
        with self.assertRaises(PermissionDenied):
            entry_approve(actor=self.user("secretary"), entry=entry)
        with self.assertRaises(PermissionDenied):
            entry_reject(actor=self.user("secretary"), entry=entry, reason="自己驳回")
        self.assertEqual(
            entry_approve(actor=self.user("org_admin"), entry=entry).state, "confirmed"
        )

    def test_decisions_happen_once(self) -> None:
        entry = self.file()
        entry_approve(actor=self.user("secretary"), entry=entry)
        with self.assertRaises(ValidationError):
            entry_approve(actor=self.user("secretary"), entry=entry)
        with self.assertRaises(ValidationError):
            entry_reject(actor=self.user("secretary"), entry=entry, reason="晚了")
        other = self.file()
        with self.assertRaises(ValidationError):
            entry_reject(actor=self.user("secretary"), entry=other, reason="")
        entry_reject(actor=self.user("secretary"), entry=other, reason="材料不全")
        with self.assertRaises(ValidationError):
            entry_reverse(actor=self.user("secretary"), entry=other, reason="驳回的不能冲销")
        self.assertEqual(YearlyRollup.objects.get().hours, 2)
        self.assertEqual(rollup_differences(), [])

    def test_evidence_checks(self) -> None:
        good = [
            ("a.pdf", b"%PDF-1.7 ..."),
            ("a.JPG", b"\xff\xd8\xff\xe0JFIF"),
            ("a.png", b"\x89PNG\r\n\x1a\n...."),
            ("a.docx", b"PK\x03\x04...."),
            ("a.xls", b"\xd0\xcf\x11\xe0...."),
        ]
        for name, content in good:
            with self.subTest(name=name):
                entry = self.file(evidence=SimpleUploadedFile(name, content))
                self.assertTrue(entry.evidence.name)
                with entry.evidence.open("rb") as handle:
                    self.assertEqual(handle.read(), content)
        bad = [
            ("a.exe", b"MZ\x90"),
            ("a.svg", b"<svg onload=alert(1)>"),
            ("a.pdf", b"<html>"),
            ("a.png", b"%PDF-1.7"),
            ("a.docx", b""),
            ("a.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
        ]
        before = CreditEntry.objects.count()
        for name, content in bad:
            with self.subTest(name=name, size=len(content)), self.assertRaises(ValidationError):
                self.file(evidence=SimpleUploadedFile(name, content))
        self.assertEqual(CreditEntry.objects.count(), before)

    def test_self_study_bad_input(self) -> None:
        for kw in (
            {"hours": "-1"},
            {"hours": "0.3"},
            {"hours": "1e9"},
            {"hours": "NaN"},
            {"on": TODAY.replace(year=2999)},
            {"title": ""},
            {"topic": "bogus"},
        ):
            with self.subTest(kw=kw), self.assertRaises(ValidationError):
                self.file(**kw)
        self.assertFalse(CreditEntry.objects.exists())


class RequirementServiceTests(PersonaTestCase):
    def data(self, **kw: Any) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": "局机关学时",
            "metric": "total_hours",
            "threshold": "50",
            "valid_from_year": TODAY.year,
        }
        d.update(kw)
        return d

    def test_only_an_org_admin_of_the_subtree(self) -> None:
        for persona in ("secretary", "viewer", "member", "other_secretary"):
            with self.subTest(persona=persona), self.assertRaises(PermissionDenied):
                requirement_create(
                    actor=self.user(persona), org=self.world.branch, data=self.data()
                )
        self.assertFalse(Requirement.objects.exists())
        rule = requirement_create(
            actor=self.user("org_admin"), org=self.world.unit, data=self.data()
        )
        with self.assertRaises(PermissionDenied):
            requirement_retire(actor=self.user("secretary"), rule=rule, last_year=TODAY.year)
        with self.assertRaises(ValidationError):
            requirement_retire(actor=self.user("org_admin"), rule=rule, last_year=TODAY.year - 1)
        rule = requirement_retire(actor=self.user("org_admin"), rule=rule, last_year=TODAY.year)
        self.assertEqual(rule.valid_to_year, TODAY.year)
        self.assertTrue(AuditEvent.objects.filter(verb="requirement.retire").exists())

    def test_bad_rule_reports_every_field(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            requirement_create(
                actor=self.user("org_admin"),
                org=self.world.unit,
                data=self.data(name="", threshold="0", metric="bogus", valid_from_year="1900"),
            )
        self.assertEqual(
            set(caught.exception.message_dict), {"name", "threshold", "metric", "valid_from_year"}
        )
        self.assertFalse(Requirement.objects.exists())
