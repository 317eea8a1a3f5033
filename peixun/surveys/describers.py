"""The audit trail's sentences for this app (core.describers). Each topic adds its verbs to
ACTIONS and its object namers to NAMERS."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import Form, PlanCitation, Survey

ACTIONS: dict[str, str | Promise] = {
    "form.create": gettext_lazy("created the form"),
    "form.update": gettext_lazy("changed the questions of"),
    "survey.create": gettext_lazy("created"),
    "survey.invite": gettext_lazy("invited people to answer"),
    "survey.open": gettext_lazy("opened"),
    "survey.close": gettext_lazy("closed"),
    "survey.anonymity": gettext_lazy("changed whether answers are anonymous in"),
    # An anonymous answer is recorded without its author.
    "survey.respond": gettext_lazy("Someone answered %(object)s"),
    "survey.score": gettext_lazy("scored an entry in"),
    "survey.audience": gettext_lazy("chose whom to ask in"),
    "plan_item.cite": gettext_lazy("cited a needs survey in"),
    "plan_item.uncite": gettext_lazy("withdrew a needs survey citation from"),
    "survey.remind": gettext_lazy("reminded those who have not answered"),
    "surveys.settings": gettext_lazy("changed the evaluation settings"),
}


def survey_names(ids: set[str]) -> Mapping[str, str]:
    return {
        str(s.pk): _("the survey “%(title)s”") % {"title": s.title}
        for s in Survey.objects.filter(pk__in=int_ids(ids))
    }


def form_names(ids: set[str]) -> Mapping[str, str]:
    return {
        str(f.pk): _("the form “%(title)s”") % {"title": f.title}
        for f in Form.objects.filter(pk__in=int_ids(ids))
    }


def citation_names(ids: set[str]) -> Mapping[str, str]:
    return {
        str(c.pk): _("the plan item “%(item)s”") % {"item": c.plan_item.content}
        for c in PlanCitation.objects.filter(pk__in=int_ids(ids)).select_related("plan_item")
    }


NAMERS: dict[str, Callable[[set[str]], Mapping[str, str]]] = {
    "surveys.survey": survey_names,
    "surveys.form": form_names,
    "surveys.plancitation": citation_names,
}
