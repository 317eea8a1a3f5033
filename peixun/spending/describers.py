"""The audit trail's sentences for spending (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import Expense

ACTIONS = {
    "expense.record": gettext_lazy("recorded"),
    "expense.update": gettext_lazy("corrected"),
    "expense.void": gettext_lazy("voided"),
    "expense.attach": gettext_lazy("attached a file to"),
    "expense.detach": gettext_lazy("removed a file from"),
    "expense.export": gettext_lazy("%(actor)s exported the spending ledger"),
}


def expense_names(ids: set[str]) -> Mapping[str, str]:
    rows = Expense.objects.filter(pk__in=int_ids(ids))
    return {
        str(e.pk): _("the expense “%(purpose)s” of %(amount)s yuan on %(day)s")
        % {"purpose": e.purpose, "amount": f"{e.amount:,.2f}", "day": e.spent_on.isoformat()}
        for e in rows
    }


NAMERS = {"spending.expense": expense_names}
