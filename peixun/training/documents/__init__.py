"""Files of a training class, one module per family: `dispatch` (the 调训通知 and the roster)
`closing` (the sign-in sheet and the completion certificate) and `notice_circular` (the
调训情况通报). The documents are `core.printable.Printable`s, each given as .docx or PDF. The
audited exports that serve them are services (`services.dispatch.exports`,
`services.closing.exports`)."""

from .closing import (
    certificate_docx,
    certificate_pdf,
    certificate_printable,
    signin_sheet_docx,
    signin_sheet_pdf,
    signin_sheet_printable,
    signin_sheet_xlsx,
)
from .dispatch import (
    notice_docx,
    notice_file,
    notice_issued_on,
    notice_pdf,
    notice_printable,
    roster_docx,
    roster_pdf,
    roster_printable,
    roster_xlsx,
)
from .notice_circular import circular_file, circular_printable, circular_xlsx

__all__ = [
    "certificate_docx",
    "certificate_pdf",
    "certificate_printable",
    "circular_file",
    "circular_printable",
    "circular_xlsx",
    "notice_docx",
    "notice_file",
    "notice_issued_on",
    "notice_pdf",
    "notice_printable",
    "roster_docx",
    "roster_pdf",
    "roster_printable",
    "roster_xlsx",
    "signin_sheet_docx",
    "signin_sheet_pdf",
    "signin_sheet_printable",
    "signin_sheet_xlsx",
]
