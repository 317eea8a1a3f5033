"""A needs survey's audience (培训需求调研的对象): the training classes' audience model, field for
field (an org subtree narrowed by member status, cadre rank and current position), kept so the
survey's page can say whom it asked and opening it again invites members who joined since."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import ScopedQuerySet

from .responses import Survey


class NeedsAudienceQuerySet(ScopedQuerySet):
    scope_path_field = "survey__org__path"


class NeedsAudience(models.Model):
    """Whom a needs survey asks: satisfies `training.selectors.audience.Audience`."""

    survey = models.OneToOneField(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="needs_audience"
    )
    audience_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("audience within"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_statuses = models.JSONField(_("member statuses"), default=list, blank=True)
    audience_positions = models.JSONField(_("positions"), default=list, blank=True)
    audience_cadre_ranks = models.JSONField(_("cadre ranks"), default=list, blank=True)

    objects = NeedsAudienceQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs survey audience")
        verbose_name_plural = _("needs survey audiences")

    def __str__(self) -> str:
        return f"audience of survey {self.survey_id}"
