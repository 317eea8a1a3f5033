"""Files out: the spending ledger (经费支出台账) as .xlsx."""

from .ledger import against_text, decision_text, ledger_workbook

__all__ = ["against_text", "decision_text", "ledger_workbook"]
