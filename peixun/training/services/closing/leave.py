"""The leave limit of a full-time class (干部教育培训工作条例 Art. 15): a trainee on leave for more
than 1/N of the class's hours is flagged for withdrawal; the organiser then withdraws them.

The flag is recomputed from attendance (status "on leave" × the session's hours) whenever the
events layer reports a leave decision or a manual mark (`registry.attendance_changed`), and again
when the class is closed; a QR sign-in after an approved leave lowers the leave, which the next
recomputation reflects.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.accounts.selectors import nearest_managers
from peixun.core.audit import audit_record_many, build_event
from peixun.core.notifications import notification_send
from peixun.core.scoping import Actor
from peixun.events.models import Attendance
from peixun.orgs.models import Organization

from ...logic import over_leave_limit
from ...models import Enrolment, Session, TrainingClass
from ...selectors import training_settings_of


def class_of_event(event: Any) -> TrainingClass | None:
    session = (
        Session.objects.filter(event_id=getattr(event, "pk", event))
        .select_related("training_class__org")
        .first()
    )
    return session.training_class if session is not None else None


def class_hours(training_class: TrainingClass) -> Decimal:
    total = Session.objects.filter(training_class=training_class).aggregate(
        total=Sum("event__hours")
    )["total"]
    return total or Decimal(0)


def leave_hours_by_member(training_class: TrainingClass) -> dict[int, Decimal]:
    """member id → hours of the class's sessions at which the member is marked on leave."""
    hours: dict[int, Decimal] = defaultdict(Decimal)
    rows = Attendance.objects.filter(
        event__session__training_class=training_class, status=Attendance.Status.LEAVE
    ).values_list("member_id", "event__hours")
    for member_id, session_hours in rows:
        hours[member_id] += session_hours
    return dict(hours)


def enrolment_leave_flags_refresh(event: Any) -> None:
    """The attendance listener of class sessions: recompute the flags of the event's class."""
    training_class = class_of_event(event)
    if training_class is not None:
        class_leave_flags_refresh(training_class)


def class_leave_flags_refresh(
    training_class: TrainingClass, *, actor: Actor | None = None
) -> list[int]:
    """Set or clear `flagged_for_withdrawal` on the class's accepted enrolments; returns the
    member ids newly flagged (their organiser is notified). A class that is not full-time flags
    nobody."""
    enrolments = list(
        Enrolment.objects.accepted()
        .filter(training_class=training_class)
        .select_related("member")
        .order_by("pk")
    )
    total = class_hours(training_class)
    denominator = training_settings_of(training_class.org).leave_limit_denominator
    leave = leave_hours_by_member(training_class) if training_class.full_time else {}
    changed: list[Enrolment] = []
    for enrolment in enrolments:
        hours = leave.get(enrolment.member_id, Decimal(0))
        flagged = training_class.full_time and over_leave_limit(hours, total, denominator)
        if flagged != enrolment.flagged_for_withdrawal:
            enrolment.flagged_for_withdrawal = flagged
            changed.append(enrolment)
    if not changed:
        return []
    Enrolment.objects.bulk_update(changed, ["flagged_for_withdrawal"])
    audit_record_many(
        [
            build_event(
                actor=actor,
                verb="enrolment.leave_flag"
                if e.flagged_for_withdrawal
                else "enrolment.leave_unflag",
                obj=e,
                org=training_class.org,
                before={"flagged_for_withdrawal": not e.flagged_for_withdrawal},
                after={
                    "flagged_for_withdrawal": e.flagged_for_withdrawal,
                    "leave_hours": leave.get(e.member_id, Decimal(0)),
                    "class_hours": total,
                    "limit": f"1/{denominator}",
                },
            )
            for e in changed
        ]
    )
    newly = [e for e in changed if e.flagged_for_withdrawal]
    for enrolment in newly:
        _notify_organiser(
            actor,
            training_class,
            enrolment,
            leave.get(enrolment.member_id, Decimal(0)),
            total,
            denominator,
        )
    return [e.member_id for e in newly]


def organiser_users(org: Organization) -> list[User]:
    """Those who run the organiser's classes: the org admins and secretaries of the organiser, or
    of its nearest ancestor that has any."""
    return nearest_managers(org)


def _notify_organiser(
    actor: Actor | None,
    training_class: TrainingClass,
    enrolment: Enrolment,
    leave: Decimal,
    total: Decimal,
    denominator: int,
) -> None:
    figures = {
        "name": enrolment.member.name,
        "class": training_class.title,
        "leave": f"{leave.normalize():f}",
        "total": f"{total.normalize():f}",
        "n": denominator,
    }
    notification_send(
        actor=actor,
        recipients=organiser_users(training_class.org),
        title=_("%(name)s's leave exceeds 1/%(n)s of %(class)s") % figures,
        body=_(
            "%(name)s is on leave for %(leave)s of the %(total)s hours of the full-time class "
            "%(class)s, more than 1/%(n)s. Under Art. 15 of the cadre education and training "
            "regulations the trainee should be withdrawn from the class."
        )
        % figures,
        url=reverse("training:attendance", args=[training_class.pk]),
        dedupe_key=f"leave-flag:{enrolment.pk}:{figures['leave']}",
    )
