"""Files of a training class, one module per family: `dispatch` (the 调训通知 and the roster)
and `closing` (the sign-in sheet and the completion certificate)."""

from .closing import certificate_docx, signin_sheet_docx, signin_sheet_xlsx, signin_sheets
from .dispatch import notice_docx, roster_export

__all__ = [
    "certificate_docx",
    "notice_docx",
    "roster_export",
    "signin_sheet_docx",
    "signin_sheet_xlsx",
    "signin_sheets",
]
