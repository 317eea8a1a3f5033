"""What exams contributes to the workbench (core.workbench): closed exams to finalise for staff;
the member's open tests."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.workbench import (
    WARNING,
    BigButton,
    CardLine,
    Figure,
    MemberCard,
    Todo,
    todo_url,
)

from .selectors import exams_to_finalise, open_exams_for_member


def staff_items(actor: Actor) -> list[Todo | Figure]:
    waiting = exams_to_finalise(actor)
    if not waiting.count:
        return []
    published = f"{reverse('exams:list')}?state=published"
    url = todo_url(waiting.count, waiting.first_pk, "exams:detail", published)
    return [
        Todo(
            key="exams.finalise",
            label=_("Closed tests to finalise"),
            count=waiting.count,
            url=url,
            severity=WARNING,
            order=70,
        )
    ]


def member_items(actor: Actor) -> list[MemberCard | BigButton]:
    member_id = scope_of(actor).member_id
    if not member_id:
        return []
    lines = []
    now = timezone.now()
    for exam in open_exams_for_member(member_id, timezone.localdate()):
        if exam.closes_at <= now:
            continue  # open "today" to the selector, but closed already this hour
        closes = timezone.localtime(exam.closes_at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            CardLine(
                text=exam.title,
                url=reverse("exams:take", args=[exam.pk]),
                note=_("closes %(when)s") % {"when": closes},
            )
        )
    return [
        MemberCard(
            key="exams.open",
            title=_("Open tests"),
            lines=tuple(lines),
            url=reverse("exams:mine"),
            empty=_("No test is open for you now."),
            order=50,
        )
    ]
