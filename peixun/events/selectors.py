"""Every read of the events layer, scoped to the actor.

Who sees an event: readers of its organiser's subtree (`Event.objects.visible_to`), a member who
attended it or asked leave from it, and a member expected at it (enrolled in the class; the
model's scope cannot know that, so `event_get` asks the registry). Who sees a leave request:
readers of the event's organiser, readers of the member's branch (the secretary who decides it),
and the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import JSONObject, Substr
from django.http import Http404, HttpRequest
from django.urls import reverse

from peixun.core.params import absolute_url, pk_or_404
from peixun.core.prepared import PreparedQuery
from peixun.core.scoping import Actor, can_manage_org, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names

from . import registry
from .models import SIGNED_IN, Attendance, Event, EventSettings, LeaveRequest

# Where `event_get` leaves, on the instance it fetched for a member, whether that member had a
# row then: the sign-in's first look at the row (`member_row`) uses it once instead of asking.
OWN_ROW_MEMO = "_peixun_own_row"
# And the tenant's attendance settings, read with the event (`event_settings_of`).
SETTINGS_MEMO = "_peixun_event_settings"
EVENT_SETTINGS_FIELDS = (
    "late_credit",
    "left_early_credit",
    "qr_rotate_seconds",
    "qr_valid_seconds",
    "signin_opens_minutes",
    "late_after_minutes",
)

# Sign-in asks these on every scan: prepared once per process (see peixun.core.prepared).
_TENANT_WITH_SETTINGS: PreparedQuery[Organization] = PreparedQuery(
    lambda path: Organization.objects.select_related("event_settings").filter(path=path),
    kinds=(str,),
)
_EVENT_WITH_ORG: PreparedQuery[Event] = PreparedQuery(
    lambda pk: Event.objects.select_related("org").filter(pk=pk), kinds=(int,)
)


def _tenant_settings() -> Subquery:
    """The event's tenant (the root of its organiser's tree) with its attendance settings, as
    one JSON object: the settings' fields are null while the tenant keeps the defaults."""
    fields = {name: F(f"event_settings__{name}") for name in EVENT_SETTINGS_FIELDS}
    tenant = Organization.objects.filter(
        path=Substr(OuterRef("org__path"), 1, Organization.steplen)
    ).values(json=JSONObject(tenant=F("pk"), id=F("event_settings__pk"), **fields))
    return Subquery(tenant[:1], output_field=JSONField())


def _settings_from(found: dict[str, Any], alias: str | None) -> EventSettings:
    values = {name: found[name] for name in EVENT_SETTINGS_FIELDS}
    if found["id"] is None:
        return EventSettings(tenant_id=found["tenant"])
    settings = EventSettings(id=found["id"], tenant_id=found["tenant"], **values)
    settings._state.adding = False
    settings._state.db = alias
    return settings


def _event_for_member(pk: int, member_id: int) -> QuerySet[Event]:
    condition = registry.expected_condition(member_id)
    assert condition is not None  # asked only when some category registered a condition
    found: QuerySet[Event] = (
        Event.objects.select_related("org")
        .filter(pk=pk)
        .annotate(
            expected_here=ExpressionWrapper(condition, output_field=BooleanField()),
            own_row_id=Subquery(
                Attendance.objects.filter(event_id=OuterRef("pk"), member_id=member_id).values(
                    "pk"
                )[:1]
            ),
            tenant_settings=_tenant_settings(),
        )
    )
    return found


# The event with "is this member expected here?" and the member's row id in one query (built
# when first asked: the conditions are registered in the apps' ready()).
_EVENT_FOR_MEMBER: PreparedQuery[Event] = PreparedQuery(_event_for_member, kinds=(int, int))
_MEMBERS_ROW: PreparedQuery[Attendance] = PreparedQuery(
    lambda event_id, member_id: Attendance.objects.filter(event_id=event_id, member_id=member_id),
    kinds=(int, int),
)


