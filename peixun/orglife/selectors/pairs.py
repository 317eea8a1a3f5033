"""Reads of the support pairs (在职党员联系帮扶离退休党员): the pairs the actor sees, each with
its last visit and this year's visits, one pair and its visits, and who may be paired."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from peixun.core.scoping import Actor, get_visible_or_404
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import HomeVisit, Pair

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)


def pair_list(
    actor: Actor, *, org: Organization | None = None, q: str = "", current: bool | None = True
) -> QuerySet[Pair]:
    """Visible pairs with `last_visit` (date) and `visits_this_year`; one query."""
    year = timezone.localdate().year
    pairs: QuerySet[Pair] = Pair.objects.visible_to(actor).select_related(
        "org", "helper", "retired"
    )
    if org is not None:
        pairs = pairs.filter(org__path__startswith=org.path)
    if current is True:
        pairs = pairs.filter(until__isnull=True)
    elif current is False:
        pairs = pairs.filter(until__isnull=False)
    q = (q or "").strip()
    if q:
        pairs = pairs.filter(Q(helper__name__icontains=q) | Q(retired__name__icontains=q))
    return pairs.annotate(
        last_visit=Max("visits__visited_on"),
        visits_this_year=Count("visits", filter=Q(visits__visited_on__year=year)),
    ).order_by("org__path", "retired__name", "id")


def pair_get(actor: Actor, pk: Any) -> Pair:
    pair = get_visible_or_404(actor, Pair, pk)
    found: Pair = Pair.objects.select_related("org", "helper", "retired").get(pk=pair.pk)
    return found


def pair_visits(pair: Pair) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(pair=pair).order_by("-visited_on", "-id")


def pair_helpers(actor: Actor) -> QuerySet[Member]:
    """In-service Party members the actor manages (on duty, not exempt)."""
    return (
        Member.objects.manageable_by(actor)
        .filter(status__in=PARTY_STATUSES, exempt_reason="")
        .exclude(employment=Member.Employment.RETIRED)
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


def pair_retirees(actor: Actor) -> QuerySet[Member]:
    """Retired Party members the actor manages."""
    return (
        Member.objects.manageable_by(actor)
        .filter(status__in=PARTY_STATUSES, employment=Member.Employment.RETIRED)
        .select_related("org")
        .order_by("org__path", "name", "id")
    )
