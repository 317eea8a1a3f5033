"""The audit trail's sentences for meetings, visits, study groups, support pairs and note
checks (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import HomeVisit, Meeting, NoteCheckRound, Pair, StudyGroup

ACTIONS = {
    "meeting.appraisals": gettext_lazy("recorded the appraisal results of"),
    "meeting.observer_add": gettext_lazy("added an observer to"),
    "meeting.observer_remove": gettext_lazy("removed an observer from"),
    "orglife.rules": gettext_lazy("%(actor)s changed the meeting rules"),
    "meeting.export": gettext_lazy("%(actor)s exported the meetings ledger"),
    "meeting.record_book_export": gettext_lazy(
        "%(actor)s downloaded the record book of organisational life of %(object)s"
    ),
    "study_group.join": gettext_lazy("added a member to"),
    "study_group.leave": gettext_lazy("recorded a member leaving"),
    "pair.end": gettext_lazy("ended"),
    "note_round.create": gettext_lazy("opened and drew the sample of"),
    "note_check.record": gettext_lazy("recorded a check in"),
    "note_round.export": gettext_lazy("%(actor)s downloaded the ledger of %(object)s"),
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


def group_names(ids: set[str]) -> Mapping[str, str]:
    rows = StudyGroup.objects.filter(pk__in=int_ids(ids))
    return {str(g.pk): _("the study group “%(name)s”") % {"name": g.name} for g in rows}


def pair_names(ids: set[str]) -> Mapping[str, str]:
    rows = Pair.objects.filter(pk__in=int_ids(ids)).select_related("helper", "retired")
    return {
        str(p.pk): _("the pair of %(helper)s and %(retired)s")
        % {"helper": p.helper.name, "retired": p.retired.name}
        for p in rows
    }


def round_names(ids: set[str]) -> Mapping[str, str]:
    rows = NoteCheckRound.objects.filter(pk__in=int_ids(ids))
    return {str(r.pk): _("the study note check “%(title)s”") % {"title": r.title} for r in rows}


NAMERS = {
    "orglife.meeting": meeting_names,
    "orglife.homevisit": visit_names,
    "orglife.studygroup": group_names,
    "orglife.pair": pair_names,
    "orglife.notecheckround": round_names,
}
