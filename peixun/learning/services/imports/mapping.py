"""Which column of a platform's export holds what: the fields a mapping names, the headers the
known platforms use (so a new source starts filled in), and finding the header row."""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peixun.core.spreadsheets import cell_text, normalise_header

from ...models.imports import MAPPED_FIELDS, ImportBatch, ImportLine

FIELD_LABELS: dict[str, Promise] = {
    "name": _("Name"),
    "id_number": _("ID number"),
    "mobile": _("Mobile number"),
    "unit": _("Unit"),
    "date": _("Date"),
    "hours": _("Study hours"),
    "points": _("Points"),
    "course": _("Course title"),
}

# What the platforms' exports call each column, most usual first (the first one fills a new
# source's mapping; any of them is recognised when a mapping is guessed from a file).
KNOWN_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "学员姓名", "用户姓名", "名字"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "证件号码"),
    "mobile": ("手机号", "手机号码", "手机", "联系电话"),
    "unit": ("单位", "所在单位", "工作单位", "学习组织", "所在组织", "党组织"),
    "date": ("日期", "学习日期", "完成时间", "时间"),
    "hours": ("学时", "获得学时", "学时数", "完成学时"),
    "points": ("积分", "学习积分", "总积分", "获得积分"),
    "course": ("课程名称", "课程", "学习内容"),
}
HEADER_SEARCH_ROWS = 20  # exports put a title or two above the header row


def default_mapping() -> dict[str, str]:
    return {f: KNOWN_HEADERS[f][0] for f in MAPPED_FIELDS}


def mapping_problem(mapping: dict[str, str]) -> str | None:
    """None when a mapping can be imported with, else why not (translated)."""
    if not mapping.get("hours"):
        return str(_("Name the column that holds the study hours."))
    if not any(mapping.get(f) for f in ("id_number", "mobile", "name")):
        return str(
            _("Name at least one column that tells who a row is: ID number, mobile or name.")
        )
    headers = [normalise_header(h) for h in mapping.values() if h]
    if len(headers) != len(set(headers)):
        return str(_("Two fields are mapped to the same column."))
    return None


def find_columns(
    rows: Iterable[tuple[int, list[Any]]], mapping: dict[str, str]
) -> tuple[int, dict[str, int]] | str:
    """(header row number, field → column index) from the first rows, or the problem as text.

    The header row is the first one holding every mapped header; when none does, the problem
    names the mapped headers missing from the row that came closest."""
    wanted = {f: normalise_header(h) for f, h in mapping.items() if h and f in MAPPED_FIELDS}
    best: tuple[int, set[str]] = (0, set())
    for number, cells in rows:
        headers = {normalise_header(cell_text(c)): i for i, c in enumerate(cells) if c}
        found = {f for f, h in wanted.items() if h in headers}
        if found == set(wanted):
            return number, {f: headers[h] for f, h in wanted.items()}
        if len(found) > len(best[1]):
            best = (number, found)
        if number >= HEADER_SEARCH_ROWS:
            break
    missing = [mapping[f] for f in wanted if f not in best[1]]
    return str(
        _(
            "The file has no column %(columns)s named in the source's mapping (looked in the first %(n)s rows)."
        )
        % {"columns": "、".join(f"“{m}”" for m in missing), "n": HEADER_SEARCH_ROWS}
    )


def earlier_picks(batch: ImportBatch) -> dict[tuple[str, str], int | None]:
    """What reviewers decided before for this batch's source, by the row identity the file gives
    (name + unit, as read and squeezed): the member picked, or None for a line left out. The
    latest decision wins; a decision remembered in a later batch counts as made again there.

    Only lines the file named without an ID number count: an ID number is matched exactly or
    not at all, so a pick there says nothing about the next file. The dry run (`check`) asks
    this only for a line it could not match itself, so importing the same file again asks
    nothing."""
    Match, State = ImportLine.Match, ImportLine.State
    decided = (
        ImportLine.objects.filter(batch__source_id=batch.source_id, id_masked="")
        .exclude(batch_id=batch.pk)
        .filter(
            Q(match__in=[Match.PICKED, Match.REMEMBERED], member__isnull=False)
            | Q(state=State.SKIPPED)
        )
        .exclude(name="")
        .order_by("batch__created_at", "batch_id", "id")
        .values_list("name", "unit", "member_id", "state")
    )
    picks: dict[tuple[str, str], int | None] = {}
    for name, unit, member_id, state in decided.iterator(chunk_size=5000):
        picks[(name, unit)] = None if state == State.SKIPPED else member_id
    return picks


LEFT_OUT = "left out"  # recall_pick's answer for a line an earlier review left out


def recall_pick(
    picks: dict[tuple[str, str], int | None], name: str, unit: str, members: Container[int]
) -> int | str | None:
    """The earlier decision for a line named `name` + `unit`: the member picked (when still one
    of `members`, the source's roster), LEFT_OUT, or None when there is none to follow."""
    if (name, unit) not in picks:
        return None
    member = picks[(name, unit)]
    if member is None:
        return LEFT_OUT
    return member if member in members else None
