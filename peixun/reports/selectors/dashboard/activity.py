"""Tiles about activities: regularity of each required meeting kind (orglife), classes held and
person-times (training), exam participation and pass rates (exams), plan execution (plans).
Each reads through its app's own selectors or the same rule in one aggregate query, scoped to
what the actor may read, and counts what happened from 1 January to the as-of date."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.exams.models import Attempt, Candidate, Exam
from peixun.members.models import Member
from peixun.orglife.logic import REQUIRED_KINDS, periods_of
from peixun.orglife.models import REQUIRED_FREQUENCY, Frequency, Meeting, MeetingKind
from peixun.orglife.selectors import branches_below
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem, TrainingPlan
from peixun.plans.selectors import items_progress
from peixun.surveys.selectors.evaluations import year_evaluation_summary
from peixun.training.models import ClassKind, Enrolment, TrainingClass
from peixun.training.selectors import classes_visible

from .base import COUNT, PERCENT, ChildRow, Figure, Frame, Tile, child_of, percent


def _day_end(day: dt.date) -> dt.datetime:
    """The first instant after `day`, local time (for datetime fields)."""
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


# -- regularity ---------------------------------------------------------------------------------


def _period_index(frequency: str, month: int) -> int:
    """The period of a required frequency that month (0-based) falls in."""
    if frequency == Frequency.MONTHLY:
        return month
    if frequency == Frequency.QUARTERLY:
        return month // 3
    return 0


def branch_regularity(frame: Frame) -> dict[int, tuple[Organization, set[str]]]:
    """Each open branch of the subtree with the required kinds it has missed so far: a period
    of the kind that ended before the as-of date without a meeting. The orglife regularity
    rule (`orglife.logic.calendar_for`: such a period is "missed"), counted in the database per
    (branch, kind) and local month up to the as-of date, in one query; the tests check it
    against `branch_calendars`."""
    branches = {b.pk: b for b in branches_below(frame.org)}
    end = _day_end(frame.as_of)
    months = [
        (
            month,
            _day_start(dt.date(frame.year, month + 1, 1)),
            min(end, _day_start(dt.date(frame.year + (month == 11), (month + 1) % 12 + 1, 1))),
        )
        for month in range(12)
        if dt.date(frame.year, month + 1, 1) <= frame.as_of
    ]
    counts = {
        f"m{month}": Count("pk", filter=Q(event__starts_at__gte=first, event__starts_at__lt=last))
        for month, first, last in months
    }
    held = (
        Meeting.objects.filter(
            kind__in=REQUIRED_KINDS,
            event__org__in=list(branches),
            event__starts_at__gte=_day_start(frame.start),
            event__starts_at__lt=end,
        )
        .values("event__org_id", "kind")
        .annotate(**counts)
        .order_by()
    )
    done: dict[tuple[int, str], set[int]] = defaultdict(set)
    for row in held:
        frequency = REQUIRED_FREQUENCY[row["kind"]]
        for month, _first, _last in months:
            if row[f"m{month}"]:
                done[(row["event__org_id"], row["kind"])].add(_period_index(frequency, month))
    due = {
        kind: [
            i
            for i, (_label, _first, last) in enumerate(
                periods_of(REQUIRED_FREQUENCY[kind], frame.year)
            )
            if last < frame.as_of
        ]
        for kind in REQUIRED_KINDS
    }
    return {
        pk: (
            branch,
            {k for k in REQUIRED_KINDS if any(i not in done[(pk, k)] for i in due[k])},
        )
        for pk, branch in branches.items()
    }


def regularity_tile(frame: Frame) -> Tile:
    """Per required meeting kind (支部党员大会, 支委会, 党小组会, 党课 …), the share of open branches
    of the subtree that held it in every period ended by the as-of date; per child, the branches
    regular in every kind (the orglife regularity pages' rule)."""
    missed = list(branch_regularity(frame).values())
    labels = dict(MeetingKind.choices)
    is_branch = frame.org.kind == Organization.Kind.BRANCH
    page = reverse("orglife:regularity" if is_branch else "orglife:regularity_overview")
    page += "?" + frame.query(frame.org)
    figures = [
        Figure(
            "regular",
            _("Branches regular in every kind"),
            sum(1 for _b, kinds in missed if not kinds),
            COUNT,
            page,
        ),
        Figure("branches", _("Branches"), len(missed), COUNT, page),
    ]
    for kind in REQUIRED_KINDS:
        regular = sum(1 for _b, kinds in missed if kind not in kinds)
        figures.append(
            Figure(f"kind:{kind}", str(labels[kind]), percent(regular, len(missed)), PERCENT, page)
        )
    per_child: dict[int, list[bool]] = defaultdict(list)
    for branch, kinds in missed:
        child = child_of(frame, branch.path)
        if child is not None:
            per_child[child.pk].append(not kinds)
    rows = []
    for child in frame.children:
        flags = per_child.get(child.pk)
        if not flags:
            continue
        child_page = reverse(
            "orglife:regularity"
            if child.kind == Organization.Kind.BRANCH
            else "orglife:regularity_overview"
        )
        child_page += "?" + frame.query(child)
        regular = sum(flags)
        rows.append(
            ChildRow(
                child.pk,
                child.name,
                frame.dashboard_url(child),
                [
                    Figure("regular", _("Regular"), regular, COUNT, child_page),
                    Figure("branches", _("Branches"), len(flags), COUNT, child_page),
                    Figure("share", _("Share regular"), percent(regular, len(flags)), PERCENT),
                ],
            )
        )
    by_kind = [f for f in figures if f.key.startswith("kind:")]
    return Tile(
        key="regularity",
        title=_("Regularity of branch meetings"),
        figures=figures,
        children=rows,
        chart={
            "categories": [f.label for f in by_kind],
            "series": [{"name": _("Share regular"), "data": [f.value for f in by_kind]}],
            "percent": True,
        },
        note=_(
            "A branch is regular in a kind when it held that meeting in every period due so far."
        ),
        url=page,
    )


# -- training -----------------------------------------------------------------------------------


def _classes_held(frame: Frame) -> Any:
    """Closed classes of the year (first day from 1 January to the as-of date) organised in the
    org's subtree, among those the actor may see."""
    return classes_visible(frame.actor).filter(
        org__path__startswith=frame.org.path,
        state=TrainingClass.State.CLOSED,
        starts_on__gte=frame.start,
        starts_on__lte=frame.as_of,
    )


def training_tile(frame: Frame) -> Tile:
    """Classes held (closed classes organised in the subtree) by kind, and person-times (人次):
    the accepted places of members of the subtree in any closed class of the year, whoever
    organised it. Per child: the classes its subtree organised, its members' places."""
    classes = list(_classes_held(frame).values_list("pk", "kind", "org__path"))
    members = Member.objects.visible_to(frame.actor).filter(org__path__startswith=frame.org.path)
    places = list(
        Enrolment.objects.accepted()
        .filter(
            training_class__state=TrainingClass.State.CLOSED,
            training_class__starts_on__gte=frame.start,
            training_class__starts_on__lte=frame.as_of,
            member__in=members,
        )
        .values_list("member__org__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_kind = Counter(kind for _pk, kind, _path in classes)
    listing = reverse("training:list")

    def list_url(org: Organization, **extra: Any) -> str:
        query = {"year": frame.year, "state": "closed", "org": org.pk, **extra}
        return listing + "?" + "&".join(f"{k}={v}" for k, v in query.items())

    figures = [
        Figure("classes", _("Classes held"), len(classes), COUNT, list_url(frame.org)),
        Figure("person_times", _("Person-times"), sum(n for _p, n in places), COUNT),
    ]
    for kind, label in ClassKind.choices:
        if by_kind.get(kind):
            figures.append(
                Figure(
                    f"kind:{kind}", str(label), by_kind[kind], COUNT, list_url(frame.org, kind=kind)
                )
            )
    class_count: Counter[int] = Counter()
    place_count: Counter[int] = Counter()
    for _pk, _kind, path in classes:
        if (child := child_of(frame, path)) is not None:
            class_count[child.pk] += 1
    for path, n in places:
        if (child := child_of(frame, path)) is not None:
            place_count[child.pk] += n
    rows = [
        ChildRow(
            child.pk,
            child.name,
            frame.dashboard_url(child),
            [
                Figure("classes", _("Classes held"), class_count[child.pk], COUNT, list_url(child)),
                Figure("person_times", _("Person-times"), place_count[child.pk], COUNT),
            ],
        )
        for child in frame.children
    ]
    kinds = [f for f in figures if f.key.startswith("kind:")]
    return Tile(
        key="training",
        title=_("Classes and person-times"),
        figures=figures,
        children=rows,
        chart={
            "categories": [f.label for f in kinds],
            "series": [{"name": _("Classes held"), "data": [f.value for f in kinds]}],
        },
        note=_(
            "Closed classes whose first day falls in the year up to the date shown; person-times "
            "are the accepted places of this organization's members in them."
        ),
        url=list_url(frame.org),
    )


# -- exams --------------------------------------------------------------------------------------


def exams_tile(frame: Frame) -> Tile:
    """Exams opened in the year up to the as-of date (cancelled ones apart) with candidates in the
    subtree: candidates, takers (a submitted attempt), passed (best attempt at the pass mark) —
    the exams results page's own counting (`exams.selectors.branch_results`), per exam and per
    child org. Participation = takers / candidates, pass rate = passed / takers."""
    exams = (
        Exam.objects.visible_to(frame.actor)
        .exclude(state=Exam.State.CANCELLED)
        .filter(opens_at__gte=_day_start(frame.start), opens_at__lt=_day_end(frame.as_of))
    )
    candidates = list(
        Candidate.objects.visible_to(frame.actor)
        .filter(exam__in=exams, org__path__startswith=frame.org.path)
        .values_list("exam_id", "org__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    best = list(
        Attempt.objects.visible_to(frame.actor)
        .filter(exam__in=exams, org__path__startswith=frame.org.path, submitted_at__isnull=False)
        .values_list("exam_id", "member_id", "org__path", "exam__pass_percent")
        .annotate(best=Max("percent"))
        .order_by()
    )
    expected: Counter[Any] = Counter()
    took: Counter[Any] = Counter()
    passed: Counter[Any] = Counter()
    for exam_id, path, n in candidates:
        child = child_of(frame, path)
        for key in (None, exam_id, child.pk if child else "own"):
            expected[key] += n
    for exam_id, _member, path, mark, score in best:
        child = child_of(frame, path)
        ok = (score or 0) >= mark
        for key in (None, exam_id, child.pk if child else "own"):
            took[key] += 1
            passed[key] += ok

    def figures(key: Any) -> list[Figure]:
        return [
            Figure("candidates", _("Candidates"), expected[key]),
            Figure("took", _("Took the test"), took[key]),
            Figure("participation", _("Participation"), percent(took[key], expected[key]), PERCENT),
            Figure("passed", _("Passed"), passed[key]),
            Figure("pass_rate", _("Pass rate"), percent(passed[key], took[key]), PERCENT),
        ]

    exam_ids = {exam_id for exam_id, _p, _n in candidates}
    lines = [
        {
            "title": exam.title,
            "opens_at": timezone.localtime(exam.opens_at).date().isoformat(),
            "url": reverse("exams:detail", args=[exam.pk]),
            **{f.key: f.value for f in figures(exam.pk)},
        }
        for exam in exams.filter(pk__in=exam_ids).order_by("opens_at", "pk")
    ]
    rows = [
        ChildRow(child.pk, child.name, frame.dashboard_url(child), figures(child.pk))
        for child in frame.children
        if expected[child.pk]
    ]
    tile_figures = figures(None)
    tile_figures.insert(0, Figure("exams", _("Exams"), len(exam_ids), COUNT, reverse("exams:list")))
    return Tile(
        key="exams",
        title=_("Exam participation and pass rates"),
        figures=tile_figures,
        children=rows,
        rows=lines,
        chart={
            "categories": [r.org_name for r in rows],
            "series": [
                {
                    "name": _("Participation"),
                    "data": [r.figure("participation").value for r in rows],
                },
                {"name": _("Pass rate"), "data": [r.figure("pass_rate").value for r in rows]},
            ],
            "percent": True,
        },
        note=_(
            "Exams opened in the year up to the date shown; a member who took the test counts "
            "once, by their best attempt."
        ),
        url=reverse("exams:list"),
    )


# -- plans --------------------------------------------------------------------------------------


def plans_tile(frame: Frame) -> Tile:
    """Plan execution: the items of the year's plans of orgs in the subtree, each judged by the
    plans app's own progress rule (`plans.selectors.items_progress`) as of the date: done (100 %),
    overdue (past its deadline and not done), and the mean progress of the items."""
    plans = TrainingPlan.objects.visible_to(frame.actor).filter(
        org__path__startswith=frame.org.path, year=frame.year
    )
    items = list(
        PlanItem.objects.filter(plan__in=plans)
        .select_related("plan__org")
        .order_by("plan__org__path", "position", "pk")
    )
    progress = items_progress(items, frame.as_of)
    plan_list = reverse("plans:list") + f"?year={frame.year}"

    def figures(rows: list[Any], url: str = "") -> list[Figure]:
        mean = (
            (Decimal(sum(r.percent for r in rows)) / len(rows)).quantize(Decimal("0.1"))
            if rows
            else None
        )
        return [
            Figure("items", _("Plan items"), len(rows), COUNT, url),
            Figure("done", _("Done"), sum(1 for r in rows if r.percent >= 100), COUNT, url),
            Figure("overdue", _("Overdue"), sum(1 for r in rows if r.overdue), COUNT, url),
            Figure("progress", _("Mean progress"), mean, PERCENT, url),
        ]

    per_child: dict[int, list[Any]] = defaultdict(list)
    per_plan: dict[int, list[Any]] = defaultdict(list)
    for row in progress:
        per_plan[row.item.plan_id].append(row)
        child = child_of(frame, row.item.plan.org.path)
        if child is not None:
            per_child[child.pk].append(row)
    lines = []
    for rows_of_plan in per_plan.values():
        plan = rows_of_plan[0].item.plan
        lines.append(
            {
                "title": plan.title,
                "org": plan.org.name,
                "url": reverse("plans:detail", args=[plan.pk]),
                **{f.key: f.value for f in figures(rows_of_plan)},
            }
        )
    rows = [
        ChildRow(child.pk, child.name, frame.dashboard_url(child), figures(per_child[child.pk]))
        for child in frame.children
        if per_child.get(child.pk)
    ]
    return Tile(
        key="plans",
        title=_("Plan execution"),
        figures=figures(progress, plan_list),
        children=rows,
        rows=lines,
        chart={
            "categories": [line["title"] for line in lines],
            "series": [{"name": _("Mean progress"), "data": [line["progress"] for line in lines]}],
            "percent": True,
        },
        note=_("Items of the year's training plans, judged by what closed activities delivered."),
        url=plan_list,
    )


def evaluations_tile(frame: Frame) -> Tile:
    """Teaching evaluations: the year's evaluations run in the subtree and their average
    satisfaction over the results that are shown (the surveys app's own rule,
    `surveys.selectors.evaluations.year_evaluation_summary`, threshold included)."""
    summary = year_evaluation_summary(actor=frame.actor, year=frame.year, org=frame.org)
    url = reverse("surveys:evaluations") + f"?year={frame.year}"
    return Tile(
        key="evaluations",
        title=_("Teaching evaluations"),
        figures=[
            Figure("run", _("Evaluations run"), summary.run, COUNT, url),
            Figure("shown", _("With results shown"), summary.shown, COUNT, url),
            Figure("satisfaction", _("Average satisfaction (of 5)"), summary.average, COUNT, url),
        ],
        note=_(
            "Evaluations opened this year; the average counts only those with enough responses "
            "to show their results."
        ),
        url=url,
    )
