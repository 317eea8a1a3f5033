"""Answer normalisation (property tests) and the shape of responses."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from ..logic import clean_response, fingerprint, fold, is_correct

ASCII_TEXT = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=30)
CJK_TEXT = st.text(alphabet="党的二十大精神全心全意为人民服务四个意识", min_size=1, max_size=20)
NOISE = st.text(alphabet=" \u3000\t，。、；：！？,.;:!?“”\"'（）()《》【】", max_size=5)


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (U+FF01…)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def sprinkle(text: str, noise: list[str]) -> str:
    out = []
    for index, ch in enumerate(text):
        out.append(ch)
        if index < len(noise):
            out.append(noise[index])
    return "".join(out)


class FoldProperties(SimpleTestCase):
    @given(st.text(max_size=50))
    def test_fold_is_idempotent(self, text: str) -> None:
        self.assertEqual(fold(fold(text)), fold(text))

    @given(ASCII_TEXT)
    def test_full_width_equals_half_width(self, text: str) -> None:
        self.assertEqual(fold(full_width(text)), fold(text))

    @given(ASCII_TEXT)
    def test_case_does_not_matter(self, text: str) -> None:
        self.assertEqual(fold(text.upper()), fold(text.lower()))

    @given(st.one_of(ASCII_TEXT, CJK_TEXT), st.lists(NOISE, max_size=30))
    def test_spaces_and_punctuation_do_not_matter(self, text: str, noise: list[str]) -> None:
        self.assertEqual(fold(sprinkle(text, noise)), fold(text))

    @given(st.one_of(ASCII_TEXT, CJK_TEXT), NOISE, NOISE)
    def test_a_blank_answer_with_noise_is_right(self, text: str, before: str, after: str) -> None:
        self.assertTrue(is_correct("blank", [text], before + full_width(text) + after))

    @given(CJK_TEXT, CJK_TEXT)
    def test_different_words_stay_different(self, one: str, other: str) -> None:
        if one != other:
            self.assertFalse(is_correct("blank", [one], other))

    @given(st.text(alphabet=" ，。", max_size=10))
    def test_only_noise_is_never_right(self, noise: str) -> None:
        self.assertFalse(is_correct("blank", ["人民"], noise))

    @given(st.lists(st.text(min_size=1, max_size=20), min_size=2, max_size=6, unique=True))
    def test_fingerprint_ignores_option_order(self, options: list[str]) -> None:
        self.assertEqual(
            fingerprint("single", "题干", options), fingerprint("single", "题干", options[::-1])
        )


class ResponseShapes(SimpleTestCase):
    def test_valid_responses_are_stored_in_one_form(self) -> None:
        self.assertEqual(clean_response("single", 4, 2), [2])
        self.assertEqual(clean_response("single", 4, [3]), [3])
        self.assertEqual(clean_response("multiple", 4, [3, 0, 3]), [0, 3])
        self.assertIs(clean_response("judge", 0, False), False)
        self.assertEqual(clean_response("blank", 0, "人民"), "人民")
        self.assertIsNone(clean_response("blank", 0, None))

    def test_bad_responses_are_refused(self) -> None:
        for kind, count, response in [
            ("single", 4, 4), ("single", 4, -1), ("single", 4, "A"), ("single", 4, True),
            ("single", 4, [0, 1]), ("multiple", 4, []), ("multiple", 4, [0, 9]),
            ("multiple", 4, "AB"), ("judge", 0, "对"), ("judge", 0, 1), ("blank", 0, 5),
            ("blank", 0, "x" * 201),
        ]:  # fmt: skip
            with self.subTest(kind=kind, response=response), self.assertRaises(ValidationError):
                clean_response(kind, count, response)

    def test_grading_of_each_kind(self) -> None:
        self.assertTrue(is_correct("single", [1], [1]))
        self.assertFalse(is_correct("multiple", [0, 2], [0]))
        self.assertTrue(is_correct("multiple", [0, 2], [2, 0]))
        self.assertTrue(is_correct("judge", False, False))
        self.assertFalse(is_correct("judge", True, None))
        self.assertTrue(is_correct("blank", ["GDP", "国内生产总值"], "ｇｄｐ"))
