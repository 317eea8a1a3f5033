"""The results 台账 of one exam as .xlsx: per branch, then every candidate the reader may see
with their best attempt, then the item analysis."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from peixun.core.scoping import Actor
from peixun.core.text import neutralise_formula

from . import selectors
from .models import Candidate, Exam


def _pct(value: Decimal | None) -> Any:
    return float(value) if value is not None else ""


def _bold_header(sheet: Any, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)


def results_workbook(actor: Actor, exam: Exam) -> bytes:
    workbook = Workbook()
    branches = workbook.active
    assert branches is not None
    branches.title = _("By branch")
    branches.append([_("%(title)s: results by branch") % {"title": exam.title}])
    branches["A1"].font = Font(bold=True, size=13)
    branches.append(
        [_("organization above"), _("organization"), _("expected"), _("took it"),
         _("participation %"), _("average %"), _("passed"), _("pass rate %")]
    )  # fmt: skip
    _bold_header(branches, 2)
    rows, total = selectors.branch_results(actor, exam)
    for row in [*rows, total]:
        name = row.org.name if row is not total else _("Total")
        branches.append(
            [neutralise_formula(row.parent), neutralise_formula(name), row.expected, row.took,
             _pct(row.participation),
             _pct(row.average), row.passed, _pct(row.pass_rate)]
        )  # fmt: skip
    people = workbook.create_sheet(_("Members"))
    people.append(
        [_("organization"), _("name"), _("took it"), _("attempts"), _("best score"),
         _("best %"), _("passed"), _("submitted at")]
    )  # fmt: skip
    _bold_header(people, 1)
    candidates = (
        Candidate.objects.filter(exam=exam).visible_to(actor).select_related("org", "member")
    )
    best = selectors.best_attempts(exam)
    counts: dict[int, int] = {}
    for member_id in exam.attempts.values_list("member_id", flat=True):
        counts[member_id] = counts.get(member_id, 0) + 1
    for candidate in candidates.order_by("org__path", "member__name"):
        attempt = best.get(candidate.member_id)
        people.append(
            [
                neutralise_formula(candidate.org.name),
                neutralise_formula(candidate.member.name),
                _("yes") if attempt else _("no"),
                counts.get(candidate.member_id, 0),
                float(attempt.score) if attempt and attempt.score is not None else "",
                _pct(attempt.percent) if attempt else "",
                (_("yes") if attempt.passed else _("no")) if attempt else "",
                timezone.localtime(attempt.submitted_at).strftime("%Y-%m-%d %H:%M")
                if attempt and attempt.submitted_at
                else "",
            ]
        )
    items = workbook.create_sheet(_("Questions"))
    items.append(
        [_("question"), _("type"), _("shown"), _("answered right"), _("difficulty (p)"),
         _("discrimination (D)")]
    )  # fmt: skip
    _bold_header(items, 1)
    for item in selectors.item_analysis(exam):
        items.append(
            [neutralise_formula(item.stem[:200]), item.kind_label, item.shown, item.correct,
             _pct(item.difficulty), _pct(item.discrimination)]
        )  # fmt: skip
    for sheet, widths in (
        (branches, (28, 28, 10, 10, 14, 12, 10, 12)),
        (people, (24, 12, 8, 8, 10, 10, 8, 18)),
        (items, (60, 10, 8, 12, 14, 16)),
    ):
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
