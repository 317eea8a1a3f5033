"""Reads of report drafts, and a draft's sections as shown and exported: each section is the
user's text before, the sentences written from the figure catalogue (read-only, figures marked),
and the user's text after. Nothing computed is ever stored in a draft."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.docxstyle import chinese_date
from peixun.core.scoping import Actor, can_admin_org, can_manage_org, get_visible_or_404, scope_of
from peixun.orgs.models import Organization

from ..models import SECTIONS, ReportDraft, ReportKind, YearClosing
from .figures import FigureValue, Number, ReportPeriod, report_figures

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def drafts_visible(actor: Actor) -> QuerySet[ReportDraft]:
    """Drafts of the orgs the actor reads (org admins, secretaries and viewers); a plain member
    sees none."""
    if not scope_of(actor).is_staff_like:
        return ReportDraft.objects.none()
    return ReportDraft.objects.visible_to(actor).select_related("org")


def draft_list(actor: Actor) -> QuerySet[ReportDraft]:
    return drafts_visible(actor).order_by("-updated_at", "-id")


def draft_get(actor: Actor, pk: Any) -> ReportDraft:
    """One draft the actor reads, else 404."""
    if not scope_of(actor).is_staff_like:
        raise Http404
    draft: ReportDraft = get_visible_or_404(actor, ReportDraft, pk)
    return draft


def report_orgs(actor: Actor) -> QuerySet[Organization]:
    """The open orgs whose reports the actor writes (org admins: their subtree; secretaries:
    their branch)."""
    return Organization.objects.manageable_by(actor).filter(closed_on__isnull=True)


def draft_can_edit(actor: Actor, draft: ReportDraft) -> bool:
    return can_manage_org(actor, draft.org)


def draft_period(draft: ReportDraft) -> ReportPeriod:
    return ReportPeriod(draft.first_year, draft.last_year, draft.as_of)


# -- sections --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    figure: FigureValue | None = None


@dataclass(frozen=True)
class Sentence:
    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    before: str
    after: str
    sentences: list[Sentence] = field(default_factory=list)


Figures = dict[str, FigureValue]
When = Callable[[Figures], bool]


def _positive(*keys: str) -> When:
    return lambda f: all(k in f and bool(f[k].value) for k in keys)


def _zero(key: str) -> When:
    return lambda f: key in f and f[key].value == 0


def _positive_without_parts(key: str) -> When:
    """The figure is above zero but breaks down into nothing (a frozen total of a closed year
    whose rules no longer count anyone): say the total without an empty "(by rule: )"."""
    return lambda f: key in f and bool(f[key].value) and not f[key].parts_text


def _positive_with_parts(key: str) -> When:
    return lambda f: key in f and bool(f[key].value) and bool(f[key].parts_text)


def _present(*keys: str) -> When:
    return lambda f: all(k in f for k in keys)


SECTION_HEADINGS: dict[str, Promise] = {
    "basics": gettext_lazy("Basic situation"),
    "practice": gettext_lazy("Main practices and results"),
    "problems": gettext_lazy("Problems found"),
    "plans": gettext_lazy("Next steps planned"),
}

# section → (sentence template, when to say it). A template names figures as %(key)s (a
# figure's breakdown as %(key_parts)s) and the context as %(org)s, %(period)s, %(end)s.
SENTENCES: dict[str, list[tuple[Promise, When]]] = {
    "basics": [
        (
            gettext_lazy(
                "As of %(end)s, %(org)s has %(members_end)s Party members in %(branches)s"
                " Party branches; %(members_period)s people were Party members at some time"
                " in %(period)s."
            ),
            _present("members_end", "branches", "members_period"),
        ),
        (
            gettext_lazy(
                "Over %(period)s, members studied %(average_hours)s hours a year on average,"
                " and %(coverage)s of members took part in education and training."
            ),
            _present("average_hours", "coverage"),
        ),
    ],
    "practice": [
        (
            gettext_lazy("%(central_group_sessions)s central group study sessions were held."),
            _positive("central_group_sessions"),
        ),
        (
            gettext_lazy(
                "%(classes)s training classes were held (%(classes_parts)s), training"
                " %(class_person_times)s person-times (%(class_person_times_parts)s)."
            ),
            _positive("classes"),
        ),
        (
            gettext_lazy(
                "%(expert_lecture_sessions)s expert lectures were held, attended"
                " %(expert_lecture_person_times)s person-times."
            ),
            _positive("expert_lecture_sessions"),
        ),
        (
            gettext_lazy(
                "%(report_meeting_sessions)s report meetings were held, attended"
                " %(report_meeting_person_times)s person-times."
            ),
            _positive("report_meeting_sessions"),
        ),
        (
            gettext_lazy(
                "%(reading_class_sessions)s reading classes were held, attended"
                " %(reading_class_person_times)s person-times."
            ),
            _positive("reading_class_sessions"),
        ),
        (
            gettext_lazy(
                "%(onsite_teaching_sessions)s on-site teaching sessions were held, attended"
                " %(onsite_teaching_person_times)s person-times."
            ),
            _positive("onsite_teaching_sessions"),
        ),
        (
            gettext_lazy("Members completed %(online_hours)s hours of online study."),
            _positive("online_hours"),
        ),
        (
            gettext_lazy(
                "Knowledge tests had %(exam_candidates)s candidates (person-times):"
                " %(exam_participation)s took part, and %(exam_pass_rate)s of those passed."
            ),
            _positive("exam_candidates", "exam_participation"),
        ),
        (
            gettext_lazy(
                "%(spending_total)s yuan was spent on education and training"
                " (%(spending_total_parts)s)."
            ),
            _positive("spending_total"),
        ),
    ],
    "problems": [
        (
            gettext_lazy(
                "In %(last_year)s, %(members_behind)s members were behind on at least one"
                " study-hour rule (by rule: %(members_behind_parts)s)."
            ),
            _positive_with_parts("members_behind"),
        ),
        (
            gettext_lazy(
                "In %(last_year)s, %(members_behind)s members were behind on at least one"
                " study-hour rule."
            ),
            _positive_without_parts("members_behind"),
        ),
        (
            gettext_lazy(
                "%(irregular_branches)s branches missed at least one required meeting in some"
                " year of the period."
            ),
            _positive("irregular_branches"),
        ),
        (
            gettext_lazy("Every branch held its required meetings."),
            _zero("irregular_branches"),
        ),
        (
            gettext_lazy(
                "In %(low_participation_classes)s training classes fewer than 80%% of the"
                " trainees came."
            ),
            _positive("low_participation_classes"),
        ),
    ],
    "plans": [],
}


def _sentence(template: str, figures: Figures, context: dict[str, str]) -> Sentence:
    segments: list[Segment] = []
    pos = 0
    template = template.replace("%%", "%")
    for match in PLACEHOLDER.finditer(template):
        if match.start() > pos:
            segments.append(Segment(template[pos : match.start()]))
        name = match.group(1)
        if name in context:
            segments.append(Segment(context[name]))
        elif name.endswith("_parts") and name[: -len("_parts")] in figures:
            figure = figures[name[: -len("_parts")]]
            segments.append(Segment(figure.parts_text, figure))
        else:
            figure = figures[name]
            adjusted = f"{figure.text}{figure.adjustment_text}"
            segments.append(Segment(adjusted, figure))
        pos = match.end()
    if pos < len(template):
        segments.append(Segment(template[pos:]))
    return Sentence(segments)


def report_sentences(
    figures: Figures, *, org_name: str, period: ReportPeriod
) -> dict[str, list[Sentence]]:
    """section → the sentences written from the figures (those whose figures say something)."""
    context = {
        "org": org_name,
        "period": period.label,
        "end": chinese_date(period.end),
        "last_year": str(period.last_year),
    }
    return {
        section: [
            _sentence(str(template), figures, context)
            for template, when in SENTENCES[section]
            if when(figures)
        ]
        for section in SECTIONS
    }


@dataclass(frozen=True)
class Report:
    draft: ReportDraft
    period: ReportPeriod
    figures: Figures
    sections: list[Section]
    closing: YearClosing | None = None

    @property
    def kind_label(self) -> str:
        return str(ReportKind(self.draft.kind).label)


def year_closing_of(draft: ReportDraft) -> YearClosing | None:
    """The closing of the draft's year when it reports one whole closed year (not cut short)."""
    if draft.first_year != draft.last_year:
        return None
    if draft.as_of and draft.as_of < dt.date(draft.last_year, 12, 31):
        return None
    return YearClosing.objects.filter(org=draft.org, year=draft.first_year).first()


