"""Pure member rules. One place that turns raw member fields into clean values or field errors.

Forms, the API and the roster import all pass through `clean_member_fields`, so a rule holds
everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.idcard import birth_date_of, gender_of, id_number_problem, normalise_id_number
from peixun.core.text import fold_width, parse_date

from .models import ETHNICITIES, Member, Membership

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {
    "gender": Member.Gender,
    "status": Member.Status,
    "cadre_rank": Member.CadreRank,
    "employment": Member.Employment,
    "exempt_reason": Member.ExemptReason,
    "education": Member.Education,
}
DATE_FIELDS = ("birth_date", "candidate_since", "joined_on", "confirmed_on")
REQUIRED = ("name", "id_number", "status")


# The spellings real rosters use for each choice, beside the stored value and the label in
# either language (which are always accepted). One table per field: the import reads through it,
# and the template's instructions and the import's error messages list it, so a spelling is
# written down once. Keys are stored values; spellings are compared folded (`fold_spelling`).
SPELLINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        Member.Gender.MALE: ("男", "男性"),
        Member.Gender.FEMALE: ("女", "女性"),
    },
    "status": {
        Member.Status.FULL: ("正式党员", "中共党员", "党员"),
        Member.Status.PROBATIONARY: ("预备党员", "中共预备党员"),
        Member.Status.CANDIDATE: ("发展对象",),
        Member.Status.ACTIVIST: ("入党积极分子", "积极分子"),
    },
    "cadre_rank": {
        Member.CadreRank.COUNTY_PLUS: (
            "县处级以上",
            "县处级及以上",
            "县处级",
            "处级",
            "正处级",
            "副处级",
            "厅局级",
            "省部级",
        ),
        Member.CadreRank.TOWNSHIP: ("乡科级", "科级", "正科级", "副科级"),
        Member.CadreRank.STAFF: ("一般干部", "一般", "科员", "办事员"),
        Member.CadreRank.NONE: ("非干部", "无", "否"),
    },
    "employment": {
        Member.Employment.ON_DUTY: ("在岗", "在职"),
        Member.Employment.RETIRED: ("离退休", "退休", "离休"),
        Member.Employment.MOBILE: ("流动", "流动党员"),
        Member.Employment.OTHER: ("其他",),
    },
    "exempt_reason": {
        Member.ExemptReason.NONE: ("不免学", "无", "否"),
        Member.ExemptReason.ELDERLY: ("年老体弱", "年老"),
        Member.ExemptReason.IMMOBILE: ("行动不便",),
        Member.ExemptReason.ILL: ("重病", "患重病", "重病患者"),
    },
    "education": {
        Member.Education.POSTGRADUATE: (
            "研究生",
            "硕士",
            "硕士研究生",
            "博士",
            "博士研究生",
            "研究生及以上",
        ),
        Member.Education.BACHELOR: ("大学本科", "本科", "大学", "学士"),
        Member.Education.COLLEGE: ("大学专科", "大专", "专科", "高职"),
        Member.Education.SECONDARY: ("中专", "中等专科", "中等专业学校", "中技", "技校", "职高"),
        Member.Education.HIGH_SCHOOL: ("高中",),
        Member.Education.JUNIOR: ("初中及以下", "初中", "小学", "小学及以下"),
    },
}


def fold_spelling(text: object) -> str:
    """One form for comparing spellings: NFKC (full-width letters and digits become half-width),
    no spaces anywhere, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


@functools.cache
def spelling_table(field: str) -> dict[str, str]:
    """folded spelling → stored value for `field`: the table's spellings, the stored values and
    the labels in English and Chinese. Cached: the catalogue does not change while running."""
    choices = CHOICE_FIELDS[field]
    table: dict[str, str] = {}
    for value, spellings in SPELLINGS[field].items():
        for spelling in spellings:
            table[fold_spelling(spelling)] = str(value)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                table.setdefault(fold_spelling(label), value)
    for value in choices.values:
        if value:
            table.setdefault(fold_spelling(value), value)
    return table


def choice_value(field: str, raw: Any) -> str:
    """The stored value for `raw`: a stored value ('full'), a label in either language
    ('正式党员') or a spelling of `SPELLINGS` ('中共党员'). ValueError for anything else."""
    text = fold_spelling(raw)
    found = spelling_table(field).get(text)
    if found is None:
        raise ValueError(text)
    return found


def accepted_spellings(field: str) -> list[tuple[str, list[str]]]:
    """(label in the active language, the other spellings accepted for it), per choice that
    needs writing (the blank "not exempt" apart), in the model's order."""
    out: list[tuple[str, list[str]]] = []
    for value, label in CHOICE_FIELDS[field].choices:
        if not value:
            continue
        shown = str(label)
        others = [s for s in SPELLINGS[field].get(value, ()) if s != shown]
        out.append((shown, others))
    return out


def choice_help(field: str) -> str:
    """The accepted spellings of `field` as one line: 研究生（硕士、博士 …）；大学本科（本科 …）."""
    parts = []
    for label, others in accepted_spellings(field):
        parts.append(f"{label}（{'、'.join(others)}）" if others else label)
    return "；".join(parts)


