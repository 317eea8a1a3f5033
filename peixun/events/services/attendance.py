"""Attendance marked by the organiser: one member, many at once, or from an .xlsx file.

Marking is the fallback when a phone or the network fails, and the way to record absence and
leave known outside the system. Only those who manage the event's organiser may mark, only
members expected at the event (or already holding a row) can be marked, and a closed event must
be reopened first. A mark replaces a QR sign-in's status; the scan time is kept unless the mark
says the member was not there (absent, on leave). After every change the app owning the event
is told (`registry.attendance_changed`), e.g. to recompute a full-time class's leave flags.

The import itself lives in `importing.py` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.members.models import Member

from .. import registry
from ..models import Attendance, Event
from .events import _locked, require_open
from .importing import AttendanceImportResult, attendance_import, attendance_template
from .marking import Mark, apply_marks, clean_note, clean_status

__all__ = [
    "AttendanceImportResult",
    "attendance_import",
    "attendance_mark",
    "attendance_mark_bulk",
    "attendance_mark_many",
    "attendance_mark_unmarked",
    "attendance_template",
]


@transaction.atomic
def attendance_mark(
    *, actor: Actor, event: Event, member: Member, status: str, note: str = ""
) -> Attendance:
    """Mark one member's attendance by hand (method "manual")."""
    event = _locked(event)
    require_manage(actor, event.org)
    require_open(event)
    mark = Mark(clean_status(status), clean_note(note))
    apply_marks(
        actor=actor,
        event=event,
        marks={member.pk: mark},
        method=Attendance.Method.MANUAL,
        verb="attendance.mark",
    )
    return Attendance.objects.get(event=event, member=member)


@transaction.atomic
def attendance_mark_many(
    *, actor: Actor, event: Event, marks: Mapping[int, str], note: str = ""
) -> tuple[int, int, int]:
    """Mark many members at once: member id → status. All or nothing; returns (created,
    updated, unchanged)."""
    event = _locked(event)
    require_manage(actor, event.org)
    require_open(event)
    if not marks:
        raise ValidationError({"member": _("Choose at least one member.")})
    clean = clean_note(note)
    checked = {int(pk): Mark(clean_status(status), clean) for pk, status in marks.items()}
    return apply_marks(
        actor=actor,
        event=event,
        marks=checked,
        method=Attendance.Method.MANUAL,
        verb="attendance.mark",
    )


# How many members one bulk mark may name (a county's 党委 meeting stays well below it).
MAX_BULK_MARKS = 5000


def _clean_member_ids(member_ids: Iterable[Any]) -> list[int]:
    """The chosen members' ids, each once, in the order given; refused when empty, too many, or
    when one is not a whole number."""
    ids: dict[int, None] = {}
    for value in member_ids:
        try:
            ids[int(value)] = None
        except (TypeError, ValueError):
            raise ValidationError(
                {"member": _("Unknown member: %(id)s.") % {"id": value}}
            ) from None
    if not ids:
        raise ValidationError({"member": _("Choose at least one member.")})
    if len(ids) > MAX_BULK_MARKS:
        raise ValidationError(
            {"member": _("At most %(max)s members in one request.") % {"max": MAX_BULK_MARKS}}
        )
    return list(ids)


@transaction.atomic
def attendance_mark_bulk(
    *, actor: Actor, event: Event, member_ids: Iterable[Any], status: str
) -> tuple[int, int, int]:
    """Give the chosen members one status by hand ("mark selected present"); each row keeps its
    note. All or nothing: a member who is not expected at the event (and holds no row) refuses
    the whole request. Returns (created, updated, unchanged); audited per changed row like a
    single mark."""
    event = _locked(event)
    require_manage(actor, event.org)
    require_open(event)
    ids = _clean_member_ids(member_ids)
    mark = Mark(clean_status(status), note=None)
    return apply_marks(
        actor=actor,
        event=event,
        marks=dict.fromkeys(ids, mark),
        method=Attendance.Method.MANUAL,
        verb="attendance.mark",
    )


@transaction.atomic
def attendance_mark_unmarked(
    *, actor: Actor, event: Event, status: str = Attendance.Status.ABSENT
) -> int:
    """Give every expected member without a row `status` (absent, usually); returns how many.

    Refused before the event starts: until then nobody can be absent yet. A member marked
    absent who then scans the code in time still becomes present.
    """
    event = _locked(event)
    require_manage(actor, event.org)
    require_open(event)
    clean_status(status)
    if timezone.now() < event.starts_at:
        raise ValidationError({"event": _("The event has not started yet.")})
    unmarked = list(
        registry.expected_member_ids(event).exclude(
            pk__in=Attendance.objects.filter(event=event).values("member_id")
        )
    )
    if not unmarked:
        return 0
    created, _updated, _same = apply_marks(
        actor=actor,
        event=event,
        marks={pk: Mark(status) for pk in unmarked},
        method=Attendance.Method.MANUAL,
        verb="attendance.mark",
    )
    return created
