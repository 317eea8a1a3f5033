"""No uploaded workbook can take the server down.

A 1.6 KB .xlsx whose only cell sits at XFD1048576 made the dense reader allocate 512 GiB and
abort the process. These tests run in the same process as the app: had any import endpoint
parsed such a file in the worker, the test run itself would have died. Each endpoint answers with
a clear message, stores nothing, and the next request is served.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from openpyxl import Workbook

from peixun.core import spreadsheets
from peixun.core.spreadsheets import SheetFileError, read_first_sheet, sheet_extent
from peixun.events.models import Attendance
from peixun.events.tests.fixtures import class_session
from peixun.exams.models import Question
from peixun.members.models import Member
from peixun.testing import PersonaTestCase


def workbook(cells: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change: Any) -> bytes:
    """The same package with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(entry, content)
    return out.getvalue()


def far_cell() -> bytes:
    return workbook({"A1": "姓名", "XFD1048576": 1})


def declared_only() -> bytes:
    """A small sheet that claims to span the whole grid."""
    return rewrite_sheet(
        workbook({"A1": "姓名", "B2": "x"}),
        lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml),
    )


def far_row_without_cell_refs() -> bytes:
    """Cells without their own reference, in a row numbered at the bottom of the grid."""
    return rewrite_sheet(
        workbook({"A1": "姓名", "A2": "x"}),
        lambda xml: xml.replace(b'<row r="2"', b'<row r="1048576"').replace(b' r="A2"', b""),
    )


HOSTILE: dict[str, Callable[[], bytes]] = {
    "far cell": far_cell,
    "declared dimension": declared_only,
    "far row": far_row_without_cell_refs,
    "wide": lambda: workbook({"A1": "姓名", "GZ1": "x"}),  # column 208
}


@override_settings(LANGUAGE_CODE="en")
class SheetExtentTests(SimpleTestCase):
    def test_the_extent_is_read_off_the_xml(self) -> None:
        self.assertEqual(sheet_extent(workbook({"A1": 1, "C7": 2})), (7, 3))
        self.assertEqual(sheet_extent(far_cell()), (1_048_576, 16_384))
        self.assertEqual(sheet_extent(declared_only()), (1_048_576, 16_384))
        self.assertEqual(sheet_extent(far_row_without_cell_refs())[0], 1_048_576)

    def test_every_hostile_file_is_refused_before_any_parser_sees_it(self) -> None:
        for name, make in HOSTILE.items():
            with self.subTest(name), self.assertRaises(SheetFileError) as refused:
                read_first_sheet(make())
            self.assertIn("200", refused.exception.message)

    def test_a_sheet_at_the_limits_is_read(self) -> None:
        rows = read_first_sheet(workbook({"A1": "姓名", "GR3": "x"}))  # column 200, row 3
        self.assertEqual((len(rows), len(rows[0]), rows[2][199]), (3, 200, "x"))

    def test_cells_keep_their_types_through_the_child(self) -> None:
        when = dt.datetime(2026, 7, 1, 9, 30)  # noqa: DTZ001 — a spreadsheet cell has no zone
        rows = read_first_sheet(workbook({"A1": "文本", "B1": 3, "C1": 2.5, "D1": when}))
        self.assertEqual(rows[0][:3], ["文本", 3, 2.5])
        self.assertEqual(rows[0][3], when)

    def test_a_reader_that_runs_out_of_memory_ends_only_its_child(self) -> None:
        saved = spreadsheets._READER_MEMORY_BYTES
        spreadsheets._READER_MEMORY_BYTES = 16 * 1024 * 1024  # too little for the interpreter
        try:
            with self.assertRaises(SheetFileError) as refused:
                read_first_sheet(workbook({"A1": "姓名"}))
        finally:
            spreadsheets._READER_MEMORY_BYTES = saved
        self.assertIn("limits", refused.exception.message)
        self.assertEqual(read_first_sheet(workbook({"A1": "姓名"})), [["姓名"]])

    def test_past_the_extent_check_the_far_cell_kills_only_the_child(self) -> None:
        """Were the extent check ever wrong, the parser's 512 GiB grid ends the child process
        under its memory limit; this process carries on."""
        saved = spreadsheets.MAX_SHEET_ROWS, spreadsheets.MAX_SHEET_COLUMNS
        spreadsheets.MAX_SHEET_ROWS, spreadsheets.MAX_SHEET_COLUMNS = 2_000_000, 20_000
        try:
            with self.assertRaises(SheetFileError) as refused:
                read_first_sheet(far_cell())
        finally:
            spreadsheets.MAX_SHEET_ROWS, spreadsheets.MAX_SHEET_COLUMNS = saved
        self.assertIn("limits", refused.exception.message)

    def test_a_damaged_sheet_is_refused_with_a_clear_message(self) -> None:
        broken = rewrite_sheet(workbook({"A1": "x"}), lambda xml: b"<worksheet><sheetData><row")
        with self.assertRaises(SheetFileError) as refused:
            read_first_sheet(broken)
        self.assertIn("damaged", refused.exception.message)


class EveryImportEndpointTests(PersonaTestCase):
    """The hostile files through every import, as a secretary or org admin would send them."""

    def upload(self, data: bytes) -> dict[str, Any]:
        return {"file": SimpleUploadedFile("名册.xlsx", data)}

    def endpoints(self) -> list[tuple[str, str, dict[str, Any]]]:
        event = class_session(self.world).event
        bank = {"org": self.world.root.pk}
        return [
            ("secretary", "/members/roster/import/", {}),
            ("org_admin", "/api/v1/members/import", {}),
            ("org_admin", f"/events/{event.pk}/attendance/import/", {}),
            ("org_admin", f"/api/v1/events/{event.pk}/attendance/import", {}),
            ("org_admin", "/exams/bank/import/", bank),
            ("org_admin", "/api/v1/exams/bank/import", {**bank, "dry_run": "false"}),
        ]

    def test_each_endpoint_refuses_each_file_and_the_server_answers_the_next_request(
        self,
    ) -> None:
        endpoints = self.endpoints()
        members, questions = Member.objects.count(), Question.objects.count()
        for persona, url, extra in endpoints:
            client = self.client_for(persona)
            for name, make in HOSTILE.items():
                with self.subTest(url=url, file=name):
                    response = client.post(url, {**extra, **self.upload(make())})
                    self.assertIn(response.status_code, (200, 400, 422), response.content[:300])
                    self.assertIn("200", response.content.decode())  # the limit, named
                    self.assertEqual(client.get("/").status_code, 200)
        self.assertEqual(Member.objects.count(), members)
        self.assertEqual(Question.objects.count(), questions)
        self.assertFalse(Attendance.objects.exists())
