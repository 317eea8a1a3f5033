"""Reads of classes and their curriculum, the hooks the events layer asks about sessions, and
the tenant's class settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from peixun.core.scoping import Actor, get_visible_or_404
from peixun.events.models import Event
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of
from peixun.plans.registry import Delivered

from ..models import Enrolment, MakeUp, Session, TrainingClass, TrainingSettings


def session_closing_url(event: Any) -> str:
    """The closing page of the class a session event belongs to."""

    class_id = Session.objects.filter(event=event).values_list("training_class_id", flat=True)
    return reverse("training:closing", args=[class_id.get()])


def session_expected_member_ids(event: Any) -> QuerySet[Any, int]:
    """Members expected at a class session: the class's accepted enrolments, and members assigned
    to make up a missed session at this one."""

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


def session_expects_member(member_id: int) -> Q:
    """A condition on Event rows: the member is one of `session_expected_member_ids(event)`
    (an accepted enrolment in the session's class, or a make-up assigned here), as EXISTS on
    their own rows rather than the whole audience (the sign-in's check on every first scan)."""
    enrolled = Enrolment.objects.accepted().filter(
        training_class_id=OuterRef("training_class_id"), member_id=member_id
    )
    made_up = MakeUp.objects.filter(assigned_event_id=OuterRef("event_id"), member_id=member_id)
    made_up = made_up.exclude(state=MakeUp.State.WAIVED)
    session = Session.objects.filter(event_id=OuterRef("pk")).filter(
        Exists(enrolled) | Exists(made_up)
    )
    return Q(Exists(session))


def class_get(actor: Actor, pk: Any) -> TrainingClass:
    return get_visible_or_404(actor, TrainingClass, pk)


def classes_visible(actor: Actor) -> QuerySet[TrainingClass]:
    return TrainingClass.objects.visible_to(actor).select_related("org")


def class_is_visible(actor: Actor, pk: Any) -> bool:
    return classes_visible(actor).filter(pk=pk).exists()


# -- classes and their curriculum (the "classes" slice) --------------------------------------------


def _class_figures(qs: QuerySet[TrainingClass]) -> QuerySet[TrainingClass]:
    """Each class with its number of sessions, hours and accepted members, as subqueries so that
    a list page stays one query however many classes it shows."""

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

    found = _class_figures(classes_visible(actor).select_related("audience_org")).filter(pk=pk)
    try:
        return found.get()
    except (TrainingClass.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def class_organisers(actor: Actor) -> QuerySet[Organization]:
    """The organisers of the classes the actor may see (the list's organiser filter)."""

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


def class_hours_total(training_class: TrainingClass) -> Decimal:
    """The hours of all the class's sessions."""
    total = Event.objects.filter(session__training_class=training_class).aggregate(h=Sum("hours"))[
        "h"
    ] or Decimal(0)
    return Decimal(total)


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


def organiser_choices(actor: Actor) -> QuerySet[Organization]:
    """Open organisations the actor manages that may organise a class (a party group does not)."""

    return (
        Organization.objects.manageable_by(actor)
        .open()
        .exclude(kind=Organization.Kind.GROUP)
        .order_by("path")
    )


def training_settings_of(org: Organization) -> TrainingSettings:
    """The tenant's class settings, or the defaults (unsaved) when it has none: reads never write."""
    tenant = tenant_of(org)
    found = TrainingSettings.objects.filter(tenant=tenant).first()
    return found or TrainingSettings(tenant=tenant)


def plan_item_delivery(item_ids: list[int]) -> dict[int, Delivered]:
    """plan item id -> what its closed classes delivered: classes, session hours and trainees
    (the plans registry's provider for classes); three queries."""
    closed = TrainingClass.State.CLOSED
    classes = {
        r["plan_item_id"]: r["n"]
        for r in TrainingClass.objects.filter(plan_item_id__in=item_ids, state=closed)
        .values("plan_item_id")
        .annotate(n=Count("id", distinct=True))
    }
    session_hours = {
        r["training_class__plan_item_id"]: r["h"] or Decimal(0)
        for r in Session.objects.filter(
            training_class__plan_item_id__in=item_ids, training_class__state=closed
        )
        .values("training_class__plan_item_id")
        .annotate(h=Sum("event__hours"))
    }
    people = {
        r["training_class__plan_item_id"]: r["n"]
        for r in Enrolment.objects.accepted()
        .filter(training_class__plan_item_id__in=item_ids, training_class__state=closed)
        .values("training_class__plan_item_id")
        .annotate(n=Count("member_id", distinct=True))
    }
    return {
        pk: Delivered(
            classes=classes.get(pk, 0),
            hours=session_hours.get(pk, Decimal(0)),
            people=people.get(pk, 0),
        )
        for pk in set(classes) | set(session_hours) | set(people)
    }


def class_with_audience(training_class: TrainingClass) -> TrainingClass:
    """The class again with its organiser and audience org loaded (the dispatch pages and API
    read both)."""
    return TrainingClass.objects.select_related("org", "audience_org").get(pk=training_class.pk)


def session_of_class_or_404(training_class: TrainingClass, pk: Any) -> Session:
    """A session of the class, with its event; anything else is a 404."""
    return get_object_or_404(
        Session.objects.select_related("event"), pk=pk, training_class=training_class
    )


def member_get(pk: Any) -> Member:
    """A member by primary key, with their org, unscoped: for the actor's own member record
    (`scope_of(actor).member_id`)."""
    return Member.objects.select_related("org").get(pk=pk)


def member_or_none(pk: Any) -> Member | None:
    """A member by primary key, with their org, unscoped (the caller checks access), or None."""
    return Member.objects.select_related("org").filter(pk=pk).first()


def member_visible(actor: Actor, pk: Any) -> Member | None:
    """A member the actor sees, with their org, or None."""
    return Member.objects.visible_to(actor).select_related("org").filter(pk=pk).first()


def member_is_visible(actor: Actor, pk: Any) -> bool:
    return Member.objects.visible_to(actor).filter(pk=pk).exists()


def members_visible_by_pk(actor: Actor, ids: list[int]) -> dict[int, Member]:
    """pk -> member, for the listed members the actor sees (with their org); one query."""
    return Member.objects.visible_to(actor).select_related("org").in_bulk(ids)
