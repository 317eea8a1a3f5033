"""External records import: matching by each key, the review queue, the dry run, idempotent
apply, corrections through reversals, and files that cannot be imported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError

from peixun.core.idcard import mask_id_number
from peixun.hours.models import CreditEntry, Kind, YearlyRollup
from peixun.learning.models import ExternalRecord, ExternalSource, ImportBatch, ImportLine
from peixun.learning.services.imports import (
    entry_reference,
    import_apply_request,
    import_line_pick,
    import_upload,
)
from peixun.members.models import Member
from peixun.testing import PersonaTestCase, make_member

from .import_fixtures import export_xlsx, make_source, upload

PERIOD = "2025"
DAY = "2025-03-01"


def wrong_check(number: str) -> str:
    """The same ID number with a check character that does not match."""
    return number[:17] + ("0" if number[17] != "0" else "1")


class ImportServicesTest(PersonaTestCase):
    source: ClassVar[ExternalSource]
    member_id: ClassVar[str]
    wang_one: ClassVar[Member]
    wang_two: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.source = make_source(w.root)
        cls.member_id = w.member.reveal_id_number()
        # Two 王伟 in different branches: a name alone cannot say which one a row means.
        cls.wang_one = make_member(w.branch, "王伟", mobile="13800000011")
        cls.wang_two = make_member(w.other_branch, "王伟", mobile="13800000012")

    def check(self, rows: list[list[Any]], name: str = "xuexi.xlsx", **kwargs: Any) -> ImportBatch:
        data = kwargs.pop("data", None) or export_xlsx(rows, **kwargs)
        batch = import_upload(
            actor=self.user("org_admin"),
            source=self.source,
            period=PERIOD,
            upload=upload(data, name),
        )
        batch.refresh_from_db()
        return batch

    def apply(self, batch: ImportBatch) -> ImportBatch:
        import_apply_request(actor=self.user("org_admin"), batch=batch)
        batch.refresh_from_db()
        return batch

    def line(self, batch: ImportBatch, row: int) -> ImportLine:
        return batch.lines.get(row=row)

    def test_matches_by_id_number_mobile_and_name_with_unit(self) -> None:
        w = self.world
        batch = self.check(
            [
                ["李明", self.member_id, "", "", DAY, 2, 30, "党史"],
                ["赵强", "", "13800000003", "", DAY, 1, 10, "党章"],
                ["王伟", "", "", "第一党支部", DAY, 1.5, 5, "党纪"],
            ]
        )
        self.assertEqual(batch.status, ImportBatch.Status.CHECKED)
        self.assertEqual((batch.people, batch.matched, batch.review), (3, 3, 0))
        by_id, by_mobile, by_name = (self.line(batch, r) for r in (3, 4, 5))
        self.assertEqual((by_id.member, by_id.match), (w.member, ImportLine.Match.ID_NUMBER))
        self.assertEqual(by_id.id_masked, mask_id_number(self.member_id))
        self.assertNotIn(self.member_id, str(by_id.raw))  # the plain number is never kept
        self.assertEqual((by_mobile.member, by_mobile.match), (w.other_member, "mobile"))
        self.assertEqual((by_name.member, by_name.match), (self.wang_one, "name_unit"))
        self.assertEqual(by_id.outcome, ImportLine.Outcome.NEW)

    def test_invalid_check_character_is_a_problem_never_matched_otherwise(self) -> None:
        batch = self.check(
            [["李明", wrong_check(self.member_id), "13800000001", "", DAY, 2, 1, ""]]
        )
        self.assertEqual((batch.people, batch.problem_rows), (0, 1))
        problem = batch.problems[0]
        self.assertEqual((problem["row"], problem["column"]), (3, "公民身份号码"))
        self.assertIn("GB 11643", problem["message"])

    def test_ambiguous_name_goes_to_review_and_a_pick_resolves_it(self) -> None:
        batch = self.check([["王伟", "", "", "", DAY, 3, 8, ""]])
        line = self.line(batch, 3)
        self.assertEqual((batch.review, line.state), (1, ImportLine.State.REVIEW))
        self.assertEqual(set(line.candidates), {self.wang_one.pk, self.wang_two.pk})
        with self.assertRaises(ValidationError):  # not until the line is reviewed
            import_apply_request(actor=self.user("org_admin"), batch=batch)
        import_line_pick(actor=self.user("org_admin"), line=line, member=self.wang_two)
        batch.refresh_from_db()
        self.assertEqual(batch.review, 0)
        self.apply(batch)
        record = ExternalRecord.objects.get(member=self.wang_two)
        self.assertEqual((record.hours, record.points), (Decimal(3), Decimal(8)))

    def test_unknown_person_goes_to_review_without_candidates_and_can_be_left_out(self) -> None:
        batch = self.check([["无此人", "", "", "某单位", DAY, 1, 1, ""]])
        line = self.line(batch, 3)
        self.assertEqual((line.state, line.candidates), (ImportLine.State.REVIEW, []))
        import_line_pick(actor=self.user("org_admin"), line=line, member=None)
        batch = self.apply(batch)
        self.assertEqual(batch.status, ImportBatch.Status.APPLIED)
        self.assertFalse(ExternalRecord.objects.exists())

    def test_dry_run_stores_nothing_but_its_report(self) -> None:
        batch = self.check([["李明", self.member_id, "", "", DAY, 2, 30, ""]])
        self.assertEqual(batch.new, 1)
        self.assertFalse(ExternalRecord.objects.exists())
        self.assertFalse(CreditEntry.objects.exists())

    def test_apply_credits_the_ledger_once_and_points_are_evidence_only(self) -> None:
        w = self.world
        rows = [
            ["李明", self.member_id, "", "", "2025-03-01", 1, 30, "党史"],
            ["李明", self.member_id, "", "", "2025-03-02", 1.4, 20, "党章"],
        ]
        batch = self.apply(self.check(rows))
        self.assertEqual((batch.status, batch.new), (ImportBatch.Status.APPLIED, 1))
        self.assertFalse(batch.file)  # the upload with its ID numbers is gone
        record = ExternalRecord.objects.get(member=w.member)
        self.assertEqual((record.hours, record.points), (Decimal("2.4"), Decimal(50)))
        entry = CreditEntry.objects.get(member=w.member)
        # 2.4 reported hours credit 2.25 (whole quarters); the points credit nothing.
        self.assertEqual(
            (entry.hours, entry.kind, entry.online), (Decimal("2.25"), Kind.EXTERNAL_PLATFORM, True)
        )
        self.assertEqual(entry.reference, entry_reference(self.source.pk, PERIOD))
        self.assertEqual(entry.on, dt.date(2025, 12, 31))
        self.assertEqual(record.entry, entry)
        self.assertEqual(record.raw["courses"], ["党史", "党章"])

    def test_the_same_file_twice_changes_nothing(self) -> None:
        rows = [
            ["李明", self.member_id, "", "", DAY, 2, 30, ""],
            ["赵强", "", "13800000003", "", DAY, 1, 0, ""],
        ]
        self.apply(self.check(rows))
        entries = list(CreditEntry.objects.values_list("pk", "hours"))
        again = self.check(rows)
        self.assertEqual((again.new, again.changed, again.unchanged), (0, 0, 2))
        again = self.apply(again)
        self.assertEqual((again.new, again.changed, again.unchanged), (0, 0, 2))
        self.assertEqual(list(CreditEntry.objects.values_list("pk", "hours")), entries)

    def test_a_corrected_file_reverses_and_records_anew(self) -> None:
        w = self.world
        self.apply(self.check([["李明", self.member_id, "", "", DAY, 2, 30, ""]]))
        first = CreditEntry.objects.get(member=w.member)
        corrected = self.check([["李明", self.member_id, "", "", DAY, 3, 30, ""]])
        self.assertEqual(self.line(corrected, 3).outcome, ImportLine.Outcome.CHANGED)
        self.apply(corrected)
        reversal = CreditEntry.objects.get(reverses=first)
        self.assertEqual(reversal.hours, Decimal(-2))
        new = CreditEntry.objects.get(
            member=w.member, reverses__isnull=True, reversed_by__isnull=True
        )
        self.assertEqual(new.hours, Decimal(3))
        self.assertEqual(ExternalRecord.objects.get(member=w.member).entry, new)
        rollup = YearlyRollup.objects.get(member=w.member, year=2025, kind=Kind.EXTERNAL_PLATFORM)
        self.assertEqual(rollup.hours, Decimal(3))

    def test_points_alone_changed_updates_the_record_not_the_ledger(self) -> None:
        w = self.world
        self.apply(self.check([["李明", self.member_id, "", "", DAY, 2, 30, ""]]))
        self.apply(self.check([["李明", self.member_id, "", "", DAY, 2, 99, ""]]))
        self.assertEqual(CreditEntry.objects.filter(member=w.member).count(), 1)
        self.assertEqual(ExternalRecord.objects.get(member=w.member).points, Decimal(99))

    def test_not_a_workbook_fails_clearly_and_stores_nothing(self) -> None:
        batch = self.check([], data=b"this is not a workbook at all")
        self.assertEqual(batch.status, ImportBatch.Status.FAILED)
        self.assertIn(".xlsx", batch.error)
        self.assertFalse(batch.lines.exists())
        self.assertFalse(batch.file)

    def test_a_missing_mapped_column_is_named(self) -> None:
        header = ["姓名", "公民身份号码", "手机号", "单位", "日期", "积分", "课程名称"]
        batch = self.check([["李明", self.member_id, "", "", DAY, 30, ""]], header=header)
        self.assertEqual(batch.status, ImportBatch.Status.FAILED)
        self.assertIn("“学时”", batch.error)
        self.assertFalse(ExternalRecord.objects.exists())

    def test_bad_cells_are_row_problems(self) -> None:
        batch = self.check(
            [
                ["李明", self.member_id, "", "", DAY, "两个", 1, ""],
                ["李明", self.member_id, "", "", "2024-12-31", 1, 1, ""],
                ["", "", "", "", DAY, 1, 1, ""],
            ]
        )
        self.assertEqual(batch.problem_rows, 3)
        self.assertEqual([p["row"] for p in batch.problems], [3, 4, 5])

    def test_csv_in_gb18030_imports_like_the_workbook(self) -> None:
        text = (
            "姓名,公民身份号码,手机号,单位,日期,学时,积分,课程名称\r\n"
            + f"李明,{self.member_id},,,{DAY},2,30,党史\r\n"
        )
        batch = self.check([], data=text.encode("gb18030"), name="导出.csv")
        self.assertEqual((batch.status, batch.matched), (ImportBatch.Status.CHECKED, 1))
        self.assertEqual(self.line(batch, 2).member, self.world.member)

    def test_a_secretary_imports_for_their_branch_only(self) -> None:
        w = self.world
        own = make_source(w.branch, "支部学习强国")
        batch = import_upload(
            actor=self.user("secretary"),
            source=own,
            period=PERIOD,
            upload=upload(export_xlsx([["赵强", "", "13800000003", "", DAY, 1, 0, ""]])),
        )
        batch.refresh_from_db()
        # 赵强 is in the other branch: outside this source's org, so nobody is matched.
        self.assertEqual((batch.matched, batch.review), (0, 1))
        for persona in ("secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                import_upload(
                    actor=self.user(persona), source=self.source, period=PERIOD, upload=upload(b"x")
                )

    def test_future_period_and_wrong_type_refused(self) -> None:
        admin = self.user("org_admin")
        with self.assertRaises(ValidationError):
            import_upload(actor=admin, source=self.source, period="2999", upload=upload(b"x"))
        with self.assertRaises(ValidationError):
            import_upload(
                actor=admin, source=self.source, period=PERIOD, upload=upload(b"x", "a.pdf")
            )
        self.assertFalse(ImportBatch.objects.exists())
        self.assertEqual(Member.objects.count(), 6)
