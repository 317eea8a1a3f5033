"""What plans contributes to the workbench (core.workbench): plans waiting for the superior."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor
from peixun.core.workbench import WARNING, Figure, Todo, todo_url

from .selectors import plans_awaiting_decision


def staff_items(actor: Actor) -> list[Todo | Figure]:
    waiting = plans_awaiting_decision(actor)
    if not waiting.count:
        return []
    filings = f"{reverse('plans:filings')}?year={waiting.year}"
    url = todo_url(waiting.count, waiting.first_pk, "plans:detail", filings)
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
