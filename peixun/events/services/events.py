"""Writes of events themselves: create and change events, close them (credits) and reopen them
(reversals), and the tenant's attendance settings. Sign-in, attendance marking and leave live in
`signin.py`, `attendance.py` and `leave.py` beside this module; they share the helpers here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_admin, require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.hours.models import HOURS_STEP, MAX_ENTRY_HOURS, Kind, Topic
from peixun.hours.services import entries_reverse_reference, entry_record
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of

from ..models import Attendance, CreditRule, Event, EventSettings
from ..registry import close_owner_url, expected_member_ids
from ..selectors import EVENT_SETTINGS_FIELDS, event_settings_for

EVENT_AUDIT = [
    "category",
    "org_id",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "hours",
    "topic",
    "credit_kind",
    "concentrated",
    "online",
    "signout_required",
    "state",
]
EDITABLE = [
    "title",
    "starts_at",
    "ends_at",
    "place",
    "hours",
    "topic",
    "credit_kind",
    "concentrated",
    "online",
    "signout_required",
]


def clean_event_hours(raw: Any) -> Decimal:
    """An event may be worth 0 hours (a meeting that credits nothing); else quarter steps."""
    try:
        hours = Decimal(str(raw).strip())
    except (ArithmeticError, ValueError):
        raise ValidationError({"hours": _("Enter a number of hours, such as 2 or 1.5.")}) from None
    if not hours.is_finite() or hours < 0:
        raise ValidationError({"hours": _("Hours cannot be negative.")})
    if hours > MAX_ENTRY_HOURS:
        raise ValidationError(
            {"hours": _("At most %(max)s hours in one entry.") % {"max": MAX_ENTRY_HOURS}}
        )
    if hours % HOURS_STEP:
        raise ValidationError({"hours": _("Hours go in steps of a quarter: 0.25, 0.5, 0.75, 1 …")})
    return hours


def clean_event_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable fields of an event; every problem is reported at once."""
    errors: dict[str, str] = {}
    cleaned = dict(data)
    title = (data.get("title") or "").strip()
    if "title" in data:
        if not title:
            errors["title"] = _("Give the event a title.")
        cleaned["title"] = title[:200]
    if "place" in data:
        cleaned["place"] = (data.get("place") or "").strip()[:200]
    if "hours" in data:
        try:
            cleaned["hours"] = clean_event_hours(data["hours"])
        except ValidationError as exc:
            errors["hours"] = exc.message_dict["hours"][0]
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if "starts_at" in data and not isinstance(starts, dt.datetime):
        errors["starts_at"] = _("Enter the date and time the event starts.")
    if "ends_at" in data and not isinstance(ends, dt.datetime):
        errors["ends_at"] = _("Enter the date and time the event ends.")
    if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends <= starts:
        errors["ends_at"] = _("The event must end after it starts.")
    if "topic" in data and data["topic"] not in Topic.values:
        errors["topic"] = _("Unknown value.")
    if "credit_kind" in data and data["credit_kind"] not in Kind.values:
        errors["credit_kind"] = _("Unknown value.")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def event_create(*, actor: Actor, org: Organization, category: str, **fields: Any) -> Event:
    """Create an event of `category` organised by `org`. Fields: see `EDITABLE`."""
    require_manage(actor, org)
    if category not in Event.Category.values:
        raise ValidationError({"category": _("Unknown value.")})
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for required in ("title", "starts_at", "ends_at", "hours"):
        fields.setdefault(required, None)
    cleaned = clean_event_fields(fields)
    event = Event.objects.create(
        org=org,
        category=category,
        created_by_id=actor_id(actor),
        **cleaned,
    )
    audit_record(
        actor=actor, verb="event.create", obj=event, org=org, after=snapshot(event, EVENT_AUDIT)
    )
    return event


def _locked(event: Event) -> Event:
    # Lock the event row only: the organiser's row is shared by every event it holds.
    return Event.objects.select_for_update(of=("self",)).select_related("org").get(pk=event.pk)


def require_open(event: Event) -> None:
    if event.state == Event.State.CLOSED:
        raise ValidationError(
            {"event": _("This event is closed and its hours credited; reopen it to change it.")}
        )


@transaction.atomic
def event_update(*, actor: Actor, event: Event, **fields: Any) -> Event:
    event = _locked(event)
    require_manage(actor, event.org)
    require_open(event)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {"starts_at": event.starts_at, "ends_at": event.ends_at, **fields}
    cleaned = clean_event_fields(merged)
    before = snapshot(event, EVENT_AUDIT)
    for name in fields:
        setattr(event, name, cleaned[name])
    event.save()
    audit_record(
        actor=actor,
        verb="event.update",
        obj=event,
        org=event.org,
        before=before,
        after=snapshot(event, EVENT_AUDIT),
    )
    return event


def credited_status(event: Event, status: str, method: str, signed_out_at: Any) -> str:
    """The status an attendance row is credited as. At an event that requires sign-out, a QR
    sign-in never followed by a sign-out counts as leaving early: nobody saw the member stay.
    The organiser who knows better marks the member by hand (method manual), which stands."""
    if (
        event.signout_required
        and method == Attendance.Method.QR
        and signed_out_at is None
        and status in (Attendance.Status.PRESENT, Attendance.Status.LATE)
    ):
        return Attendance.Status.LEFT_EARLY
    return status


