"""Creating and changing a class."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.events.models import Event
from peixun.events.services import event_update
from peixun.hours.models import Kind, Topic
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position
from peixun.plans.models import PlanItem

from ...models import (
    ClassKind,
    Enrolment,
    Quota,
    Session,
    TrainingClass,
)

CLASS_FIELDS = [
    "title",
    "kind",
    "full_time",
    "online",
    "starts_on",
    "ends_on",
    "venue",
    "description",
    "topic",
    "audience_org",
    "audience_statuses",
    "audience_positions",
    "audience_cadre_ranks",
    "capacity",
    "plan_item",
]
CLASS_AUDIT = ["org", *CLASS_FIELDS, "state", "theory_override_reason"]
# A county's biggest rotation trains every member of the tenant; beyond that is a typing slip.
MAX_CAPACITY = 100_000
EDITABLE_STATES = (TrainingClass.State.DRAFT, TrainingClass.State.PUBLISHED)

# -- classes -------------------------------------------------------------------------------------


def _choice_list(value: Any, allowed: list[str]) -> list[str] | None:
    """A list of allowed values, deduplicated in the choices' order; None when one is unknown."""
    values = [str(v) for v in (value or [])]
    if any(v not in allowed for v in values):
        return None
    return sorted(set(values), key=allowed.index)


def clean_class_fields(data: dict[str, Any], org: Organization) -> dict[str, Any]:
    """Validate a class's fields (all of them, merged with the stored ones on an update); every
    problem is reported at once."""
    errors: dict[str, str] = {}
    clean = dict(data)
    clean["title"] = str(data.get("title") or "").strip()[:200]
    if not clean["title"]:
        errors["title"] = _("Give the class a title.")
    if data.get("kind") not in ClassKind.values:
        errors["kind"] = _("Choose the kind of class.")
    if data.get("topic") not in Topic.values:
        errors["topic"] = _("Choose the class's main topic.")
    starts, ends = data.get("starts_on"), data.get("ends_on")
    # A datetime is a date too: refuse it, a class runs over whole days.
    if not isinstance(starts, dt.date) or isinstance(starts, dt.datetime):
        errors["starts_on"] = _("Enter the class's first day.")
    if not isinstance(ends, dt.date) or isinstance(ends, dt.datetime):
        errors["ends_on"] = _("Enter the class's last day.")
    elif isinstance(starts, dt.date) and ends < starts:
        errors["ends_on"] = _("The last day cannot be before the first day.")
    try:
        capacity = int(data.get("capacity"))  # type: ignore[arg-type]
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ValueError
        clean["capacity"] = capacity
    except (TypeError, ValueError):
        errors["capacity"] = _("Enter the number of places, from 1 to %(max)s.") % {
            "max": MAX_CAPACITY
        }
    clean["full_time"] = bool(data.get("full_time"))
    clean["online"] = bool(data.get("online"))
    clean["venue"] = str(data.get("venue") or "").strip()[:200]
    clean["description"] = str(data.get("description") or "").strip()[:5000]
    audience, audience_errors = clean_audience(data, org)
    clean.update(audience)
    errors.update(audience_errors)
    item = data.get("plan_item")
    if item is not None and not plan_item_fits(item, org):
        errors["plan_item"] = _("This plan item is not of the organiser's plan or a plan above it.")
    clean["plan_item"] = item
    if errors:
        raise ValidationError(errors)
    return clean


