"""公民身份号码 per GB 11643-1999: 17 digits and a check character (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from .text import fold_width

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


def normalise_id_number(raw: str) -> str:
    return re.sub(r"\s+", "", fold_width(raw or "")).upper()


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_problem(number: str) -> str | None:
    """None when `number` is a valid 18-character ID number, else the reason, translated."""
    if len(number) != 18:
        return _("must have 18 characters")
    if not _SHAPE.match(number):
        return _("must be 17 digits followed by a digit or X")
    try:
        birth_date_of(number)
    except ValueError:
        return _("contains an impossible birth date")
    if check_character(number[:17]) != number[17]:
        return _("check character does not match (GB 11643)")
    return None


def birth_date_of(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_of(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd is male)."""
    return "M" if int(number[16]) % 2 else "F"


def mask_id_number(number: str) -> str:
    """110101********123X: region kept, birth date and sequence hidden."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """A valid number for demo and test data; `sequence` is 0–999 (odd for men)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
