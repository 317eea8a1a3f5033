"""Normalising what people type or paste from Excel: widths, spaces, dates."""

from __future__ import annotations

import datetime as dt
import re

_FULLWIDTH_OFFSET = 0xFEE0


def fold_width(text: str) -> str:
    """Full-width ASCII forms (Ｘ, １２３, ＠) to their half-width letters; ideographic space to a space."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - _FULLWIDTH_OFFSET))
        else:
            out.append(ch)
    return "".join(out)


def clean_cell(value: object) -> str:
    """A cell as trimmed text with widths folded; None and blanks become ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold_width(str(value)).strip()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date:
    """Dates as Excel stores them or as people type them: 2020-1-5, 2020/01/05, 2020.1.5, 2020年1月5日.

    Raises ValueError with a Chinese-facing reason left to the caller.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial number that reached us unformatted.
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(value)
    text = re.sub(r"\s+", "", clean_cell(value))
    text = re.sub(r"[T ]?00:00(:00)?$", "", text)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return dt.date(y, mo, d)
    raise ValueError(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Make text that a spreadsheet would run as a formula display as text instead (CWE-1236)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
