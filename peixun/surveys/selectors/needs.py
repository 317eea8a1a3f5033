"""Reads of needs surveys (需求调研): the list, one survey for its staff, the topic demand (how
many respondents asked for each plan topic), the plan items a reader may cite it in, and the
citations the plan pages show. Every figure is withheld below the tenant's threshold."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, get_visible_or_404, scope_of
from peixun.hours.models import Topic
from peixun.plans.models import PlanItem
from peixun.plans.registry import Citation

from ..models import Invitation, PlanCitation, Survey
from ..models.forms import Purpose
from ..tallies import (
    TopicDemand,
    TopicDemandRow,
    audience_description,
    audience_members,
    audience_of,
    can_read_results,
    needs_topic_demand,
    share_of,
)
from .surveys import visible_surveys


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


def needs_survey_get(actor: Actor, pk: int) -> Survey:
    """A needs survey for its staff pages: a member, someone only invited, or a survey out of
    scope is a 404."""
    require_staff(actor)
    survey = get_visible_or_404(actor, Survey, pk)
    if survey.purpose != Purpose.NEEDS or not can_read_results(actor, survey):
        raise Http404
    return survey


def survey_counts(survey: Survey) -> tuple[int, int]:
    """(invited, answered) of one survey, in one query."""
    counts = Invitation.objects.filter(survey=survey).aggregate(
        invited=Count("id"), responded=Count("id", filter=Q(responded_on__isnull=False))
    )
    return counts["invited"] or 0, counts["responded"] or 0


def visible_plan_item(*, actor: Actor, pk: int) -> PlanItem:
    """A plan item named in a request: one out of scope is a field error, like a bad value."""
    item: PlanItem | None = PlanItem.objects.visible_to(actor).filter(pk=pk).first()
    if item is None:
        raise ValidationError({"plan_item": _("No such plan item in your scope.")})
    return item


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


__all__ = [
    "TopicDemand",
    "TopicDemandRow",
    "audience_description",
    "audience_members",
    "audience_of",
    "can_read_results",
    "needs_topic_demand",
    "share_of",
]
