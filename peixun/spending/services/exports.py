"""The spending ledger handed out as .xlsx, audited with what it held (it may name payees)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..documents import ledger_workbook
from ..models import Expense


def ledger_export(
    *,
    actor: Actor,
    org: Organization | None,
    org_label: str,
    period_label: str,
    expenses: QuerySet[Expense],
    by_fund: dict[str, Decimal],
    total: Decimal,
    year: int | None = None,
    count: int | None = None,
) -> bytes:
    """The ledger of the expenses given (the caller's filtered, visible list) as .xlsx;
    audited ("expense.export") with the period and the number of rows."""
    rows = list(expenses)
    content = ledger_workbook(
        org_name=org.name if org is not None else org_label,
        org_label=org_label,
        year=year,
        expenses=rows,
        by_fund=by_fund,
        total=total,
        count=count,
    )
    audit_record(
        actor=actor,
        verb="expense.export",
        obj=org,
        org=org,
        after={"period": period_label, "rows": len(rows)},
    )
    return content
