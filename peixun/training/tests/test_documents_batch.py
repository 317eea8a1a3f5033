"""Training documents as .docx and PDF, one or all of a class at once: the notices, the roster,
the sign-in sheets and the certificates (pages and API). Who gets which (persona tests, the
rule of one document), what each file says (python-docx, pypdf), what a batch holds (.zip
members, merged page counts), the names it is downloaded under, bad input and the audit."""

from __future__ import annotations

import io
from typing import ClassVar
from urllib.parse import quote

import docx
from django.urls import reverse
from pypdf import PdfReader

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase
from peixun.training.documents import certificate_printable, roster_printable
from peixun.training.models import Enrolment
from peixun.training.selectors import class_certificates, signin_sheets
from peixun.training.services.closing import class_close

from .files import docx_text, pdf_pages, pdf_text, zip_members
from .test_closing_fixtures import Closable, closable_class, complete, mark_all
from .test_dispatch_fixtures import DispatchTestCase, make_class


def page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


class NoticeBatchTests(DispatchTestCase):
    chen_enrolment: ClassVar[Enrolment]
    far: ClassVar[Enrolment]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        tc = cls.d.training_class
        cls.chen_enrolment = Enrolment.objects.create(
            training_class=tc,
            member=cls.d.chen,
            quota=cls.d.quota,
            route="nominated",
            state="accepted",
        )
        # Named by the organiser from another unit: not the branch secretary's to download.
        cls.far = Enrolment.objects.create(
            training_class=tc, member=cls.world.far_member, route="named", state="accepted"
        )
        # Nominated, not yet accepted: no notice.
        Enrolment.objects.create(
            training_class=tc,
            member=cls.d.wang,
            quota=cls.d.quota,
            route="nominated",
            state="nominated",
        )

    def url(self, fmt: str, pk: int | None = None) -> str:
        return reverse("training:notices", args=[pk or self.d.training_class.pk, fmt])

    def test_personas(self) -> None:
        self.expect_personas(
            self.url("pdf"),
            {
                "anonymous": 302,  # to the login
                "member": 200,  # their own notice
                "secretary": 200,  # the branch's members
                "other_secretary": 404,  # does not see the class
                "org_admin": 200,  # the organiser: all of them
                "viewer": 302,  # reads, but downloads no notice: back with a message
            },
        )

    def test_one_pdf_holds_every_notice_in_order(self) -> None:
        response = self.client_for("org_admin").get(self.url("pdf"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        tc = self.d.training_class
        disposition = response["Content-Disposition"]
        self.assertIn(f'filename="notices-{tc.pk}.pdf"', disposition)
        self.assertIn(quote(f"调训通知-{tc.title}.pdf"), disposition)
        singles = [
            self.client_for("org_admin")
            .get(reverse("training:notice_file", args=[tc.pk, "pdf"]) + f"?member={m.pk}")
            .content
            for m in (self.world.member, self.d.chen, self.world.far_member)
        ]
        self.assertEqual(page_count(response.content), sum(page_count(s) for s in singles))
        text = pdf_text(response.content)
        for name in ("李明", "陈六", self.world.far_member.name):
            self.assertIn(f"{name}同志参加学习", text)
        self.assertNotIn("王五", text)  # nominated, not accepted
        batch = AuditEvent.objects.filter(verb="training.notice_download", after__batch=True)
        self.assertEqual(
            sorted(int(e.object_id) for e in batch),
            sorted([self.d.enrolled.pk, self.chen_enrolment.pk, self.far.pk]),
        )

    def test_zip_of_docx_and_zip_of_pdf(self) -> None:
        tc = self.d.training_class
        admin = self.client_for("org_admin")
        response = admin.get(self.url("zip"))
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn(f'filename="notices-{tc.pk}.zip"', response["Content-Disposition"])
        files = zip_members(response.content)
        self.assertIn(f"调训通知-李明-{tc.title}.docx", files)
        self.assertIn(f"调训通知-陈六-{tc.title}.docx", files)
        self.assertEqual(len(files), 3)
        text = docx_text(files[f"调训通知-陈六-{tc.title}.docx"])
        self.assertIn("调训第一党支部陈六同志参加学习", text)
        pdfs = zip_members(admin.get(self.url("pdf.zip")).content)
        self.assertEqual(sorted(pdfs), sorted(name.replace(".docx", ".pdf") for name in files))
        self.assertIn("陈六", pdf_text(pdfs[f"调训通知-陈六-{tc.title}.pdf"]))

    def test_the_secretary_gets_their_branchs_members_only(self) -> None:
        files = zip_members(self.client_for("secretary").get(self.url("zip")).content)
        tc = self.d.training_class
        self.assertEqual(
            sorted(files), sorted(f"调训通知-{n}-{tc.title}.docx" for n in ("李明", "陈六"))
        )
        mine = zip_members(self.client_for("member").get(self.url("zip")).content)
        self.assertEqual(list(mine), [f"调训通知-李明-{tc.title}.docx"])

    def test_unknown_format_and_nothing_to_download(self) -> None:
        admin = self.client_for("org_admin")
        self.assertEqual(admin.get(self.url("odt")).status_code, 404)
        self.assertEqual(admin.get(self.url("docx")).status_code, 404)
        empty = make_class(self.world, title="尚无学员的培训班")
        response = admin.get(self.url("pdf", empty.pk), follow=True)
        self.assertRedirects(response, reverse("training:roster", args=[empty.pk]))
        self.assertContains(response, "暂无您可下载调训通知的已录取学员")
        self.assertFalse(AuditEvent.objects.filter(verb="training.notice_download").exists())

    def test_the_roster_page_offers_the_batch(self) -> None:
        page = self.client_for("secretary").get(
            reverse("training:roster", args=[self.d.training_class.pk])
        )
        self.assertContains(page, self.url("pdf"))
        self.assertContains(page, self.url("pdf.zip"))
        self.assertContains(page, "调训通知（2 名学员）")
        viewer = self.client_for("viewer").get(
            reverse("training:roster", args=[self.d.training_class.pk])
        )
        self.assertNotContains(viewer, self.url("pdf"))
        self.assertContains(viewer, "学员录取后即可下载调训通知")


class NoticeBatchApiTests(NoticeBatchTests):
    def api(self, fmt: str, pk: int | None = None) -> str:
        return (
            f"/api/v1/training/classes/{pk or self.d.training_class.pk}/notices/file?format={fmt}"
        )

    def test_api_personas_and_formats(self) -> None:
        self.expect_personas(
            self.api("zip"),
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,  # nothing they may download
            },
        )
        admin = self.client_for("org_admin")
        merged = admin.get(self.api("pdf"))
        self.assertEqual(merged["Content-Type"], "application/pdf")
        self.assertIn(
            quote(f"调训通知-{self.d.training_class.title}.pdf"), merged["Content-Disposition"]
        )
        self.assertEqual(len(zip_members(admin.get(self.api("pdf.zip")).content)), 3)
        bad = admin.get(self.api("odt"))
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["detail"][0]["loc"], ["query", "format"])
        empty = make_class(self.world, title="尚无学员的培训班")
        nothing = admin.get(self.api("pdf", empty.pk))
        self.assertEqual(nothing.status_code, 404)
        self.assertIn("调训通知", nothing.json()["detail"])


