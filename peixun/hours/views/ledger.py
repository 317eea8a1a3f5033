"""Pages for recording, filing, approving and correcting study hours.

Access, uniformly (the persona tests document each page):
- anonymous → login (302);
- an entry, org or rule outside the actor's scope → 404, never a 403 that confirms it exists;
- write pages (record, reverse, approve, reject, new rule, retire) are 404 for every actor who may
  not use them, a viewer or a plain member included, like the member pages;
- the one 403: a secretary who posts the org admin's second-stage approval of an entry they can
  see in their queue (the page shows them no button for it);
- the ledger list and the approval queue are for people with a grant; a plain member's pages are
  their own self-study filings.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peixun.core.forms import add_service_errors, error_text, mark_invalid
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.scoping import Actor, can_manage_org, get_visible_or_404, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, attach_org_trails

from .. import selectors, services
from ..forms import EntryFilterForm, ReasonForm, RecordForm, SelfStudyForm
from ..models import CreditEntry


def require_grant(actor: Actor) -> None:
    scope = scope_of(actor)
    if not (scope.platform or scope.read_paths):
        raise Http404


def require_manager(actor: Actor) -> None:
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404


def require_member(actor: Actor) -> None:
    if not scope_of(actor).member_id:
        raise Http404


# -- recording an activity ---------------------------------------------------------------------


@login_required
def record(request: HttpRequest) -> HttpResponse:
    """One activity for the ticked members of a branch; without ?org=, choose the branch."""
    actor = request.user
    require_manager(actor)
    if not request.GET.get("org"):
        q = request.GET.get("q", "")
        return render(
            request,
            "hours/record_choose.html",
            {"orgs": selectors.record_org_choices(actor=actor, q=q), "q": q},
        )
    org = selectors.record_org_or_404(actor=actor, pk=request.GET["org"])
    members = selectors.record_members(actor=actor, org=org)
    today = timezone.localdate()
    initial: dict[str, Any] = {"on": today, "year": today.year, "members": list(members)}
    form = RecordForm(
        request.POST or None,
        members=members,
        initial=initial,
        first_year=selectors.tenant_first_year(org=org),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entries = services.entry_record(
                actor=actor,
                members=list(data["members"]),
                on=data["on"],
                year=data["year"],
                hours=data["hours"],
                kind=data["kind"],
                title=data["title"],
                topic=data["topic"],
                concentrated=data["concentrated"],
                online=data["online"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Recorded %(hours)s hours of “%(title)s” for %(n)s members.")
                % {"hours": entries[0].hours, "title": entries[0].title, "n": len(entries)},
            )
            return redirect(f"{reverse('hours:entries')}?org={org.pk}&year={entries[0].year}")
    mark_invalid(form)
    ticked = {str(v) for v in (form["members"].value() or [])}
    return render(
        request,
        "hours/record.html",
        {"form": form, "org": org, "members": members, "ticked": ticked},
    )


# -- the ledger ----------------------------------------------------------------------------------


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_grant(actor)
    form = EntryFilterForm(request.GET, first_year=selectors.ledger_first_year(actor=actor))
    form.is_valid()  # an unknown choice just drops that filter
    chosen = {name: form.cleaned_data.get(name) or "" for name in ("year", "kind", "state")}
    org = (
        get_visible_or_404(actor, Organization, request.GET["org"])
        if request.GET.get("org")
        else None
    )
    member = (
        get_visible_or_404(actor, Member, request.GET["member"])
        if request.GET.get("member")
        else None
    )
    filters = selectors.EntryFilters(
        org=org,
        member=member,
        year=int(chosen["year"]) if chosen["year"] else None,
        kind=str(chosen["kind"]),
        state=str(chosen["state"]),
    )
    page, query = paginate(request, selectors.entry_list(actor=actor, filters=filters))
    # Where each entry's org sits, so same-named branches differ (one query for the page).
    page.object_list = attach_org_trails(page.object_list, lambda e: e.org)
    for entry in page.object_list:
        entry.can_reverse = (  # type: ignore[attr-defined]
            entry.state == CreditEntry.State.CONFIRMED
            and not entry.is_reversal
            and not hasattr(entry, "reversed_by")
            and can_manage_org(actor, entry.member.org)
        )
    return render(
        request,
        "hours/entries.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "org": org,
            "member": member,
            "filtered": org is not None or member is not None or any(chosen.values()),
            "can_record": org is not None and can_manage_org(actor, org),
        },
    )


@login_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    entry = selectors.entry_manageable_or_404(actor=actor, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(actor=actor, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The entry was reversed."))
            return redirect(f"{reverse('hours:entries')}?member={entry.member_id}")
    mark_invalid(form)
    return render(request, "hours/reverse.html", {"form": form, "entry": entry})


@login_required
@never_cache
def entry_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, to those who may see the entry; served here, never from MEDIA_URL."""
    entry = selectors.entry_visible_or_404(actor=request.user, pk=pk)
    if not entry.evidence:
        raise Http404
    try:
        handle = entry.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=os.path.basename(entry.evidence.name or "evidence")
    )


