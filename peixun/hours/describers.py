"""The audit trail's sentences for study hours (core.describers): what was done to which entry."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import CreditEntry, HoursCertificate

ACTIONS = {
    "hours.self_study": gettext_lazy("filed"),
    "hours.approve_first": gettext_lazy("gave the first approval to"),
    "hours.reverse": gettext_lazy("reversed"),
    "hours.record": gettext_lazy("recorded"),
    "hours.record_bulk": gettext_lazy("%(actor)s recorded study hours in bulk: %(object)s"),
    "hours.ledger_export": gettext_lazy("%(actor)s exported the study-hour ledger (%(object)s)"),
    "hours.archive_export": gettext_lazy("exported the training record of"),
    "hours.certificate_issue": gettext_lazy("issued the certificate"),
    "hours.certificate_export": gettext_lazy("downloaded the certificate"),
    "hours.partitions_made": gettext_lazy(
        "%(actor)s made the ledger's yearly partitions: %(object)s"
    ),
}


def entry_names(ids: set[str]) -> Mapping[str, str]:
    """李四's self-study filing “党课学习” (2.0 hours), for each entry, in one query."""
    rows = CreditEntry.objects.filter(pk__in=int_ids(ids)).select_related("member")
    return {
        str(e.pk): _("%(member)s's %(source)s “%(title)s” (%(hours)s hours)")
        % {
            "member": e.member.name,
            "source": _("self-study filing")
            if e.source == CreditEntry.Source.SELF_STUDY
            else _("study-hour entry"),
            "title": e.title,
            "hours": f"{e.hours.normalize():f}",
        }
        for e in rows
    }


def certificate_names(ids: set[str]) -> Mapping[str, str]:
    """“T01-2026-0001 for 李明”, for each certificate, in one query."""
    rows = HoursCertificate.objects.filter(pk__in=int_ids(ids)).select_related("member")
    return {
        str(c.pk): _("%(serial)s for %(member)s") % {"member": c.member.name, "serial": c.serial}
        for c in rows
    }


NAMERS = {"hours.creditentry": entry_names, "hours.hourscertificate": certificate_names}
