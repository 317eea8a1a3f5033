"""Files out: the spending ledger (经费支出台账) as .xlsx, and the names downloads carry."""

from .ledger import against_text, decision_text, ledger_workbook
from .names import attachment_fallback, ledger_names

__all__ = [
    "against_text",
    "attachment_fallback",
    "decision_text",
    "ledger_names",
    "ledger_workbook",
]
