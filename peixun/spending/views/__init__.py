"""Thin pages over the selectors and services."""

from .expenses import (
    attachment_delete,
    attachment_download,
    attachment_new,
    expense_detail,
    expense_edit,
    expense_list,
    expense_new,
    expense_void,
    ledger_xlsx,
)
from .plan_actual import plan_actual

__all__ = [
    "attachment_delete",
    "attachment_download",
    "attachment_new",
    "expense_detail",
    "expense_edit",
    "expense_list",
    "expense_new",
    "expense_void",
    "ledger_xlsx",
    "plan_actual",
]