class RosterDocumentTests(DispatchTestCase):
    def test_roster_pdf_and_docx(self) -> None:
        tc = self.d.training_class
        admin = self.client_for("org_admin")
        response = admin.get(reverse("training:roster_export", args=[tc.pk, "pdf"]))
        self.assertEqual(response.status_code, 200)
        self.assertIn(quote(f"学员名单-{tc.title}.pdf"), response["Content-Disposition"])
        self.assertIn(f'filename="roster-{tc.pk}.pdf"', response["Content-Disposition"])
        text = pdf_text(response.content)
        self.assertIn(f"{tc.title}学员名单", text)
        self.assertIn("110101", text)
        box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
        if box.width > box.height:  # landscape (core.printable renders it since the toolkit)
            self.assertIn(self.world.member.id_number_masked, text)  # on one line
        self.assertNotIn(self.world.member.reveal_id_number(), text)
        document = docx.Document(
            io.BytesIO(admin.get(reverse("training:roster_export", args=[tc.pk, "docx"])).content)
        )
        (table,) = document.tables
        self.assertEqual(
            [c.text for c in table.rows[0].cells],
            ["序号", "姓名", "性别", "公民身份号码", "所在支部", "上级组织", "所占名额", "状态"],
        )
        header = table.rows[0]._tr.trPr
        assert header is not None
        self.assertIsNotNone(header.find(docx.oxml.ns.qn("w:tblHeader")))  # repeats a page
        self.assertEqual(table.rows[1].cells[3].text, self.world.member.id_number_masked)
        rows = list(Enrolment.objects.filter(training_class=tc).select_related("member__org"))
        self.assertTrue(roster_printable(tc, rows).landscape)  # room for the ID numbers


