"""A plan item cites a needs survey (计划项目引用调研结果): the topic members asked for, with the
share of respondents who chose it stored as it stood, so the plan shows why the item is there."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.plans.models import PlanItem

from ..models import PlanCitation, Survey
from ..models.forms import Purpose
from ..tallies import can_read_results, needs_topic_demand

MAX_NOTE = 500


@transaction.atomic
def plan_item_cite(
    *, actor: Actor, plan_item: PlanItem, survey: Survey, topic: str, note: str = ""
) -> PlanCitation:
    """Cite `survey`'s demand for `topic` in `plan_item`: the actor manages the item's plan and
    sees the survey; the survey's results are shown (enough responses); once per item and topic."""
    plan_item = PlanItem.objects.select_related("plan__org").get(pk=plan_item.pk)
    require_manage(actor, plan_item.plan.org)
    if not can_read_results(actor, survey):
        raise PermissionDenied(_("You may not read this survey's results."))
    errors: dict[str, str] = {}
    if survey.purpose != Purpose.NEEDS:
        errors["survey"] = _("Only a needs survey can be cited.")
    elif plan_item.plan.year != survey.year:
        errors["plan_item"] = _("Choose an item of the %(year)s plan.") % {"year": survey.year}
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(n)s characters.") % {"n": MAX_NOTE}
    demand = needs_topic_demand(survey)
    row = next((r for r in demand.rows if r.topic == topic), None)
    if "survey" not in errors:
        if not demand.shown:
            errors["survey"] = _(
                "The results are withheld until %(n)s people have answered; cite them then."
            ) % {"n": demand.min_responses}
        elif row is None:
            errors["topic"] = _("The survey did not ask about this topic.")
    if (
        not errors
        and PlanCitation.objects.filter(plan_item=plan_item, survey=survey, topic=topic).exists()
    ):
        errors["topic"] = _("This item already cites the survey for this topic.")
    if errors:
        raise ValidationError(errors)
    assert row is not None
    citation = PlanCitation.objects.create(
        survey=survey,
        plan_item=plan_item,
        topic=topic,
        respondents=row.respondents,
        responses=demand.responses,
        share=row.share,
        note=note,
        cited_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor,
        verb="plan_item.cite",
        obj=citation,
        org=plan_item.plan.org,
        after={
            "survey": survey.pk,
            "plan_item": plan_item.pk,
            "topic": topic,
            "share": str(row.share),
            "respondents": row.respondents,
            "responses": demand.responses,
        },
    )
    return citation


@transaction.atomic
def plan_citation_remove(*, actor: Actor, citation: PlanCitation) -> None:
    """Withdraw a citation (cited by mistake): the plan's managers may."""
    citation = PlanCitation.objects.select_related("plan_item__plan__org").get(pk=citation.pk)
    require_manage(actor, citation.plan_item.plan.org)
    audit_record(
        actor=actor,
        verb="plan_item.uncite",
        obj=citation,
        org=citation.plan_item.plan.org,
        before={"survey": citation.survey_id, "topic": citation.topic},
    )
    citation.delete()
