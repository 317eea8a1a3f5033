"""The audit trail's sentences for attendance and leave (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import Attendance, LeaveRequest

ACTIONS = {
    "attendance.mark": gettext_lazy("marked"),
    "attendance.signin": gettext_lazy("%(actor)s signed in: %(object)s"),
    "attendance.signout": gettext_lazy("%(actor)s signed out: %(object)s"),
    "attendance.template": gettext_lazy("downloaded the attendance sheet of"),
    "leave.request": gettext_lazy("asked for"),
    "leave.cancel": gettext_lazy("withdrew"),
}


def attendance_names(ids: set[str]) -> Mapping[str, str]:
    rows = Attendance.objects.filter(pk__in=int_ids(ids)).select_related("member", "event")
    return {
        str(a.pk): _("%(member)s's attendance at “%(event)s” (%(status)s)")
        % {"member": a.member.name, "event": a.event.title, "status": a.get_status_display()}
        for a in rows
    }


def leave_names(ids: set[str]) -> Mapping[str, str]:
    rows = LeaveRequest.objects.filter(pk__in=int_ids(ids)).select_related("member", "event")
    return {
        str(r.pk): _("%(member)s's leave from “%(event)s”")
        % {"member": r.member.name, "event": r.event.title}
        for r in rows
    }


NAMERS = {"events.attendance": attendance_names, "events.leaverequest": leave_names}
