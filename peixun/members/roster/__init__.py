"""名册: the member roster as an Excel workbook — a blank template, an import, an export.

    roster_template() -> bytes
    roster_import(*, actor, data, filename="", dry_run) -> RosterImportResult
    roster_export(*, actor, filters=None) -> bytes

The headers are the member fields' verbose names in Chinese (`columns.header_for`).
"""

from .columns import CHINESE_HEADERS, REQUIRED_COLUMNS, ROSTER_FIELDS, header_for, roster_headers
from .importing import RosterImportResult, RowError, roster_import
from .reading import RosterFileError
from .writing import roster_export, roster_template

__all__ = [
    "CHINESE_HEADERS",
    "REQUIRED_COLUMNS",
    "ROSTER_FIELDS",
    "RosterFileError",
    "RosterImportResult",
    "RowError",
    "header_for",
    "roster_export",
    "roster_headers",
    "roster_import",
    "roster_template",
]
