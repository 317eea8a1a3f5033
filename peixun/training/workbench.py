"""What training contributes to the workbench (core.workbench): nominations to review and classes
to close for organisers; the member's next sessions."""

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

from .selectors import classes_to_close, member_or_none, my_training, nominations_to_review

NEXT_SESSIONS = 3


def staff_items(actor: Actor) -> list[Todo | Figure]:
    items: list[Todo | Figure] = []
    nominations = nominations_to_review(actor)
    if nominations.count:
        if nominations.classes == 1 and nominations.first_class:
            url = reverse("training:roster", args=[nominations.first_class])
        else:
            url = f"{reverse('training:list')}?state=published"
        items.append(
            Todo(
                key="training.nominations",
                label=_("Nominations to review"),
                count=nominations.count,
                url=url,
                order=20,
            )
        )
    to_close = classes_to_close(actor)
    if to_close.count:
        published = f"{reverse('training:list')}?state=published"
        url = todo_url(to_close.count, to_close.first_class, "training:closing", published)
        items.append(
            Todo(
                key="training.close",
                label=_("Classes ended, waiting to be closed"),
                count=to_close.count,
                url=url,
                severity=WARNING,
                order=50,
            )
        )
    return items


def member_items(actor: Actor) -> list[MemberCard | BigButton]:
    member = member_or_none(scope_of(actor).member_id)
    if member is None:
        return []
    upcoming = my_training(member).upcoming[:NEXT_SESSIONS]
    lines = []
    for row in upcoming:
        event = row.session.event
        when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            CardLine(
                text=f"{row.session.training_class.title} · {event.title}",
                url=reverse("training:mine"),
                note=f"{when} {event.place}".strip(),
            )
        )
    return [
        MemberCard(
            key="training.next",
            title=_("Next training sessions"),
            lines=tuple(lines),
            url=reverse("training:mine"),
            empty=_("No session of yours is coming up."),
            order=30,
        )
    ]
