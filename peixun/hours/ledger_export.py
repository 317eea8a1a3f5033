"""The branch 台账 as .xlsx: one row per member with hours by kind, totals and each rule's result.

Built from the compliance selector (constant queries) plus one GROUP BY for hours by kind; text
cells go through `neutralise_formula`; every export is audited ("hours.ledger_export").
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor, can_read_org
from peixun.core.text import neutralise_formula
from peixun.orgs.models import Organization

from .compliance import STATUS_LABELS, member_table
from .models import Kind, Requirement, YearlyRollup


def _org_or_404(actor: Actor, org: Organization | int) -> Organization:
    found = org if isinstance(org, Organization) else Organization.objects.filter(pk=org).first()
    if found is None or not can_read_org(actor, found):
        raise Http404
    return found


def _hours_by_kind(member_ids: list[int], year: int) -> dict[tuple[int, str], Decimal]:
    # By member id (an index seek per member), not by org path (a scan of the year's cells).
    rows = (
        YearlyRollup.objects.filter(member_id__in=member_ids, year=year)
        .values("member_id", "kind")
        .annotate(hours=Sum("hours"))
        .values_list("member_id", "kind", "hours")
        .order_by()
    )
    return {(member_id, kind): hours for member_id, kind, hours in rows}


def _number(value: Decimal) -> float | int:
    # Hours are multiples of 0.25 (exact in binary); a spreadsheet wants numbers, not text.
    return int(value) if value == value.to_integral_value() else float(value)


def ledger_export(
    *, actor: Actor, org: Organization | int, year: int
) -> tuple[bytes, Organization]:
    """The 台账 of `org`'s subtree for `year`; 404 outside the actor's scope."""
    found = _org_or_404(actor, org)
    rows = member_table(actor=actor, org=found, year=year)
    by_kind = _hours_by_kind([mc.member_id for mc in rows], year)
    used = {r.requirement_id for mc in rows for r in mc.results}
    rules = list(Requirement.objects.filter(pk__in=used).order_by("org__path", "id"))
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Study-hour ledger"))
        sheet.freeze_panes = "C2"
        headers: list[str] = [_("name"), _("branch")]
        headers += [str(label) for _value, label in Kind.choices]
        headers += [_("Total hours"), _("Concentrated training hours"), _("Online hours")]
        for rule in rules:
            headers += [
                f"{rule.name} · {_('required')}",
                f"{rule.name} · {_('achieved')}",
                f"{rule.name} · {_('still owed')}",
                f"{rule.name} · {_('status')}",
            ]
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=neutralise_formula(header))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for mc in rows:
            values: list[Any] = [neutralise_formula(mc.name), neutralise_formula(mc.org_name)]
            values += [
                _number(by_kind.get((mc.member_id, kind), Decimal(0))) for kind in Kind.values
            ]
            values += [
                _number(mc.totals.total),
                _number(mc.totals.concentrated),
                _number(mc.totals.online),
            ]
            results = {r.requirement_id: r for r in mc.results}
            for rule in rules:
                result = results.get(rule.pk)
                if result is None:
                    values += ["", "", "", ""]
                    continue
                values += [
                    _number(result.required),
                    _number(result.achieved),
                    _number(result.gap),
                    str(STATUS_LABELS[result.status]),
                ]
            sheet.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
    audit_record(
        actor=actor,
        verb="hours.ledger_export",
        obj=found,
        org=found,
        after={"year": year, "rows": len(rows)},
    )
    return buffer.getvalue(), found
