"""Computing the catalogue's figures for an org's subtree and a period, with a few aggregate
queries each, whatever the number of members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from peixun.core.scoping import Actor
from peixun.events.models import Attendance
from peixun.exams.models import Attempt, Candidate, Exam
from peixun.hours.models import CreditEntry
from peixun.hours.selectors import org_compliance, period_hours, yearly_hours
from peixun.members.selectors import period_member_count
from peixun.orglife.models import Meeting, MeetingKind
from peixun.orglife.selectors import regularity_overview
from peixun.orgs.models import Organization
from peixun.spending.models import Fund
from peixun.spending.selectors import spending_totals
from peixun.training.models import ClassKind, Enrolment, TrainingClass

from .definitions import (
    ACTIVITY_KINDS,
    CATALOGUE,
    LOW_PARTICIPATION,
    PRESENT,
    Computed,
    FigureValue,
    Number,
    ReportPeriod,
    share_of,
)


def _people(actor: Actor, org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    by_year: dict[int, Number] = {
        y: period_member_count(
            actor=actor, org=org, start=dt.date(y, 1, 1), end=period.year_period(y).end
        )
        for y in period.years
    }
    return {
        "members_end": Computed(
            period_member_count(actor=actor, org=org, start=period.end, end=period.end)
        ),
        "members_period": Computed(
            period_member_count(actor=actor, org=org, start=period.start, end=period.end),
            by_year=by_year,
        ),
        "branches": Computed(
            Organization.objects.filter(path__startswith=org.path, kind=Organization.Kind.BRANCH)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
            .count()
        ),
    }


def _meetings(org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    held = Meeting.objects.filter(
        event__org__path__startswith=org.path,
        event__starts_at__gte=period.start_at,
        event__starts_at__lt=period.end_before,
    )
    sessions = dict(held.order_by().values_list("kind").annotate(n=Count("pk")))
    people = dict(
        Attendance.objects.filter(event__meeting__in=held.values("pk"), status__in=PRESENT)
        .order_by()
        .values_list("event__meeting__kind")
        .annotate(n=Count("pk"))
    )
    out = {"central_group_sessions": Computed(sessions.get(MeetingKind.CENTRAL_GROUP, 0))}
    for kind in ACTIVITY_KINDS:
        out[f"{kind}_sessions"] = Computed(sessions.get(kind, 0))
        out[f"{kind}_person_times"] = Computed(people.get(kind, 0))
    return out


def held_classes(org: Organization, period: ReportPeriod) -> Any:
    """The classes a report counts: organised in the subtree, closed, held within the period."""
    return TrainingClass.objects.filter(
        org__path__startswith=org.path,
        state=TrainingClass.State.CLOSED,
        starts_on__gte=period.start,
        ends_on__lte=period.end,
    )


def _classes(org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    classes = held_classes(org, period)
    by_kind = dict(classes.order_by().values_list("kind").annotate(n=Count("pk")))
    accepted = Enrolment.objects.accepted().filter(training_class__in=classes.values("pk"))
    enrolled = dict(accepted.order_by().values_list("training_class_id").annotate(n=Count("pk")))
    came_to_class = Attendance.objects.filter(
        member_id=OuterRef("member_id"),
        event__session__training_class_id=OuterRef("training_class_id"),
        status__in=PRESENT,
    )
    came = dict(
        accepted.filter(Exists(came_to_class))
        .order_by()
        .values_list("training_class_id")
        .annotate(n=Count("member", distinct=True))
    )
    low = sum(
        1 for pk, n in enrolled.items() if n and Decimal(came.get(pk, 0)) / n < LOW_PARTICIPATION
    )
    trained = dict(accepted.order_by().values_list("training_class__kind").annotate(n=Count("pk")))
    kinds = [(kind, str(label)) for kind, label in ClassKind.choices if by_kind.get(kind)]
    return {
        "classes": Computed(
            sum(by_kind.values()), parts=[(label, by_kind[kind]) for kind, label in kinds]
        ),
        "class_person_times": Computed(
            sum(enrolled.values()), parts=[(label, trained.get(kind, 0)) for kind, label in kinds]
        ),
        "low_participation_classes": Computed(low),
    }


def _online(org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    rows = (
        CreditEntry.objects.confirmed()
        .filter(
            # The subtree's orgs as a subquery: the ledger's (org, year) index does the rest.
            org__in=Organization.objects.filter(path__startswith=org.path).values("pk"),
            year__in=period.years,
            online=True,
            on__gte=period.start,
            on__lte=period.end,
        )
        .order_by()
        .values_list("year")
        .annotate(h=Sum("hours"))
    )
    by_year: dict[int, Number] = {y: Decimal(0) for y in period.years}
    for year, hours in rows:
        by_year[year] = hours or Decimal(0)
    total = sum((Decimal(v or 0) for v in by_year.values()), Decimal(0))
    return {"online_hours": Computed(total, by_year=by_year)}


def _exams(org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    candidates = Candidate.objects.filter(
        org__path__startswith=org.path,
        exam__state__in=[Exam.State.PUBLISHED, Exam.State.FINALISED],
        exam__opens_at__gte=period.start_at,
        exam__opens_at__lt=period.end_before,
    )
    total = candidates.count()
    submitted = Attempt.objects.filter(
        exam_id=OuterRef("exam_id"),
        member_id=OuterRef("member_id"),
        submitted_at__isnull=False,
        submitted_at__lt=period.end_before,
    )
    took_count = candidates.filter(Exists(submitted)).count()
    passed_count = candidates.filter(Exists(submitted.filter(passed=True))).count()
    return {
        "exam_candidates": Computed(total),
        "exam_participation": Computed(share_of(took_count, total)),
        "exam_pass_rate": Computed(share_of(passed_count, took_count)),
    }


def _hours(actor: Actor, org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    years = yearly_hours(
        actor=actor,
        org=org,
        first_year=period.first_year,
        last_year=period.end.year,
        as_of=period.end,
    )
    # One year: the year is the whole period (no second pass over the same ledger).
    whole = (
        years[0]
        if len(years) == 1
        else period_hours(
            actor=actor, org=org, start=period.start, end=period.end, as_of=period.end
        )
    )
    behind = org_compliance(actor=actor, org=org, year=period.end.year, as_of=period.end)
    return {
        "average_hours": Computed(
            whole.average_hours, by_year={h.start.year: h.average_hours for h in years}
        ),
        "coverage": Computed(whole.coverage, by_year={h.start.year: h.coverage for h in years}),
        "members_behind": Computed(
            behind.summary.behind,
            parts=[
                (behind.summary.rule_names[rule], counts.get("behind", 0))
                for rule, counts in behind.summary.per_rule.items()
            ],
        ),
    }


def _spending(actor: Actor, org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    totals = spending_totals(actor=actor, org=org, start=period.start, end=period.end)
    parts: list[tuple[str, Number]] = [
        (str(label), totals.by_fund.get(fund, Decimal(0))) for fund, label in Fund.choices
    ]
    return {
        "spending_total": Computed(totals.total, parts=parts),
        "spending_party_dues": Computed(totals.by_fund.get(Fund.PARTY_DUES, Decimal(0))),
    }


def _regularity(org: Organization, period: ReportPeriod) -> dict[str, Computed]:
    irregular: set[int] = set()
    by_year: dict[int, Number] = {}
    for year in period.years:
        overview = regularity_overview(org, year, today=period.year_period(year).end)
        year_orgs = {o.pk for share in overview.shares for o, _periods in share.irregular}
        by_year[year] = len(year_orgs)
        irregular |= year_orgs
    return {"irregular_branches": Computed(len(irregular), by_year=by_year)}


def report_figures(
    *, actor: Actor, org: Organization, period: ReportPeriod
) -> dict[str, FigureValue]:
    """Every figure of the catalogue for the subtree of `org` and `period`, in catalogue order.
    The caller has checked that the actor reads `org` (`report_org`)."""
    computed: dict[str, Computed] = {}
    computed.update(_people(actor, org, period))
    computed.update(_meetings(org, period))
    computed.update(_classes(org, period))
    computed.update(_online(org, period))
    computed.update(_exams(org, period))
    computed.update(_regularity(org, period))
    computed.update(_hours(actor, org, period))
    computed.update(_spending(actor, org, period))
    out: dict[str, FigureValue] = {}
    for definition in CATALOGUE:
        c = computed.get(definition.key)
        if c is None:
            continue
        out[definition.key] = FigureValue(
            key=definition.key,
            label=str(definition.label),
            definition=str(definition.definition),
            unit=definition.unit,
            value=c.value,
            url=definition.drill(org, period),
            section=definition.section,
            parts=c.parts,
            by_year=c.by_year,
        )
    return out
