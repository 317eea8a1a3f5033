"""The rules pages: the rules in force, a new local rule with its live audience line, retiring.

Access: anyone with a grant or a member reads the rules; an org admin of a subtree adds and
retires its rules (404 for everyone else); out of scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.params import year_param
from peixun.core.scoping import can_admin_org, scope_of
from peixun.orgs.models import Organization

from .. import selectors, services
from ..forms import RetireForm, RuleForm


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    scope = scope_of(actor)
    if not (scope.platform or scope.read_paths or scope.member_id):
        raise Http404
    this_year = timezone.localdate().year
    year = year_param(request)
    rules = list(selectors.rules_for(actor=actor, year=year))
    for rule in rules:
        rule.audience_text = selectors.requirement_audience_text(  # type: ignore[attr-defined]
            rule_or_data=rule, org=rule.org
        )
        rule.can_retire = can_admin_org(actor, rule.org) and (  # type: ignore[attr-defined]
            rule.valid_to_year is None or rule.valid_to_year >= this_year
        )
    return render(
        request,
        "hours/rules.html",
        {
            "rules": rules,
            "year": year,
            "years": [this_year + 1, this_year, this_year - 1, this_year - 2],
            "admin_roots": selectors.admin_roots(actor=actor),
        },
    )


def _rule_org(request: HttpRequest) -> Organization:
    actor = request.user
    raw = request.GET.get("org") or request.POST.get("org")
    if raw:
        return selectors.rule_org_or_404(actor=actor, pk=raw)
    roots = selectors.admin_roots(actor=actor)
    if not roots:
        raise Http404
    return roots[0]


def _audience_context(request: HttpRequest, form: RuleForm, org: Organization) -> dict[str, Any]:
    data = form.audience_data() if form.is_bound else {}
    return {
        "audience_text": selectors.requirement_audience_text(rule_or_data=data, org=org),
        "audience_count": selectors.requirement_audience_count(
            actor=request.user, rule_or_data=data, org=org
        ),
    }


@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    org = _rule_org(request)
    initial = {"valid_from_year": timezone.localdate().year, "period_years": 1}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.requirement_create(actor=actor, org=org, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = selectors.requirement_audience_count(actor=actor, rule_or_data=rule, org=org)
            messages.success(
                request,
                _("Rule “%(name)s” added; it covers %(n)s members today.")
                % {"name": rule.name, "n": count},
            )
            return redirect("hours:rules")
    mark_invalid(form)
    context = {"form": form, "org": org, **_audience_context(request, form, org)}
    return render(request, "hours/rule_form.html", context)


@login_required
@require_GET
def rule_audience(request: HttpRequest) -> HttpResponse:
    """The live 'whom and how many' line of the rule form (HTMX, on every change)."""
    org = _rule_org(request)
    form = RuleForm(request.GET)
    return render(request, "hours/_audience.html", _audience_context(request, form, org))


@login_required
def rule_retire(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    rule = selectors.rule_visible_or_404(actor=actor, pk=pk)
    if not can_admin_org(actor, rule.org):
        raise Http404
    last = timezone.localdate().year
    form = RetireForm(request.POST or None, initial={"last_year": last})
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_retire(
                actor=actor, rule=rule, last_year=form.cleaned_data["last_year"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("last_year", message)
        else:
            messages.success(request, _("Rule “%(name)s” retired.") % {"name": rule.name})
            return redirect("hours:rules")
    mark_invalid(form)
    audience = selectors.requirement_audience_text(rule_or_data=rule, org=rule.org)
    return render(
        request, "hours/rule_retire.html", {"form": form, "rule": rule, "audience_text": audience}
    )
