"""Member pages: list, detail, 我的, and the write pages that call the services.

Access, uniformly:
- anonymous → login (302);
- a member outside the actor's scope → 404 (never a 403 that confirms it exists);
- the list is for people with a grant; a plain member gets 404 there, their page is 我的 (`mine`);
- write pages (create, edit, transfer, departure, positions) are 404 for every actor who cannot use them,
  including a viewer or a plain member who can read the record: one answer for "not yours to
  change", so a write URL never tells anyone more than the read pages do;
- revealing an ID number is the one exception: 404 when the member is out of sight, 403 when
  the member is visible but the actor is not an org admin over them (the page offers no button).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peixun.core.forms import add_service_errors, render_form
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404
from peixun.core.pickers import picker_answer
from peixun.core.scoping import Actor, can_admin_org, can_manage_org, get_visible_or_404, scope_of
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, attach_org_trails, org_options_for

from .. import selectors, services
from ..forms import (
    DepartureForm,
    MemberCreateForm,
    MemberFilterForm,
    MemberForm,
    PositionEndForm,
    PositionForm,
    TransferForm,
)
from ..logic import departure_of
from ..models import Member

FILTER_FIELDS = ("status", "cadre_rank", "position", "exempt", "employment", "q", "joined_month")


def managed_member_or_404(actor: Actor, pk: int) -> Member:
    """The member for a write page: 404 unless the actor may change the member's record."""
    try:
        return selectors.member_manageable(actor=actor).get(pk=pk)
    except Member.DoesNotExist:
        raise Http404 from None


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    scope = scope_of(actor)
    if not (scope.platform or scope.read_paths):
        raise Http404  # a plain member's page is 我的, not a list of one
    form = MemberFilterForm(request.GET)
    form.is_valid()  # an unknown choice just drops that filter
    chosen: dict[str, Any] = {name: form.cleaned_data.get(name) or "" for name in FILTER_FIELDS}
    org = None
    if request.GET.get("org"):
        org = get_visible_or_404(actor, Organization, request.GET["org"])
    members = selectors.member_list(actor=actor, filters=selectors.MemberFilters(org=org, **chosen))
    page, query = paginate(request, members)
    # Where each member's branch sits, so same-named branches differ (one query for the page).
    page.object_list = attach_org_trails(page.object_list, lambda m: m.org)
    without_org = request.GET.copy()
    for name in ("org", "page"):
        without_org.pop(name, None)
    return render(
        request,
        "members/list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "org": org,
            "query_without_org": without_org.urlencode(),
            "filtered": org is not None or any(chosen.values()),
            "can_manage": scope.platform or bool(scope.manage_paths),
        },
    )


def member_page_context(actor: Actor, member: Member) -> dict[str, Any]:
    positions = list(selectors.member_positions(actor=actor, member=member))
    for position in positions:
        position.can_end = position.until is None and can_manage_org(actor, position.org)  # type: ignore[attr-defined]
    history = list(selectors.member_history(actor=actor, member=member))
    # The record and its history name each org with the orgs above it (one query for all).
    attach_ancestor_names([member.org, *(h.org for h in history), *(p.org for p in positions)])
    departure = departure_of(history)
    return {
        "member": member,
        "history": history,
        "departure": departure,
        "positions": positions,
        # A departed member's record is kept as it was: nothing left to edit, move or give.
        "can_manage": departure is None and can_manage_org(actor, member.org),
        "can_depart": departure is None
        and can_manage_org(actor, member.org)
        and not services.is_own_record(actor, member),
        "can_reveal": can_admin_org(actor, member.org),
    }


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(request.user, Member, pk)
    return render(request, "members/detail.html", member_page_context(request.user, member))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的: the logged-in member's own record; a friendly note for accounts without one."""
    member = selectors.member_own(actor=request.user)
    if member is None:
        return render(request, "members/mine.html", {"member": None})
    return render(request, "members/mine.html", member_page_context(request.user, member))


