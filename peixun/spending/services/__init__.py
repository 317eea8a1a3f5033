"""Writes of this app: <noun>_<verb>(*, actor, ...), atomic, permission first, audited."""

from .attachments import (
    ATTACHMENT_SUFFIXES,
    MAX_ATTACHMENT_BYTES,
    expense_attachment_add,
    expense_attachment_remove,
)
from .expenses import (
    EXPENSE_AUDIT,
    clean_expense_fields,
    expense_record,
    expense_update,
    expense_void,
)
from .exports import ledger_export

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "EXPENSE_AUDIT",
    "MAX_ATTACHMENT_BYTES",
    "clean_expense_fields",
    "expense_attachment_add",
    "expense_attachment_remove",
    "expense_record",
    "expense_update",
    "expense_void",
    "ledger_export",
]
