"""The audit trail's sentences for dispatch and make-up (core.describers)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import Enrolment, MakeUp

ACTIONS = {
    "training.nominate": gettext_lazy("nominated"),
    "training.name": gettext_lazy("named"),
    "training.substitute": gettext_lazy("substituted"),
    "training.withdraw": gettext_lazy("withdrew"),
    "training.accept": gettext_lazy("accepted"),
    "training.return": gettext_lazy("returned"),
    "enrolment.leave_flag": gettext_lazy("flagged for withdrawal (leave over the limit)"),
    "enrolment.leave_unflag": gettext_lazy("cleared the withdrawal flag of"),
    "makeup.waive": gettext_lazy("waived"),
    "training_class.certificate": gettext_lazy("issued the certificates of"),
    "training_class.roster_confirm": gettext_lazy("confirmed the roster of"),
    "training_class.roster_unconfirm": gettext_lazy("reopened the roster of"),
    "training_class.timetable_confirm": gettext_lazy("confirmed the timetable of"),
    "training.notice_download": gettext_lazy("downloaded the dispatch notice of"),
    "training.quota_set": gettext_lazy("set the places of"),
    "training.circular_export": gettext_lazy("exported the dispatch circular of"),
}


def enrolment_names(ids: set[str]) -> Mapping[str, str]:
    rows = Enrolment.objects.filter(pk__in=int_ids(ids)).select_related("member", "training_class")
    return {
        str(e.pk): _("%(member)s for “%(class)s”")
        % {"member": e.member.name, "class": e.training_class.title}
        for e in rows
    }


def makeup_names(ids: set[str]) -> Mapping[str, str]:
    rows = MakeUp.objects.filter(pk__in=int_ids(ids)).select_related("member", "missed_event")
    return {
        str(m.pk): _("%(member)s's make-up of “%(event)s”")
        % {"member": m.member.name, "event": m.missed_event.title}
        for m in rows
    }


NAMERS = {"training.enrolment": enrolment_names, "training.makeup": makeup_names}