@login_required
@require_POST
@never_cache
def member_reveal_id(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(request.user, Member, pk)
    if not can_admin_org(request.user, member.org):
        raise PermissionDenied
    number = services.member_reveal_id(actor=request.user, member=member)
    template = "members/_id_number.html" if request.htmx else "members/reveal.html"
    return render(request, template, {"member": member, "plain_id_number": number})


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    options = org_options_for(actor=actor, member_kinds_only=True)
    if not options.exists():
        raise Http404
    initial: dict[str, Any] = {
        "status": Member.Status.FULL,
        "cadre_rank": Member.CadreRank.NONE,
        "employment": Member.Employment.ON_DUTY,
        "ethnicity": "汉族",
    }
    if request.GET.get("org"):
        try:
            initial["org"] = options.get(pk=pk_or_404(request.GET["org"]))
        except Organization.DoesNotExist:
            raise Http404 from None
    form = MemberCreateForm(request.POST or None, org_options=options, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "org"}
        try:
            member = services.member_create(actor=actor, org=form.cleaned_data["org"], data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Member %(name)s added.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render_form(request, "members/form.html", form, title=_("New member"), member=None)


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = managed_member_or_404(actor, pk)
    # Only an org admin may replace an ID number (the service enforces it too).
    mode = "optional" if can_admin_org(actor, member.org) else "hidden"
    form = MemberForm(
        request.POST or None, id_number_mode=mode, initial=MemberForm.initial_for(member)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=actor, member=member, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("members:detail", pk=member.pk)
    return render_form(request, "members/form.html", form, title=_("Edit member"), member=member)


@login_required
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = managed_member_or_404(actor, pk)
    targets = selectors.transfer_target_options(actor=actor, member=member)
    form = TransferForm(request.POST or None, targets=targets)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_transfer(
                actor=actor,
                member=member,
                to_org=data["to_org"],
                effective=data["effective"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s transferred to %(org)s.")
                % {"name": member.name, "org": data["to_org"].name},
            )
            return redirect("members:detail", pk=member.pk)
    return render_form(
        request,
        "members/form.html",
        form,
        title=_("Transfer membership"),
        member=member,
        no_choice=not targets.exists(),
        no_choice_text=_("No other organization you manage takes members."),
    )


@login_required
def member_depart(request: HttpRequest, pk: int) -> HttpResponse:
    """离开: the member leaves the tenant (transferred out, died, removed, withdrew); their login
    stops at once. 404 for anyone who may not change the member, and for a member already gone."""
    actor = request.user
    member = managed_member_or_404(actor, pk)
    if services.is_own_record(actor, member):
        raise Http404  # the org above records it (the service refuses too)
    if departure_of(list(selectors.member_history(actor=actor, member=member))) is not None:
        raise Http404
    form = DepartureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.member_depart(
                actor=actor,
                member=member,
                reason=data["reason"],
                effective=data["effective"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has left; any login of theirs no longer works.")
                % {"name": member.name},
            )
            return redirect("members:detail", pk=member.pk)
    return render_form(request, "members/depart.html", form, member=member)


@login_required
def position_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    member = managed_member_or_404(actor, pk)
    options = selectors.position_org_options(actor=actor, member=member)
    form = PositionForm(request.POST or None, org_options=options, initial={"org": member.org_id})
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.position_assign(
                actor=actor,
                member=member,
                org=data["org"],
                role=data["role"],
                kind=data["kind"],
                since=data["since"],
                until=data["until"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            offer = secretary_grant_offer(actor, member, data["org"], data["role"])
            if offer is not None:
                # The success page offers the secretary grant (accounts' grant pages do it).
                return render(
                    request,
                    "members/position_added.html",
                    {"member": member, "org": data["org"], "grantee": offer},
                )
            messages.success(request, _("Position added."))
            return redirect("members:detail", pk=member.pk)
    return render_form(request, "members/form.html", form, title=_("Add position"), member=member)


# Appointed to one of these on a branch, a member is offered the secretary grant for it.
LEADING_POSITIONS = ("secretary", "deputy_secretary", "organization")


def secretary_grant_offer(actor: Actor, member: Member, org: Organization, role: str) -> Any:
    """The member's login to offer the secretary grant on `org` to, or None: only for a
    书记/副书记/组织委员 of a branch, a member with an active login who does not already manage
    the branch, and an actor who may grant (an org admin over it)."""
    if role not in LEADING_POSITIONS or not org.accepts_members or not can_admin_org(actor, org):
        return None
    user = getattr(member, "user", None)  # the login, through accounts' one-to-one (or none)
    if user is None or not user.is_active or can_manage_org(user, org):
        return None
    return user


@login_required
def position_end(request: HttpRequest, pk: int, position_pk: int) -> HttpResponse:
    actor = request.user
    member = get_visible_or_404(actor, Member, pk)
    position = selectors.open_position_manageable_or_404(actor=actor, member=member, pk=position_pk)
    form = PositionEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.position_end(actor=actor, position=position, until=form.cleaned_data["until"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Position ended."))
            return redirect("members:detail", pk=member.pk)
    return render_form(
        request,
        "members/form.html",
        form,
        title=_("End position"),
        member=member,
        subject=f"{position.get_role_display()} · {position.org.name}",
    )
