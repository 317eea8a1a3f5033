"""`{{ amount|yuan }}`: an amount of money as 1,234.50, the way the ledger and the .xlsx show it
(Django's number formatting for Chinese groups no digits)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | None) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f}"
