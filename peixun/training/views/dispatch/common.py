"""What the dispatch pages share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from peixun.core.scoping import can_manage_org
from peixun.orgs.selectors import attach_ancestor_names

from ... import selectors
from ...models import Enrolment, Quota, TrainingClass
from ...selectors.audience import nomination_warnings
from ...services import dispatch as services

ROSTER_TABS = ("nominated", "accepted", "history")
UNTRAINED_SHOWN = 30


def class_or_404(request: HttpRequest, pk: int) -> TrainingClass:
    return selectors.class_with_audience(selectors.class_get(request.user, pk))


def require_organiser_page(request: HttpRequest, training_class: TrainingClass) -> None:
    if not can_manage_org(request.user, training_class.org):
        raise PermissionDenied(_("Only the organiser of this class may do this."))


def warnings_message(warnings: list[Any]) -> str:
    return " ".join(f"{w.member_name}：{w.message}" for w in warnings[:20])


def decorate(request: HttpRequest, training_class: TrainingClass, rows: list[Enrolment]) -> None:
    """What the actor may do with each row (buttons shown; the services check again), and
    where each member's branch sits (`trail`, one query), so same-named branches differ."""
    actor = request.user
    attach_ancestor_names([e.member.org for e in rows])
    organiser = can_manage_org(actor, training_class.org)
    published = training_class.state == TrainingClass.State.PUBLISHED
    unit_cache: dict[int, bool] = {}

    def manages_unit(quota: Quota | None) -> bool:
        if quota is None:
            return False
        if quota.pk not in unit_cache:
            unit_cache[quota.pk] = can_manage_org(actor, quota.org)
        return unit_cache[quota.pk]

    for e in rows:
        unit = manages_unit(e.quota)
        live = e.state in (Enrolment.State.NOMINATED, Enrolment.State.ACCEPTED)
        e.can_decide = published and organiser and e.state == Enrolment.State.NOMINATED  # type: ignore[attr-defined]
        e.can_withdraw = published and live and (organiser or unit)  # type: ignore[attr-defined]
        e.can_substitute = published and organiser and e.state == Enrolment.State.ACCEPTED  # type: ignore[attr-defined]
        e.can_resubmit = published and unit and e.state == Enrolment.State.RETURNED  # type: ignore[attr-defined]
        e.can_notice = e.state == Enrolment.State.ACCEPTED and (  # type: ignore[attr-defined]
            organiser or unit or can_manage_org(actor, e.member.org)
        )
    # The organiser deciding a nomination sees what the nominator was warned of (repeat
    # training, exemption, outside the audience), checked again now, for all rows at once.
    deciding = [e for e in rows if e.can_decide]  # type: ignore[attr-defined]
    found = (
        nomination_warnings(training_class, [e.member for e in deciding], audience=True)
        if deciding
        else {}
    )
    for e in rows:
        e.warnings = [w.message for w in found.get(e.member_id, [])]  # type: ignore[attr-defined]


def roster_figures(training_class: TrainingClass, quotas: list[Quota]) -> dict[str, int]:
    live = services.live_count(training_class)
    return {
        "live": live,
        "capacity": training_class.capacity,
        "free": max(0, training_class.capacity - live),
        "allocated": sum(q.places for q in quotas),
    }
