"""The roster's columns: which member field each holds and what its header says.

Headers are the model fields' verbose names as shown in Chinese, computed at call time (so they
follow the zh_Hans catalogue once it is filled). An import also accepts the English msgid and a
fixed table of the Chinese headers, so files work before and after the catalogue exists.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import models
from django.utils import translation

from peixun.core.text import fold_width

from ..models import Member

# Column order of the template and the export.
ROSTER_FIELDS: tuple[str, ...] = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "mobile",
    "education",
    "joined_on",
    "confirmed_on",
    "status",
    "cadre_rank",
    "employment",
    "exempt_reason",
    "org",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "id_number", "status", "org")
DATE_COLUMNS: tuple[str, ...] = ("birth_date", "joined_on", "confirmed_on")
# Columns Excel would mangle if typed as numbers (18-digit IDs lose digits as floats).
TEXT_COLUMNS: tuple[str, ...] = ("id_number", "mobile")

# The ID number is stored as ciphertext, hash and mask; its label lives on the masked field.
_MODEL_FIELD_OF: dict[str, str] = {"id_number": "id_number_masked"}

# The headers as people write them in Chinese, so an import works whatever the catalogue says.
CHINESE_HEADERS: dict[str, str] = {
    "姓名": "name",
    "性别": "gender",
    "民族": "ethnicity",
    "出生日期": "birth_date",
    "公民身份号码": "id_number",
    "手机号码": "mobile",
    "学历": "education",
    "入党日期": "joined_on",
    "转正日期": "confirmed_on",
    "党员状态": "status",
    "干部职级": "cadre_rank",
    "在岗状态": "employment",
    "免学原因": "exempt_reason",
    "所在党组织": "org",
}


def _verbose_name(field: str) -> Any:
    model_field = Member._meta.get_field(_MODEL_FIELD_OF.get(field, field))
    assert isinstance(model_field, models.Field)
    return model_field.verbose_name


def header_for(field: str) -> str:
    """The column header of `field`: its verbose name in Chinese."""
    with translation.override("zh-hans"):
        return str(_verbose_name(field))


def roster_headers() -> list[str]:
    return [header_for(field) for field in ROSTER_FIELDS]


def normalise_header(text: object) -> str:
    """Forgive what people do to headers: widths, inner spaces (姓  名), a required mark, case."""
    folded = re.sub(r"\s+", "", fold_width(str(text or "")))
    return folded.rstrip("*").lower()


def header_lookup() -> dict[str, str]:
    """Normalised header → field, for the Chinese label, the English msgid and the fixed table."""
    lookup = {normalise_header(header): field for header, field in CHINESE_HEADERS.items()}
    for field in ROSTER_FIELDS:
        # "en" has no catalogue, so it yields the msgid itself.
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[normalise_header(str(_verbose_name(field)))] = field
    return lookup


def cell_text(value: object) -> str:
    """A cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_value(field: str, value: object) -> object:
    """What `clean_member_fields` should receive for a cell of `field`.

    Date cells stay dates (Excel stores them as such); a date typed as the number 20200105 becomes
    text, since `parse_date` reads bare numbers as Excel serials. Everything else becomes text.
    """
    if field in DATE_COLUMNS:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 19000101 <= value <= 99991231:
                return str(int(value))
            return value
    return undo_neutralise(cell_text(value))


_FORMULA_START = ("=", "+", "-", "@")


def undo_neutralise(text: str) -> str:
    """Drop the apostrophe our export put before formula-like text, so an export re-imports as is."""
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def looks_numeric(value: object) -> bool:
    """True for a number cell, the usual reason an 18-digit ID number has lost its last digits."""
    return isinstance(value, int | float) and not isinstance(value, bool)
