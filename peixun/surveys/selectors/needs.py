"""Reads of needs surveys (需求调研): the list, one survey for its staff, the topic demand (how
many respondents asked for each plan topic), the plan items a reader may cite it in, and the
citations the plan pages show. Every figure is withheld below the tenant's threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_read_org, get_visible_or_404, scope_of
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem
from peixun.plans.registry import Citation
from peixun.training.selectors.audience import audience_text, filter_audience

from ..models import Answer, NeedsAudience, Option, PlanCitation, Response, Survey
from ..models.forms import Purpose
from .results import min_responses_for
from .surveys import visible_surveys

FOUR_PLACES = Decimal("0.0001")


def require_staff(actor: Actor) -> None:
    """Needs surveys' pages are for staff; a member answers on the answer page (404 here)."""
    if not scope_of(actor).is_staff_like:
        raise Http404


def needs_surveys(
    *, actor: Actor, q: str = "", year: int | None = None, state: str = ""
) -> QuerySet[Survey]:
    """The needs surveys the reader sees, newest first, with invited and responded counts."""
    surveys = visible_surveys(actor=actor, purpose=Purpose.NEEDS, year=year)
    scope = scope_of(actor)
    if not scope.platform:
        # Staff's surveys by their grants: one they are only invited to answer is not theirs.
        within = Q()
        for path in scope.read_paths:
            within |= Q(org__path__startswith=path)
        surveys = surveys.filter(within) if within else surveys.none()
    if q:
        surveys = surveys.filter(Q(title__icontains=q) | Q(org__name__icontains=q))
    if state in Survey.State.values:
        surveys = surveys.filter(state=state)
    return surveys.order_by("-year", "-created_at", "-id")


def can_read_results(actor: Actor, survey: Survey) -> bool:
    """Results are read by the staff of the running org and above (their grants), not by
    whoever was asked to answer: an invited secretary sees the survey, not the county's results."""
    return can_read_org(actor, survey.org)


def needs_survey_get(actor: Actor, pk: int) -> Survey:
    """A needs survey for its staff pages: a member, someone only invited, or a survey out of
    scope is a 404."""
    require_staff(actor)
    survey = get_visible_or_404(actor, Survey, pk)
    if survey.purpose != Purpose.NEEDS or not can_read_results(actor, survey):
        raise Http404
    return survey


def audience_of(survey: Survey) -> NeedsAudience:
    """The survey's audience; a needs survey made elsewhere (the core's API) asks its org's
    whole subtree. Unsaved when none is stored: reads never write."""
    found = NeedsAudience.objects.filter(survey=survey).select_related("audience_org").first()
    return found or NeedsAudience(survey=survey, audience_org=survey.org)


def audience_members(survey: Survey) -> QuerySet[Member]:
    return filter_audience(audience_of(survey), Member.objects.all())


def audience_description(survey: Survey) -> str:
    return audience_text(audience_of(survey))


@dataclass
class TopicDemandRow:
    topic: str
    label: str
    respondents: int  # respondents who chose at least one option mapped to the topic
    share: Decimal  # of all respondents of the slice, a fraction 0 … 1
    options: list[str] = field(default_factory=list)  # the options' wording

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class TopicDemand:
    responses: int
    min_responses: int
    rows: list[TopicDemandRow]

    @property
    def shown(self) -> bool:
        return self.responses >= self.min_responses and self.responses > 0


def share_of(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def needs_topic_demand(
    survey: Survey, *, branch: Organization | None = None, threshold: int | None = None
) -> TopicDemand:
    """For every plan topic the survey's options are mapped to: how many respondents (of the
    survey, or of one branch) chose an option of that topic, and their share of all respondents
    of the slice; most asked-for first. Below the threshold the rows are empty. Three queries."""
    if threshold is None:
        threshold = min_responses_for(survey.org)
    responses = Response.objects.filter(survey=survey)
    if branch is not None:
        responses = responses.filter(branch=branch)
    total = responses.count()
    demand = TopicDemand(responses=total, min_responses=threshold, rows=[])
    if not demand.shown:
        return demand
    offered: dict[str, list[str]] = {}
    for topic, text in (
        Option.objects.filter(question__form_id=survey.form_id)
        .exclude(topic="")
        .order_by("question__position", "position", "id")
        .values_list("topic", "text")
    ):
        offered.setdefault(topic, []).append(text)
    chosen = dict(
        Answer.objects.filter(response__in=responses, option__topic__in=list(offered))
        .values("option__topic")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("option__topic", "n")
    )
    labels = dict(Topic.choices)
    order = {value: i for i, value in enumerate(Topic.values)}
    rows = [
        TopicDemandRow(
            topic=topic,
            label=str(labels.get(topic, topic)),
            respondents=chosen.get(topic, 0),
            share=share_of(chosen.get(topic, 0), total),
            options=texts,
        )
        for topic, texts in offered.items()
    ]
    rows.sort(key=lambda r: (-r.respondents, order.get(r.topic, 99)))
    demand.rows = rows
    return demand


def citable_plan_items(*, actor: Actor, survey: Survey) -> QuerySet[PlanItem]:
    """The plan items of the survey's year that the reader may cite it in: items of the plans of
    the orgs they manage."""
    return (
        PlanItem.objects.manageable_by(actor)
        .filter(plan__year=survey.year)
        .select_related("plan__org")
        .order_by("plan__org__path", "position", "id")
    )


def survey_citations(*, actor: Actor, survey: Survey) -> QuerySet[PlanCitation]:
    """The plan items (the reader sees) that cite the survey."""
    return (
        PlanCitation.objects.visible_to(actor)
        .filter(survey=survey)
        .select_related("plan_item__plan__org", "cited_by")
        .order_by("topic", "plan_item__plan__org__path", "id")
    )


def survey_citation_get(*, actor: Actor, survey: Survey, pk: int) -> PlanCitation:
    found = survey_citations(actor=actor, survey=survey).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def item_citation_provider(item_ids: list[int]) -> dict[int, list[Citation]]:
    """For the plan pages (plans.registry): each item's survey citations, one query. The plan
    page has already scoped the items to its reader."""
    out: dict[int, list[Citation]] = {}
    labels = dict(Topic.choices)
    for citation in (
        PlanCitation.objects.filter(plan_item_id__in=item_ids)
        .select_related("survey")
        .order_by("cited_at", "id")
    ):
        out.setdefault(citation.plan_item_id, []).append(
            Citation(
                label=_("“%(survey)s”: %(topic)s")
                % {
                    "survey": citation.survey.title,
                    "topic": labels.get(citation.topic, citation.topic),
                },
                url=reverse("surveys:needs_results", args=[citation.survey_id]),
                share=citation.share,
                note=citation.note,
            )
        )
    return out
