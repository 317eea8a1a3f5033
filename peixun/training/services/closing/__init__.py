"""Closing a class (结班) and what leads to it: the leave limit, the
final confirmations, closing with credits, reopening, and 我的培训.

`enrolment_leave_flags_refresh(event)` is the events layer's attendance listener for sessions
(registered in `apps.py`)."""

from .close import (
    MAX_PLAN_BYTES,
    PLAN_TYPES,
    class_close,
    class_plan_attach,
    class_reopen,
    class_roster_confirm,
    class_timetable_confirm,
)
from .exports import (
    CERTIFICATE_FORMATS,
    SHEET_FORMATS,
    certificate_export,
    certificate_file_name,
    certificates_export,
    signin_sheet_export,
)
from .leave import (
    class_leave_flags_refresh,
    enrolment_leave_flags_refresh,
)

__all__ = [
    "CERTIFICATE_FORMATS",
    "SHEET_FORMATS",
    "certificate_export",
    "certificate_file_name",
    "certificates_export",
    "signin_sheet_export",
    "MAX_PLAN_BYTES",
    "PLAN_TYPES",
    "class_close",
    "class_leave_flags_refresh",
    "class_plan_attach",
    "class_reopen",
    "class_roster_confirm",
    "class_timetable_confirm",
    "enrolment_leave_flags_refresh",
]
