"""Reads that both the needs survey services and selectors need: the audience a survey asks, who
may read its results, and the topic demand a plan item cites. A sibling below `selectors` and
`services` (selectors already import services, so services may not import selectors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet

from peixun.core.scoping import Actor, can_read_org
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of
from peixun.training.selectors.audience import audience_text, filter_audience

from .models import Answer, NeedsAudience, Option, Response, Survey, SurveySettings

FOUR_PLACES = Decimal("0.0001")


def threshold_of(survey: Survey) -> int:
    """The tenant's `min_responses` (as `selectors.results.min_responses_for`)."""
    found = SurveySettings.objects.filter(tenant=tenant_of(survey.org)).first()
    return found.min_responses if found else SurveySettings().min_responses


def can_read_results(actor: Actor, survey: Survey) -> bool:
    """Results are read by the staff of the running org and above (their grants), not by
    whoever was asked to answer: an invited secretary sees the survey, not the county's results."""
    return can_read_org(actor, survey.org)


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
    def options_differ(self) -> bool:
        """Whether the options read otherwise than the topic (worth listing beside it)."""
        return self.options != [self.label]

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
        threshold = threshold_of(survey)
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
