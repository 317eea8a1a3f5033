"""The activation slips as PDF beside the .docx: one page per member, the fields and a fresh code
on each, issued by the same service call as the .docx (so a new file voids the last one's codes)."""

from __future__ import annotations

import io
import re

from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from peixun.accounts.documents import SlipRow, activation_slips_pdf
from peixun.accounts.models import ActivationCode, User
from peixun.accounts.services.accounts import code_hash
from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, download_names, make_member

CODE = re.compile(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}")


def pdf_pages(data: bytes) -> list[str]:
    # pypdf reads fpdf2's Identity-H text with a NUL before each character (poppler's pdftotext
    # reads it clean), so the NULs are dropped here.
    return [page.extract_text().replace("\x00", "") for page in PdfReader(io.BytesIO(data)).pages]


def open_code(code: str) -> ActivationCode | None:
    return ActivationCode.objects.filter(
        code_hash=code_hash(code), used_at__isnull=True, voided_at__isnull=True
    ).first()


class SlipsPdfTests(PersonaTestCase):
    def url(self, ext: str = "pdf") -> str:
        return f"/accounts/orgs/{self.world.other_branch.pk}/slips.{ext}"

    def make_logins(self, count: int = 3) -> None:
        for i in range(count):
            make_member(self.world.other_branch, f"成员{i}")
        self.client_for("org_admin").post(
            f"/accounts/orgs/{self.world.other_branch.pk}/create/", {"mode": "subtree"}
        )

    def test_personas(self) -> None:
        self.make_logins(1)
        self.expect_personas(
            self.url(),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,  # a secretary of this very branch, not an org admin
                "viewer": 404,
                "org_admin": 200,
            },
            method="post",
            data={"scope": "subtree"},
        )
        self.assertEqual(self.client_for("org_admin").get(self.url()).status_code, 405)

    def test_one_page_per_member_with_name_path_login_and_a_fresh_code(self) -> None:
        self.make_logins(3)
        response = self.client_for("org_admin").post(self.url(), {"scope": "subtree"})
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(
            download_names(response),
            ("activation-slips-T010102.pdf", "账号激活通知单-第二党支部.pdf"),
        )
        pages = pdf_pages(response.content)
        # The three new logins; the branch's secretary already has a password.
        self.assertEqual(len(pages), 3)
        for index, text in enumerate(pages):
            with self.subTest(page=index):
                self.assertIn(f"成员{index}", text)
                self.assertIn("测试局机关党委 › 第二党支部", text)
                user = User.objects.get(member__name=f"成员{index}")
                self.assertIn(user.mobile or user.username, text)
                codes = CODE.findall(text)
                self.assertTrue(codes, text)
                found = open_code(codes[0])
                self.assertIsNotNone(found, "the code on the slip works")
                assert found is not None
                self.assertEqual(found.user_id, user.pk)
                self.assertIn("/accounts/activate/", text)
                self.assertIn(timezone.localtime(found.expires_at).strftime("%Y-%m-%d"), text)
        self.assertTrue(AuditEvent.objects.filter(verb="account.slips_export").exists())

    def test_pdf_and_docx_issue_codes_the_same_way(self) -> None:
        self.make_logins(1)
        client = self.client_for("org_admin")
        first = CODE.findall(pdf_pages(client.post(self.url(), {"scope": "subtree"}).content)[0])
        self.assertIsNotNone(open_code(first[0]))
        client.post(self.url("docx"), {"scope": "subtree"})
        self.assertIsNone(open_code(first[0]), "printing again voids the earlier slip")
        self.assertEqual(AuditEvent.objects.filter(verb="account.slips_export").count(), 2)
        second = CODE.findall(pdf_pages(client.post(self.url(), {"scope": "subtree"}).content)[0])
        self.assertNotEqual(first[0], second[0])
        self.assertIsNotNone(open_code(second[0]))

    def test_nothing_awaiting_activation_answers_with_the_page(self) -> None:
        response = self.client_for("org_admin").post(self.url(), {"scope": "org"})
        self.assertRedirects(response, f"/accounts/orgs/{self.world.other_branch.pk}/")

    def test_builder_pages_and_text(self) -> None:
        rows = [
            SlipRow(
                f"人{i}",
                "某县委 › 县统计局党总支 › 办公室党支部",
                f"dy{i}",
                "ABCDE-FGHJK",
                timezone.now(),
                "http://x/accounts/activate/?code=ABCDE-FGHJK",
            )
            for i in range(5)
        ]
        data = activation_slips_pdf(rows, site_name="某县党员教育培训平台")
        pages = pdf_pages(data)
        self.assertEqual(len(pages), 5)
        self.assertIn("人4", pages[4])
        self.assertIn("办公室党支部", pages[0])

    @override_settings(PDF_FONT_FILE="/nonexistent/font.ttc")
    def test_a_missing_font_is_a_clear_error(self) -> None:
        from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415 - this test only

        with self.assertRaisesMessage(ImproperlyConfigured, "fonts-noto-cjk"):
            activation_slips_pdf([])

    def test_the_page_offers_both_files(self) -> None:
        page = self.client_for("org_admin").get(f"/accounts/orgs/{self.world.other_branch.pk}/")
        self.assertContains(page, self.url())
        self.assertContains(page, self.url("docx"))
