import datetime as dt

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from peixun.core.crypto import decrypt_text, encrypt_text, keyed_hash
from peixun.core.idcard import (
    birth_date_of,
    check_character,
    gender_of,
    id_number_problem,
    make_id_number,
    mask_id_number,
    normalise_id_number,
)
from peixun.core.text import clean_cell, fold_width, neutralise_formula, parse_date

births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2008, 12, 31))


class IdCardTests(SimpleTestCase):
    def test_published_example_is_valid(self) -> None:
        # The worked example of GB 11643-1999 Annex A.
        self.assertIsNone(id_number_problem("11010519491231002X"))
        self.assertEqual(check_character("11010519491231002"), "X")

    def test_reasons(self) -> None:
        self.assertIsNotNone(id_number_problem("1101051949123100"))
        self.assertIsNotNone(id_number_problem("11010519491231002Y"))
        self.assertIsNotNone(id_number_problem("110105194913310021"))  # month 13
        self.assertIsNotNone(id_number_problem("110105194912310021"))  # wrong check

    def test_normalise_folds_width_and_case(self) -> None:
        self.assertEqual(
            normalise_id_number(" １１０１０５１９４９１２３１００２ｘ "), "11010519491231002X"
        )

    def test_mask(self) -> None:
        self.assertEqual(mask_id_number("11010519491231002X"), "110105********002X")

    @given(births, st.integers(min_value=0, max_value=999))
    def test_generated_numbers_are_valid_and_round_trip(self, birth: dt.date, seq: int) -> None:
        number = make_id_number("320102", birth, seq)
        self.assertIsNone(id_number_problem(number))
        self.assertEqual(birth_date_of(number), birth)
        self.assertEqual(gender_of(number), "M" if seq % 2 else "F")

    @given(
        births,
        st.integers(min_value=0, max_value=999),
        st.integers(min_value=0, max_value=16),
        st.integers(1, 9),
    )
    def test_any_single_digit_change_is_caught(
        self, birth: dt.date, seq: int, pos: int, delta: int
    ) -> None:
        number = make_id_number("320102", birth, seq)
        changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
        self.assertIsNotNone(id_number_problem(changed))


class TextTests(SimpleTestCase):
    def test_dates_in_every_accepted_form(self) -> None:
        expected = dt.date(2020, 1, 5)
        for raw in [
            "2020-1-5",
            "2020-01-05",
            "2020/01/05",
            "2020.1.5",
            "2020年1月5日",
            "２０２０年１月５日",
            " 2020-1-5 ",
            "20200105",
            43835,
            dt.datetime(2020, 1, 5, 0, 0),  # noqa: DTZ001  (openpyxl reads dates as naive)
            expected,
            "2020-01-05 00:00:00",
        ]:
            with self.subTest(raw=raw):
                self.assertEqual(parse_date(raw), expected)

    def test_bad_dates_raise(self) -> None:
        for raw in ["2020-13-01", "2020-02-30", "yesterday", "", "2020年1月", True]:
            with self.subTest(raw=raw), self.assertRaises((ValueError, TypeError)):
                parse_date(raw)

    def test_fold_width(self) -> None:
        self.assertEqual(fold_width("ＡＢＣ１２３　＠"), "ABC123 @")
        self.assertEqual(clean_cell(" 13800000000.0 "), "13800000000.0")
        self.assertEqual(clean_cell(13800000000.0), "13800000000")
        self.assertEqual(clean_cell(None), "")

    def test_formula_neutralised(self) -> None:
        for raw in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx"]:
            self.assertEqual(neutralise_formula(raw), "'" + raw)
        self.assertEqual(neutralise_formula("张三"), "张三")
        self.assertEqual(neutralise_formula(5), 5)


class CryptoTests(SimpleTestCase):
    def test_round_trip_and_hash(self) -> None:
        token = encrypt_text("11010519491231002X")
        self.assertNotIn("1949", token)
        self.assertEqual(decrypt_text(token), "11010519491231002X")
        self.assertEqual(keyed_hash("a"), keyed_hash("a"))
        self.assertNotEqual(keyed_hash("a"), keyed_hash("b"))
        self.assertNotEqual(encrypt_text("x"), encrypt_text("x"))  # randomised
