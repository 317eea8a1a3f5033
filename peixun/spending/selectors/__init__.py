"""Reads of this app: every selector takes the actor and starts from what they may see."""

from .totals import SpendingTotals, spending_totals, totals_of

__all__ = ["SpendingTotals", "spending_totals", "totals_of"]