def _frozen_value(raw: str | None) -> Number:
    if raw is None:
        return None
    return Decimal(raw) if "." in raw else int(raw)


def with_closing(figures: Figures, closing: YearClosing) -> Figures:
    """The frozen values of a closed year, each with the later correction beside it (live minus
    frozen, where they differ). A figure added to the catalogue after the closing stays live."""
    out: Figures = {}
    for key, figure in figures.items():
        if key not in closing.figures:
            out[key] = figure
            continue
        frozen = _frozen_value(closing.figures[key])
        live = figure.value
        adjustment = live - frozen if live is not None and frozen is not None else None
        out[key] = replace(figure, value=frozen, frozen=True, adjustment=adjustment or None)
    return out


def closing_list(actor: Actor, *, org_id: int | None = None) -> QuerySet[YearClosing]:
    if not scope_of(actor).is_staff_like:
        return YearClosing.objects.none()
    qs = YearClosing.objects.visible_to(actor).select_related("org")
    if org_id is not None:
        qs = qs.filter(org_id=org_id)
    return qs.order_by("-year", "org__path")


def draft_can_close(actor: Actor, draft: ReportDraft) -> bool:
    """Whether the actor may close the draft's year now (an org admin, a whole past year)."""
    return (
        can_admin_org(actor, draft.org)
        and draft.first_year == draft.last_year
        and draft.first_year < timezone.localdate().year
        and not YearClosing.objects.filter(org=draft.org, year=draft.first_year).exists()
    )


