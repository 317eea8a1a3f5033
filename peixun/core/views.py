from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .describers import describe_events
from .notifications import (
    notification_get,
    notification_mark_all_read,
    notification_mark_read,
    notifications_for,
)
from .pagination import paginate
from .scoping import can_read_audit, scope_of
from .selectors import audit_list as select_audit
from .selectors import jobs_overview
from .workbench import member_section, staff_section

UNREAD_SHOWN = 3


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The workbench (工作台): staff see the to-dos in their charge and their subtree's figures,
    a member their own progress and next steps; one who is both sees both."""
    scope = scope_of(request.user)
    staff = scope.platform or bool(scope.read_paths)
    member = bool(scope.member_id)
    if not (staff or member):
        # The security administrator and the auditor (三员分立) read no business data: their
        # home is what they keep, the grants or the audit trail; anyone else has no role yet.
        if scope.account_paths:
            return redirect("accounts:grants")
        if scope.audit_paths:
            return redirect("core:audit")
        return render(request, "core/no_role.html")
    return render(
        request,
        "core/workbench.html",
        {
            "staff": staff_section(request.user) if staff else None,
            "member": member_section(request.user) if member else None,
            "unread": list(notifications_for(actor=request.user, unread_only=True)[:UNREAD_SHOWN])
            if member
            else [],
        },
    )


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not can_read_audit(request.user):
        raise Http404
    g = request.GET
    events = select_audit(
        actor=request.user,
        actor_q=g.get("actor", ""),
        object_q=g.get("object", ""),
        verb=g.get("verb", ""),
        date_from=parse_date(g.get("from", "") or "") if g.get("from") else None,
        date_to=parse_date(g.get("to", "") or "") if g.get("to") else None,
    )
    page, query = paginate(request, events)
    shown = list(page.object_list)
    rows = list(zip(shown, describe_events(shown), strict=True))
    return render(
        request, "core/audit_list.html", {"page": page, "rows": rows, "query": query, "f": g}
    )


# The notification centre: a user's own messages, newest first; mark one or all read.


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = notifications_for(actor=request.user, unread_only=unread_only)
    page, query = paginate(request, items)
    return render(
        request,
        "core/notifications.html",
        {"page": page, "query": query, "unread_only": unread_only},
    )


def _local_link(request: HttpRequest, url: str) -> str:
    """The notification's link if it stays on this site, else "" (never send a reader away)."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole message; reading it marks it read."""
    notification = notification_get(actor=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    return render(
        request,
        "core/notification_detail.html",
        {"n": notification, "link": _local_link(request, notification.url)},
    )


@login_required
def notification_go(request: HttpRequest, pk: int) -> HttpResponse:
    """Clicking a message: it is read, and the reader lands on what it is about (or on the
    message itself when it links nowhere on this site)."""
    notification = notification_get(actor=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    link = _local_link(request, notification.url)
    return redirect(link or reverse("core:notification_open", args=[notification.pk]))


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_get(actor=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    # "Open" marks read and follows the message's own link, if it stays on this site.
    link = _local_link(request, notification.url)
    if request.POST.get("go") and link:
        return redirect(link)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(actor=request.user)
    return redirect("core:notifications")


@login_required
def jobs_page(request: HttpRequest) -> HttpResponse:
    """The periodic jobs' last runs and the task queue, for the platform's operators."""
    if not scope_of(request.user).platform:
        raise Http404
    return render(request, "core/jobs.html", {"overview": jobs_overview()})
