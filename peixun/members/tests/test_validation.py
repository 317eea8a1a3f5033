"""`clean_member_fields`: the one place member field rules live."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import SimpleTestCase
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from peixun.core.idcard import make_id_number
from peixun.members.logic import clean_member_fields
from peixun.members.models import Member

NUMBER = make_id_number("110101", dt.date(1985, 6, 15), 123)  # a man born 1985-06-15


def wide(text: str) -> str:
    """The full-width form of ASCII text, as some input methods type it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def full_record(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "name": "李明",
        "id_number": NUMBER,
        "status": "full",
        "joined_on": "2010-07-01",
        "confirmed_on": "2011-07-01",
    }
    raw.update(overrides)
    return raw


class CleanMemberFieldsTests(SimpleTestCase):
    def test_minimal_full_member(self) -> None:
        clean, errors = clean_member_fields(full_record())
        self.assertEqual(errors, {})
        self.assertEqual(clean["id_number"], NUMBER)
        self.assertEqual(clean["birth_date"], dt.date(1985, 6, 15))  # taken from the ID number
        self.assertEqual(clean["gender"], "M")
        self.assertEqual(clean["joined_on"], dt.date(2010, 7, 1))

    def test_required_fields(self) -> None:
        _, errors = clean_member_fields({})
        self.assertEqual(set(errors), {"name", "id_number", "status"})
        _, errors = clean_member_fields({"name": "  ", "id_number": "", "status": "full"})
        self.assertIn("name", errors)
        self.assertIn("id_number", errors)

    def test_every_accepted_date_form(self) -> None:
        expected = dt.date(2010, 7, 1)
        forms: list[object] = [
            "2010-07-01",
            "2010-7-1",
            "2010/07/01",
            "2010/7/1",
            "2010.7.1",
            "2010.07.01",
            "2010年7月1日",
            "2010年07月01日",
            "20100701",
            " 2010-07-01 ",
            "2010-07-01 00:00:00",
            "2010-07-01T00:00:00",
            wide("2010-07-01"),
            "２０１０年７月１日",
            dt.date(2010, 7, 1),
            dt.datetime(2010, 7, 1, 0, 0),  # noqa: DTZ001  (openpyxl reads dates as naive)
            40360,  # the Excel serial number of 2010-07-01
            40360.0,
        ]
        for form in forms:
            with self.subTest(form=form):
                clean, errors = clean_member_fields(full_record(joined_on=form, confirmed_on=""))
                self.assertEqual(errors, {})
                self.assertEqual(clean["joined_on"], expected)

    def test_rejected_dates(self) -> None:
        for bad in ("2010-13-01", "2010-02-30", "01/07/2010", "July 1 2010", "2010-07"):
            with self.subTest(bad=bad):
                _, errors = clean_member_fields(full_record(joined_on=bad, confirmed_on=""))
                self.assertIn("joined_on", errors)

    def test_future_and_ancient_dates(self) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        _, errors = clean_member_fields(full_record(confirmed_on=tomorrow))
        self.assertIn("confirmed_on", errors)
        _, errors = clean_member_fields(full_record(joined_on="1899-12-31", confirmed_on=""))
        self.assertIn("joined_on", errors)

    def test_id_number_with_future_birth_date(self) -> None:
        future_birth = timezone.localdate() + dt.timedelta(days=30)
        number = make_id_number("110101", future_birth, 11)
        _, errors = clean_member_fields(full_record(id_number=number))
        self.assertIn("id_number", errors)

    def test_full_width_id_number_and_mobile(self) -> None:
        clean, errors = clean_member_fields(
            full_record(id_number=wide(NUMBER.lower()), mobile="１３８ ００００ ０００１")
        )
        self.assertEqual(errors, {})
        self.assertEqual(clean["id_number"], NUMBER)
        self.assertEqual(clean["mobile"], "13800000001")

    def test_x_check_character_any_case(self) -> None:
        clean, errors = clean_member_fields(
            full_record(id_number="11010519491231002x", joined_on="1970-1-1")
        )
        self.assertEqual(errors, {})
        self.assertEqual(clean["id_number"], "11010519491231002X")

    def test_mobile_forms(self) -> None:
        for raw, expected in (("+86 138-0000-0001", "13800000001"), ("13800000001", "13800000001")):
            clean, errors = clean_member_fields(full_record(mobile=raw))
            self.assertEqual((clean.get("mobile"), errors), (expected, {}))
        for bad in ("1380000000", "23800000001", "138000000012", "abc"):
            _, errors = clean_member_fields(full_record(mobile=bad))
            self.assertIn("mobile", errors)
        clean, _ = clean_member_fields(full_record(mobile=""))
        self.assertEqual(clean["mobile"], "")

    def test_birth_date_and_gender_must_match_id_number(self) -> None:
        _, errors = clean_member_fields(full_record(birth_date="1985-06-16"))
        self.assertIn("birth_date", errors)
        _, errors = clean_member_fields(full_record(gender="F"))
        self.assertIn("gender", errors)
        clean, errors = clean_member_fields(full_record(birth_date="1985年6月15日", gender="M"))
        self.assertEqual(errors, {})

    def test_date_order_and_age(self) -> None:
        _, errors = clean_member_fields(
            full_record(joined_on="2011-07-01", confirmed_on="2010-07-01")
        )
        self.assertIn("confirmed_on", errors)
        _, errors = clean_member_fields(full_record(joined_on="", confirmed_on="2011-07-01"))
        self.assertIn("joined_on", errors)
        _, errors = clean_member_fields(full_record(joined_on="2002-07-01", confirmed_on=""))
        self.assertIn("joined_on", errors)  # aged 17

    def test_status_needs_joining_date(self) -> None:
        _, errors = clean_member_fields(full_record(joined_on="", confirmed_on=""))
        self.assertIn("joined_on", errors)
        clean, errors = clean_member_fields(
            full_record(status="activist", joined_on="", confirmed_on="")
        )
        self.assertEqual(errors, {})
        self.assertIsNone(clean["joined_on"])
        # A partial change is judged only when it carries both fields.
        _, errors = clean_member_fields({"status": "full"}, partial=True)
        self.assertEqual(errors, {})
        _, errors = clean_member_fields({"status": "full", "joined_on": ""}, partial=True)
        self.assertIn("joined_on", errors)

    def test_choices_by_value_or_label(self) -> None:
        clean, errors = clean_member_fields(
            full_record(
                status=str(Member.Status.FULL.label),  # the label people see, in any language
                cadre_rank="township",
                education="",
                exempt_reason="",
            )
        )
        self.assertEqual(errors, {})
        self.assertEqual((clean["status"], clean["cadre_rank"]), ("full", "township"))
        self.assertEqual((clean["education"], clean["exempt_reason"]), ("", ""))
        _, errors = clean_member_fields(full_record(cadre_rank="emperor"))
        self.assertIn("cadre_rank", errors)

    def test_ethnicity(self) -> None:
        clean, errors = clean_member_fields(full_record(ethnicity="回"))
        self.assertEqual((clean["ethnicity"], errors), ("回族", {}))
        _, errors = clean_member_fields(full_record(ethnicity="火星族"))
        self.assertIn("ethnicity", errors)

    def test_name_spaces_and_width(self) -> None:
        clean, errors = clean_member_fields(full_record(name=" 李\u3000明 "))
        self.assertEqual((clean["name"], errors), ("李明", {}))
        _, errors = clean_member_fields(full_record(name="李" * 41))
        self.assertIn("name", errors)

    def test_partial_checks_only_what_is_sent(self) -> None:
        clean, errors = clean_member_fields({"mobile": "13800000009"}, partial=True)
        self.assertEqual((clean, errors), ({"mobile": "13800000009"}, {}))


births = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2007, 12, 31))
regions = st.sampled_from(["110101", "320102", "440305", "510104", "650102"])


class IdNumberPropertyTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(regions, births, st.integers(min_value=0, max_value=999))
    def test_any_generated_number_passes(self, region: str, birth: dt.date, seq: int) -> None:
        number = make_id_number(region, birth, seq)
        clean, errors = clean_member_fields(
            {"name": "测试", "id_number": number, "status": "activist"}
        )
        self.assertEqual(errors, {})
        self.assertEqual(clean["id_number"], number)
        self.assertEqual(clean["birth_date"], birth)
        self.assertEqual(clean["gender"], "M" if seq % 2 else "F")

    @settings(max_examples=300, deadline=None)
    @given(
        regions,
        births,
        st.integers(min_value=0, max_value=999),
        st.integers(min_value=0, max_value=17),
        st.sampled_from("0123456789X"),
    )
    def test_any_single_character_change_fails(
        self, region: str, birth: dt.date, seq: int, position: int, replacement: str
    ) -> None:
        number = make_id_number(region, birth, seq)
        if position < 17 and replacement == "X":
            replacement = "0"  # X is only ever a check character; a digit change is the case here
        if replacement == number[position]:
            return  # not a change
        changed = number[:position] + replacement + number[position + 1 :]
        _, errors = clean_member_fields(
            {"name": "测试", "id_number": changed, "status": "activist"}
        )
        self.assertIn("id_number", errors)
