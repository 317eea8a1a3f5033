"""The names spending's downloads carry: Chinese for people, an ASCII fallback (the names the
files had before) for clients that read only the plain `filename`."""

from __future__ import annotations

from peixun.core.downloads import file_name
from peixun.orgs.models import Organization

from ..models import ExpenseAttachment


def ledger_names(org: Organization | None, year: int | None) -> tuple[str, str]:
    """(经费支出台账-<org>-2026年.xlsx, spending-<code>-2026.xlsx)."""
    name = file_name(
        "经费支出台账",
        org.name if org is not None else "全部",
        f"{year}年" if year else "全部年度",
        ext="xlsx",
    )
    return name, f"spending-{org.code if org else 'all'}-{year or 'all'}.xlsx"


def attachment_fallback(attachment: ExpenseAttachment) -> str:
    """expense-12-attachment-3.pdf: the uploaded name keeps its Chinese in `filename*`."""
    ext = attachment.name.rpartition(".")[2].lower() if "." in attachment.name else "bin"
    return f"expense-{attachment.expense_id}-attachment-{attachment.pk}.{ext}"
