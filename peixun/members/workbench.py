"""What members contributes to the workbench (core.workbench): the subtree's member count, and
this month's 政治生日 (members whose 入党 anniversary falls in it) for the branch to mark."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peixun.core.scoping import Actor
from peixun.core.workbench import Figure, Todo

from .selectors import member_count, party_birthdays


def staff_items(actor: Actor) -> list[Todo | Figure]:
    today = timezone.localdate()
    birthdays = party_birthdays(actor=actor, today=today)
    details = tuple(
        ngettext("%(name)s, %(n)s year", "%(name)s, %(n)s years", years)
        % {"name": name, "n": years}
        for name, years in birthdays.first
    )
    if birthdays.count > len(details):
        details += (_("and %(n)s more") % {"n": birthdays.count - len(details)},)
    return [
        Figure(
            key="members.count",
            label=_("Members"),
            value=f"{member_count(actor=actor):,}",
            url=reverse("members:list"),
            order=10,
        ),
        Todo(
            key="members.party_birthdays",
            label=_("Political birthdays this month"),
            count=birthdays.count,
            url=f"{reverse('members:list')}?joined_month={birthdays.month}",
            order=90,
            details=details,
        ),
    ]
