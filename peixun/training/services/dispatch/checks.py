"""What every dispatch write shares: locks, checks, audit and notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.scoping import Actor, can_manage_org
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ...models import Enrolment, Quota, TrainingClass
from ...selectors.audience import MemberWarning, audience_reasons, current_roles

QUOTA_AUDIT = ["training_class", "org", "places"]
ENROLMENT_AUDIT = ["training_class", "member", "quota", "route", "state", "reason", "replaces"]
# One request nominates or names at most this many members (a whole unit of a large rotation).
MAX_MEMBERS_PER_REQUEST = 2000
QUOTA_STATES = (TrainingClass.State.DRAFT, TrainingClass.State.PUBLISHED)


@dataclass
class DispatchResult:
    """What a nomination or naming stored, and what the nominator should know about it."""

    enrolments: list[Enrolment]
    warnings: list[MemberWarning] = field(default_factory=list)


# -- helpers -------------------------------------------------------------------------------------


def locked_class(training_class: TrainingClass) -> TrainingClass:
    # of=("self",): lock the class row only, not the joined organisations (PostgreSQL).
    return (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("org", "audience_org")
        .get(pk=training_class.pk)
    )


def locked_enrolment(enrolment: Enrolment) -> tuple[Enrolment, TrainingClass]:
    """The class first, then the enrolment: every dispatch write locks in that order."""
    training_class = locked_class(enrolment.training_class)
    fresh = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("member__org", "quota__org")
        .get(pk=enrolment.pk)
    )
    fresh.training_class = training_class
    return fresh, training_class


def require_organiser(actor: Actor, training_class: TrainingClass) -> None:
    if not can_manage_org(actor, training_class.org):
        raise PermissionDenied(_("Only the organiser of this class may do this."))


def require_published(training_class: TrainingClass) -> None:
    if training_class.state != TrainingClass.State.PUBLISHED:
        raise ValidationError(
            {
                "state": _("The class is %(state)s; places are taken only while it is published.")
                % {"state": training_class.get_state_display()}
            }
        )


def clean_reason(reason: str | None, message: str) -> str:
    text = (reason or "").strip()[:300]
    if not text:
        raise ValidationError({"reason": message})
    return text


def check_members(members: list[Member]) -> None:
    if not members:
        raise ValidationError({"members": _("Choose at least one member.")})
    if len(members) > MAX_MEMBERS_PER_REQUEST:
        raise ValidationError(
            {
                "members": _("At most %(max)s members in one request.")
                % {"max": MAX_MEMBERS_PER_REQUEST}
            }
        )
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": _("A member is listed twice.")})


def name_list(members: list[Member]) -> str:
    return "、".join(m.name for m in members[:20]) + ("…" if len(members) > 20 else "")


def check_within(members: list[Member], org: Organization, message: str) -> None:
    outside = [m for m in members if not m.org.path.startswith(org.path)]
    if outside:
        raise ValidationError({"members": message % {"names": name_list(outside), "org": org.name}})


def check_not_enrolled(training_class: TrainingClass, members: list[Member]) -> None:
    live = set(
        Enrolment.objects.active()
        .filter(training_class=training_class, member__in=members)
        .values_list("member_id", flat=True)
    )
    if live:
        taken = [m for m in members if m.pk in live]
        raise ValidationError(
            {
                "members": _("Already nominated or enrolled in this class: %(names)s.")
                % {"names": name_list(taken)}
            }
        )


def check_audience(training_class: TrainingClass, members: list[Member]) -> None:
    roles = current_roles([m.pk for m in members]) if training_class.audience_positions else {}
    problems = []
    for member in members:
        reasons = audience_reasons(training_class, member, roles.get(member.pk, set()))
        if reasons:
            problems.append(f"{member.name}（{_('; ').join(reasons)}）")
    if problems:
        raise ValidationError(
            {
                "members": _(
                    "Outside the class's audience: %(problems)s. Only the organiser may name "
                    "such a member."
                )
                % {"problems": "；".join(problems[:20])}
            }
        )


def live_count(training_class: TrainingClass) -> int:
    return Enrolment.objects.active().filter(training_class=training_class).count()


def quota_taken(quota: Quota) -> int:
    return Enrolment.objects.active().filter(quota=quota).count()


def check_capacity(training_class: TrainingClass, adding: int) -> None:
    taken = live_count(training_class)
    if taken + adding > training_class.capacity:
        raise ValidationError(
            {
                "members": _(
                    "Over the class's capacity: %(capacity)s places, %(taken)s already nominated "
                    "or enrolled, %(adding)s more asked for."
                )
                % {"capacity": training_class.capacity, "taken": taken, "adding": adding}
            }
        )


def check_quota(quota: Quota, adding: int) -> None:
    taken = quota_taken(quota)
    if taken + adding > quota.places:
        raise ValidationError(
            {
                "members": _(
                    "Nomination over quota: %(org)s has %(places)s places, %(taken)s already "
                    "taken, %(adding)s more nominated. At most %(left)s more can be nominated."
                )
                % {
                    "org": quota.org.name,
                    "places": quota.places,
                    "taken": taken,
                    "adding": adding,
                    "left": max(0, quota.places - taken),
                }
            }
        )


def roster_changed(actor: Actor, training_class: TrainingClass) -> None:
    """Who is accepted changed: a confirmed final roster must be confirmed again."""
    if training_class.roster_confirmed_at is None:
        return
    before = training_class.roster_confirmed_at
    training_class.roster_confirmed_at = None
    training_class.save(update_fields=["roster_confirmed_at"])
    audit_record(
        actor=actor,
        verb="training_class.roster_unconfirm",
        obj=training_class,
        org=training_class.org,
        before={"roster_confirmed_at": before},
        after={"roster_confirmed_at": None},
    )


def audit_enrolment(
    actor: Actor, verb: str, enrolment: Enrolment, before: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        obj=enrolment,
        org=enrolment.training_class.org,
        before=before,
        after=snapshot(enrolment, ENROLMENT_AUDIT),
    )


def notify_enrolled(
    actor: Actor, training_class: TrainingClass, enrolments: list[Enrolment]
) -> None:
    """Tell each newly enrolled member, with the class and where to download their notice;
    nobody about a class that has already ended (its records entered after the fact)."""
    if not enrolments or training_class.ends_on < timezone.localdate():
        return
    class_url = reverse("training:detail", args=[training_class.pk])
    notice_url = reverse("training:notice", args=[training_class.pk])
    dates = training_class.starts_on.strftime("%Y-%m-%d")
    if training_class.ends_on != training_class.starts_on:
        dates += " – " + training_class.ends_on.strftime("%Y-%m-%d")
    venue = (_(", at %(venue)s") % {"venue": training_class.venue}) if training_class.venue else ""
    body = "\n".join(
        [
            _(
                "You are dispatched to the class “%(title)s” organised by %(org)s, %(dates)s%(venue)s."
            )
            % {
                "title": training_class.title,
                "org": training_class.org.name,
                "dates": dates,
                "venue": venue,
            },
            _("Download your dispatch notice: %(notice)s") % {"notice": notice_url},
        ]
    )
    for enrolment in enrolments:
        notification_send(
            actor=actor,
            recipients=User.objects.filter(member_id=enrolment.member_id, is_active=True),
            title=_("Dispatched to training: %(title)s") % {"title": training_class.title},
            body=body,
            url=class_url,
            dedupe_key=f"enrolment:{enrolment.pk}:enrolled",
            event_date=training_class.starts_on,
        )


def notify_user(
    actor: Actor, user_id: int | None, *, title: str, body: str, url: str, key: str
) -> None:
    if user_id is None:
        return
    notification_send(
        actor=actor,
        recipients=User.objects.filter(pk=user_id, is_active=True),
        title=title,
        body=body,
        url=url,
        dedupe_key=key,
    )


def notify_member(
    actor: Actor, member_id: int, *, title: str, body: str, url: str, key: str
) -> None:
    notification_send(
        actor=actor,
        recipients=User.objects.filter(member_id=member_id, is_active=True),
        title=title,
        body=body,
        url=url,
        dedupe_key=key,
    )
