"""Sites (现场教学点, 红色教育基地, 廉政警示教育基地, 党建阵地) kept by an org and open to a subtree, and
the bookings units make of them (seed 003: the units' 党建阵地 should not serve only their own
members). A site is never double-booked: on PostgreSQL an exclusion constraint says so; on
SQLite, which has none, the booking service checks the same rule after locking the site row."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import Scope, ScopedQuerySet, scope_of
from peixun.members.models import Member
from peixun.orgs.models import ancestor_paths


class SiteKind(models.TextChoices):
    TEACHING = "teaching", _("On-site teaching point")  # 现场教学点
    RED = "red", _("Red education base")  # 红色教育基地
    INTEGRITY = "integrity", _("Integrity warning education base")  # 廉政警示教育基地
    PARTY_VENUE = "party_venue", _("Party-building venue")  # 党建阵地


class LimitPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


def _shared_condition(scope: Scope, open_to_path: str) -> Q | None:
    """Who else sees a shared row: a reader anywhere inside the subtree it is open to (their
    path lies below `open_to`'s), and a member whose branch lies inside it."""
    cond = Q()
    for path in scope.read_paths:
        cond |= Q(**{f"{open_to_path}__in": ancestor_paths(path)})
    if scope.member_id:
        cond |= Q(
            Exists(
                Member.objects.filter(
                    pk=scope.member_id, org__path__startswith=OuterRef(open_to_path)
                )
            )
        )
    return cond or None


class SiteQuerySet(ScopedQuerySet):
    """Readers of the owner's subtree and above, and anyone inside the subtree it is open to."""

    scope_path_field = "org__path"

    def self_condition(self, scope: Scope) -> Q | None:
        return _shared_condition(scope, "open_to__path")

    def active(self) -> SiteQuerySet:
        return self.filter(active=True)

    def bookable_by(self, actor: Any) -> SiteQuerySet:
        """Active sites open to an org the actor manages (who may ask to book them)."""
        scope = scope_of(actor)
        if scope.platform:
            return self.active()
        cond = Q()
        for path in scope.manage_paths:
            cond |= Q(open_to__path__in=ancestor_paths(path)) | Q(org__path__startswith=path)
        if not cond:
            return self.none()
        return self.active().filter(cond)


class Site(models.Model):
    """One place units may book for a class session or a meeting."""

    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    open_to = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("open to"),
        on_delete=models.PROTECT,
        related_name="shared_sites",
    )
    name = models.CharField(_("site name"), max_length=200)
    address = models.CharField(_("site address"), max_length=300)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    opening_hours = models.CharField(_("opening times"), max_length=200, blank=True)
    # The windows a booking must fall in, checked by the booking service: ISO weekdays as digits
    # ("12345" = Monday to Friday; empty = any day) and a daily time range (both or neither).
    open_weekdays = models.CharField(_("open on weekdays"), max_length=7, blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    contact = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    description = models.TextField(_("description"), blank=True)
    # At most `booking_limit` bookings (asked or confirmed) by one unit per period; none: no limit.
    booking_limit = models.PositiveSmallIntegerField(
        _("bookings allowed per unit"), null=True, blank=True
    )
    limit_period = models.CharField(
        _("limit period"), max_length=8, choices=LimitPeriod.choices, default=LimitPeriod.MONTH
    )
    active = models.BooleanField(_("taking bookings"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["org", "name"], name="site_org_name_idx"),
            models.Index(fields=["kind", "name"], name="site_kind_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="site_capacity_positive"),
            models.CheckConstraint(condition=Q(kind__in=SiteKind.values), name="site_kind_known"),
            models.CheckConstraint(
                condition=(Q(opens_at__isnull=True) & Q(closes_at__isnull=True))
                | (
                    Q(opens_at__isnull=False)
                    & Q(closes_at__isnull=False)
                    & Q(closes_at__gt=F("opens_at"))
                ),
                name="site_hours_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(booking_limit__isnull=True) | Q(booking_limit__gt=0),
                name="site_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


# The states that hold a slot: a refused or cancelled booking frees it.
HOLDING = (BookingState.REQUESTED, BookingState.CONFIRMED)


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint created on PostgreSQL only. SQLite has no such constraint; there
    the service that writes the rows checks the same rule in its transaction (bookings.py)."""

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(
        self, model: Any, instance: Any, exclude: Any = None, using: Any = "default"
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class BookingQuerySet(ScopedQuerySet):
    """Readers of the booking unit, and readers of the site's owner (who decide)."""

    scope_path_field = "org__path"

    def self_condition(self, scope: Scope) -> Q | None:
        cond = Q()
        for path in scope.read_paths:
            cond |= Q(site__org__path__startswith=path)
        return cond or None

    def holding(self) -> BookingQuerySet:
        return self.filter(state__in=HOLDING)


class Booking(models.Model):
    """A unit's booking of a site for a time, perhaps for one of its meetings or sessions."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="bookings"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("booking unit"),
        on_delete=models.PROTECT,
        related_name="site_bookings",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("meeting or session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="site_bookings",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    people = models.PositiveIntegerField(_("people expected"))
    purpose = models.CharField(_("purpose"), max_length=200)
    state = models.CharField(
        _("state"), max_length=16, choices=BookingState.choices, default=BookingState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["site", "starts_at"], name="booking_site_start_idx"),
            models.Index(fields=["org", "starts_at"], name="booking_org_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(people__gt=0), name="booking_people_positive"),
            models.CheckConstraint(
                condition=Q(state__in=BookingState.values), name="booking_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state=BookingState.REFUSED) | ~Q(reason=""),
                name="booking_refusal_has_reason",
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlap",
                expressions=[
                    ("site", RangeOperators.EQUAL),
                    (
                        TsTzRange("starts_at", "ends_at", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(state__in=[s.value for s in HOLDING]),
                violation_error_message=_("This site is already booked at that time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def holds_slot(self) -> bool:
        return self.state in HOLDING
