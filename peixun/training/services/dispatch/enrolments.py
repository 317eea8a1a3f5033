"""Nominations, decisions, named dispatch, substitution and withdrawal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record_many, build_event, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, can_manage_org
from peixun.members.models import Member

from ...models import Enrolment, Quota, TrainingClass
from ...selectors.audience import nomination_warnings
from .checks import (
    ENROLMENT_AUDIT,
    DispatchResult,
    audit_enrolment,
    check_audience,
    check_capacity,
    check_members,
    check_not_enrolled,
    check_quota,
    check_within,
    clean_reason,
    locked_class,
    locked_enrolment,
    notify_enrolled,
    notify_member,
    notify_user,
    require_organiser,
    require_published,
    roster_changed,
)

# -- nominations ---------------------------------------------------------------------------------


@transaction.atomic
def enrolment_nominate(
    *, actor: Actor, training_class: TrainingClass, quota: Quota, members: list[Member]
) -> DispatchResult:
    """A unit nominates members of its subtree within its places. All of them, or none."""
    if quota.training_class_id != training_class.pk:
        raise ValidationError({"quota": _("These places belong to another class.")})
    training_class = locked_class(training_class)
    require_manage(actor, quota.org)
    require_published(training_class)
    check_members(members)
    check_within(
        members,
        quota.org,
        _("Not members of %(org)s or the organizations under it: %(names)s."),
    )
    check_not_enrolled(training_class, members)
    check_audience(training_class, members)
    check_quota(quota, len(members))
    check_capacity(training_class, len(members))
    who = actor_id(actor)
    enrolments = [
        Enrolment.objects.create(
            training_class=training_class,
            member=member,
            quota=quota,
            route=Enrolment.Route.NOMINATED,
            state=Enrolment.State.NOMINATED,
            nominated_by_id=who,
        )
        for member in members
    ]
    audit_record_many(
        [
            build_event(
                actor=actor,
                verb="training.nominate",
                obj=e,
                org=training_class.org,
                after=snapshot(e, ENROLMENT_AUDIT),
            )
            for e in enrolments
        ]
    )
    warnings = nomination_warnings(training_class, members, audience=False)
    return DispatchResult(enrolments, [w for m in members for w in warnings.get(m.pk, [])])


@transaction.atomic
def enrolment_accept(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """The organiser accepts a nomination: the member is enrolled and told."""
    enrolment, training_class = locked_enrolment(enrolment)
    require_organiser(actor, training_class)
    require_published(training_class)
    if enrolment.state != Enrolment.State.NOMINATED:
        raise ValidationError(
            {
                "state": _(
                    "Only a nomination waiting for a decision can be accepted; this one is %(state)s."
                )
                % {"state": enrolment.get_state_display()}
            }
        )
    before = snapshot(enrolment, ENROLMENT_AUDIT)
    enrolment.state = Enrolment.State.ACCEPTED
    enrolment.decided_by_id = actor_id(actor)
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["state", "decided_by", "decided_at"])
    audit_enrolment(actor, "training.accept", enrolment, before)
    roster_changed(actor, training_class)
    notify_enrolled(actor, training_class, [enrolment])
    return enrolment


@transaction.atomic
def enrolment_return(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """The organiser returns a nomination to the unit with a reason; the place is free again and
    the unit may resubmit."""
    enrolment, training_class = locked_enrolment(enrolment)
    require_organiser(actor, training_class)
    require_published(training_class)
    text = clean_reason(reason, _("Give the reason for returning the nomination."))
    if enrolment.state != Enrolment.State.NOMINATED:
        raise ValidationError(
            {
                "state": _(
                    "Only a nomination waiting for a decision can be returned; this one is %(state)s."
                )
                % {"state": enrolment.get_state_display()}
            }
        )
    before = snapshot(enrolment, ENROLMENT_AUDIT)
    enrolment.state = Enrolment.State.RETURNED
    enrolment.reason = text
    enrolment.decided_by_id = actor_id(actor)
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit_enrolment(actor, "training.return", enrolment, before)
    notify_user(
        actor,
        enrolment.nominated_by_id,
        title=_("Nomination returned: %(name)s, “%(title)s”")
        % {"name": enrolment.member.name, "title": training_class.title},
        body=text,
        url=reverse("training:roster", args=[training_class.pk]),
        key=f"enrolment:{enrolment.pk}:returned:{enrolment.decided_at.isoformat()}",
    )
    return enrolment


@transaction.atomic
def enrolment_resubmit(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """The unit sends a returned nomination again (the same row goes back to nominated), if the
    places, the capacity and the audience still allow it."""
    enrolment, training_class = locked_enrolment(enrolment)
    quota = enrolment.quota
    if quota is None:
        raise ValidationError({"state": _("Only a unit's nomination can be resubmitted.")})
    require_manage(actor, quota.org)
    require_published(training_class)
    if enrolment.state != Enrolment.State.RETURNED:
        raise ValidationError(
            {
                "state": _("Only a returned nomination can be resubmitted; this one is %(state)s.")
                % {"state": enrolment.get_state_display()}
            }
        )
    member = enrolment.member
    check_within(
        [member], quota.org, _("Not members of %(org)s or the organizations under it: %(names)s.")
    )
    check_not_enrolled(training_class, [member])
    check_audience(training_class, [member])
    check_quota(quota, 1)
    check_capacity(training_class, 1)
    before = snapshot(enrolment, ENROLMENT_AUDIT)
    enrolment.state = Enrolment.State.NOMINATED
    enrolment.reason = ""
    enrolment.nominated_by_id = actor_id(actor)
    enrolment.decided_by = None
    enrolment.decided_at = None
    enrolment.save(update_fields=["state", "reason", "nominated_by", "decided_by", "decided_at"])
    audit_enrolment(actor, "training.resubmit", enrolment, before)
    return enrolment


@transaction.atomic
def enrolment_name(
    *, actor: Actor, training_class: TrainingClass, members: list[Member]
) -> DispatchResult:
    """点名调训: the organiser enrols members of its own subtree directly, without a unit's places.
    A member outside the audience is allowed here and comes back as a warning."""
    training_class = locked_class(training_class)
    require_organiser(actor, training_class)
    require_published(training_class)
    check_members(members)
    check_within(
        members,
        training_class.org,
        _("Not members of %(org)s or the organizations under it: %(names)s."),
    )
    check_not_enrolled(training_class, members)
    check_capacity(training_class, len(members))
    who = actor_id(actor)
    now = timezone.now()
    enrolments = [
        Enrolment.objects.create(
            training_class=training_class,
            member=member,
            quota=None,
            route=Enrolment.Route.NAMED,
            state=Enrolment.State.ACCEPTED,
            nominated_by_id=who,
            decided_by_id=who,
            decided_at=now,
        )
        for member in members
    ]
    audit_record_many(
        [
            build_event(
                actor=actor,
                verb="training.name",
                obj=e,
                org=training_class.org,
                after=snapshot(e, ENROLMENT_AUDIT),
            )
            for e in enrolments
        ]
    )
    roster_changed(actor, training_class)
    notify_enrolled(actor, training_class, enrolments)
    warnings = nomination_warnings(training_class, members, audience=True)
    return DispatchResult(enrolments, [w for m in members for w in warnings.get(m.pk, [])])


@transaction.atomic
def enrolment_substitute(
    *, actor: Actor, enrolment: Enrolment, member: Member, reason: str
) -> DispatchResult:
    """替换: the organiser gives an accepted member's place to `member`. The old enrolment is marked
    replaced, the new one is accepted on the same places, so the unit's count does not change."""
    enrolment, training_class = locked_enrolment(enrolment)
    require_organiser(actor, training_class)
    require_published(training_class)
    text = clean_reason(reason, _("Give the reason for the substitution."))
    if enrolment.state != Enrolment.State.ACCEPTED:
        raise ValidationError(
            {
                "state": _(
                    "Only an accepted member can be substituted; this enrolment is %(state)s."
                )
                % {"state": enrolment.get_state_display()}
            }
        )
    if member.pk == enrolment.member_id:
        raise ValidationError({"member": _("Choose a different member as the substitute.")})
    quota = enrolment.quota
    within = quota.org if quota is not None else training_class.org
    try:
        check_within(
            [member], within, _("Not members of %(org)s or the organizations under it: %(names)s.")
        )
        check_not_enrolled(training_class, [member])
        if quota is not None:
            check_audience(training_class, [member])
    except ValidationError as error:
        # The form names the substitute "member", not "members".
        raise ValidationError({"member": error.messages}) from None
    before = snapshot(enrolment, ENROLMENT_AUDIT)
    enrolment.state = Enrolment.State.REPLACED
    enrolment.reason = text
    enrolment.save(update_fields=["state", "reason"])
    audit_enrolment(actor, "training.replace", enrolment, before)
    who = actor_id(actor)
    new = Enrolment.objects.create(
        training_class=training_class,
        member=member,
        quota=quota,
        route=Enrolment.Route.SUBSTITUTE,
        state=Enrolment.State.ACCEPTED,
        reason=text,
        replaces=enrolment,
        nominated_by_id=who,
        decided_by_id=who,
        decided_at=timezone.now(),
    )
    audit_enrolment(actor, "training.substitute", new)
    roster_changed(actor, training_class)
    notify_enrolled(actor, training_class, [new])
    notify_member(
        actor,
        enrolment.member_id,
        title=_("Your place in “%(title)s” was given to a substitute")
        % {"title": training_class.title},
        body=text,
        url=reverse("training:mine"),
        key=f"enrolment:{enrolment.pk}:replaced",
    )
    warnings = nomination_warnings(training_class, [member], audience=quota is None)
    return DispatchResult([new], warnings.get(member.pk, []))