def clean_member_fields(
    raw: dict[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean `raw` into model values. Returns (clean, errors) with errors keyed by field name."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    today = timezone.localdate()

    for name in REQUIRED:
        if not partial and not str(raw.get(name) or "").strip():
            errors[name] = _("This field is required.")

    if "name" in raw and "name" not in errors:
        name = re.sub(r"\s+", "", fold_width(str(raw["name"] or "")))
        if not name:
            errors["name"] = _("This field is required.")
        elif len(name) > 40:
            errors["name"] = _("A name may have at most 40 characters.")
        else:
            clean["name"] = name

    if "id_number" in raw and "id_number" not in errors:
        number = normalise_id_number(str(raw["id_number"] or ""))
        problem = id_number_problem(number)
        if not problem and birth_date_of(number) > today:
            problem = _("the birth date in it is in the future")
        if problem:
            errors["id_number"] = _("Not a valid ID number: %(reason)s.") % {"reason": problem}
        else:
            clean["id_number"] = number

    for field in CHOICE_FIELDS:
        if field in raw and raw[field] not in (None, ""):
            try:
                clean[field] = choice_value(field, raw[field])
            except ValueError:
                errors[field] = _("Unknown value; use one of: %(choices)s.") % {
                    "choices": choice_help(field)
                }
        elif field in raw and field in ("education", "exempt_reason"):
            clean[field] = ""

    if raw.get("ethnicity") not in (None, ""):
        ethnicity = fold_spelling(raw["ethnicity"])
        if ethnicity in ETHNICITIES:
            clean["ethnicity"] = ethnicity
        elif ethnicity + "族" in ETHNICITIES:
            clean["ethnicity"] = ethnicity + "族"
        else:
            errors["ethnicity"] = _("Not one of the 56 ethnic groups.")

    for field in DATE_FIELDS:
        if field in raw and raw[field] not in (None, ""):
            try:
                value = parse_date(raw[field])
            except (ValueError, TypeError, OverflowError):
                errors[field] = _(
                    "Not a date; write it as 2020-1-5, 2020/01/05, 2020.1.5 or 2020年1月5日."
                )
                continue
            if value > today:
                errors[field] = _("The date is in the future.")
            elif value.year < 1900:
                errors[field] = _("The date is before 1900.")
            else:
                clean[field] = value
        elif field in raw:
            clean[field] = None

    if raw.get("mobile") not in (None, ""):
        mobile = re.sub(r"[\s-]", "", fold_width(str(raw["mobile"])))
        if mobile.startswith("+86"):
            mobile = mobile[3:]
        if MOBILE_RE.match(mobile):
            clean["mobile"] = mobile
        else:
            errors["mobile"] = _("Enter an 11-digit mainland mobile number.")
    elif "mobile" in raw:
        clean["mobile"] = ""

    id_no = clean.get("id_number")
    if id_no:
        id_birth = birth_date_of(id_no)
        if clean.get("birth_date") is None and "birth_date" not in errors:
            clean["birth_date"] = id_birth
        elif clean.get("birth_date") != id_birth and "birth_date" not in errors:
            errors["birth_date"] = _(
                "Does not match the birth date in the ID number (%(date)s)."
            ) % {"date": id_birth.isoformat()}
        if "gender" not in clean and "gender" not in errors:
            clean["gender"] = gender_of(id_no)
        elif clean.get("gender") and clean["gender"] != gender_of(id_no):
            errors["gender"] = _("Does not match the gender in the ID number.")

    joined, confirmed = clean.get("joined_on"), clean.get("confirmed_on")
    if confirmed and not joined and "joined_on" not in errors:
        errors["joined_on"] = _("A member with a full-membership date needs a joining date.")
    if joined and confirmed and confirmed < joined:
        errors["confirmed_on"] = _("Cannot be earlier than the joining date.")
    candidate_since = clean.get("candidate_since")
    if candidate_since and joined and candidate_since > joined:
        errors["candidate_since"] = _("Cannot be later than the joining date.")
    if candidate_since and clean.get("status") == Member.Status.ACTIVIST:
        errors["candidate_since"] = _(
            "An activist applying to join has not yet become a candidate; leave it blank."
        )
    birth = clean.get("birth_date")
    if birth and joined and age_on(birth, joined) < 18:
        errors["joined_on"] = _("The member would have joined before the age of 18.")
    needs_joined = clean.get("status") in (Member.Status.FULL, Member.Status.PROBATIONARY)
    # A partial change is checked only when it carries both fields (an update merges the stored
    # values in first, so there it always does).
    judged = not partial or ("status" in raw and "joined_on" in raw)
    if needs_joined and not joined and judged and "joined_on" not in errors:
        errors["joined_on"] = _("A Party member needs a joining date.")
    return clean, errors


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def departure_of(history: list[Membership]) -> Membership | None:
    """The membership a member left the tenant with, from their history in date order; None
    while they still belong (a later membership reopened counts as belonging)."""
    last = history[-1] if history else None
    return last if last is not None and last.departure else None