def clean_audience(
    data: dict[str, Any], org: Organization
) -> tuple[dict[str, Any], dict[str, str]]:
    """The four audience fields of `data` (`selectors.audience.Audience`) checked for an
    organiser `org`: the audience org within its subtree (default: `org` itself) and only known
    statuses, positions and ranks. Returns the clean fields and the errors by field; shared
    with the online classes (`learning`), which use the same audience model."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    audience = data.get("audience_org") or org
    if not isinstance(audience, Organization) or not audience.path.startswith(org.path):
        errors["audience_org"] = _("The audience must be within the organiser's own organizations.")
    clean["audience_org"] = audience
    for field, allowed in (
        ("audience_statuses", Member.Status.values),
        ("audience_positions", Position.Role.values),
        ("audience_cadre_ranks", Member.CadreRank.values),
    ):
        values = _choice_list(data.get(field), allowed)
        if values is None:
            errors[field] = _("Unknown value.")
        clean[field] = values or []
    return clean, errors


def plan_item_fits(item: Any, org: Organization) -> bool:
    """A class delivers an item of its organiser's plan or of a plan above it, or an item the
    organiser (or an org above it) is responsible for."""
    if not isinstance(item, PlanItem):
        return False
    item = PlanItem.objects.select_related("plan__org", "responsible_org").get(pk=item.pk)
    return org.path.startswith(item.plan.org.path) or org.path.startswith(item.responsible_org.path)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CLASS_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


@transaction.atomic
def class_create(*, actor: Actor, org: Organization, **fields: Any) -> TrainingClass:
    """A draft class organised by `org`, which the actor manages. Fields: see `CLASS_FIELDS`;
    the audience defaults to the organiser's whole subtree."""
    require_manage(actor, org)
    _check_fields(fields)
    if not org.is_open:
        raise ValidationError({"org": _("This organization is closed.")})
    clean = clean_class_fields(fields, org)
    training_class = TrainingClass.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    audit_record(
        actor=actor,
        verb="training_class.create",
        obj=training_class,
        org=org,
        after=snapshot(training_class, CLASS_AUDIT),
    )
    return training_class


def locked_class(training_class: TrainingClass) -> TrainingClass:
    return (
        TrainingClass.objects.select_for_update()
        .select_related("org", "audience_org")
        .get(pk=training_class.pk)
    )


def require_editable(training_class: TrainingClass) -> None:
    if training_class.state not in EDITABLE_STATES:
        raise ValidationError(
            {
                "state": _("This class is %(state)s and can no longer be changed.")
                % {"state": training_class.get_state_display()}
            }
        )


def _session_days(training_class: TrainingClass) -> list[tuple[dt.date, dt.date]]:
    return [
        (timezone.localdate(s), timezone.localdate(e))
        for s, e in Event.objects.filter(session__training_class=training_class).values_list(
            "starts_at", "ends_at"
        )
    ]


@transaction.atomic
def class_update(*, actor: Actor, training_class: TrainingClass, **fields: Any) -> TrainingClass:
    """Change a draft or published class; a closed or cancelled one is read-only. Its sessions
    must still fall within its dates, and its places cannot drop below those already taken."""
    training_class = locked_class(training_class)
    require_manage(actor, training_class.org)
    require_editable(training_class)
    _check_fields(fields)
    current = {name: getattr(training_class, name) for name in CLASS_FIELDS}
    clean = clean_class_fields({**current, **fields}, training_class.org)
    errors: dict[str, str] = {}
    days = _session_days(training_class)
    if days and (
        min(d for d, _e in days) < clean["starts_on"] or max(e for _s, e in days) > clean["ends_on"]
    ):
        errors["starts_on"] = _(
            "Some sessions fall outside these dates; move or remove them first."
        )
    taken = Enrolment.objects.active().filter(training_class=training_class).count()
    allocated = sum(
        Quota.objects.filter(training_class=training_class).values_list("places", flat=True)
    )
    if clean["capacity"] < max(taken, allocated):
        errors["capacity"] = _(
            "%(taken)s members are enrolled or nominated and %(allocated)s places are allocated "
            "to units; the capacity cannot be lower."
        ) % {"taken": taken, "allocated": allocated}
    if errors:
        raise ValidationError(errors)
    before = snapshot(training_class, CLASS_AUDIT)
    online_changed = clean["online"] != training_class.online
    for name in CLASS_FIELDS:
        setattr(training_class, name, clean[name])
    training_class.save()
    if online_changed:
        credit_kind, online = credit_kind_of(training_class)
        for session in Session.objects.filter(training_class=training_class).select_related(
            "event"
        ):
            event_update(actor=actor, event=session.event, credit_kind=credit_kind, online=online)
    audit_record(
        actor=actor,
        verb="training_class.update",
        obj=training_class,
        org=training_class.org,
        before=before,
        after=snapshot(training_class, CLASS_AUDIT),
    )
    return training_class


def credit_kind_of(training_class: TrainingClass) -> tuple[str, bool]:
    if training_class.online:
        return Kind.ONLINE_TRAINING, True
    return Kind.CONCENTRATED_TRAINING, False