def event_settings_for(org: Organization) -> EventSettings:
    """The tenant's attendance settings: the stored row, or the defaults (unsaved) while the
    tenant has never changed them (`event_settings_update` creates the row)."""
    # One query either way. The tenant is the root of `org`'s tree, whose path is the first step
    # of `org`'s.
    tenant = _TENANT_WITH_SETTINGS.first(org.path[: Organization.steplen])
    if tenant is None:
        raise Organization.DoesNotExist(org.path[: Organization.steplen])
    try:
        found: EventSettings = tenant.event_settings
        return found
    except EventSettings.DoesNotExist:
        return EventSettings(tenant=tenant)


def event_settings_of(event: Event) -> EventSettings:
    """The attendance settings of the event's tenant: read with the event when `event_get`
    fetched it for a member (a QR scan), else as `event_settings_for` reads them."""
    found: EventSettings | None = event.__dict__.get(SETTINGS_MEMO)
    return found if found is not None else event_settings_for(event.org)


def event_get(actor: Actor, pk: Any) -> Event:
    """The event, to anyone who may see it or is expected at it; 404 otherwise."""
    pk = pk_or_404(pk)
    scope = scope_of(actor)
    if scope.platform or scope.read_paths:
        # Staff: their scope usually shows the event (one query).
        found: Event | None = (
            Event.objects.visible_to(actor).select_related("org").filter(pk=pk).first()
        )
        if found is not None:
            return found
        event: Event | None = Event.objects.select_related("org").filter(pk=pk).first()
        if event is None or not registry.member_expected(event, scope.member_id):
            raise Http404
        return event
    # A plain member sees the events they are expected at (the sign-in's case, on every scan)
    # or attended or asked leave from: fetch the event with "expected?" in the same query.
    member_id = scope.member_id
    if member_id and registry.any_expected_condition():
        seen = _EVENT_FOR_MEMBER.first(pk, member_id)
    else:
        seen = _EVENT_WITH_ORG.first(pk)
    if seen is None:
        raise Http404
    event = seen
    if member_id and hasattr(event, "own_row_id"):
        event.__dict__[OWN_ROW_MEMO] = (member_id, event.own_row_id)
    tenant_settings = getattr(event, "tenant_settings", None)
    if tenant_settings:
        event.__dict__[SETTINGS_MEMO] = _settings_from(tenant_settings, event._state.db)
    if getattr(event, "expected_here", False) and member_id:
        # The sign-in that follows asks the same question of this instance.
        registry.remember_expected(event, member_id)
        return event
    if Event.objects.visible_to(actor).filter(pk=pk).exists():
        return event
    if not registry.has_expected_condition(event.category) and registry.member_expected(
        event, member_id
    ):
        return event  # a category without a registered condition asks its resolver
    raise Http404


def event_managed(actor: Actor, pk: Any) -> Event:
    """The event, to those who manage its organiser: 404 out of sight, 403 seen but not theirs."""
    event = event_get(actor, pk)
    if not can_manage_org(actor, event.org):
        raise PermissionDenied
    return event


def member_row(event: Event, member_id: int) -> Attendance | None:
    """The member's attendance row at the event, if any (sign-in reads it on every scan). The
    first call after `event_get` fetched this instance for this member answers "none" without a
    query when that fetch found no row; every other call asks the database."""
    memo = event.__dict__.pop(OWN_ROW_MEMO, None)
    if memo == (member_id, None):
        return None
    return _MEMBERS_ROW.first(event.pk, member_id)


def is_expected(event: Event, member_id: int | None) -> bool:
    return registry.member_expected(event, member_id)


@dataclass
class RosterRow:
    member: Member
    attendance: Attendance | None

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else ""


def attendance_roster(event: Event, *, q: str = "", status: str = "") -> list[RosterRow]:
    """Everyone expected at the event and everyone holding a row, with their row, by branch and
    name. `status` filters ("unmarked" for those without a row); `q` matches the name."""
    rows = {
        a.member_id: a for a in Attendance.objects.filter(event=event).select_related("marked_by")
    }
    ids = set(registry.expected_member_ids(event)) | set(rows)
    members = (
        Member.objects.filter(pk__in=ids).select_related("org").order_by("org__path", "name", "pk")
    )
    if q:
        members = members.filter(name__contains=q.strip())
    out = [RosterRow(m, rows.get(m.pk)) for m in members]
    if status == "unmarked":
        return [r for r in out if r.attendance is None]
    if status:
        return [r for r in out if r.status == status]
    return out


