"""The theory-share check, publication and cancellation of a class."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.events.models import Event

from ...models import (
    ClassKind,
    Enrolment,
    MakeUp,
    Session,
    TrainingClass,
)
from ...selectors import training_settings_of
from .build import locked_class, require_editable

# The kinds whose publication the theory-share minimum blocks. DESIGN.md §3 states the rule for
# special trainings (专题培训). Concentrated rotation (集中轮训) of members is, under the 2024–2028
# member-training plan, the main vehicle of study of the Party's innovative theory, and a
# Party-spirit class (党性教育) is theory and Party history by definition; a class of either kind
# below the minimum is mislabelled or mis-planned, so they are held to it too. Induction,
# appointment, in-service, secretaries' and online classes teach the job as much as the theory:
# their share is shown, for reference, but does not block.
THEORY_CHECKED_KINDS = frozenset({ClassKind.SPECIAL, ClassKind.ROTATION, ClassKind.PARTY_SPIRIT})


class TheoryShare(NamedTuple):
    theory_hours: Decimal
    total_hours: Decimal
    share: Decimal | None  # 0..1, four places; None while the class has no hours
    minimum: Decimal
    ok: bool  # the share meets the minimum (whether or not the class's kind is held to it)


# -- theory share, publication, cancellation -------------------------------------------------------


def theory_share(training_class: TrainingClass) -> TheoryShare:
    """The hours of the class's sessions on theory topics (the tenant's list) against all its
    hours, and whether that share meets the tenant's minimum."""
    settings = training_settings_of(training_class.org)
    topics = set(settings.theory_topic_list)
    theory = total = Decimal(0)
    for topic, hours in Event.objects.filter(session__training_class=training_class).values_list(
        "topic", "hours"
    ):
        total += hours
        if topic in topics:
            theory += hours
    minimum = settings.theory_share_min
    share = (theory / total).quantize(Decimal("0.0001"), ROUND_HALF_UP) if total else None
    # Compare exactly (theory ≥ minimum × total), not the rounded share.
    ok = total > 0 and theory >= minimum * total
    return TheoryShare(theory, total, share, minimum, ok)


def theory_check_applies(training_class: TrainingClass) -> bool:
    return training_class.kind in THEORY_CHECKED_KINDS


@transaction.atomic
def class_publish(
    *, actor: Actor, training_class: TrainingClass, override_reason: str = ""
) -> TrainingClass:
    """Publish a draft class with at least one session. A class of a kind held to the theory
    share (`THEORY_CHECKED_KINDS`) below the tenant's minimum is published only with a reason,
    which is kept on the class and in the audit trail."""
    training_class = locked_class(training_class)
    require_manage(actor, training_class.org)
    if training_class.state != TrainingClass.State.DRAFT:
        raise ValidationError({"state": _("Only a draft class can be published.")})
    if not Session.objects.filter(training_class=training_class).exists():
        raise ValidationError(
            {"sessions": _("Add at least one session to the curriculum before publishing.")}
        )
    figures = theory_share(training_class)
    reason = (override_reason or "").strip()[:300]
    below = theory_check_applies(training_class) and not figures.ok
    if below and not reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "Theory takes %(share)s of the hours, below the minimum of %(minimum)s; "
                    "give the reason for publishing anyway."
                )
                % {"share": percent(figures.share), "minimum": percent(figures.minimum)}
            }
        )
    before = snapshot(training_class, ["state", "theory_override_reason"])
    training_class.state = TrainingClass.State.PUBLISHED
    training_class.published_at = timezone.now()
    training_class.theory_override_reason = reason if below else ""
    training_class.save(update_fields=["state", "published_at", "theory_override_reason"])
    audit_record(
        actor=actor,
        verb="training_class.publish",
        obj=training_class,
        org=training_class.org,
        before=before,
        after={
            "state": training_class.state,
            "theory_override_reason": training_class.theory_override_reason,
            "theory_hours": figures.theory_hours,
            "total_hours": figures.total_hours,
            "theory_share": figures.share,
            "theory_share_min": figures.minimum,
        },
    )
    return training_class


def percent(share: Decimal | None) -> str:
    if share is None:
        return "—"
    value = (share * 100).quantize(Decimal("0.1"), ROUND_HALF_UP).normalize()
    return f"{value:f}%"


@transaction.atomic
def class_cancel(*, actor: Actor, training_class: TrainingClass, reason: str) -> TrainingClass:
    """Cancel a draft or published class none of whose sessions has credited hours. Members
    enrolled in a published class are told."""
    training_class = locked_class(training_class)
    require_manage(actor, training_class.org)
    require_editable(training_class)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling the class.")})
    if Event.objects.filter(
        session__training_class=training_class, state=Event.State.CLOSED
    ).exists():
        raise ValidationError(
            {
                "state": _(
                    "Hours of some sessions have been credited; reopen them before cancelling."
                )
            }
        )
    was = training_class.state
    training_class.state = TrainingClass.State.CANCELLED
    training_class.save(update_fields=["state"])
    reopened = _release_makeups(actor, training_class, reason)
    audit_record(
        actor=actor,
        verb="training_class.cancel",
        obj=training_class,
        org=training_class.org,
        before={"state": was},
        after={"state": training_class.state, "reason": reason, "makeups_reopened": reopened},
    )
    if was == TrainingClass.State.PUBLISHED:
        member_ids = (
            Enrolment.objects.active().filter(training_class=training_class).values("member_id")
        )
        notification_send(
            actor=actor,
            recipients=User.objects.filter(member_id__in=member_ids, is_active=True),
            title=_("Class cancelled: %(title)s") % {"title": training_class.title},
            body=reason,
            url=reverse("training:detail", args=[training_class.pk]),
            dedupe_key=f"training_class:{training_class.pk}:cancel",
            event_date=training_class.starts_on,
        )
    return training_class


def _release_makeups(actor: Actor, training_class: TrainingClass, reason: str) -> list[int]:
    """Make-ups assigned to a session of the cancelled class are to be assigned again: back to
    open, the member told; the organiser of the missed class finds them on its make-up list."""
    released = list(
        MakeUp.objects.select_for_update()
        .filter(
            assigned_event__session__training_class=training_class,
            state=MakeUp.State.ASSIGNED,
        )
        .select_related("missed_event")
    )
    for makeup in released:
        makeup.state = MakeUp.State.OPEN
        makeup.assigned_event = None
        makeup.note = _("The make-up class was cancelled: %(reason)s") % {"reason": reason}
        makeup.note = makeup.note[:300]
    MakeUp.objects.bulk_update(released, ["state", "assigned_event", "note"])
    for makeup in released:
        notification_send(
            actor=actor,
            recipients=User.objects.filter(member_id=makeup.member_id, is_active=True),
            title=_("Make-up cancelled: %(session)s") % {"session": makeup.missed_event.title},
            body=_(
                "%(class)s, where you were to make up %(session)s, was cancelled. You will be "
                "assigned another session."
            )
            % {"class": training_class.title, "session": makeup.missed_event.title},
            url=reverse("training:mine"),
            dedupe_key=f"makeup-cancelled:{makeup.pk}:{training_class.pk}",
        )
    return [m.pk for m in released]
