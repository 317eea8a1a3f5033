"""Reads of the 调训情况通报 (seed 001: "建立健全调训情况通报制度、点名调训和补训制度"): for one class,
or for the classes an org's subtree held in a year, per unit given places — places (名额),
nominated (报名/点名, and of them named by the organiser), attended, completed — and the named
list of those dispatched who did not come.

Definitions (each tested by hand in `tests/test_circular.py`):
- a member's *unit* is the org whose places they took (`Enrolment.quota`); a member named by the
  organiser without places is counted under the deepest unit given places above their branch,
  else under the org just below the organiser that holds their branch (else their branch);
- *nominated*: enrolments put forward and not turned back or swapped for a substitute (states
  nominated, accepted, withdrawn; the substitute is counted in their own right); *named*: those
  of them named by the organiser (点名调训);
- *attended*: nominated members signed in (present, late or left early) at one session at least;
- *completed*: as the completion certificate judges it (`certificate_facts`): the class is
  closed, the member an accepted trainee not flagged for withdrawal, and the ledger stands at
  more than nothing for them from the class's sessions;
- *did not come*: accepted (or later withdrawn) members with no sign-in at any session that has
  ended; nobody is listed before the first session ends.
Cancelled and draft classes are left out. Constant queries whatever the number of classes,
units and members.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_read_org
from peixun.events.models import SIGNED_IN, Attendance
from peixun.hours.models import CreditEntry
from peixun.orgs.models import Organization

from ..models import Enrolment, Quota, Session, TrainingClass
from .classes import class_get

# States of an enrolment that count as nominated (put forward, not turned back, not swapped).
NOMINATED_STATES = (
    Enrolment.State.NOMINATED,
    Enrolment.State.ACCEPTED,
    Enrolment.State.WITHDRAWN,
)
# States of an enrolment whose member was dispatched (accepted, perhaps withdrawn later).
DISPATCHED_STATES = (Enrolment.State.ACCEPTED, Enrolment.State.WITHDRAWN)
COUNTED_CLASS_STATES = (TrainingClass.State.PUBLISHED, TrainingClass.State.CLOSED)


@dataclass
class UnitRow:
    org_id: int
    name: str
    path: str
    places: int = 0
    nominated: int = 0
    named: int = 0
    attended: int = 0
    completed: int = 0
    absent: int = 0


@dataclass(frozen=True)
class Absentee:
    member_id: int
    name: str
    unit_id: int
    unit: str
    branch: str
    class_title: str
    route: str
    route_label: Any
    reason: str


@dataclass
class Circular:
    """The 通报's figures: per unit (org-tree order) and in all, and who did not come."""

    organiser: Organization
    classes: list[TrainingClass]
    year: int | None
    units: list[UnitRow] = field(default_factory=list)
    absentees: list[Absentee] = field(default_factory=list)
    default_dated: dt.date | None = None
    default_addressee: str = ""

    @property
    def total(self) -> UnitRow:
        row = UnitRow(org_id=0, name=_("Total"), path="")
        for unit in self.units:
            row.places += unit.places
            row.nominated += unit.nominated
            row.named += unit.named
            row.attended += unit.attended
            row.completed += unit.completed
            row.absent += unit.absent
        return row

    @property
    def training_class(self) -> TrainingClass | None:
        return self.classes[0] if self.year is None and self.classes else None


def _unit_of(
    member_org: Organization,
    quota_orgs: list[Organization],
    organiser: Organization,
    above: dict[str, Organization],
) -> Organization:
    """The unit a member without places counts under (see the module's definitions)."""
    path = member_org.path
    holding = [o for o in quota_orgs if path.startswith(o.path)]
    if holding:
        return max(holding, key=lambda o: len(o.path))
    child_len = len(organiser.path) + Organization.steplen
    if len(path) > child_len and path.startswith(organiser.path):
        return above.get(path[:child_len], member_org)
    return member_org


