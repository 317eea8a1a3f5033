from __future__ import annotations

from django.http import Http404
from django.test import RequestFactory, SimpleTestCase
from django.utils import timezone

from peixun.core.params import pk_or_404, year_param


class ParamTests(SimpleTestCase):
    def year(self, query: str, lowest: int = 1) -> int:
        return year_param(RequestFactory().get(f"/?{query}"), lowest=lowest)

    def test_year_falls_back_to_this_year(self) -> None:
        this_year = timezone.localdate().year
        self.assertEqual(self.year("year=2019"), 2019)
        for query in ("", "year=", "year=abc", "year=0", "year=9999", "year=99999999999999999999"):
            with self.subTest(query=query):
                self.assertEqual(self.year(query), this_year)
        self.assertEqual(self.year("year=2010", lowest=2019), this_year)

    def test_pk_or_404(self) -> None:
        self.assertEqual(pk_or_404("42"), 42)
        for raw in (None, "", "x", "0", "-3", str(2**63), "1.5"):
            with self.subTest(raw=raw), self.assertRaises(Http404):
                pk_or_404(raw)
