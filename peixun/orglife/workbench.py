"""What orglife contributes to the workbench (core.workbench): branches whose required meetings
of this period are not held yet (by the regularity rules), and the branch's next meetings on
the member's home."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.workbench import WARNING, BigButton, CardLine, Figure, MemberCard, Todo

from .models import MeetingKind
from .selectors import branch_upcoming_meetings, meetings_due, member_visible


def staff_items(actor: Actor) -> list[Todo | Figure]:
    due = meetings_due(actor)
    if not due.branches:
        return []
    if due.branches == 1 and due.first is not None:
        url = f"{reverse('orglife:regularity')}?org={due.first.pk}"
    else:
        url = reverse("orglife:regularity_overview")
    labels = dict(MeetingKind.choices)
    details = tuple(
        _("%(kind)s: %(n)s branches") % {"kind": labels.get(kind, kind), "n": n}
        if due.branches > 1
        else str(labels.get(kind, kind))
        for kind, n in sorted(due.kinds.items())
    )
    return [
        Todo(
            key="orglife.due",
            label=_("Branches with meetings due this period"),
            count=due.branches,
            url=url,
            severity=WARNING,
            order=60,
            details=details,
        )
    ]


def member_items(actor: Actor) -> list[MemberCard | BigButton]:
    member_id = scope_of(actor).member_id
    member = member_visible(actor, member_id) if member_id else None
    if member is None:
        return []
    lines = []
    for meeting in branch_upcoming_meetings(member, timezone.now()):
        event = meeting.event
        when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            CardLine(
                text=f"{meeting.get_kind_display()} · {event.title}",
                url=reverse("orglife:mine_detail", args=[meeting.pk]),
                note=f"{when} {event.place}".strip(),
            )
        )
    return [
        MemberCard(
            key="orglife.next",
            title=_("My branch's next meetings"),
            lines=tuple(lines),
            url=reverse("orglife:mine"),
            empty=_("No meeting of your branch is scheduled yet."),
            order=40,
        )
    ]
