"""Documents generated from plan data: the plan filing document (.docx, official layout) and the
filing overview of an org's children (.xlsx 台账)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from peixun.core.docxstyle import (
    FANGSONG,
    HEITI,
    XIAOBIAOSONG,
    chinese_date,
    docx_a4,
    docx_font,
    docx_paragraph,
)
from peixun.core.workbooks import Column, LedgerBook, year_period
from peixun.orgs.selectors import org_path_label

from .models import TrainingPlan

if TYPE_CHECKING:  # the selectors import services, which build these documents
    from .selectors import FilingOverview


def plan_document(plan: TrainingPlan) -> bytes:
    """The plan as filed: title, summary, the items table and the filing state."""
    document = Document()
    docx_a4(document)
    docx_paragraph(
        document,
        plan.title,
        font=XIAOBIAOSONG,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    docx_paragraph(document, "")
    docx_paragraph(
        document,
        _("Organization: %(org)s    Year: %(year)s") % {"org": plan.org.name, "year": plan.year},
        indent=False,
    )
    state = plan.get_state_display()
    if plan.version:
        state = _("%(state)s (version %(n)s)") % {"state": state, "n": plan.version}
    docx_paragraph(document, _("Filing state: %(state)s") % {"state": state}, indent=False)
    if plan.summary:
        docx_paragraph(document, _("1. Summary"), font=HEITI, indent=False)
        for line in plan.summary.splitlines():
            if line.strip():
                docx_paragraph(document, line.strip())
    docx_paragraph(document, _("2. Plan items"), font=HEITI, indent=False)
    headers = [
        _("No."),
        _("content"),
        _("target audience"),
        _("standard to reach"),
        _("responsible organization"),
        _("deadline"),
        _("classes / meetings"),
        _("study hours"),
        _("trainees"),
        _("budget (yuan)"),
    ]
    items = list(plan.items.select_related("responsible_org").order_by("position", "id"))
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        docx_font(cell.paragraphs[0].add_run(text), HEITI, 10.5)
    for index, item in enumerate(items, start=1):
        values = [
            str(index),
            item.content,
            item.audience,
            item.standard,
            item.responsible_org.name,
            chinese_date(item.deadline),
            f"{item.planned_classes} / {item.planned_meetings}",
            f"{item.planned_hours.normalize():f}",
            str(item.planned_people),
            f"{item.budget:,.2f}",
        ]
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            docx_font(cell.paragraphs[0].add_run(text), FANGSONG, 10.5)
    total_budget = sum((i.budget for i in items), Decimal(0))
    docx_paragraph(document, "")
    docx_paragraph(
        document,
        _("%(n)s items; estimated budget %(budget)s yuan in all.")
        % {"n": len(items), "budget": f"{total_budget:,.2f}"},
        indent=False,
    )
    if plan.state == TrainingPlan.State.APPROVED and plan.decided_at:
        docx_paragraph(
            document,
            _("Approved by the superior organization on %(day)s.")
            % {"day": chinese_date(timezone.localtime(plan.decided_at).date())},
            indent=False,
        )
    if plan.state == TrainingPlan.State.RETURNED and plan.return_reason:
        docx_paragraph(
            document, _("Returned: %(reason)s") % {"reason": plan.return_reason}, indent=False
        )
    # 落款: the filing org, then the date it filed (GB/T 9704 places both at the right).
    docx_paragraph(document, "")
    docx_paragraph(document, plan.org.name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    if plan.submitted_at:
        docx_paragraph(
            document,
            chinese_date(timezone.localtime(plan.submitted_at).date()),
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            indent=False,
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filings_workbook(overview: FilingOverview) -> bytes:
    """The filings of `overview.org`'s children as a `core.workbooks` 台账; its title names where
    the org sits, so same-named orgs' sheets differ. Always in Chinese."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Plan filings"),
            title=_("%(org)s: %(year)s training plan filings")
            % {"org": org_path_label(overview.org), "year": overview.year},
            org=overview.org.name,
            period=year_period(overview.year),
            columns=[
                Column(_("organization")),
                Column(_("state")),
                Column(_("version"), "integer"),
                Column(_("submitted at"), "datetime"),
                Column(_("plan title")),
            ],
            freeze_columns=1,
        )
        labels = dict(TrainingPlan.State.choices)
        for row in overview.rows:
            plan = row.plan
            sheet.append(
                [
                    row.org.name,
                    str(labels.get(row.state, _("Not filed"))),
                    plan.version if plan else None,
                    plan.submitted_at if plan else None,
                    plan.title if plan else None,
                ]
            )
        return book.save()