class ClosedClassDocuments(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)
        mark_all(cls.c)
        complete(cls.c, cls.world.users["org_admin"])
        class_close(actor=cls.world.users["org_admin"], training_class=cls.c.training_class)
        cls.c.training_class.refresh_from_db()

    def url(self, name: str, *args: object) -> str:
        return reverse(f"training:{name}", args=[self.c.training_class.pk, *args])


class CertificateDocumentTests(ClosedClassDocuments):
    def test_certificate_pdf(self) -> None:
        tc = self.c.training_class
        response = self.client_for("member").get(self.url("certificate_file", self.c.li.pk, "pdf"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(quote(f"结业证书-李明-{tc.title}.pdf"), response["Content-Disposition"])
        self.assertIn(
            f'filename="certificate-{tc.pk}-{self.c.li.pk}.pdf"', response["Content-Disposition"]
        )
        (page,) = pdf_pages(response.content)
        for expected in (
            "结业证书",
            "李明同志",
            "共计12学时",
            "准予结业",
            "特发此证",
            "测试县直机关工委",
        ):
            self.assertIn(expected, page)
        event = AuditEvent.objects.get(verb="training_class.certificate")
        self.assertEqual((event.after or {})["format"], "pdf")
        (facts,) = [f for f in class_certificates(self.world.users["member"], tc)]
        doc = certificate_printable(facts)
        self.assertTrue(doc.sealed)  # room for the organiser's seal over its name and date
        self.assertFalse(doc.numbered)
        self.assertTrue(doc.landscape)
        self.assertEqual(
            self.client_for("member")
            .get(self.url("certificate_file", self.c.li.pk, "odt"))
            .status_code,
            404,
        )

    def test_certificates_batch_personas(self) -> None:
        self.expect_personas(
            self.url("certificates", "pdf"),
            {
                "anonymous": 302,
                "member": 200,  # their own
                "secretary": 200,  # their branch's members
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,  # the organiser's readers, as one certificate
            },
        )

    def test_one_pdf_a_page_a_certificate_and_the_zips(self) -> None:
        tc = self.c.training_class
        expected = class_certificates(self.world.users["org_admin"], tc)
        self.assertGreaterEqual(len(expected), 2)
        admin = self.client_for("org_admin")
        merged = admin.get(self.url("certificates", "pdf"))
        self.assertIn(quote(f"结业证书-{tc.title}.pdf"), merged["Content-Disposition"])
        pages = pdf_pages(merged.content)
        self.assertEqual(len(pages), len(expected))
        self.assertEqual(
            [f.member.name for f in expected],
            [next(f.member.name for f in expected if f"{f.member.name}同志" in p) for p in pages],
        )
        files = zip_members(admin.get(self.url("certificates", "zip")).content)
        self.assertEqual(
            sorted(files), sorted(f"结业证书-{f.member.name}-{tc.title}.docx" for f in expected)
        )
        self.assertIn("准予结业", docx_text(files[f"结业证书-李明-{tc.title}.docx"]))
        pdfs = zip_members(admin.get(self.url("certificates", "pdf.zip")).content)
        self.assertTrue(all(name.endswith(".pdf") for name in pdfs))
        self.assertEqual(len(pdfs), len(expected))
        audited = AuditEvent.objects.filter(verb="training_class.certificate", after__batch=True)
        self.assertEqual(audited.count(), 3 * len(expected))
        mine = zip_members(self.client_for("member").get(self.url("certificates", "zip")).content)
        self.assertEqual(list(mine), [f"结业证书-李明-{tc.title}.docx"])

    def test_closing_page_offers_the_batch(self) -> None:
        page = self.client_for("viewer").get(self.url("closing"))
        self.assertContains(page, self.url("certificates", "pdf"))
        self.assertContains(page, self.url("certificate_file", self.c.li.pk, "pdf"))

    def test_bad_format_and_a_class_not_closed(self) -> None:
        admin = self.client_for("org_admin")
        self.assertEqual(admin.get(self.url("certificates", "docx")).status_code, 404)
        other = closable_class(
            self.world, title="未结班的培训班", chen=self.c.chen, zhou=self.c.zhou
        )
        response = admin.get(
            reverse("training:certificates", args=[other.training_class.pk, "pdf"]), follow=True
        )
        self.assertRedirects(response, reverse("training:closing", args=[other.training_class.pk]))
        self.assertContains(response, "培训班结班后才发放结业证书")
        api = admin.get(f"/api/v1/training/classes/{other.training_class.pk}/certificates/file")
        self.assertEqual(api.status_code, 404)

    def test_api(self) -> None:
        url = f"/api/v1/training/classes/{self.c.training_class.pk}/certificates/file?format=zip"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        bad = self.client_for("org_admin").get(url.replace("zip", "odt"))
        self.assertEqual(bad.status_code, 422)


class SigninSheetDocumentTests(ClosedClassDocuments):
    def test_pdf_a_page_a_session(self) -> None:
        tc = self.c.training_class
        response = self.client_for("viewer").get(self.url("signin_sheet", "pdf"))
        self.assertEqual(response.status_code, 200)
        self.assertIn(quote(f"签到表-{tc.title}.pdf"), response["Content-Disposition"])
        pages = pdf_pages(response.content)
        self.assertEqual(len(pages), len(signin_sheets(tc)))
        self.assertIn("第二讲", pages[1])
        self.assertNotIn("第一讲", pages[1])
        self.assertIn("应到3人", pages[0])
        one = self.client_for("org_admin").get(
            self.url("signin_sheet", "pdf") + f"?session={self.c.sessions[2].pk}"
        )
        self.assertIn(quote(f"签到表-{tc.title}-第三讲.pdf"), one["Content-Disposition"])
        self.assertEqual(page_count(one.content), 1)

    def test_docx_signature_columns_are_wide_enough_to_sign(self) -> None:
        content = self.client_for("org_admin").get(self.url("signin_sheet", "docx")).content
        document = docx.Document(io.BytesIO(content))
        self.assertEqual(len(document.tables), 4)
        table = document.tables[0]
        headers = [c.text for c in table.rows[0].cells]
        sign = headers.index("签到（签名）")
        widths = [cell.width for cell in table.rows[1].cells]
        self.assertGreater(widths[sign], widths[headers.index("姓名")] * 2)
        self.assertGreater(widths[sign].mm, 35)
        self.assertEqual(table.rows[1].cells[sign].text.strip(), "")  # blank, to be signed
        breaks = document.element.body.xpath(".//w:br[@w:type='page']")
        self.assertEqual(len(breaks), 3)  # a page a session
