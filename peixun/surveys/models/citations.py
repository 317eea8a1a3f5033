"""A plan item citing a needs survey (计划项目的调研依据): the topic members asked for and the
share of respondents who chose it, stored as it stood when cited, so the plan keeps its reason
even if the survey is later read differently."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import ScopedQuerySet
from peixun.hours.models import Topic

from .responses import Survey


class PlanCitationQuerySet(ScopedQuerySet):
    # A citation belongs to the plan that cites: its org's staff see it.
    scope_path_field = "plan_item__plan__org__path"


class PlanCitation(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="citations"
    )
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        verbose_name=_("plan item"),
        on_delete=models.CASCADE,
        related_name="survey_citations",
    )
    topic = models.CharField(_("plan topic"), max_length=24, choices=Topic.choices)
    # The figures when cited: respondents who chose the topic, of all respondents.
    respondents = models.PositiveIntegerField(_("respondents who chose it"))
    responses = models.PositiveIntegerField(_("respondents"))
    share = models.DecimalField(_("share of respondents"), max_digits=5, decimal_places=4)
    note = models.CharField(_("note"), max_length=500, blank=True)
    cited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cited_at = models.DateTimeField(_("cited at"), auto_now_add=True)

    objects = PlanCitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey citation")
        verbose_name_plural = _("survey citations")
        ordering = ["plan_item", "cited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_item", "survey", "topic"], name="plan_citation_once"
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=1), name="plan_citation_share_0_1"
            ),
            models.CheckConstraint(
                condition=Q(respondents__lte=models.F("responses")),
                name="plan_citation_within_responses",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_item_id} ← {self.survey_id}/{self.topic}"
