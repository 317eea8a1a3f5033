"""Places (名额) of a class per unit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ...models import Enrolment, Quota, TrainingClass
from .checks import QUOTA_AUDIT, QUOTA_STATES, locked_class, quota_taken, require_organiser

# -- places --------------------------------------------------------------------------------------


@transaction.atomic
def quota_set(
    *, actor: Actor, training_class: TrainingClass, org: Organization, places: Any
) -> Quota:
    """Give `org` (an open org below the organiser) `places` places; changes the number if it
    already has some. All places together stay within the capacity, and a unit's places never
    drop below those its members already hold."""
    training_class = locked_class(training_class)
    require_organiser(actor, training_class)
    if training_class.state not in QUOTA_STATES:
        raise ValidationError(
            {
                "state": _("The class is %(state)s; its places can no longer be changed.")
                % {"state": training_class.get_state_display()}
            }
        )
    try:
        number = int(places)
    except (TypeError, ValueError):
        raise ValidationError({"places": _("Enter a whole number of places.")}) from None
    if number < 1:
        raise ValidationError(
            {"places": _("Give at least one place, or remove the unit's places instead.")}
        )
    organiser = training_class.org
    if not (org.path.startswith(organiser.path) and org.depth > organiser.depth):
        raise ValidationError(
            {"org": _("Places go to organizations under %(org)s.") % {"org": organiser.name}}
        )
    if not org.is_open:
        raise ValidationError({"org": _("This organization is closed.")})
    # The class row is locked: no other dispatch write of this class runs until we commit.
    quota = (
        Quota.objects.select_related("org").filter(training_class=training_class, org=org).first()
    )
    others_qs = Quota.objects.filter(training_class=training_class)
    if quota is not None:
        others_qs = others_qs.exclude(pk=quota.pk)
    others = others_qs.aggregate(total=Sum("places"))["total"] or 0
    if others + number > training_class.capacity:
        raise ValidationError(
            {
                "places": _(
                    "Over the class's capacity: %(capacity)s places, %(others)s already given to "
                    "other units; at most %(left)s for this one."
                )
                % {
                    "capacity": training_class.capacity,
                    "others": others,
                    "left": max(0, training_class.capacity - others),
                }
            }
        )
    if quota is None:
        quota = Quota.objects.create(training_class=training_class, org=org, places=number)
        audit_record(
            actor=actor,
            verb="training.quota_set",
            obj=quota,
            org=training_class.org,
            after=snapshot(quota, QUOTA_AUDIT),
        )
        return quota
    taken = quota_taken(quota)
    if number < taken:
        raise ValidationError(
            {
                "places": _(
                    "%(org)s already holds %(taken)s places (nominated or enrolled); withdraw "
                    "some before giving it fewer."
                )
                % {"org": org.name, "taken": taken}
            }
        )
    if number != quota.places:
        before = snapshot(quota, QUOTA_AUDIT)
        quota.places = number
        quota.save(update_fields=["places"])
        audit_record(
            actor=actor,
            verb="training.quota_set",
            obj=quota,
            org=training_class.org,
            before=before,
            after=snapshot(quota, QUOTA_AUDIT),
        )
    return quota


@transaction.atomic
def quota_remove(*, actor: Actor, quota: Quota) -> None:
    """Take a unit's places away. Refused while anyone holds one, and once nominations were made
    against them (their history stays; give the unit fewer places instead)."""
    training_class = locked_class(quota.training_class)
    require_organiser(actor, training_class)
    if training_class.state not in QUOTA_STATES:
        raise ValidationError(
            {
                "state": _("The class is %(state)s; its places can no longer be changed.")
                % {"state": training_class.get_state_display()}
            }
        )
    taken = quota_taken(quota)
    if taken:
        raise ValidationError(
            {
                "places": _(
                    "%(org)s holds %(taken)s places (nominated or enrolled); withdraw them first."
                )
                % {"org": quota.org.name, "taken": taken}
            }
        )
    if Enrolment.objects.filter(quota=quota).exists():
        raise ValidationError(
            {
                "places": _(
                    "Nominations were made against these places and are kept as history; give "
                    "the unit fewer places instead of removing them."
                )
            }
        )
    before = snapshot(quota, QUOTA_AUDIT)
    audit_record(
        actor=actor, verb="training.quota_remove", obj=quota, org=training_class.org, before=before
    )
    quota.delete()