def circular_figures(
    classes: list[TrainingClass], *, now: dt.datetime | None = None
) -> tuple[list[UnitRow], list[Absentee]]:
    """Per-unit figures and the absentees of `classes` (the caller checked access). Six queries."""
    now = now or timezone.now()
    ids = [c.pk for c in classes]
    by_id = {c.pk: c for c in classes}
    quotas = list(Quota.objects.filter(training_class_id__in=ids).select_related("org"))
    enrolments = list(
        Enrolment.objects.filter(training_class_id__in=ids, state__in=NOMINATED_STATES)
        .select_related("member__org", "quota__org")
        .order_by("member__org__path", "member__name", "id")
    )
    sessions = list(
        Session.objects.filter(training_class_id__in=ids).values_list(
            "training_class_id", "event_id", "event__ends_at"
        )
    )
    class_of_event = {event_id: class_id for class_id, event_id, _ends in sessions}
    ended: dict[int, set[int]] = defaultdict(set)
    for class_id, event_id, ends_at in sessions:
        if ends_at <= now:
            ended[class_id].add(event_id)
    signed_in: set[tuple[int, int]] = set()  # (class id, member id)
    on_leave: set[tuple[int, int]] = set()
    for event_id, member_id, status in Attendance.objects.filter(
        event_id__in=list(class_of_event)
    ).values_list("event_id", "member_id", "status"):
        key = (class_of_event[event_id], member_id)
        if status in SIGNED_IN:
            signed_in.add(key)
        elif status == Attendance.Status.LEAVE:
            on_leave.add(key)
    credited: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for reference, member_id, hours in (
        CreditEntry.objects.filter(
            reference__in=[f"event:{pk}" for pk in class_of_event],
            state=CreditEntry.State.CONFIRMED,
        )
        .values("reference", "member_id")
        .annotate(h=Sum("hours"))
        .values_list("reference", "member_id", "h")
        .order_by()
    ):
        event_id = int(reference.split(":", 1)[1])
        credited[(class_of_event[event_id], member_id)] += hours or Decimal(0)

    # Units: the orgs given places, and for members named without places the org above them.
    quota_orgs: dict[int, list[Organization]] = defaultdict(list)
    for quota in quotas:
        quota_orgs[quota.training_class_id].append(quota.org)
    wanted = set()
    for e in enrolments:
        if e.quota_id is None:
            organiser = by_id[e.training_class_id].org
            child_len = len(organiser.path) + Organization.steplen
            wanted.add(e.member.org.path[:child_len])
    above = {o.path: o for o in Organization.objects.filter(path__in=wanted)} if wanted else {}

    rows: dict[int, UnitRow] = {}

    def row_of(org: Organization) -> UnitRow:
        if org.pk not in rows:
            rows[org.pk] = UnitRow(org_id=org.pk, name=org.name, path=org.path)
        return rows[org.pk]

    for quota in quotas:
        row_of(quota.org).places += quota.places
    routes = dict(Enrolment.Route.choices)
    absentees: list[Absentee] = []
    for e in enrolments:
        training_class = by_id[e.training_class_id]
        unit = (
            e.quota.org
            if e.quota is not None
            else _unit_of(e.member.org, quota_orgs[training_class.pk], training_class.org, above)
        )
        row = row_of(unit)
        row.nominated += 1
        if e.route == Enrolment.Route.NAMED:
            row.named += 1
        key = (training_class.pk, e.member_id)
        if key in signed_in:
            row.attended += 1
        if (
            training_class.state == TrainingClass.State.CLOSED
            and e.state == Enrolment.State.ACCEPTED
            and not e.flagged_for_withdrawal
            and credited.get(key, Decimal(0)) > 0
        ):
            row.completed += 1
        if e.state in DISPATCHED_STATES and ended[training_class.pk] and key not in signed_in:
            row.absent += 1
            if e.state == Enrolment.State.WITHDRAWN:
                reason = _("Withdrawn") + (f"：{e.reason}" if e.reason else "")
            elif key in on_leave:
                reason = _("On leave")
            else:
                reason = _("Absent")
            absentees.append(
                Absentee(
                    member_id=e.member_id,
                    name=e.member.name,
                    unit_id=unit.pk,
                    unit=unit.name,
                    branch=e.member.org.name,
                    class_title=training_class.title,
                    route=e.route,
                    route_label=routes.get(e.route, e.route),
                    reason=reason,
                )
            )
    units = sorted(rows.values(), key=lambda r: r.path)
    order = {r.org_id: i for i, r in enumerate(units)}
    absentees.sort(key=lambda a: (order[a.unit_id], a.class_title, a.name))
    return units, absentees


def class_circular(*, actor: Actor, training_class: TrainingClass | int) -> Circular:
    """The 通报 of one class: 404 when the actor does not see the class; 403 when they see it
    but do not read its organiser (a unit given places reads its own roster instead)."""
    found = class_get(
        actor, training_class.pk if isinstance(training_class, TrainingClass) else training_class
    )
    if not can_read_org(actor, found.org):
        raise PermissionDenied(_("Only the organiser's staff read the dispatch circular."))
    units, absentees = circular_figures([found])
    return Circular(
        organiser=found.org,
        classes=[found],
        year=None,
        units=units,
        absentees=absentees,
        default_dated=found.closed_on or min(found.ends_on, timezone.localdate()),
        default_addressee="、".join(u.name for u in units)[:300],
    )


def org_year_classes(org: Organization, year: int) -> list[TrainingClass]:
    """The classes organised in `org`'s subtree starting in `year`, published or closed."""
    return list(
        TrainingClass.objects.filter(
            org__path__startswith=org.path,
            starts_on__year=year,
            state__in=COUNTED_CLASS_STATES,
        )
        .select_related("org")
        .order_by("starts_on", "id")
    )


def org_year_circular(*, actor: Actor, org: Organization | int, year: int) -> Circular:
    """The 通报 of the classes an org's subtree held in `year`, per unit summed over them; 404
    when the actor does not read the org."""
    pk = org.pk if isinstance(org, Organization) else org
    found = Organization.objects.visible_to(actor).filter(pk=pk).first()
    # A plain member sees their own branch, but the 通报 is for the org's staff.
    if found is None or not can_read_org(actor, found):
        raise Http404
    classes = org_year_classes(found, year)
    units, absentees = circular_figures(classes)
    today = timezone.localdate()
    closing_days = [c.closed_on for c in classes if c.closed_on]
    return Circular(
        organiser=found,
        classes=classes,
        year=year,
        units=units,
        absentees=absentees,
        default_dated=max(closing_days) if closing_days else min(dt.date(year, 12, 31), today),
        default_addressee=_("All units concerned"),
    )


def circular_member_ids(circular: Circular) -> list[int]:
    """The members a 通报 names (for the audit of its export)."""
    return [a.member_id for a in circular.absentees]


__all__ = [
    "Absentee",
    "Circular",
    "UnitRow",
    "circular_figures",
    "circular_member_ids",
    "class_circular",
    "org_year_circular",
    "org_year_classes",
]
