"""Files of a training class, one module per family: `dispatch` (the 调训通知 and the roster)
and `closing` (the sign-in sheet and the completion certificate). The audited exports that serve
them are services (`services.dispatch.exports`, `services.closing.exports`)."""

from .closing import certificate_docx, signin_sheet_docx, signin_sheet_xlsx
from .dispatch import notice_docx, roster_docx, roster_xlsx

__all__ = [
    "certificate_docx",
    "notice_docx",
    "roster_docx",
    "roster_xlsx",
    "signin_sheet_docx",
    "signin_sheet_xlsx",
]
