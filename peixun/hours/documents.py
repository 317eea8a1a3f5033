"""Files out of the ledger: the branch 台账 as .xlsx, one row per member with hours by kind,
totals and each rule's result; the list of members behind (or at risk) of the compliance page.

The rows come from `selectors.ledger_data` (constant queries); text cells go through
`neutralise_formula`. The audited export that serves it is `services.ledger_export`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from peixun.core.text import neutralise_formula

from .models import Kind
from .selectors.compliance import STATUS_LABELS, Drilldown
from .selectors.compliance.ledger import LedgerData


def _number(value: Decimal) -> float | int:
    # Hours are multiples of 0.25 (exact in binary); a spreadsheet wants numbers, not text.
    return int(value) if value == value.to_integral_value() else float(value)


def ledger_workbook(data: LedgerData, org_above: Mapping[int, str] | None = None) -> bytes:
    """The 台账 workbook of `data`, headers in Chinese whatever the reader's language; beside
    each branch, the orgs above it (`org_above`: org id → `orgs.selectors.org_above_label`)."""
    rows, by_kind, rules = data.rows, data.by_kind, data.rules
    above = org_above or {}
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Study-hour ledger"))
        sheet.freeze_panes = "C2"
        headers: list[str] = [_("name"), _("branch"), _("Organization above")]
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
            values: list[Any] = [
                neutralise_formula(mc.name),
                neutralise_formula(mc.org_name),
                neutralise_formula(above.get(mc.org_id, "")),
            ]
            values += [
                _number(by_kind.get((mc.member_id, kind), Decimal(0))) for kind in Kind.values
            ]
            values += [
                _number(mc.totals.total),
                _number(mc.totals.concentrated),
                _number(mc.totals.online),
            ]
            values += _rule_cells(mc.results, rules)
            sheet.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def _rule_cells(results: Any, rules: Any) -> list[Any]:
    """Per rule: required, achieved, still owed and status; four blanks where it does not apply."""
    by_rule = {r.requirement_id: r for r in results}
    cells: list[Any] = []
    for rule in rules:
        result = by_rule.get(rule.pk)
        if result is None:
            cells += ["", "", "", ""]
            continue
        cells += [
            _number(result.required),
            _number(result.achieved),
            _number(result.gap),
            str(STATUS_LABELS[result.status]),
        ]
    return cells


def _bold_row(sheet: Any, headers: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise_formula(header))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def drilldown_workbook(data: Drilldown) -> bytes:
    """The members behind (or at risk) as .xlsx, each with the path of their branch (branches
    of the same name are told apart) and, per rule that put someone on the list, what the rule
    requires, what they achieved, what they still owe and their status. Rows need their
    `branch_path` attached."""
    if data.rule is not None:
        rules = [data.rule]
    else:
        used = {r.requirement_id for row in data.rows for r in row.shown}
        rules = [rule for rule in data.rules if rule.pk in used]
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Members behind on study hours"))
        sheet.freeze_panes = "C2"
        headers: list[str] = [_("name"), _("branch")]
        for rule in rules:
            headers += [
                f"{rule.name} · {_('required')}",
                f"{rule.name} · {_('achieved')}",
                f"{rule.name} · {_('still owed')}",
                f"{rule.name} · {_('status')}",
            ]
        sheet.append(_bold_row(sheet, headers))
        for row in data.rows:
            values: list[Any] = [
                neutralise_formula(row.member.name),
                neutralise_formula(" › ".join(row.branch_path)),
            ]
            values += _rule_cells(row.member.results, rules)
            sheet.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
