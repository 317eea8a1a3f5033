"""What online learning contributes to the workbench (core.workbench): for staff, the online
classes open now in their part of the tree, linking to the list (one count query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.workbench import Figure, Todo

from .models import OnlineClass


def staff_items(actor: Actor) -> list[Todo | Figure]:
    if not scope_of(actor).is_staff_like:
        return []
    today = timezone.localdate()
    open_now = (
        OnlineClass.objects.visible_to(actor)
        .filter(state=OnlineClass.State.PUBLISHED, starts_on__lte=today, ends_on__gte=today)
        .count()
    )
    if not open_now:
        return []
    return [
        Figure(
            key="learning.open_classes",
            label=_("Online classes open now"),
            value=str(open_now),
            url=f"{reverse('learning:staff_classes')}?state=published",
            order=75,
        )
    ]
