"""The audit trail's sentences for meetings and visits (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import HomeVisit, Meeting

ACTIONS = {
    "meeting.appraisals": gettext_lazy("recorded the appraisal results of"),
    "meeting.observer_add": gettext_lazy("added an observer to"),
    "meeting.observer_remove": gettext_lazy("removed an observer from"),
    "orglife.rules": gettext_lazy("%(actor)s changed the meeting rules"),
    "meeting.export": gettext_lazy("%(actor)s exported the meetings ledger"),
    "meeting.record_book_export": gettext_lazy(
        "%(actor)s downloaded the record book of organisational life of %(object)s"
    ),
}


def meeting_names(ids: set[str]) -> Mapping[str, str]:
    rows = Meeting.objects.filter(pk__in=int_ids(ids)).select_related("event")
    return {
        str(m.pk): _("%(kind)s “%(title)s”")
        % {"kind": m.get_kind_display(), "title": m.event.title}
        for m in rows
    }


def visit_names(ids: set[str]) -> Mapping[str, str]:
    rows = HomeVisit.objects.filter(pk__in=int_ids(ids)).select_related("member")
    return {
        str(v.pk): _("the visit to %(member)s on %(day)s")
        % {"member": v.member.name, "day": v.visited_on.isoformat()}
        for v in rows
    }


NAMERS = {"orglife.meeting": meeting_names, "orglife.homevisit": visit_names}
