"""Reminders before a required meeting falls due, to the branch's secretary only.

Run daily (`manage.py orglife_reminders`): for each open branch and each required kind whose
current period has no meeting yet and ends within `DAYS_BEFORE` days, the branch's secretaries
get one message per kind and period (the dedupe key makes a second run that day, or the next
days, add nothing). Nothing goes to anyone else: regularity is the branch's own business.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import Grant
from peixun.core.notifications import notification_send
from peixun.orgs.models import Organization

from ..logic import State
from ..models import MeetingKind
from ..selectors import branch_calendars

DAYS_BEFORE = 7


@transaction.atomic
def meeting_reminders_send(*, today: dt.date | None = None, days_before: int = DAYS_BEFORE) -> int:
    """Send the reminders due today; returns how many messages were created."""
    today = today or timezone.localdate()
    branches = list(
        Organization.objects.filter(kind=Organization.Kind.BRANCH, closed_on__isnull=True).order_by(
            "path"
        )
    )
    secretaries: dict[int, list] = defaultdict(list)  # type: ignore[type-arg]
    for grant in Grant.objects.filter(
        role=Grant.Role.SECRETARY, org__in=branches, user__is_active=True
    ).select_related("user"):
        if grant.org_id is not None:
            secretaries[grant.org_id].append(grant.user)
    labels = dict(MeetingKind.choices)
    sent = 0
    for calendar in branch_calendars(branches, today.year, today):
        users = secretaries.get(calendar.org.pk)
        if not users:
            continue
        for kind, periods in calendar.kinds.items():
            current = next((p for p in periods if p.state == State.DUE), None)
            if current is None or (current.last - today).days > days_before:
                continue
            created = notification_send(
                actor=None,  # the daily job, nobody's act
                recipients=users,
                title=_("%(kind)s of %(org)s is due by %(day)s")
                % {"kind": labels[kind], "org": calendar.org.name, "day": current.last.isoformat()},
                body=_("No %(kind)s has been recorded for %(period)s yet.")
                % {"kind": labels[kind], "period": current.label},
                url=reverse("orglife:regularity") + f"?org={calendar.org.pk}&year={today.year}",
                dedupe_key=f"orglife-due:{calendar.org.pk}:{kind}:{current.first.isoformat()}",
                event_date=current.last,
            )
            sent += len(created)
    return sent
