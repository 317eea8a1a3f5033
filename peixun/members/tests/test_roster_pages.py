"""Roster pages: who gets what (all six personas), upload → dry run → confirm, the downloads.

Access rules under test (see the views' docstring):
- import, confirm and the template are write pages: 404 for a plain member and a viewer;
- the export is for anyone who can read a subtree (viewer included); 404 for a plain member;
- anonymous is sent to the login page everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from peixun.core.crypto import keyed_hash
from peixun.core.models import AuditEvent
from peixun.core.workbooks import text_width
from peixun.members.documents import roster_headers
from peixun.members.models import Member
from peixun.testing import (
    PersonaTestCase,
    check_printable_ledger,
    download_names,
    ledger_rows,
    new_id_number,
)

from .test_roster import HEADERS, person, xlsx

IMPORTERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 404,
}
READERS = {**IMPORTERS, "viewer": 200}


def upload(data: bytes, name: str = "名册.xlsx") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}


def stashed_files() -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "imports" / "roster").glob("*.xlsx"))


class RosterPageAccessTests(PersonaTestCase):
    def test_import_page(self) -> None:
        self.expect_personas(reverse("roster:import"), IMPORTERS)

    def test_template_download(self) -> None:
        self.expect_personas(reverse("roster:template"), IMPORTERS)

    def test_export(self) -> None:
        self.expect_personas(reverse("roster:export"), READERS)

    def test_confirm_without_a_checked_upload(self) -> None:
        expired = {**IMPORTERS, "secretary": 400, "other_secretary": 400, "org_admin": 400}
        self.expect_personas(reverse("roster:confirm"), expired, method="post", data={"token": "x"})

    def test_upload_post_by_those_who_may_not_import(self) -> None:
        data = xlsx([HEADERS, person(new_id_number())])
        for persona in ("member", "viewer"):
            response = self.client_for(persona).post(reverse("roster:import"), upload(data))
            self.assertEqual(response.status_code, 404)

    def test_export_of_an_org_out_of_sight_is_404(self) -> None:
        url = reverse("roster:export") + f"?org={self.world.far_branch.pk}"
        self.assertEqual(self.client_for("secretary").get(url).status_code, 404)


class RosterImportFlowTests(PersonaTestCase):
    def test_upload_check_confirm(self) -> None:
        client = self.client_for("secretary")
        numbers = [new_id_number(dt.date(1991, 1, d)) for d in (1, 2)]
        data = xlsx([HEADERS, person(numbers[0]), person(numbers[1], name="周丽")])
        before = Member.objects.count()

        response = client.post(reverse("roster:import"), upload(data))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reverse("roster:confirm"))
        self.assertEqual(response.context["result"].created, 2)
        self.assertEqual(Member.objects.count(), before, "the check writes nothing")
        files = stashed_files()
        self.assertEqual(len(files), 1)
        self.assertEqual(files[0].read_bytes(), data)

        token = response.context["token"]
        # Another logged-in user cannot confirm this upload.
        other = self.client_for("org_admin").post(reverse("roster:confirm"), {"token": token})
        self.assertEqual(other.status_code, 400)
        self.assertEqual(Member.objects.count(), before)

        done = client.post(reverse("roster:confirm"), {"token": token})
        self.assertEqual(done.status_code, 200)
        self.assertTrue(done.context["done"])
        self.assertEqual(Member.objects.count(), before + 2)
        self.assertTrue(Member.objects.filter(id_number_hash=keyed_hash(numbers[1])).exists())
        self.assertEqual(stashed_files(), [])
        self.assertEqual(AuditEvent.objects.filter(verb="roster.import").count(), 1)

        again = client.post(reverse("roster:confirm"), {"token": token})
        self.assertEqual(again.status_code, 400, "a confirm cannot be replayed")
        self.assertEqual(Member.objects.count(), before + 2)

    def test_problems_table(self) -> None:
        client = self.client_for("secretary")
        data = xlsx([HEADERS, person(new_id_number()), person("110101199001011234", name="错号")])
        response = client.post(reverse("roster:import"), upload(data))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, reverse("roster:confirm"))
        self.assertContains(response, "110101199001011234")
        self.assertContains(response, "<td>3</td>", html=False)
        self.assertEqual(stashed_files(), [])

    def test_not_a_workbook_is_a_message_not_a_crash(self) -> None:
        client = self.client_for("secretary")
        csv = ",".join(HEADERS).encode("utf-8")
        response = client.post(reverse("roster:import"), upload(csv, "名册.xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["result"].ok)
        self.assertIsNone(response.context["errors"][0].row)

    def test_no_file(self) -> None:
        response = self.client_for("secretary").post(reverse("roster:import"), {})
        self.assertEqual(response.status_code, 400)

    @override_settings(ROSTER_MAX_UPLOAD_BYTES=2048)
    def test_too_large_is_refused_before_parsing(self) -> None:
        response = self.client_for("secretary").post(
            reverse("roster:import"), upload(b"PK\x03\x04" + bytes(4096))
        )
        self.assertEqual(response.status_code, 400)
        self.assertIsNone(response.context["result"])
        self.assertTrue(response.context["form"].errors)


class RosterDownloadTests(PersonaTestCase):
    def test_template_is_a_workbook(self) -> None:
        response = self.client_for("secretary").get(reverse("roster:template"))
        self.assertEqual(
            download_names(response), ("roster-template.xlsx", "党员名册导入模板.xlsx")
        )
        workbook = load_workbook(io.BytesIO(response.content))
        self.assertEqual(len(workbook.worksheets), 2)
        sheet, notes = workbook.worksheets
        # The headers stay in row 1, where the import reads them; each column at least as wide
        # as its header (成为发展对象日期 is not cut); A4 landscape, fitted, row 1 repeated.
        with translation.override("zh-hans"):
            headers = roster_headers()
        self.assertEqual([c.value for c in sheet[1]], headers)
        for index, header in enumerate(headers, start=1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            self.assertGreaterEqual(width, text_width(header) + 2, header)
        self.assertEqual(sheet.print_title_rows, "$1:$1")
        self.assertEqual(sheet.freeze_panes, "B2")
        for printed, orientation in ((sheet, "landscape"), (notes, "portrait")):
            setup = printed.page_setup
            self.assertEqual((str(setup.paperSize), setup.orientation), ("9", orientation))
            self.assertEqual((int(setup.fitToWidth), int(setup.fitToHeight)), (1, 0))
        self.assertTrue(notes["C2"].alignment.wrap_text)

    def test_export_honours_the_list_filters(self) -> None:
        client = self.client_for("viewer")
        everyone = load_workbook(io.BytesIO(client.get(reverse("roster:export")).content))
        self.assertEqual(len(ledger_rows(everyone.worksheets[0])), 1 + Member.objects.count())
        response = client.get(
            reverse("roster:export") + f"?org={self.world.branch.pk}&q=李&status=full"
        )
        self.assertIn("no-store", response["Cache-Control"])
        today = f"{timezone.localdate():%Y%m%d}"
        self.assertEqual(
            download_names(response), (f"roster-{today}.xlsx", f"党员名册-第一党支部-{today}.xlsx")
        )
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        check_printable_ledger(
            sheet, title="第一党支部党员名册", orientation="landscape", freeze="B4"
        )
        rows = ledger_rows(sheet)
        self.assertEqual([row[0] for row in rows[1:]], ["李明"])
        # A viewer never sees plain ID numbers.
        self.assertIn("********", rows[1][4])
        event = AuditEvent.objects.filter(verb="roster.export").latest("id")
        assert isinstance(event.after, dict)
        self.assertEqual((event.after["rows"], event.after["filters"]["q"]), (1, "李"))
