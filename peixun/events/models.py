"""Events with attendance: a class session and a branch meeting are the same thing here.

Credits flow from attendance × the event's hours when the event is closed (`event_close`), and
are reversed by reversing ledger entries when it is reopened. Who is expected at an event is
decided by the app that owns its category (see `registry.py`).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import MemberOwnedQuerySet, Scope, ScopedQuerySet
from peixun.hours.models import Kind, Topic


def new_signin_secret() -> str:
    return secrets.token_hex(16)


class EventQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def self_condition(self, scope: Scope) -> Q | None:
        # A member sees the events they attended or asked leave for.
        if not scope.member_id:
            return None
        return Q(
            Exists(Attendance.objects.filter(event=OuterRef("pk"), member_id=scope.member_id))
        ) | Q(Exists(LeaveRequest.objects.filter(event=OuterRef("pk"), member_id=scope.member_id)))


class Event(models.Model):
    """One dated activity with attendance: a session of a class, or a meeting."""

    class Category(models.TextChoices):
        SESSION = "session", _("Class session")
        MEETING = "meeting", _("Meeting")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed (hours credited)")

    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, default=Topic.OTHER)
    # The ledger kind the credits are written with (a class session: concentrated training).
    credit_kind = models.CharField(
        _("credited as"), max_length=24, choices=Kind.choices, default=Kind.CONCENTRATED_TRAINING
    )
    concentrated = models.BooleanField(_("concentrated"), default=True)
    online = models.BooleanField(_("online"), default=False)
    signout_required = models.BooleanField(_("sign-out required"), default=False)
    # Secret of the rotating QR tokens; never shown, never sent except inside a token's MAC.
    signin_secret = models.CharField(max_length=32, default=new_signin_secret, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["org", "starts_at"], name="event_org_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="event_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ledger_reference(self) -> str:
        """The `reference` of every ledger entry this event credits: how reopening finds them."""
        return f"event:{self.pk}"


class AttendanceQuerySet(MemberOwnedQuerySet):
    scope_path_field = "event__org__path"


class Attendance(models.Model):
    """Who was at an event. One row per member and event: scanning again changes nothing."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        ABSENT = "absent", _("Absent")
        LEAVE = "leave", _("On leave")

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        MANUAL = "manual", _("Marked by hand")
        IMPORT = "import", _("Imported")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="attendance_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.member_id}: {self.status}"


# The statuses of a member who was in the room (signed in, or marked so).
SIGNED_IN = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)


class LeaveRequestQuerySet(MemberOwnedQuerySet):
    scope_path_field = "event__org__path"


class LeaveRequest(models.Model):
    """A member asks to miss an event; the organiser or the member's secretary decides."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="leave_requests"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="leave_requests",
    )
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    objects = LeaveRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one live request per member and event; a cancelled or rejected one may be
            # followed by a new request.
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(state__in=["pending", "approved"]),
                name="leave_one_live_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.member_id}: {self.state}"


class CreditRule(models.TextChoices):
    FULL = "full", _("Full hours")
    HALF = "half", _("Half the hours")
    NONE = "none", _("No hours")


class EventSettings(models.Model):
    """Per-tenant settings of attendance and QR sign-in, keyed by the tenant's root org."""

    tenant = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        related_name="event_settings",
    )
    late_credit = models.CharField(
        _("a late arrival earns"), max_length=8, choices=CreditRule.choices, default=CreditRule.FULL
    )
    left_early_credit = models.CharField(
        _("leaving early earns"), max_length=8, choices=CreditRule.choices, default=CreditRule.HALF
    )
    qr_rotate_seconds = models.PositiveSmallIntegerField(
        _("new QR code every (seconds)"), default=30
    )
    qr_valid_seconds = models.PositiveSmallIntegerField(
        _("a QR code is valid for (seconds)"), default=60
    )
    signin_opens_minutes = models.PositiveSmallIntegerField(
        _("sign-in opens before the start (minutes)"), default=30
    )
    # Arriving this many minutes after the start is recorded as late.
    late_after_minutes = models.PositiveSmallIntegerField(_("late after (minutes)"), default=10)

    class Meta:
        verbose_name = _("attendance settings")
        verbose_name_plural = _("attendance settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(qr_valid_seconds__gte=models.F("qr_rotate_seconds")),
                name="event_settings_qr_valid_covers_rotation",
            ),
            models.CheckConstraint(
                condition=Q(qr_rotate_seconds__gte=5), name="event_settings_qr_rotate_min"
            ),
        ]

    def __str__(self) -> str:
        return f"event settings of {self.tenant_id}"

    def credit_for(self, status: str, hours: Decimal) -> Decimal:
        """The hours an attendance status earns of an event worth `hours`."""
        if status == Attendance.Status.PRESENT:
            return hours
        rule = {
            Attendance.Status.LATE: self.late_credit,
            Attendance.Status.LEFT_EARLY: self.left_early_credit,
        }.get(status)  # type: ignore[call-overload]
        if rule == CreditRule.FULL:
            return hours
        if rule == CreditRule.HALF:
            # Ledger hours go in quarter steps: round half the hours down to a quarter.
            return (hours / 2 / Decimal("0.25")).to_integral_value(
                rounding="ROUND_FLOOR"
            ) * Decimal("0.25")
        return Decimal(0)
