"""The roster vocabulary: the spellings real rosters use map onto the model's choices, the
template lists them, and what cannot be mapped is refused with a message naming the spellings."""

from __future__ import annotations

import datetime as dt
import io

from django.test import SimpleTestCase
from openpyxl import load_workbook

from peixun.core.crypto import keyed_hash
from peixun.members.documents import roster_template
from peixun.members.logic import SPELLINGS, choice_help, choice_value, clean_member_fields
from peixun.members.models import Member
from peixun.members.tests.test_roster import COLUMN, RosterTestCase, person
from peixun.members.tests.test_validation import full_record, wide
from peixun.testing import new_id_number

E = Member.Education
S = Member.Status

# What real rosters write, as the issue lists it, and where each must land.
EXPECTED: dict[str, dict[str, str]] = {
    "education": {
        "本科": E.BACHELOR,
        "大学本科": E.BACHELOR,
        "大学": E.BACHELOR,
        "大专": E.COLLEGE,
        "大学专科": E.COLLEGE,
        "专科": E.COLLEGE,
        "硕士": E.POSTGRADUATE,
        "硕士研究生": E.POSTGRADUATE,
        "研究生": E.POSTGRADUATE,
        "博士": E.POSTGRADUATE,
        "博士研究生": E.POSTGRADUATE,
        "中专": E.SECONDARY,
        "中等专科": E.SECONDARY,
        "高中": E.HIGH_SCHOOL,
        "初中及以下": E.JUNIOR,
        "初中": E.JUNIOR,
        "postgraduate": E.POSTGRADUATE,
        "Bachelor's degree": E.BACHELOR,
    },
    "status": {
        "中共党员": S.FULL,
        "正式党员": S.FULL,
        "预备党员": S.PROBATIONARY,
        "发展对象": S.CANDIDATE,
        "入党积极分子": S.ACTIVIST,
        "积极分子": S.ACTIVIST,
        "full": S.FULL,
    },
    "gender": {"男": "M", "女": "F", "男性": "M", "女性": "F", "M": "M"},
    "cadre_rank": {
        "县处级": Member.CadreRank.COUNTY_PLUS,
        "县处级以上": Member.CadreRank.COUNTY_PLUS,
        "乡科级": Member.CadreRank.TOWNSHIP,
        "科级": Member.CadreRank.TOWNSHIP,
        "一般干部": Member.CadreRank.STAFF,
        "科员": Member.CadreRank.STAFF,
        "非干部": Member.CadreRank.NONE,
        "无": Member.CadreRank.NONE,
    },
    "employment": {
        "在岗": Member.Employment.ON_DUTY,
        "在职": Member.Employment.ON_DUTY,
        "退休": Member.Employment.RETIRED,
        "离退休": Member.Employment.RETIRED,
        "流动党员": Member.Employment.MOBILE,
    },
    "exempt_reason": {
        "年老体弱": Member.ExemptReason.ELDERLY,
        "行动不便": Member.ExemptReason.IMMOBILE,
        "重病": Member.ExemptReason.ILL,
        "无": Member.ExemptReason.NONE,
    },
}


class VocabularyTests(SimpleTestCase):
    def test_each_spelling_maps(self) -> None:
        for field, spellings in EXPECTED.items():
            for spelling, value in spellings.items():
                with self.subTest(field=field, spelling=spelling):
                    self.assertEqual(choice_value(field, spelling), value)

    def test_spaces_width_and_case_do_not_matter(self) -> None:
        for spelling, value in (
            (" 本　科 ", E.BACHELOR),
            ("硕 士 研 究 生", E.POSTGRADUATE),
            (wide("FULL"), S.FULL),
            ("Probationary", S.PROBATIONARY),
        ):
            field = "education" if value in E.values else "status"
            with self.subTest(spelling=spelling):
                self.assertEqual(choice_value(field, spelling), value)

    def test_every_spelling_in_the_table_maps_to_its_own_choice(self) -> None:
        # One spelling may not mean two things within a field.
        for field, table in SPELLINGS.items():
            for value, spellings in table.items():
                for spelling in spellings:
                    self.assertEqual(choice_value(field, spelling), value, (field, spelling))

    def test_clean_member_fields_reads_the_vocabulary(self) -> None:
        clean, errors = clean_member_fields(
            full_record(status="中共党员", education="大专", gender="男性", ethnicity="汉")
        )
        self.assertEqual(errors, {})
        self.assertEqual(
            (clean["status"], clean["education"], clean["gender"], clean["ethnicity"]),
            ("full", "college", "M", "汉族"),
        )

    def test_unmappable_value_names_the_accepted_spellings(self) -> None:
        _, errors = clean_member_fields(full_record(education="幼儿园"))
        self.assertIn("education", errors)
        for spelling in ("大学本科", "本科", "大专", "硕士研究生", "中等专科"):
            self.assertIn(spelling, errors["education"])


class RosterVocabularyTests(RosterTestCase):
    def test_a_roster_in_everyday_words_imports(self) -> None:
        rows = []
        numbers = []
        for education, status in (
            ("本科", "中共党员"),
            ("硕士研究生", "正式党员"),
            ("中等专科", "预备党员"),
            ("大学专科", "发展对象"),
            ("博士研究生", "积极分子"),
        ):
            number = new_id_number(dt.date(1990, 5, 5))
            numbers.append(number)
            joined = "2015-7-1" if status in ("中共党员", "正式党员", "预备党员") else ""
            rows.append(
                person(number, education=education, status=status, joined_on=joined, gender="")
            )
        result = self.run_import("secretary", rows)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.created, 5)
        stored = [
            Member.objects.values_list("education", "status").get(id_number_hash=keyed_hash(n))
            for n in numbers
        ]
        self.assertEqual(
            stored,
            [
                ("bachelor", "full"),
                ("postgraduate", "full"),
                ("secondary", "probationary"),
                ("college", "candidate"),
                ("postgraduate", "activist"),
            ],
        )

    def test_an_unmappable_value_is_refused_naming_row_column_value_and_spellings(self) -> None:
        before = self.counts()
        rows = [
            person(new_id_number(), education="本科"),
            person(new_id_number(), education="夜大"),
        ]
        result = self.run_import("secretary", rows)
        self.assert_refused(result, before)
        error = self.only_error(result)
        self.assertEqual((error.row, error.column, error.value), (3, COLUMN["education"], "夜大"))
        self.assertIn(choice_help("education"), error.message)
        self.assertIn("硕士研究生", error.message)

    def test_template_instructions_list_the_spellings(self) -> None:
        workbook = load_workbook(io.BytesIO(roster_template()))
        text = " ".join(
            str(cell)
            for row in workbook.worksheets[1].iter_rows(values_only=True)
            for cell in row
            if cell
        )
        for field, table in SPELLINGS.items():
            for spellings in table.values():
                for spelling in spellings:
                    if field == "exempt_reason" and spelling in ("不免学", "无", "否"):
                        continue  # "leave blank" is what the sheet asks for there
                    with self.subTest(field=field, spelling=spelling):
                        self.assertIn(spelling, text)