def may_withdraw(actor: Actor, enrolment: Enrolment) -> bool:
    """The organiser withdraws anyone; a unit its own nominations and enrolments."""
    if can_manage_org(actor, enrolment.training_class.org):
        return True
    return enrolment.quota is not None and can_manage_org(actor, enrolment.quota.org)


@transaction.atomic
def enrolment_withdraw(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """退训: a nominated or accepted member leaves the class, with a reason; the place is free."""
    enrolment, training_class = locked_enrolment(enrolment)
    if not may_withdraw(actor, enrolment):
        raise PermissionDenied(
            _("Only the organiser or the nominating unit may withdraw a member.")
        )
    require_published(training_class)
    text = clean_reason(reason, _("Give the reason for the withdrawal."))
    if enrolment.state not in (Enrolment.State.NOMINATED, Enrolment.State.ACCEPTED):
        raise ValidationError(
            {
                "state": _(
                    "Only a nominated or accepted member can be withdrawn; this one is %(state)s."
                )
                % {"state": enrolment.get_state_display()}
            }
        )
    was = enrolment.state
    before = snapshot(enrolment, ENROLMENT_AUDIT)
    enrolment.state = Enrolment.State.WITHDRAWN
    enrolment.reason = text
    enrolment.decided_by_id = actor_id(actor)
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit_enrolment(actor, "training.withdraw", enrolment, before)
    if was == Enrolment.State.ACCEPTED:
        roster_changed(actor, training_class)
        notify_member(
            actor,
            enrolment.member_id,
            title=_("Withdrawn from “%(title)s”") % {"title": training_class.title},
            body=text,
            url=reverse("training:mine"),
            key=f"enrolment:{enrolment.pk}:withdrawn",
        )
    return enrolment
