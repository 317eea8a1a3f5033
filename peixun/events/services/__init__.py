"""Every write of the events layer, one module per topic: `events` (create, change, close,
reopen, the tenant's settings), `signin` (QR sign-in and sign-out), `attendance` (marking by the
organiser) with `marking` and `importing` (an .xlsx sheet), `leave` (asking and deciding).

`event_settings_for` (a read, in `selectors`) is re-exported here for the callers that have
always found it beside `event_settings_update`."""

from ..documents import AttendanceImportResult
from ..selectors import event_settings_for
from .attendance import (
    attendance_mark,
    attendance_mark_bulk,
    attendance_mark_many,
    attendance_mark_unmarked,
)
from .events import (
    EDITABLE,
    EVENT_AUDIT,
    SETTINGS_BOUNDS,
    SETTINGS_FIELDS,
    attendance_counts,
    clean_event_fields,
    clean_event_hours,
    credited_status,
    credits_of,
    event_close,
    event_create,
    event_reopen,
    event_settings_update,
    event_update,
    require_open,
)
from .importing import (
    attendance_import,
    attendance_template,
)
from .leave import (
    LEAVE_AUDIT,
    can_decide_leave,
    leave_cancel,
    leave_decide,
    leave_request,
)
from .marking import (
    MARK_AUDIT,
    NOT_THERE,
    Mark,
    apply_marks,
    clean_note,
    clean_status,
)
from .signin import (
    REPLACEABLE,
    SIGNIN_AUDIT,
    SigninError,
    attendance_signin,
    attendance_signout,
    early_before,
    late_from,
    signin_opens_at,
    signin_outcome_text,
    signin_preflight,
    signout_outcome_text,
    signout_until,
)

__all__ = [
    "AttendanceImportResult",
    "event_settings_for",
    "EDITABLE",
    "EVENT_AUDIT",
    "LEAVE_AUDIT",
    "MARK_AUDIT",
    "Mark",
    "NOT_THERE",
    "REPLACEABLE",
    "SETTINGS_BOUNDS",
    "SETTINGS_FIELDS",
    "SIGNIN_AUDIT",
    "SigninError",
    "apply_marks",
    "attendance_counts",
    "attendance_import",
    "attendance_mark",
    "attendance_mark_bulk",
    "attendance_mark_many",
    "attendance_mark_unmarked",
    "attendance_signin",
    "attendance_signout",
    "attendance_template",
    "can_decide_leave",
    "clean_event_fields",
    "clean_event_hours",
    "clean_note",
    "clean_status",
    "credited_status",
    "credits_of",
    "early_before",
    "event_close",
    "event_create",
    "event_reopen",
    "event_settings_update",
    "event_update",
    "late_from",
    "leave_cancel",
    "leave_decide",
    "leave_request",
    "require_open",
    "signin_opens_at",
    "signin_outcome_text",
    "signin_preflight",
    "signout_outcome_text",
    "signout_until",
]
