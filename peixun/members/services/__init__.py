"""Every write to members: their records, membership history and positions (`members`), and
the roster's import and audited export (`roster`)."""

from ..models import Departure
from .keys import field_key_rotate
from .members import (
    AUDIT_FIELDS,
    check_member_org,
    is_own_record,
    member_create,
    member_depart,
    member_reveal_id,
    member_transfer,
    member_update,
    position_assign,
    position_end,
    set_id_number,
)
from .roster import RosterImportResult, roster_export, roster_import

__all__ = [
    "AUDIT_FIELDS",
    "Departure",
    "RosterImportResult",
    "check_member_org",
    "field_key_rotate",
    "is_own_record",
    "member_create",
    "member_depart",
    "member_reveal_id",
    "member_transfer",
    "member_update",
    "position_assign",
    "position_end",
    "roster_export",
    "roster_import",
    "set_id_number",
]
