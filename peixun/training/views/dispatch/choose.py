"""Nominating, naming (点名调训) and the decisions on one enrolment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.core.forms import error_text
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.scoping import Actor, can_manage_org
from peixun.members.models import Member

from ... import selectors
from ...models import Enrolment, TrainingClass
from ...selectors.audience import audience_text, candidates_for, filter_audience
from ...services import dispatch as services
from .common import (
    UNTRAINED_SHOWN,
    class_or_404,
    decorate,
    require_organiser_page,
    warnings_message,
)

# -- nominating and naming -----------------------------------------------------------------------


def _picked(request: HttpRequest) -> list[int]:
    """The ticked member ids, once each: a member listed both among those not yet trained and
    among all members may be ticked twice on the page."""
    out: list[int] = []
    for raw in request.POST.getlist("members"):
        if raw.isdigit() and int(raw) not in out:
            out.append(int(raw))
    return out


def _members_from(actor: Actor, ids: list[int]) -> list[Member]:
    """The ticked members the actor may see, in the ticked order; unknown ids are dropped (the
    page only offers members of the actor's own subtree)."""
    found = selectors.members_visible_by_pk(actor, ids)
    return [found[i] for i in ids if i in found]


@login_required
def nominate(request: HttpRequest, pk: int, quota_pk: int) -> HttpResponse:
    """A unit picks members of its subtree for its places: the members with no concentrated
    training this year first, then everyone, searchable, with warnings per member."""
    actor = request.user
    training_class = class_or_404(request, pk)
    quota = selectors.quota_of_class_or_404(training_class, quota_pk)
    if not can_manage_org(actor, quota.org):
        raise PermissionDenied(_("Only the unit given these places may nominate for them."))
    error = ""
    picked: list[int] = []
    if request.method == "POST":
        picked = _picked(request)
        try:
            result = services.enrolment_nominate(
                actor=actor,
                training_class=training_class,
                quota=quota,
                members=_members_from(actor, picked),
            )
        except ValidationError as e:
            error = error_text(e)
        else:
            messages.success(
                request,
                _("Nominated %(n)s members; the organiser will review them.")
                % {"n": len(result.enrolments)},
            )
            if result.warnings:
                messages.warning(request, warnings_message(result.warnings))
            return redirect(
                f"{reverse('training:roster', args=[training_class.pk])}?state=nominated"
            )
    q = request.GET.get("q", "").strip()
    page, query = paginate(request, selectors.nomination_pool(actor, quota.org, q))
    untrained_qs = selectors.untrained_candidates(training_class, quota.org)
    untrained = list(untrained_qs.select_related("org")[:UNTRAINED_SHOWN])
    untrained_ids = {m.pk for m in untrained}
    candidates = candidates_for(training_class, list(page.object_list))
    taken = services.quota_taken(quota)
    return render(
        request,
        "training/nominate.html",
        {
            "training_class": training_class,
            "active_tab": "roster",
            "quota": quota,
            "taken": taken,
            "left": max(0, quota.places - taken),
            "published": training_class.state == TrainingClass.State.PUBLISHED,
            "audience": audience_text(training_class),
            "untrained": candidates_for(training_class, untrained, untrained_ids=untrained_ids),
            "untrained_count": untrained_qs.count()
            if len(untrained) >= UNTRAINED_SHOWN
            else len(untrained),
            "candidates": candidates,
            "page": page,
            "query": query,
            "q": q,
            "picked": set(picked),
            "error": error,
        },
    )


@login_required
def name_members(request: HttpRequest, pk: int) -> HttpResponse:
    """点名调训: the organiser enrols members of its subtree directly."""
    actor = request.user
    training_class = class_or_404(request, pk)
    require_organiser_page(request, training_class)
    error = ""
    picked: list[int] = []
    if request.method == "POST":
        picked = _picked(request)
        try:
            result = services.enrolment_name(
                actor=actor, training_class=training_class, members=_members_from(actor, picked)
            )
        except ValidationError as e:
            error = error_text(e)
        else:
            messages.success(
                request,
                _("Named %(n)s members; they are enrolled and have been told.")
                % {"n": len(result.enrolments)},
            )
            if result.warnings:
                messages.warning(request, warnings_message(result.warnings))
            return redirect(
                f"{reverse('training:roster', args=[training_class.pk])}?state=accepted"
            )
    q = request.GET.get("q", "").strip()
    only_audience = request.GET.get("audience") == "1"
    pool = selectors.nomination_pool(actor, training_class.org, q)
    if only_audience:
        pool = filter_audience(training_class, pool)
    page, query = paginate(request, pool)
    live = services.live_count(training_class)
    return render(
        request,
        "training/name_members.html",
        {
            "training_class": training_class,
            "active_tab": "roster",
            "published": training_class.state == TrainingClass.State.PUBLISHED,
            "audience": audience_text(training_class),
            "candidates": candidates_for(training_class, list(page.object_list)),
            "page": page,
            "query": query,
            "q": q,
            "only_audience": only_audience,
            "picked": set(picked),
            "error": error,
            "free": max(0, training_class.capacity - live),
        },
    )


# -- decisions on one enrolment ------------------------------------------------------------------

ACTIONS = ("accept", "return", "withdraw", "resubmit", "substitute")


def _row_response(
    request: HtmxHttpRequest,
    training_class: TrainingClass,
    enrolment: Enrolment,
    *,
    error: str,
    done: str,
) -> HttpResponse:
    if request.htmx:
        fresh = selectors.enrolment_visible_or_404(request.user, enrolment.pk, training_class)
        decorate(request, training_class, [fresh])
        return render(
            request,
            "training/_enrolment_row.html",
            {"e": fresh, "training_class": training_class, "error": error, "done": done},
        )
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("training:roster", training_class.pk)


@login_required
def enrolment_action(
    request: HtmxHttpRequest, pk: int, enrolment_pk: int, action: str
) -> HttpResponse:
    """POST accept / return (reason) / withdraw (reason) / resubmit / substitute (member, reason);
    GET substitute shows the page to choose the substitute."""
    if action not in ACTIONS:
        raise Http404
    actor = request.user
    training_class = class_or_404(request, pk)
    enrolment = selectors.enrolment_visible_or_404(actor, enrolment_pk, training_class)
    if action == "substitute":
        return _substitute(request, training_class, enrolment)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    reason = request.POST.get("reason", "")
    name = enrolment.member.name
    try:
        if action == "accept":
            services.enrolment_accept(actor=actor, enrolment=enrolment)
            done = _("Accepted: %(name)s. The member has been told.") % {"name": name}
        elif action == "return":
            services.enrolment_return(actor=actor, enrolment=enrolment, reason=reason)
            done = _("Returned to the unit: %(name)s.") % {"name": name}
        elif action == "withdraw":
            services.enrolment_withdraw(actor=actor, enrolment=enrolment, reason=reason)
            done = _("Withdrawn: %(name)s. The place is free again.") % {"name": name}
        else:
            services.enrolment_resubmit(actor=actor, enrolment=enrolment)
            done = _("Resubmitted: %(name)s.") % {"name": name}
    except ValidationError as error:
        return _row_response(request, training_class, enrolment, error=error_text(error), done="")
    return _row_response(request, training_class, enrolment, error="", done=done)


def _substitute(
    request: HttpRequest, training_class: TrainingClass, enrolment: Enrolment
) -> HttpResponse:
    actor = request.user
    require_organiser_page(request, training_class)
    error = ""
    if request.method == "POST":
        member = None
        raw = request.POST.get("member", "")
        if raw.isdigit():
            member = selectors.member_visible(actor, int(raw))
        if member is None:
            error = _("Choose the substitute.")
        else:
            try:
                result = services.enrolment_substitute(
                    actor=actor,
                    enrolment=enrolment,
                    member=member,
                    reason=request.POST.get("reason", ""),
                )
            except ValidationError as e:
                error = error_text(e)
            else:
                messages.success(
                    request,
                    _("%(new)s takes the place of %(old)s.")
                    % {"new": member.name, "old": enrolment.member.name},
                )
                if result.warnings:
                    messages.warning(request, warnings_message(result.warnings))
                return redirect(
                    f"{reverse('training:roster', args=[training_class.pk])}?state=accepted"
                )
    within = enrolment.quota.org if enrolment.quota else training_class.org
    q = request.GET.get("q", "").strip()
    pool = selectors.nomination_pool(actor, within, q)
    if enrolment.quota is not None:
        pool = filter_audience(training_class, pool)
    page, query = paginate(request, pool)
    return render(
        request,
        "training/_enrolment_substitute.html",
        {
            "training_class": training_class,
            "active_tab": "roster",
            "e": enrolment,
            "within": within,
            "allow_outside": enrolment.quota is None,
            "candidates": candidates_for(training_class, list(page.object_list)),
            "page": page,
            "query": query,
            "q": q,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "picked": request.POST.get("member", ""),
        },
    )
