"""The figure catalogue's definitions: the period, the units, each figure's key, label,
definition, unit and drill-down page. `computing` computes their values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.docxstyle import chinese_date
from peixun.core.scoping import Actor, can_read_org, get_visible_or_404
from peixun.events.models import Attendance
from peixun.orglife.models import MeetingKind
from peixun.orgs.models import Organization

FIRST_REPORT_YEAR = 2000
MAX_REPORT_YEARS = 10
# A class whose accepted trainees came to fewer than this share of it is "low participation".
LOW_PARTICIPATION = Decimal("0.8")
PRESENT = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)
# The activities a branch holds when it chooses, counted by the report (issue 14: 专家讲座, 报告会,
# 读书班, 现场教学).
ACTIVITY_KINDS = (
    MeetingKind.EXPERT_LECTURE,
    MeetingKind.REPORT_MEETING,
    MeetingKind.READING_CLASS,
    MeetingKind.ONSITE_TEACHING,
)


# -- the period ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    """Whole calendar years from `first_year` to `last_year`; entries dated after `as_of` (when
    given) are not counted, so the period ends on the earlier of the two."""

    first_year: int
    last_year: int
    as_of: dt.date | None = None

    @property
    def start(self) -> dt.date:
        return dt.date(self.first_year, 1, 1)

    @property
    def end(self) -> dt.date:
        year_end = dt.date(self.last_year, 12, 31)
        return min(year_end, self.as_of) if self.as_of else year_end

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.end.year + 1))

    def year_period(self, year: int) -> ReportPeriod:
        return ReportPeriod(year, year, self.as_of)

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """The first moment after the period (local time)."""
        day = self.end + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    @property
    def label(self) -> str:
        if self.first_year == self.last_year:
            text = _("%(year)s") % {"year": self.first_year}
        else:
            text = _("%(first)s–%(last)s") % {"first": self.first_year, "last": self.last_year}
        if self.as_of and self.as_of < dt.date(self.last_year, 12, 31):
            text = _("%(period)s (as of %(day)s)") % {
                "period": text,
                "day": chinese_date(self.as_of),
            }
        return text


def _year(value: Any, name: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Give the year as four digits.")}) from None
    if year < FIRST_REPORT_YEAR:
        raise ValidationError(
            {name: _("Reports start in %(year)s at the earliest.") % {"year": FIRST_REPORT_YEAR}}
        )
    if year > timezone.localdate().year + 1:
        raise ValidationError({name: _("This year is too far in the future.")})
    return year


def clean_period(first_year: Any, last_year: Any, as_of: Any = None) -> ReportPeriod:
    """The period asked for, or a ValidationError naming the field that is wrong."""
    first = _year(first_year, "first_year")
    last = _year(last_year if last_year not in (None, "") else first, "last_year")
    if last < first:
        raise ValidationError({"last_year": _("The last year comes before the first year.")})
    if last - first + 1 > MAX_REPORT_YEARS:
        raise ValidationError(
            {"last_year": _("A report covers at most %(n)s years.") % {"n": MAX_REPORT_YEARS}}
        )
    day: dt.date | None = None
    if as_of not in (None, ""):
        if isinstance(as_of, dt.date):
            day = as_of
        else:
            try:
                day = dt.date.fromisoformat(str(as_of))
            except ValueError:
                raise ValidationError({"as_of": _("Give the date as YYYY-MM-DD.")}) from None
        if day < dt.date(first, 1, 1):
            raise ValidationError({"as_of": _("The date comes before the first year.")})
    return ReportPeriod(first, last, day)


def report_org(actor: Actor, pk: Any) -> Organization:
    """The org a report is about: one the actor reads (a plain member or anyone else: 404)."""
    org = get_visible_or_404(actor, Organization, pk)
    if not can_read_org(actor, org):
        raise Http404
    return org


# -- values ----------------------------------------------------------------------------------------

Number = int | Decimal | None


class Unit:
    PERSONS = "persons"
    BRANCHES = "branches"
    SESSIONS = "sessions"
    PERSON_TIMES = "person_times"
    CLASSES = "classes"
    HOURS = "hours"
    PERCENT = "percent"
    YUAN = "yuan"


UNIT_LABELS: dict[str, str | Promise] = {
    Unit.PERSONS: gettext_lazy("persons"),
    Unit.BRANCHES: gettext_lazy("branches"),
    Unit.SESSIONS: gettext_lazy("sessions"),
    Unit.PERSON_TIMES: gettext_lazy("person-times"),
    Unit.CLASSES: gettext_lazy("classes"),
    Unit.HOURS: gettext_lazy("study hours"),
    Unit.PERCENT: "%",
    Unit.YUAN: gettext_lazy("yuan"),
}


def format_value(value: Number, unit: str) -> str:
    """A figure as the report prints it: whole numbers plain, hours to one decimal place,
    shares as percentages to one place, money to two; "—" where there is nothing to count."""
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    if unit == Unit.HOURS:
        return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP)}"
    if unit == Unit.YUAN:
        return f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    return str(value)


@dataclass(frozen=True)
class FigureValue:
    key: str
    label: str
    definition: str
    unit: str
    value: Number
    url: str
    section: str
    # A breakdown (label → value), e.g. classes by kind, in the order to print.
    parts: list[tuple[str, Number]] = field(default_factory=list)
    # The value of each year of the period, where the figure is yearly.
    by_year: dict[int, Number] = field(default_factory=dict)
    # For a closed year: the value shown is the frozen one; a later correction is this much.
    frozen: bool = False
    adjustment: Number = None

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def adjustment_text(self) -> str:
        if not self.adjustment:
            return ""
        sign = "+" if self.adjustment > 0 else ""
        return _("(adjusted by %(change)s after the year was closed)") % {
            "change": sign + format_value(self.adjustment, self.unit)
        }

    @property
    def unit_label(self) -> str:
        return "" if self.unit == Unit.PERCENT else str(UNIT_LABELS[self.unit])

    @property
    def parts_text(self) -> str:
        return _(", ").join(
            f"{self._part_label(label)}{format_value(v, self.unit)}{self.unit_label}"
            for label, v in self.parts
            if v
        )

    def _part_label(self, label: str) -> str:
        # People are broken down by study-hour rule, whose names end in figures of their own
        # ("…不少于32学时"): quoted, so the count does not run into the name.
        return _("“%(label)s”") % {"label": label} if self.unit == Unit.PERSONS else label


@dataclass(frozen=True)
class FigureDef:
    key: str
    label: Promise
    definition: Promise
    unit: str
    section: str
    drill: Callable[[Organization, ReportPeriod], str]


@dataclass
class Computed:
    value: Number
    parts: list[tuple[str, Number]] = field(default_factory=list)
    by_year: dict[int, Number] = field(default_factory=dict)


def share_of(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


# -- drill-down pages ------------------------------------------------------------------------------


def _url(name: str, query: dict[str, Any], **kwargs: Any) -> str:
    path = reverse(name, kwargs=kwargs or None)
    return f"{path}?{urlencode(query)}" if query else path


def _members_url(org: Organization, period: ReportPeriod) -> str:
    return _url("members:list", {"org": org.pk})


def _branches_url(org: Organization, period: ReportPeriod) -> str:
    return _url("orgs:detail", {}, pk=org.pk)


def _meetings_url(kind: str) -> Callable[[Organization, ReportPeriod], str]:
    def url(org: Organization, period: ReportPeriod) -> str:
        return _url("orglife:list", {"org": org.pk, "kind": kind, "year": period.last_year})

    return url


def _classes_url(org: Organization, period: ReportPeriod) -> str:
    return _url("training:list", {"org": org.pk, "year": period.last_year, "state": "closed"})


def _entries_url(org: Organization, period: ReportPeriod) -> str:
    return _url("hours:entries", {"org": org.pk, "year": period.last_year})


def _compliance_url(org: Organization, period: ReportPeriod) -> str:
    return _url("compliance:org", {"year": period.last_year}, pk=org.pk)


def _behind_url(org: Organization, period: ReportPeriod) -> str:
    query = {"year": period.end.year, "status": "behind", "as_of": period.end.isoformat()}
    return _url("compliance:drilldown", query, pk=org.pk)


def _spending_url(org: Organization, period: ReportPeriod) -> str:
    return _url("spending:list", {"org": org.pk, "year": period.last_year})


def _exams_url(org: Organization, period: ReportPeriod) -> str:
    return _url("exams:list", {})


def _regularity_url(org: Organization, period: ReportPeriod) -> str:
    return _url("orglife:regularity_overview", {"org": org.pk, "year": period.last_year})


# -- the catalogue ---------------------------------------------------------------------------------

ACTIVITY_LABELS: dict[str, tuple[Promise, Promise]] = {
    MeetingKind.EXPERT_LECTURE: (gettext_lazy("Expert lectures"), gettext_lazy("expert lectures")),
    MeetingKind.REPORT_MEETING: (gettext_lazy("Report meetings"), gettext_lazy("report meetings")),
    MeetingKind.READING_CLASS: (gettext_lazy("Reading classes"), gettext_lazy("reading classes")),
    MeetingKind.ONSITE_TEACHING: (
        gettext_lazy("On-site teaching sessions"),
        gettext_lazy("on-site teaching sessions"),
    ),
}


def _activity_defs() -> list[FigureDef]:
    out = []
    for kind in ACTIVITY_KINDS:
        label, plural = ACTIVITY_LABELS[kind]
        out.append(
            FigureDef(
                f"{kind}_sessions",
                label,
                gettext_lazy(
                    "Meetings of this kind held in the organization or below it in the period."
                ),
                Unit.SESSIONS,
                "practice",
                _meetings_url(kind),
            )
        )
        out.append(
            FigureDef(
                f"{kind}_person_times",
                gettext_lazy("%(activity)s: person-times") % {"activity": label},  # type: ignore[arg-type]
                gettext_lazy(
                    "Attendance at those meetings: each person who came (present, late or left"
                    " early) to one meeting counts once."
                ),
                Unit.PERSON_TIMES,
                "practice",
                _meetings_url(kind),
            )
        )
    return out


CATALOGUE: list[FigureDef] = [
    FigureDef(
        "members_end",
        gettext_lazy("Party members at the end of the period"),
        gettext_lazy(
            "Full and probationary Party members registered in the organization or below it on"
            " the last day of the period (发展对象 and 积极分子 are not Party members)."
        ),
        Unit.PERSONS,
        "basics",
        _members_url,
    ),
    FigureDef(
        "members_period",
        gettext_lazy("Party members of the period"),
        gettext_lazy(
            "People who were Party members of the organization or below it on at least one day"
            " of the period, by the membership history (those who left count for their time)."
        ),
        Unit.PERSONS,
        "basics",
        _members_url,
    ),
    FigureDef(
        "branches",
        gettext_lazy("Branches"),
        gettext_lazy(
            "Party branches in the organization's subtree not closed by the last day of the period."
        ),
        Unit.BRANCHES,
        "basics",
        _branches_url,
    ),
    FigureDef(
        "average_hours",
        gettext_lazy("Average study hours per member per year"),
        gettext_lazy(
            "Confirmed hours that members of the period earned in the organization during the"
            " period, divided by their member-years (each member's days as a Party member of"
            " the organization, over the days of the year); by year, the same for each year"
            " (docs/figures.md)."
        ),
        Unit.HOURS,
        "basics",
        _compliance_url,
    ),
    FigureDef(
        "coverage",
        gettext_lazy("Coverage of education and training"),
        gettext_lazy(
            "Share of the members of the period with confirmed study hours in it (docs/figures.md)."
        ),
        Unit.PERCENT,
        "basics",
        _compliance_url,
    ),
    FigureDef(
        "central_group_sessions",
        gettext_lazy("Central group study sessions"),
        gettext_lazy(
            "中心组学习 meetings held by the organization or by committees below it in the period."
        ),
        Unit.SESSIONS,
        "practice",
        _meetings_url(MeetingKind.CENTRAL_GROUP),
    ),
    FigureDef(
        "classes",
        gettext_lazy("Training classes held"),
        gettext_lazy(
            "Training classes organised by the organization or below it that started and ended"
            " in the period and were closed (结班), by kind of class."
        ),
        Unit.CLASSES,
        "practice",
        _classes_url,
    ),
    FigureDef(
        "class_person_times",
        gettext_lazy("Trainees of those classes (person-times)"),
        gettext_lazy(
            "Accepted enrolments in those classes: a member trained in two classes counts twice;"
            " by kind of class."
        ),
        Unit.PERSON_TIMES,
        "practice",
        _classes_url,
    ),
    *_activity_defs(),
    FigureDef(
        "online_hours",
        gettext_lazy("Online study hours"),
        gettext_lazy(
            "Confirmed online study hours on the ledger of the period, dated on or before its"
            " last day, credited while the member belonged to a branch of the organization"
            " (corrections included)."
        ),
        Unit.HOURS,
        "practice",
        _entries_url,
    ),
    FigureDef(
        "spending_total",
        gettext_lazy("Spending on education and training"),
        gettext_lazy(
            "Expenses recorded by the organization and those below it dated in the period,"
            " voided ones left out, by fund."
        ),
        Unit.YUAN,
        "practice",
        _spending_url,
    ),
    FigureDef(
        "spending_party_dues",
        gettext_lazy("Of which from Party dues"),
        gettext_lazy("The part of that spending paid from Party dues (党费)."),
        Unit.YUAN,
        "practice",
        _spending_url,
    ),
    FigureDef(
        "exam_candidates",
        gettext_lazy("Knowledge test candidates"),
        gettext_lazy(
            "Candidates (person-times) of the knowledge tests published in the period whose"
            " branch at publishing was in the organization's subtree."
        ),
        Unit.PERSON_TIMES,
        "practice",
        _exams_url,
    ),
    FigureDef(
        "exam_participation",
        gettext_lazy("Knowledge test participation"),
        gettext_lazy(
            "Share of those candidates who submitted at least one attempt by the end of the period."
        ),
        Unit.PERCENT,
        "practice",
        _exams_url,
    ),
    FigureDef(
        "exam_pass_rate",
        gettext_lazy("Knowledge test pass rate"),
        gettext_lazy("Share of the candidates who submitted whose best attempt passed."),
        Unit.PERCENT,
        "practice",
        _exams_url,
    ),
    FigureDef(
        "members_behind",
        gettext_lazy("Members behind on study hours"),
        gettext_lazy(
            "Members of the last year's roster whose worst result against the study-hour rules"
            " is behind, judged on the period's last day (exempt members are never behind); by"
            " rule, the members behind on each rule (the Party member rule, each cadre rule), so"
            " a member behind on two rules counts once in the total and once under each rule."
        ),
        Unit.PERSONS,
        "problems",
        _behind_url,
    ),
    FigureDef(
        "irregular_branches",
        gettext_lazy("Branches with irregular organisational life"),
        gettext_lazy(
            "Open branches of the subtree that missed at least one required meeting (支部党员大会,"
            " 支委会, 党小组会, 党课, 主题党日 and the yearly ones) in some year of the period,"
            " judged up to its last day."
        ),
        Unit.BRANCHES,
        "problems",
        _regularity_url,
    ),
    FigureDef(
        "low_participation_classes",
        gettext_lazy("Classes with low participation"),
        gettext_lazy(
            "Of the classes held, those where fewer than 80 percent of the accepted trainees came to"
            " at least one session."
        ),
        Unit.CLASSES,
        "problems",
        _classes_url,
    ),
]

CATALOGUE_BY_KEY = {f.key: f for f in CATALOGUE}
