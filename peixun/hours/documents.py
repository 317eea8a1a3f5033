"""Files out of the ledger: the branch 台账 as .xlsx, one row per member with hours by kind,
totals and each rule's result; the list of members behind (or at risk) of the compliance page.

The rows come from `selectors.ledger_data` (constant queries); the sheets are
`core.workbooks` 台账 (title naming the org and year, typed cells, printable on A4). The audited
export that serves it is `services.ledger_export`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from peixun.core.workbooks import Column, LedgerBook, as_of_period, ledger_title, year_period

from .logic import COUNT_METRICS, TOPIC_SHARE
from .models import Kind
from .selectors.compliance import STATUS_LABELS, Drilldown
from .selectors.compliance.ledger import LedgerData


def _number(value: Decimal) -> float | int:
    # Hours are multiples of 0.25 (exact in binary); a spreadsheet wants numbers, not text.
    return int(value) if value == value.to_integral_value() else float(value)


def _unit(rule: Any) -> str:
    if rule.metric in COUNT_METRICS:
        return _("unit: times")
    if rule.metric == TOPIC_SHARE:
        return "%"
    return _("unit: study hours")


def _rule_columns(rules: Any) -> list[Column]:
    """Per rule, four columns that each say what they hold and in which unit."""
    columns: list[Column] = []
    for rule in rules:
        names = {"rule": rule.name, "unit": _unit(rule)}
        columns += [
            Column(_("%(rule)s: required (%(unit)s)") % names, "hours"),
            Column(_("%(rule)s: achieved (%(unit)s)") % names, "hours"),
            Column(_("%(rule)s: still owed (%(unit)s)") % names, "hours"),
            Column(_("%(rule)s: status") % names),
        ]
    return columns


def ledger_workbook(data: LedgerData, org_above: Mapping[int, str] | None = None) -> bytes:
    """The 台账 workbook of `data`, headers in Chinese whatever the reader's language; beside
    each branch, the orgs above it (`org_above`: org id → `orgs.selectors.org_above_label`).
    Hours by type count each entry under its one type; the two "of which" columns count the
    entries marked concentrated (or online) whatever their type, so they are not the sums of
    the type columns of the same name. The totals row adds up the hour columns shown."""
    rows, by_kind, rules = data.rows, data.by_kind, data.rules
    above = org_above or {}
    with translation.override("zh-hans"):
        columns = [Column(_("name")), Column(_("branch")), Column(_("Organization above"))]
        columns += [
            Column(_("%(kind)s hours (by type)") % {"kind": label}, "hours")
            for _value, label in Kind.choices
        ]
        columns += [
            Column(_("Study hours, all types"), "hours"),
            Column(_("Of which: hours marked concentrated (any type)"), "hours"),
            Column(_("Of which: hours marked online (any type)"), "hours"),
        ]
        columns += _rule_columns(rules)
        book = LedgerBook()
        sheet = book.sheet(
            _("Study-hour ledger"),
            title=ledger_title(
                data.org.name, _("%(year)s study-hour ledger") % {"year": data.year}
            ),
            org=data.org.name,
            period=year_period(data.year),
            columns=columns,
            freeze_columns=2,
        )
        sums = [Decimal(0)] * (len(Kind.values) + 3)
        for mc in rows:
            figures = [by_kind.get((mc.member_id, kind), Decimal(0)) for kind in Kind.values]
            figures += [mc.totals.total, mc.totals.concentrated, mc.totals.online]
            sums = [a + b for a, b in zip(sums, figures, strict=True)]
            values: list[Any] = [mc.name, mc.org_name, above.get(mc.org_id, "")]
            values += [_number(value) for value in figures]
            values += _rule_cells(mc.results, rules)
            sheet.append(values)
        sheet.totals(
            [_("Total"), _("%(n)s members") % {"n": len(rows)}, None]
            + [_number(value) for value in sums]
        )
        return book.save()


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
        book = LedgerBook()
        sheet = book.sheet(
            _("Members behind on study hours"),
            title=ledger_title(
                data.org.name,
                _("%(year)s members behind on study hours") % {"year": data.year},
            ),
            org=data.org.name,
            period=f"{year_period(data.year)}（{as_of_period(data.as_of)}）",
            columns=[Column(_("name")), Column(_("branch")), *_rule_columns(rules)],
            freeze_columns=1,
        )
        for row in data.rows:
            values: list[Any] = [row.member.name, " › ".join(row.branch_path)]
            values += _rule_cells(row.member.results, rules)
            sheet.append(values)
        return book.save()
