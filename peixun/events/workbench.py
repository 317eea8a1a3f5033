"""What events contributes to the workbench (core.workbench): leave requests to decide, and the
big 扫码签到 button of the member's home."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.workbench import WARNING, BigButton, Figure, MemberCard, Todo

from .selectors import leaves_to_decide


def staff_items(actor: Actor) -> list[Todo | Figure]:
    count = leaves_to_decide(actor).count()
    return [
        Todo(
            key="events.leave",
            label=_("Leave requests to decide"),
            count=count,
            url=reverse("events:leave_pending"),
            severity=WARNING,
            order=30,
        )
    ]


def member_items(actor: Actor) -> list[MemberCard | BigButton]:
    if not scope_of(actor).member_id:
        return []
    return [
        BigButton(
            key="events.scan",
            label=_("Scan to sign in"),
            url=reverse("events:scan"),
            hint=_("Point the phone's camera at the code on the screen"),
            order=10,
        )
    ]
