"""What plans contributes to the workbench (core.workbench): plans waiting for the superior."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor
from peixun.core.workbench import WARNING, Figure, Todo

from .selectors import plans_awaiting_decision


def staff_items(actor: Actor) -> list[Todo | Figure]:
    waiting = plans_awaiting_decision(actor)
    if not waiting.count:
        return []
    if waiting.count == 1 and waiting.first_pk:
        url = reverse("plans:detail", args=[waiting.first_pk])
    else:
        url = f"{reverse('plans:filings')}?year={waiting.year}"
    return [
        Todo(
            key="plans.decide",
            label=_("Training plans awaiting your decision"),
            count=waiting.count,
            url=url,
            severity=WARNING,
            order=10,
        )
    ]
