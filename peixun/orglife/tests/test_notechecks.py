"""学习笔记抽查: the sample (per branch, reproducible from its seed), recording a check with a
photo checked by its content, the summary per branch computed by hand, the 台账, and the pages
and API for every persona; bad input stores nothing."""

from __future__ import annotations

import io
import tempfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from peixun.core.models import AuditEvent
from peixun.orglife.models import NoteCheck, NoteCheckRound
from peixun.orglife.selectors.notechecks import note_round_summary
from peixun.orglife.services import notechecks as services
from peixun.testing import PersonaTestCase, make_member

from .test_meetings_fixtures import body, error_fields

MEDIA = tempfile.mkdtemp(prefix="peixun-test-media-")
LIST_PAGE = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}


def photo(name: str = "notes.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@override_settings(MEDIA_ROOT=MEDIA)
class NoteCheckTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        for i in range(4):
            make_member(w.branch, f"党员甲{i}")
            make_member(w.other_branch, f"党员乙{i}")

    def open_round(self, **overrides: object) -> NoteCheckRound:
        fields: dict[str, object] = {
            "org": self.world.unit,
            "year": timezone.localdate().year,
            "title": "上半年学习笔记抽查",
            "sample_count": 2,
            "seed": "abc",
        }
        fields.update(overrides)
        return services.note_round_create(actor=self.user("org_admin"), **fields)  # type: ignore[arg-type]


class RoundServiceTests(NoteCheckTestCase):
    def test_the_sample_is_per_branch_and_reproducible(self) -> None:
        w = self.world
        first = self.open_round()
        again = self.open_round(title="再抽一次")
        drawn = sorted(first.checks.values_list("member_id", "branch_id"))
        self.assertEqual(drawn, sorted(again.checks.values_list("member_id", "branch_id")))
        per_branch = {b: [m for m, o in drawn if o == b] for b in (w.branch.pk, w.other_branch.pk)}
        self.assertEqual([len(v) for v in per_branch.values()], [2, 2])
        percent = self.open_round(sample_count=None, sample_percent=50, seed="")
        # 第一党支部 has 6 members (李明, 王芳 and four more): 50% is 3; 第二党支部 5: 3 (up).
        self.assertEqual(percent.checks.filter(branch=w.branch).count(), 3)
        self.assertEqual(percent.checks.filter(branch=w.other_branch).count(), 3)
        self.assertEqual(len(percent.seed), 16)

    def test_bad_input_stores_nothing(self) -> None:
        cases: list[tuple[dict[str, object], str]] = [
            ({"title": " "}, "title"),
            ({"year": 1999}, "year"),
            ({"sample_count": None}, "sample_count"),
            ({"sample_percent": 10}, "sample_count"),
            ({"sample_count": None, "sample_percent": 101}, "sample_percent"),
        ]
        for overrides, field in cases:
            with self.assertRaises(ValidationError) as caught:
                self.open_round(**overrides)
            self.assertIn(field, caught.exception.message_dict, overrides)
        with self.assertRaises(PermissionDenied):
            services.note_round_create(
                actor=self.user("secretary"),
                org=self.world.unit,
                year=2026,
                title="x",
                sample_count=1,
            )
        self.assertFalse(NoteCheckRound.objects.exists())
        self.assertFalse(NoteCheck.objects.exists())

    def test_record_a_check_with_a_photo_and_the_summary_by_hand(self) -> None:
        w = self.world
        check_round = self.open_round()
        admin = self.user("org_admin")
        checks = list(check_round.checks.order_by("branch__path", "pk"))
        today = timezone.localdate()
        results = ["excellent", "failed", "passed"]
        for check, result in zip(checks, results, strict=False):
            services.note_check_record(
                actor=admin,
                check=check,
                checked_on=today,
                checker="组织部",
                result=result,
                photo=photo(),
            )
        summary = {line.branch.pk: line for line in note_round_summary(check_round)}  # type: ignore[union-attr]
        # 第一党支部: its two checked (优秀, 不合格); 第二党支部: one of two checked (合格).
        first, second = summary[w.branch.pk], summary[w.other_branch.pk]
        self.assertEqual(
            (first.sampled, first.checked, first.results["excellent"], first.results["failed"]),
            (2, 2, 1, 1),
        )
        self.assertEqual(
            (second.sampled, second.checked, second.unchecked, second.results["passed"]),
            (2, 1, 1, 1),
        )
        stored = NoteCheck.objects.get(pk=checks[0].pk)
        self.assertTrue(str(stored.photo.name).endswith(".jpg"))
        self.assertTrue(AuditEvent.objects.filter(verb="note_check.record").exists())

    def test_a_photo_is_checked_by_its_content(self) -> None:
        check = self.open_round().checks.first()
        assert check is not None
        admin = self.user("org_admin")
        today = timezone.localdate()
        fakes = [
            SimpleUploadedFile(
                "notes.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"
            ),
            SimpleUploadedFile(
                "notes.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg"
            ),
            SimpleUploadedFile("notes.jpg", b"", content_type="image/jpeg"),
            None,
        ]
        for fake in fakes:
            with self.assertRaises(ValidationError) as caught:
                services.note_check_record(
                    actor=admin,
                    check=check,
                    checked_on=today,
                    checker="x",
                    result="passed",
                    photo=fake,
                )
            self.assertIn("photo", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.note_check_record(
                actor=admin,
                check=check,
                checked_on=today,
                checker=" ",
                result="best",
                photo=photo(),
            )
        self.assertEqual(set(caught.exception.message_dict), {"checker", "result"})
        check.refresh_from_db()
        self.assertEqual((check.result, check.photo.name), ("", ""))
        # A PNG named .jpg is stored as what it is.
        services.note_check_record(
            actor=admin,
            check=check,
            checked_on=today,
            checker="x",
            result="good",
            photo=photo("n.jpg", "PNG"),
        )
        check.refresh_from_db()
        self.assertTrue(str(check.photo.name).endswith(".png"))


class RoundPageTests(NoteCheckTestCase):
    def test_pages_for_every_persona(self) -> None:
        check_round = self.open_round()
        check = check_round.checks.first()
        assert check is not None
        self.expect_personas("/orglife/notechecks/", LIST_PAGE)
        self.expect_personas("/orglife/notechecks/new/", {**LIST_PAGE, "viewer": 404})
        unit = {**LIST_PAGE, "secretary": 404, "other_secretary": 404}
        self.expect_personas(f"/orglife/notechecks/{check_round.pk}/", unit)
        self.expect_personas(f"/orglife/notechecks/{check_round.pk}/export.xlsx", unit)
        self.expect_personas(
            f"/orglife/notechecks/{check_round.pk}/checks/{check.pk}/", {**unit, "viewer": 403}
        )
        self.expect_personas(
            f"/orglife/notechecks/{check_round.pk}/checks/{check.pk}/photo/",
            {**unit, "org_admin": 404, "viewer": 404},
        )

    def test_open_record_with_a_photo_and_export(self) -> None:
        client = self.client_for("secretary")
        response = client.post(
            "/orglife/notechecks/new/",
            {
                "org": self.world.branch.pk,
                "year": timezone.localdate().year,
                "title": "支部笔记抽查",
                "sample_count": 3,
            },
        )
        check_round = NoteCheckRound.objects.get()
        self.assertRedirects(response, f"/orglife/notechecks/{check_round.pk}/")
        self.assertEqual(check_round.checks.count(), 3)
        check = check_round.checks.first()
        assert check is not None
        url = f"/orglife/notechecks/{check_round.pk}/checks/{check.pk}/"
        data = {
            "checked_on": timezone.localdate().isoformat(),
            "checker": "王芳",
            "result": "excellent",
            "note": "笔记工整",
        }
        response = client.post(
            url, {**data, "photo": SimpleUploadedFile("a.jpg", b"not a picture")}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "JPEG")
        response = client.post(url, {**data, "photo": photo()})
        self.assertRedirects(response, f"/orglife/notechecks/{check_round.pk}/")
        shown = client.get(f"{url}photo/")
        self.assertEqual((shown.status_code, shown["Content-Type"]), (200, "image/jpeg"))
        page = self.client_for("viewer").get(f"/orglife/notechecks/{check_round.pk}/")
        self.assertContains(page, "笔记")
        export = client.get(f"/orglife/notechecks/{check_round.pk}/export.xlsx")
        book = load_workbook(io.BytesIO(export.content))
        self.assertEqual(len(book.sheetnames), 2)
        self.assertTrue(AuditEvent.objects.filter(verb="note_round.export").exists())


class RoundApiTests(NoteCheckTestCase):
    def test_rounds_checks_and_summary(self) -> None:
        w = self.world
        url = "/api/v1/orglife/note-checks"
        self.expect_personas(url, {**LIST_PAGE, "anonymous": 401, "member": 200})
        data = {
            "org": w.branch.pk,
            "year": timezone.localdate().year,
            "title": "抽查",
            "sample_count": 2,
        }
        statuses = {
            "anonymous": 401,
            "member": 403,  # sees their own branch, manages nothing
            "secretary": 201,
            "other_secretary": 422,
            "org_admin": 201,
            "viewer": 403,
        }
        self.expect_personas(url, statuses, method="post", **body(data))
        response = self.client_for("secretary").post(url, **body({**data, "sample_percent": 5}))
        self.assertEqual(error_fields(response), {"sample_count"})
        self.assertEqual(NoteCheckRound.objects.count(), 2)
        check_round = NoteCheckRound.objects.first()
        assert check_round is not None
        checks = self.client_for("viewer").get(f"{url}/{check_round.pk}/checks").json()
        self.assertEqual(len(checks), 2)
        record = f"{url}/{check_round.pk}/checks/{checks[0]['id']}"
        form = {
            "checked_on": timezone.localdate().isoformat(),
            "checker": "王芳",
            "result": "passed",
        }
        self.assertEqual(
            self.client_for("viewer").post(record, {**form, "photo": photo()}).status_code, 403
        )
        self.assertEqual(
            self.client_for("other_secretary").post(record, {**form, "photo": photo()}).status_code,
            404,
        )
        response = self.client_for("secretary").post(record, form)
        self.assertEqual(error_fields(response), {"photo"})
        response = self.client_for("secretary").post(record, {**form, "photo": photo()})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["has_photo"])
        summary = self.client_for("viewer").get(f"{url}/{check_round.pk}/summary").json()
        self.assertEqual(
            [(s["sampled"], s["checked"], s["results"]["passed"]) for s in summary], [(2, 1, 1)]
        )
