"""Every read of the training app goes through here, scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from peixun.core.scoping import Actor, get_visible_or_404

from .models import Enrolment, MakeUp, Session, TrainingClass


def session_closing_url(event: Any) -> str:
    """The closing page of the class a session event belongs to."""
    from django.urls import reverse

    class_id = Session.objects.filter(event=event).values_list("training_class_id", flat=True)
    return reverse("training:closing", args=[class_id.get()])


def session_expected_member_ids(event: Any) -> QuerySet:
    """Members expected at a class session: the class's accepted enrolments, and members assigned
    to make up a missed session at this one."""
    from peixun.members.models import Member

    session = Session.objects.filter(event=event).only("training_class_id").first()
    if session is None:
        return Member.objects.none().values_list("pk", flat=True)
    return Member.objects.filter(
        Q(
            pk__in=Enrolment.objects.accepted()
            .filter(training_class_id=session.training_class_id)
            .values("member_id")
        )
        | Q(
            pk__in=MakeUp.objects.filter(assigned_event=event)
            .exclude(state=MakeUp.State.WAIVED)
            .values("member_id")
        )
    ).values_list("pk", flat=True)


def class_get(actor: Actor, pk: Any) -> TrainingClass:
    return get_visible_or_404(actor, TrainingClass, pk)


def classes_visible(actor: Actor) -> QuerySet[TrainingClass]:
    return TrainingClass.objects.visible_to(actor).select_related("org")


# -- classes and their curriculum (the "classes" slice) --------------------------------------------


def _class_figures(qs: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """Each class with its number of sessions, hours and accepted members, as subqueries so that
    a list page stays one query however many classes it shows."""
    from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    sessions = Session.objects.filter(training_class=OuterRef("pk")).values("training_class")
    accepted = (
        Enrolment.objects.accepted().filter(training_class=OuterRef("pk")).values("training_class")
    )
    return qs.annotate(
        session_count=Coalesce(
            Subquery(sessions.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        hours_total=Coalesce(
            Subquery(
                sessions.annotate(h=Sum("event__hours")).values("h"),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            ),
            Value(0),
            output_field=DecimalField(max_digits=8, decimal_places=2),
        ),
        enrolled_count=Coalesce(
            Subquery(accepted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
    )


def class_list(
    actor: Actor,
    *,
    year: int | None = None,
    state: str = "",
    kind: str = "",
    org: Any = None,
    q: str = "",
) -> QuerySet[TrainingClass]:
    """Classes the actor may see, filtered, newest first, with their figures."""
    qs = classes_visible(actor)
    if year:
        qs = qs.filter(starts_on__year=year)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if org is not None:
        qs = qs.filter(org=org)
    if q.strip():
        qs = qs.filter(title__icontains=q.strip())
    return _class_figures(qs).order_by("-starts_on", "-id")


def class_with_figures(actor: Actor, pk: Any) -> TrainingClass:
    """One visible class with its figures (404 out of scope)."""
    from django.http import Http404

    found = _class_figures(classes_visible(actor).select_related("audience_org")).filter(pk=pk)
    try:
        return found.get()
    except (TrainingClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def class_organisers(actor: Actor) -> QuerySet:
    """The organisers of the classes the actor may see (the list's organiser filter)."""
    from peixun.orgs.models import Organization

    return Organization.objects.filter(pk__in=classes_visible(actor).values("org_id"))


def class_years(actor: Actor) -> list[int]:
    return sorted({d.year for d in classes_visible(actor).dates("starts_on", "year")}, reverse=True)


def class_sessions(training_class: TrainingClass) -> QuerySet[Session]:
    """The class's curriculum in time order, each session with its event."""
    return (
        Session.objects.filter(training_class=training_class)
        .select_related("event")
        .order_by("event__starts_at", "id")
    )


def sessions_between(actor: Actor, start: Any, end: Any) -> QuerySet[Session]:
    """Sessions of the classes the actor may see starting in [start, end), in time order."""
    return (
        Session.objects.filter(
            training_class__in=classes_visible(actor).values("pk"),
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        )
        .select_related("event", "training_class")
        .order_by("event__starts_at", "id")
    )


def organiser_choices(actor: Actor) -> QuerySet:
    """Open organisations the actor manages that may organise a class (a party group does not)."""
    from peixun.orgs.models import Organization

    return (
        Organization.objects.manageable_by(actor)
        .open()
        .exclude(kind=Organization.Kind.GROUP)
        .order_by("path")
    )


# -- dispatch: places, rosters, nominations (the "dispatch" slice) ---------------------------------


def dispatch_quotas(training_class: TrainingClass) -> list:
    """The class's places per unit, each with `taken` (live enrolments: nominated + accepted)
    and `left`, in org-tree order; one query."""
    from django.db.models import Count

    from .models import Quota

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
    from peixun.core.scoping import can_read_org, scope_of

    if can_read_org(actor, training_class.org):
        return None
    return scope_of(actor).read_paths


def roster_enrolments(
    actor: Actor, training_class: TrainingClass, *, state: str = "", q: str = ""
) -> QuerySet[Enrolment]:
    """The enrolments of the class the actor may read (see `roster_reader_paths`), filtered by
    state (one state, or "history" for returned, withdrawn and replaced) and name."""
    from peixun.core.text import fold_width

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
    from django.db.models import Count

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
    from django.http import Http404

    from peixun.core.scoping import scope_of

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
    from django.http import Http404

    from .models import Quota

    try:
        return Quota.objects.select_related("org").get(pk=int(pk), training_class=training_class)
    except (Quota.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def places_to_fill(actor: Actor) -> QuerySet:
    """Places of published classes given to orgs the actor manages (a unit's "places to fill"),
    soonest class first, each with `taken` and `left`; one query per page."""
    from django.db.models import Count, F, IntegerField, Value
    from django.db.models.functions import Greatest

    from peixun.core.scoping import scope_of

    from .models import Quota

    scope = scope_of(actor)
    qs = Quota.objects.filter(training_class__state=TrainingClass.State.PUBLISHED)
    if not scope.platform:
        cond = Q()
        for path in scope.manage_paths:
            cond |= Q(org__path__startswith=path)
        qs = qs.filter(cond) if cond else qs.none()
    live = Q(enrolments__state__in=[Enrolment.State.NOMINATED, Enrolment.State.ACCEPTED])
    return (
        qs.select_related("org", "training_class__org")
        .annotate(taken=Count("enrolments", filter=live))
        .annotate(left=Greatest(F("places") - F("taken"), Value(0), output_field=IntegerField()))
        .order_by("training_class__starts_on", "training_class_id", "org__path")
    )


def member_search(qs: QuerySet, q: str) -> QuerySet:
    """Members whose name contains `q`, or whose mobile number starts with it."""
    from peixun.core.text import fold_width

    text = fold_width(q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(mobile__startswith=text))
    return qs


def nomination_pool(actor: Actor, org: Any, q: str = "") -> QuerySet:
    """Members of `org`'s subtree the actor may manage, by branch and name, searched."""
    from peixun.members.models import Member

    qs = (
        Member.objects.manageable_by(actor)
        .filter(org__path__startswith=org.path)
        .select_related("org")
    )
    return member_search(qs, q).order_by("org__path", "name", "id")


def untrained_candidates(training_class: TrainingClass, org: Any) -> QuerySet:
    """Members of `org`'s subtree with no concentrated training in the class's year who fit the
    audience and hold no place in the class yet: the unit's first choices."""
    from .services.audience import filter_audience, members_without_concentrated_training

    live = Enrolment.objects.active().filter(training_class=training_class).values("member_id")
    return filter_audience(
        training_class, members_without_concentrated_training(org, training_class.year)
    ).exclude(pk__in=live)