# -- self-study ----------------------------------------------------------------------------------


@login_required
def self_study_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_member(actor)
    form = SelfStudyForm(
        request.POST or None, request.FILES or None, initial={"on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.self_study_file(
                actor=actor,
                on=data["on"],
                hours=data["hours"],
                title=data["title"],
                topic=data["topic"],
                reflection=data["reflection"],
                evidence=data["evidence"] or None,
                online=data["online"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Filed. Your branch secretary will review it."))
            return redirect("hours:self_study")
    mark_invalid(form)
    return render(request, "hours/self_study_form.html", {"form": form})


@login_required
def self_study_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_member(actor)
    page, query = paginate(request, selectors.self_study_mine(actor=actor))
    entries = list(page.object_list)
    pending = [e for e in entries if e.state == CreditEntry.State.PENDING]
    selectors.attach_stages(actor, pending)
    return render(
        request, "hours/self_study_list.html", {"page": page, "query": query, "entries": entries}
    )


# -- approvals -----------------------------------------------------------------------------------


@login_required
def pending(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_manager(actor)
    page, query = paginate(request, selectors.pending_for(actor=actor))
    entries = attach_org_trails(page.object_list, lambda e: e.member.org)
    selectors.attach_stages(actor, entries)
    return render(
        request,
        "hours/pending.html",
        {
            "page": page,
            "query": query,
            "entries": entries,
            "reject_form": ReasonForm(),
            # Checkboxes and "approve selected" only where something on the page can be approved.
            "actionable": any(e.can_act for e in entries),
        },
    )


def _decision_response(
    request: HtmxHttpRequest, entry: CreditEntry, *, error: str = "", done: str = ""
) -> HttpResponse:
    if request.htmx:
        entry = selectors.entry_manageable_or_404(actor=request.user, pk=entry.pk)
        if entry.state == CreditEntry.State.PENDING:
            selectors.attach_stages(request.user, [entry])
        attach_ancestor_names([entry.member.org])
        return render(
            request,
            "hours/_pending_row.html",
            {"e": entry, "error": error, "done": done, "reject_form": ReasonForm()},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("hours:pending")


@login_required
@require_POST
def entry_approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    entry = selectors.entry_manageable_or_404(actor=actor, pk=pk)
    try:
        entry = services.entry_approve(actor=actor, entry=entry)
    except ValidationError as error:
        return _decision_response(request, entry, error=error_text(error))
    if entry.state == CreditEntry.State.CONFIRMED:
        done = _("Approved: %(name)s, %(hours)s hours.") % {
            "name": entry.member.name,
            "hours": entry.hours,
        }
    else:
        done = _("Approved at the first stage; it now waits for the org admin.")
    return _decision_response(request, entry, done=done)


@login_required
@require_POST
def entry_reject(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    entry = selectors.entry_manageable_or_404(actor=actor, pk=pk)
    try:
        entry = services.entry_reject(
            actor=actor, entry=entry, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _decision_response(request, entry, error=error_text(error))
    done = _("Rejected: %(name)s. The member sees your reason.") % {"name": entry.member.name}
    return _decision_response(request, entry, done=done)


def _posted_ids(request: HttpRequest) -> list[int] | None:
    """The ticked ids, or None when one of them is not a number (a tampered form)."""
    try:
        return [int(raw) for raw in request.POST.getlist("ids")]
    except ValueError:
        return None


@login_required
@require_POST
def entries_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked filings of the pending page: all of them, or none with the reasons."""
    actor = request.user
    require_manager(actor)
    ids = _posted_ids(request)
    if ids is None:
        messages.error(request, _("Choose filings from the list."))
        return redirect("hours:pending")
    try:
        entries = services.entries_approve_bulk(actor=actor, ids=ids)
    except ValidationError as error:
        messages.error(
            request, _("Nothing was approved. %(why)s") % {"why": " ".join(error.messages)}
        )
        return redirect("hours:pending")
    confirmed = sum(1 for e in entries if e.state == CreditEntry.State.CONFIRMED)
    if confirmed:
        messages.success(
            request,
            ngettext("Approved %(n)s filing.", "Approved %(n)s filings.", confirmed)
            % {"n": confirmed},
        )
    first_stage = len(entries) - confirmed
    if first_stage:
        messages.success(
            request,
            ngettext(
                "%(n)s filing approved at the first stage now waits for the org admin.",
                "%(n)s filings approved at the first stage now wait for the org admin.",
                first_stage,
            )
            % {"n": first_stage},
        )
    return redirect("hours:pending")