def credits_of(event: Event) -> dict[int, Decimal]:
    """member id → hours the event's attendance earns, by the tenant's late/early rules, for the
    members expected at the event."""
    rules = event_settings_for(event.org)
    earned: dict[int, Decimal] = {}
    # Only members still expected are credited: a trainee withdrawn (退训) after attending some
    # sessions keeps the attendance rows, but the class does not count for them.
    rows = event.attendances.filter(member_id__in=expected_member_ids(event)).values_list(
        "member_id", "status", "method", "signed_out_at"
    )
    for member_id, status, method, signed_out_at in rows:
        status = credited_status(event, status, method, signed_out_at)
        hours = rules.credit_for(status, event.hours)
        if hours > 0:
            earned[member_id] = hours
    return earned


def _require_closes_alone(event: Event, by_owner: bool) -> None:
    if not by_owner and close_owner_url(event) is not None:
        raise ValidationError(
            {
                "event": _(
                    "This is a session of a training class: it is closed and reopened with "
                    "the class, once the class's closing checklist is complete."
                )
            }
        )


@transaction.atomic
def event_close(*, actor: Actor, event: Event, title: str = "", by_owner: bool = False) -> Event:
    """Close the event and credit each attending member's hours to the ledger, one entry per
    member, referenced `event:<id>` so that reopening can reverse exactly these.

    `by_owner`: the app owning the event's category (training, for class sessions) is closing
    it as part of its own closing; everyone else is refused for such events."""
    event = _locked(event)
    require_manage(actor, event.org)
    _require_closes_alone(event, by_owner)
    require_open(event)
    if event.ends_at > timezone.now():
        raise ValidationError({"event": _("The event has not ended yet.")})
    by_hours: dict[Decimal, list[int]] = defaultdict(list)
    for member_id, hours in credits_of(event).items():
        by_hours[hours].append(member_id)
    on = timezone.localtime(event.starts_at).date()
    for hours, member_ids in sorted(by_hours.items()):
        if event.hours == 0:
            break
        members = list(Member.objects.filter(pk__in=member_ids).select_related("org"))
        entry_record(
            actor=actor,
            members=members,
            on=on,
            hours=hours,
            kind=event.credit_kind,
            title=(title or event.title)[:200],
            topic=event.topic,
            concentrated=event.concentrated,
            online=event.online,
            source="event",
            reference=event.ledger_reference,
        )
    before = {"state": event.state}
    event.state = Event.State.CLOSED
    event.closed_at = timezone.now()
    event.closed_by_id = actor_id(actor)
    event.save(update_fields=["state", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        verb="event.close",
        obj=event,
        org=event.org,
        before=before,
        after={"state": event.state, "credited_members": sum(len(v) for v in by_hours.values())},
    )
    return event


@transaction.atomic
def event_reopen(*, actor: Actor, event: Event, reason: str, by_owner: bool = False) -> Event:
    """Reopen a closed event: its credits are reversed by reversing entries, never deleted."""
    event = _locked(event)
    require_manage(actor, event.org)
    _require_closes_alone(event, by_owner)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    if event.state != Event.State.CLOSED:
        raise ValidationError({"event": _("This event is not closed.")})
    reversals = entries_reverse_reference(
        actor=actor, reference=event.ledger_reference, reason=reason
    )
    event.state = Event.State.OPEN
    event.closed_at = None
    event.closed_by = None
    event.save(update_fields=["state", "closed_at", "closed_by"])
    audit_record(
        actor=actor,
        verb="event.reopen",
        obj=event,
        org=event.org,
        before={"state": "closed"},
        after={"state": "open", "reason": reason, "reversed_entries": len(reversals)},
    )
    return event


def attendance_counts(event: Event) -> dict[str, int]:
    counts = {status: 0 for status in Attendance.Status.values}
    for status in event.attendances.values_list("status", flat=True):
        counts[status] += 1
    return counts


# The editable settings: every field but the tenant (the sign-in reads them all with the event).
SETTINGS_FIELDS = list(EVENT_SETTINGS_FIELDS)
# Bounds that keep a projector usable: a code lives at most an hour, sign-in opens at most a
# day ahead.
SETTINGS_BOUNDS = {
    "qr_rotate_seconds": (5, 3600),
    "qr_valid_seconds": (5, 3600),
    "signin_opens_minutes": (0, 24 * 60),
    "late_after_minutes": (0, 24 * 60),
}


@transaction.atomic
def event_settings_update(*, actor: Actor, tenant: Organization, **fields: Any) -> EventSettings:
    """Change a tenant's attendance settings; only its org admins may."""
    tenant = tenant_of(tenant)
    require_admin(actor, tenant)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    # The row is created on the first change; until then the reads answer the defaults.
    rules, _created = EventSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = snapshot(rules, SETTINGS_FIELDS)
    errors: dict[str, str] = {}
    for name, value in fields.items():
        if name in ("late_credit", "left_early_credit"):
            if value not in CreditRule.values:
                errors[name] = _("Unknown value.")
                continue
        else:
            low, high = SETTINGS_BOUNDS[name]
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[name] = _("Enter a whole number.")
                continue
            if not low <= value <= high:
                errors[name] = _("Enter a number from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
                continue
        setattr(rules, name, value)
    if not errors and rules.qr_valid_seconds < rules.qr_rotate_seconds:
        errors["qr_valid_seconds"] = _(
            "A code must stay valid at least until the next one is shown."
        )
    if errors:
        raise ValidationError(errors)
    rules.save()
    audit_record(
        actor=actor,
        verb="events.settings",
        obj=rules,
        org=tenant,
        before=before,
        after=snapshot(rules, SETTINGS_FIELDS),
    )
    return rules
