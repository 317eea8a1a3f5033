"""The spending ledger (经费支出台账) as .xlsx, a `core.workbooks` 台账: a title row naming the org
and the year, a subtitle with 单位, 期间 and 导出日期, one row per expense (voided ones struck
through and marked, never summed), then 合计 and the subtotal of each fund (其中：党费 …); dates
as dates, amounts as numbers in yuan, widths fitted, A4 with the header on every printed page."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peixun.core.workbooks import Column, LedgerBook, ledger_title, year_period

from ..models import Expense, Fund

# The columns before 金额（元）: a totals label is merged across them.
LABEL_SPAN = 5


def against_text(expense: Expense) -> str:
    if expense.training_class_id:
        return _("Class: %(title)s") % {"title": expense.training_class.title}  # type: ignore[union-attr]
    if expense.meeting_id:
        return _("Meeting: %(title)s") % {"title": expense.meeting.event.title}  # type: ignore[union-attr]
    if expense.plan_item_id:
        return _("Plan item: %(content)s") % {"content": expense.plan_item.content}  # type: ignore[union-attr]
    return ""


def decision_text(expense: Expense) -> str:
    if not expense.decision_body:
        return ""
    parts = [expense.decision_body]
    if expense.decision_on:
        parts.append(expense.decision_on.isoformat())
    if expense.decision_ref:
        parts.append(expense.decision_ref)
    return " ".join(parts)


def ledger_workbook(
    *,
    org_name: str,
    org_label: str,
    year: int | None,
    expenses: Iterable[Expense],
    by_fund: dict[str, Decimal],
    total: Decimal,
    count: int | None = None,
) -> bytes:
    """The ledger of `expenses` (in the order given) for `org_name` (`org_label` names it with
    the orgs above it in the subtitle) in `year` (None: every year). `by_fund`, `total` and
    `count` are `selectors.totals_of` over the same expenses, voided ones left out."""
    with translation.override("zh-hans"):
        what = (
            _("%(year)s spending ledger") % {"year": year}
            if year is not None
            else _("Spending ledger")
        )
        book = LedgerBook()
        sheet = book.sheet(
            _("Spending ledger"),
            title=ledger_title(org_name, what),
            org=org_label,
            period=year_period(year) if year is not None else _("All years"),
            columns=[
                Column(_("No."), "integer"),
                Column(_("date spent"), "date"),
                Column(_("organization"), max_width=18),
                Column(_("fund")),
                Column(_("purpose"), max_width=30),
                Column(_("amount (yuan)"), "money"),
                Column(_("payee"), max_width=16),
                Column(_("spent on"), max_width=24),
                Column(_("approving decision"), max_width=26),
                Column(_("remarks"), max_width=18),
            ],
            freeze_columns=2,
        )
        funds = dict(Fund.choices)
        voided = 0
        for number, expense in enumerate(expenses, start=1):
            remark = ""
            if expense.voided_at:
                voided += 1
                remark = _("Voided: %(reason)s") % {"reason": expense.void_reason}
            sheet.append(
                [
                    number,
                    expense.spent_on,
                    expense.org.name,
                    str(funds.get(expense.fund, expense.fund)),
                    expense.purpose,
                    expense.amount,
                    expense.payee,
                    against_text(expense),
                    decision_text(expense),
                    remark,
                ],
                struck=expense.voided_at is not None,
            )
        label = (
            ngettext("Total (%(n)s expense)", "Total (%(n)s expenses)", count) % {"n": count}
            if count is not None
            else _("Total")
        )
        blanks = [None] * (LABEL_SPAN - 1)
        sheet.totals([label, *blanks, total], span=LABEL_SPAN)
        for value, name in Fund.choices:
            sheet.totals(
                [_("Of which: %(fund)s") % {"fund": name}, *blanks, by_fund.get(value, Decimal(0))],
                span=LABEL_SPAN,
            )
        if voided:
            sheet.note(
                ngettext(
                    "%(n)s voided expense (struck through) is not counted in the totals.",
                    "%(n)s voided expenses (struck through) are not counted in the totals.",
                    voided,
                )
                % {"n": voided}
            )
        return book.save()
