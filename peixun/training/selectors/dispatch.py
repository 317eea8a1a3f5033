"""Reads of dispatch (调训): places per unit, the roster and who reads which part of it,
nomination pools and candidates."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.http import Http404

from peixun.core.scoping import Actor, can_read_org, path_in, scope_of
from peixun.core.text import fold_width
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import Enrolment, Quota, TrainingClass
from .audience import filter_audience, members_without_concentrated_training
from .classes import classes_visible


def dispatch_quotas(training_class: TrainingClass) -> list[Any]:
    """The class's places per unit, each with `taken` (live enrolments: nominated + accepted)
    and `left`, in org-tree order; one query."""

    live = Q(enrolments__state__in=[Enrolment.State.NOMINATED, Enrolment.State.ACCEPTED])
    quotas = list(
        Quota.objects.filter(training_class=training_class)
        .select_related("org")
        .annotate(taken=Count("enrolments", filter=live))
        .order_by("org__path")
    )
    for quota in quotas:
        quota.left = max(0, quota.places - quota.taken)  # type: ignore[attr-defined]
    return quotas


def roster_reader_paths(actor: Actor, training_class: TrainingClass) -> tuple[str, ...] | None:
    """Which part of a class's roster the actor may read: None for all of it (the organiser's
    readers), else the org paths whose nominations they see (a unit sees its own). An empty
    tuple: nothing (a plain member, who has "my training" instead)."""
    if can_read_org(actor, training_class.org):
        return None
    return scope_of(actor).read_paths


def roster_enrolments(
    actor: Actor, training_class: TrainingClass, *, state: str = "", q: str = ""
) -> QuerySet[Enrolment]:
    """The enrolments of the class the actor may read (see `roster_reader_paths`), filtered by
    state (one state, or "history" for returned, withdrawn and replaced) and name."""
    qs = Enrolment.objects.filter(training_class=training_class).select_related(
        "member__org", "quota__org", "replaces__member", "nominated_by", "decided_by"
    )
    paths = roster_reader_paths(actor, training_class)
    if paths is not None:
        cond = Q()
        for path in paths:
            cond |= Q(quota__org__path__startswith=path) | Q(member__org__path__startswith=path)
        qs = qs.filter(cond) if cond else qs.none()
    if state == "history":
        qs = qs.filter(
            state__in=[
                Enrolment.State.RETURNED,
                Enrolment.State.WITHDRAWN,
                Enrolment.State.REPLACED,
            ]
        )
    elif state:
        qs = qs.filter(state=state)
    text = fold_width(q or "").strip()
    if text:
        qs = qs.filter(member__name__contains=text)
    return qs.order_by("member__org__path", "member__name", "id")


def roster_state_counts(actor: Actor, training_class: TrainingClass) -> dict[str, int]:
    """How many enrolments of each state the actor sees ("history" sums the closed ones)."""
    rows = (
        roster_enrolments(actor, training_class)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    counts = {s: 0 for s in Enrolment.State.values}
    counts.update(dict(rows))
    counts["history"] = (
        counts[Enrolment.State.RETURNED]
        + counts[Enrolment.State.WITHDRAWN]
        + counts[Enrolment.State.REPLACED]
    )
    return counts


def enrolment_visible_or_404(actor: Actor, pk: Any, training_class: Any = None) -> Enrolment:
    """An enrolment whose class the actor sees and which is in the part of the roster they read
    (a member: their own). Anything else is a 404."""

    try:
        enrolment = Enrolment.objects.select_related(
            "training_class__org", "training_class__audience_org", "member__org", "quota__org"
        ).get(pk=int(pk))
    except (Enrolment.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if training_class is not None and enrolment.training_class_id != training_class.pk:
        raise Http404
    if not classes_visible(actor).filter(pk=enrolment.training_class_id).exists():
        raise Http404
    paths = roster_reader_paths(actor, enrolment.training_class)
    if paths is None:
        return enrolment
    quota_path = enrolment.quota.org.path if enrolment.quota else None
    if any(
        enrolment.member.org.path.startswith(p) or (quota_path and quota_path.startswith(p))
        for p in paths
    ):
        return enrolment
    if scope_of(actor).member_id == enrolment.member_id:
        return enrolment
    raise Http404


def quota_of_class_or_404(training_class: TrainingClass, pk: Any) -> Any:

    try:
        return Quota.objects.select_related("org").get(pk=int(pk), training_class=training_class)
    except (Quota.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def places_to_fill(actor: Actor, *, q: str = "") -> QuerySet[Any]:
    """Places of published classes given to orgs the actor manages (a unit's "places to fill"),
    soonest class first, each with `taken` and `left`; one query per page."""

    scope = scope_of(actor)
    qs = Quota.objects.filter(training_class__state=TrainingClass.State.PUBLISHED)
    if not scope.platform:
        cond = Q()
        for path in scope.manage_paths:
            cond |= Q(org__path__startswith=path)
        qs = qs.filter(cond) if cond else qs.none()
    if q:
        qs = qs.filter(training_class__title__icontains=q)
    live = Q(enrolments__state__in=[Enrolment.State.NOMINATED, Enrolment.State.ACCEPTED])
    return (
        qs.select_related("org", "training_class__org")
        .annotate(taken=Count("enrolments", filter=live))
        .annotate(left=Greatest(F("places") - F("taken"), Value(0), output_field=IntegerField()))
        .order_by("training_class__starts_on", "training_class_id", "org__path")
    )


def member_search(qs: QuerySet[Member], q: str) -> QuerySet[Member]:
    """Members whose name contains `q`, or whose mobile number starts with it."""
    text = fold_width(q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(mobile__startswith=text))
    return qs


def nomination_pool(actor: Actor, org: Any, q: str = "") -> QuerySet[Member]:
    """Members of `org`'s subtree the actor may manage, by branch and name, searched."""
    qs = (
        Member.objects.manageable_by(actor)
        .filter(org__path__startswith=org.path)
        .select_related("org")
    )
    return member_search(qs, q).order_by("org__path", "name", "id")


def untrained_candidates(training_class: TrainingClass, org: Any) -> QuerySet[Member]:
    """Members of `org`'s subtree with no concentrated training in the class's year who fit the
    audience and hold no place in the class yet: the unit's first choices."""
    live = Enrolment.objects.active().filter(training_class=training_class).values("member_id")
    return filter_audience(
        training_class, members_without_concentrated_training(org, training_class.year)
    ).exclude(pk__in=live)


def quota_of_class(training_class: TrainingClass, pk: Any) -> Quota | None:
    """Places of the class, with their org, or None."""
    return Quota.objects.select_related("org").filter(pk=pk, training_class=training_class).first()


def enrolments_by_pk(pks: list[int]) -> dict[int, Enrolment]:
    """pk -> enrolment with its member's and quota's orgs; one query (the caller got the pks
    from a service that checked access)."""
    return Enrolment.objects.select_related("member__org", "quota__org").in_bulk(pks)


def accepted_enrolment(training_class: TrainingClass, member: Member) -> Enrolment | None:
    """The member's accepted enrolment in the class (what a dispatch notice is for), or None."""
    return (
        Enrolment.objects.accepted()
        .select_related("member__org", "quota__org", "training_class__org")
        .filter(training_class=training_class, member=member)
        .first()
    )


def notice_enrolments(actor: Actor, training_class: TrainingClass) -> list[Enrolment]:
    """The accepted enrolments of the class whose 调训通知 the actor may download, by branch then
    name: the same rule as one notice (`views.dispatch.notice_enrolment`): all of them for the
    organiser's managers; else those of the members, or of the places, of the orgs the actor
    manages, and the actor's own."""
    qs = (
        Enrolment.objects.accepted()
        .filter(training_class=training_class)
        .select_related("member__org", "quota__org", "training_class__org")
    )
    scope = scope_of(actor)
    if not (scope.platform or path_in(training_class.org.path, scope.manage_paths)):
        cond = Q(member_id=scope.member_id) if scope.member_id else Q()
        for path in scope.manage_paths:
            cond |= Q(member__org__path__startswith=path) | Q(quota__org__path__startswith=path)
        qs = qs.filter(cond) if cond else qs.none()
    return list(qs.order_by("member__org__path", "member__name", "id"))


def quota_eligible_orgs(training_class: TrainingClass) -> QuerySet[Organization]:
    """Orgs that may be given places: below the organiser, open, without places yet."""
    organiser = training_class.org
    return (
        Organization.objects.filter(path__startswith=organiser.path, depth__gt=organiser.depth)
        .open()
        .exclude(pk__in=Quota.objects.filter(training_class=training_class).values("org_id"))
        .order_by("path")
    )