def attendance_row(event: Event, member_pk: Any) -> RosterRow:
    """One member's line of the roster; 404 unless expected at the event or holding a row."""
    member_pk = pk_or_404(member_pk)
    attendance = (
        Attendance.objects.filter(event=event, member_id=member_pk)
        .select_related("marked_by")
        .first()
    )
    if attendance is None and not is_expected(event, member_pk):
        raise Http404
    member = Member.objects.select_related("org").filter(pk=member_pk).first()
    if member is None:
        raise Http404
    attach_ancestor_names([member.org])  # the row shows where the member's branch sits
    return RosterRow(member, attendance)


def expected_count(event: Event) -> int:
    return registry.expected_member_ids(event).count()


def signed_out_count(event: Event) -> int:
    return Attendance.objects.filter(event=event, signed_out_at__isnull=False).count()


def member_or_none(pk: Any) -> Member | None:
    """A member by primary key alone (the mark service then checks they are expected)."""
    return Member.objects.filter(pk=pk).first()


def signed_in_count(event: Event) -> int:
    return Attendance.objects.filter(event=event, status__in=SIGNED_IN).count()


def latest_signins(event: Event, limit: int = 8) -> list[Attendance]:
    return list(
        Attendance.objects.filter(event=event, method=Attendance.Method.QR, status__in=SIGNED_IN)
        .select_related("member")
        .order_by("-signed_in_at", "-id")[:limit]
    )


def _leave_condition(actor: Actor) -> Q | None:
    scope = scope_of(actor)
    if scope.platform:
        return Q()
    cond = Q()
    for path in scope.read_paths:
        cond |= Q(event__org__path__startswith=path) | Q(member__org__path__startswith=path)
    if scope.member_id:
        cond |= Q(member_id=scope.member_id)
    return cond if cond else None


def leaves_visible(actor: Actor) -> QuerySet[LeaveRequest]:
    cond = _leave_condition(actor)
    if cond is None:
        return LeaveRequest.objects.none()
    return LeaveRequest.objects.filter(cond).select_related(
        "event__org", "member__org", "decided_by"
    )


def leave_get(actor: Actor, pk: Any) -> LeaveRequest:
    found = leaves_visible(actor).filter(pk=pk_or_404(pk)).first()
    if found is None:
        raise Http404
    return found


def leaves_to_decide(actor: Actor) -> QuerySet[LeaveRequest]:
    """Pending requests the actor may decide: of events they organise, or of members of
    branches they manage; never their own."""
    scope = scope_of(actor)
    pending = LeaveRequest.objects.filter(state=LeaveRequest.State.PENDING)
    if not scope.platform:
        cond = Q()
        for path in scope.manage_paths:
            cond |= Q(event__org__path__startswith=path) | Q(member__org__path__startswith=path)
        if not cond:
            return LeaveRequest.objects.none()
        pending = pending.filter(cond)
    if scope.member_id:
        pending = pending.exclude(member_id=scope.member_id)
    return pending.select_related("event__org", "member__org").order_by(
        "event__starts_at", "created_at", "id"
    )


def leaves_mine(actor: Actor) -> QuerySet[LeaveRequest]:
    member_id = scope_of(actor).member_id
    if not member_id:
        return LeaveRequest.objects.none()
    return LeaveRequest.objects.filter(member_id=member_id).select_related("event", "decided_by")


def signin_code_url(request: HttpRequest, event_pk: int, token: str, mode: str = "") -> str:
    """What the projector's QR code holds: the phone page with the current token."""
    target = "events:signout" if mode == "signout" else "events:signin"
    return absolute_url(request, f"{reverse(target, args=[event_pk])}?t={token}")
