"""Pages of the printable 培训档案 and the 学时证明: personas, bad input, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.urls import reverse

from peixun.core.describers import describe_events
from peixun.core.models import AuditEvent
from peixun.hours.models import HoursCertificate
from peixun.hours.services import certificate_issue
from peixun.testing import PersonaTestCase, download_names

from .test_archive_selectors import build_ledger

READERS = {
    "anonymous": 302,
    "member": 200,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


class ArchivePrintPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_ledger(cls.world)

    def url(self, **params: str) -> str:
        base = reverse("compliance:archive_print", args=[self.world.member.pk])
        return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")

    def test_form_personas(self) -> None:
        self.expect_personas(self.url(), READERS)

    def test_download_personas_and_audit(self) -> None:
        self.expect_personas(self.url(first_year="2024", last_year="2025", format="pdf"), READERS)
        events = AuditEvent.objects.filter(verb="hours.archive_export")
        # One export each for the member, the secretary, the org admin and the viewer.
        self.assertEqual(events.count(), 4)
        self.assertEqual(events.latest("id").after["total"], "47.50")

    def test_files(self) -> None:
        client = self.client_for("member")
        pdf = client.get(self.url(first_year="2024", last_year="2025", format="pdf"))
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertEqual(
            download_names(pdf),
            (f"archive-{self.world.member.pk}-2024-2025.pdf", "培训档案-李明-2024—2025.pdf"),
        )
        docx = client.get(self.url(first_year="2024", last_year="2024", format="docx"))
        self.assertTrue(docx.content.startswith(b"PK"))

    def test_bad_years_show_the_form_and_record_nothing(self) -> None:
        client = self.client_for("secretary")
        for params in (
            {"first_year": "2025", "last_year": "2024", "format": "pdf"},
            {"first_year": "1990", "last_year": "2024", "format": "pdf"},
            {"first_year": "x", "last_year": "2024", "format": "pdf"},
            {"first_year": "2024", "last_year": "2024", "format": "exe"},
        ):
            with self.subTest(params=params):
                response = client.get(self.url(**params))
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "invalid-feedback", status_code=400)
        self.assertFalse(AuditEvent.objects.filter(verb="hours.archive_export").exists())

    def test_archive_page_links_to_print_and_issue(self) -> None:
        page = reverse("compliance:member", args=[self.world.member.pk])
        issue = reverse("compliance:certificate_new", args=[self.world.member.pk])
        self.assertContains(self.client_for("secretary").get(page), issue)
        self.assertNotContains(self.client_for("viewer").get(page), issue)
        self.assertContains(self.client_for("member").get(page), self.url())


class CertificatePageTests(PersonaTestCase):
    certificate: ClassVar[HoursCertificate]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_ledger(cls.world)
        cls.certificate = certificate_issue(
            actor=cls.world.users["org_admin"],
            member=cls.world.member,
            first_year=2024,
            last_year=2025,
            issued_on=dt.date(2026, 1, 5),
        )

    def new_url(self) -> str:
        return reverse("compliance:certificate_new", args=[self.world.member.pk])

    def test_issue_form_personas(self) -> None:
        self.expect_personas(
            self.new_url(),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )

    def test_issue_stores_the_figures_numbered_and_audited(self) -> None:
        response = self.client_for("secretary").post(
            self.new_url(), {"first_year": "2024", "last_year": "2024", "issued_on": "2025-01-10"}
        )
        self.assertEqual(response.status_code, 302)
        cert = HoursCertificate.objects.latest("id")
        self.assertEqual(cert.serial, "T01-2025-0001")
        self.assertIn("q=T01-2025-0001", response["Location"])
        self.assertEqual((cert.org, cert.issued_on), (self.world.branch, dt.date(2025, 1, 10)))
        self.assertEqual(
            (cert.total, cert.concentrated, cert.online), (Decimal(37), Decimal(32), Decimal(0))
        )
        self.assertEqual(
            cert.by_kind,
            {"concentrated_training": "32.00", "central_group": "2.00", "self_study": "3.00"},
        )
        event = AuditEvent.objects.get(verb="hours.certificate_issue", object_id=str(cert.pk))
        assert event.after is not None
        self.assertEqual(event.after["serial"], "T01-2025-0001")
        self.assertEqual(describe_events([event])[0], "王芳 出具了学时证明 T01-2025-0001（李明）")
        self.assertEqual(event.after["total"], "37.00")

    def test_bad_input_stores_nothing(self) -> None:
        client = self.client_for("org_admin")
        before = HoursCertificate.objects.count()
        for data, field in (
            ({"first_year": "2025", "last_year": "2024", "issued_on": "2025-06-01"}, "last_year"),
            ({"first_year": "2024", "last_year": "2024", "issued_on": "2099-01-01"}, "issued_on"),
            ({"first_year": "2024", "last_year": "2024", "issued_on": "2023-12-31"}, "issued_on"),
            ({"first_year": "", "last_year": "2024", "issued_on": "2025-01-01"}, "first_year"),
        ):
            with self.subTest(field=field, data=data):
                response = client.post(self.new_url(), data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.context["form"].errors)
        self.assertEqual(HoursCertificate.objects.count(), before)

    def test_list_personas_and_lookup_by_serial(self) -> None:
        url = reverse("hours:certificates")
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        serial = self.certificate.serial
        self.assertContains(self.client_for("member").get(url), serial)
        self.assertNotContains(self.client_for("other_secretary").get(url), serial)
        found = self.client_for("viewer").get(url, {"q": serial})
        self.assertContains(found, "李明")
        self.assertNotContains(self.client_for("viewer").get(url, {"q": "X99"}), serial)

    def test_download_personas_and_audit(self) -> None:
        url = reverse("hours:certificate", args=[self.certificate.pk, "pdf"])
        self.expect_personas(url, READERS)
        self.assertEqual(AuditEvent.objects.filter(verb="hours.certificate_export").count(), 4)
        docx = self.client_for("member").get(
            reverse("hours:certificate", args=[self.certificate.pk, "docx"])
        )
        self.assertTrue(docx.content.startswith(b"PK"))
        serial = self.certificate.serial
        self.assertEqual(
            download_names(docx),
            (
                f"certificate-{serial}.docx",
                f"学时证明-{self.certificate.member.name}-{serial}.docx",
            ),
        )
        api = self.client_for("member").get(
            f"/api/v1/hours/certificates/{self.certificate.pk}/file", {"format": "pdf"}
        )
        self.assertEqual(api["Content-Type"], "application/pdf")
        self.assertEqual(
            download_names(api),
            (f"certificate-{serial}.pdf", f"学时证明-{self.certificate.member.name}-{serial}.pdf"),
        )
        bad = reverse("hours:certificate", args=[self.certificate.pk, "exe"])
        self.assertEqual(self.client_for("org_admin").get(bad).status_code, 404)