def draft_report(actor: Actor, draft: ReportDraft) -> Report:
    """The draft as shown and exported: its sections with the figures computed now (the frozen
    ones, with their adjustments, for a closed year)."""
    period = draft_period(draft)
    figures = report_figures(actor=actor, org=draft.org, period=period)
    closing = year_closing_of(draft)
    if closing is not None:
        figures = with_closing(figures, closing)
    sentences = report_sentences(figures, org_name=draft.org.name, period=period)
    sections = [
        Section(
            key=key,
            heading=str(SECTION_HEADINGS[key]),
            before=getattr(draft, f"{key}_before"),
            after=getattr(draft, f"{key}_after"),
            sentences=sentences[key],
        )
        for key in SECTIONS
    ]
    return Report(draft=draft, period=period, figures=figures, sections=sections, closing=closing)


def default_title(kind: str, org_name: str, period: ReportPeriod) -> str:
    if kind == ReportKind.PLAN_IMPLEMENTATION:
        return _(
            "%(org)s: report on implementing the Party member education and training plan"
            " (%(period)s)"
        ) % {"org": org_name, "period": period.label}
    return _("%(org)s: summary of Party member education and training in %(period)s") % {
        "org": org_name,
        "period": period.label,
    }


def default_prose(kind: str) -> dict[str, str]:
    """The text a new draft starts with, for the user to replace."""
    return {
        "opening": _(
            "The Party committee attaches great importance to the education and training of"
            " Party members and has carried it out according to the plan and the requirements"
            " of the superior organization. The work is reported as follows."
        ),
        "basics_before": "",
        "basics_after": "",
        "practice_before": _(
            "We strengthened organisational leadership, made the study of the Party's"
            " innovative theory the first task, and enriched the forms of training."
        ),
        "practice_after": "",
        "problems_before": _(
            "Measured against the requirements, the following shortcomings remain."
        ),
        "problems_after": "",
        "plans_before": _(
            "Next, we will further strengthen organisational leadership, improve the methods of"
            " training, and build long-term mechanisms, so that the education and training of"
            " Party members improves in quality."
        ),
        "plans_after": "",
    }
