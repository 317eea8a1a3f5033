from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from peixun.core.scoping import Actor

from .models import AuditEvent


def audit_list(
    *,
    actor: Actor,
    actor_q: str = "",
    object_q: str = "",
    verb: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.visible_to(actor).select_related("actor", "actor__member", "org")
    if actor_q:
        qs = qs.filter(Q(actor__username=actor_q.strip()) | Q(actor__member__name=actor_q.strip()))
    if object_q:
        text = object_q.strip()
        qs = qs.filter(Q(object_repr__contains=text) | Q(object_id=text) | Q(object_type=text))
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")
