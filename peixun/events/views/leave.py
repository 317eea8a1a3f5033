"""Leave pages: a member asks and follows their requests; organisers and secretaries decide.

Access:
- ask (`leave_new`): a member who can see the event or is expected at it; anyone else 404.
- mine: any account linked to a member; others 404.
- pending: anyone who manages some org (organisers, secretaries); others 404. It lists requests
  of events they organise and of members of branches they manage, never their own.
- decide: the request out of sight 404; seen but not theirs to decide 403.
- cancel: the member's own pending request; someone else's, seen, 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.forms import add_service_errors, error_text, mark_invalid
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.scoping import scope_of

from .. import selectors
from ..forms import LeaveForm
from ..models import LeaveRequest
from ..services import can_decide_leave, leave_cancel, leave_decide, leave_request


@login_required
def leave_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    if not scope_of(actor).member_id:
        raise Http404
    event = selectors.event_get(actor, pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leave_request(actor=actor, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Leave asked. You will be notified of the decision."))
            return redirect("events:leave_mine")
    mark_invalid(form)
    return render(request, "events/leave_form.html", {"form": form, "event": event})


@login_required
@require_GET
def leave_mine(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).member_id:
        raise Http404
    page, query = paginate(request, selectors.leaves_mine(request.user))
    return render(request, "events/leave_mine.html", {"page": page, "query": query})


@login_required
@require_GET
def leave_pending(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not (scope.platform or scope.manage_paths):
        raise Http404
    page, query = paginate(request, selectors.leaves_to_decide(request.user))
    return render(request, "events/leave_pending.html", {"page": page, "query": query})


def _decision_response(
    request: HtmxHttpRequest, leave: LeaveRequest, *, error: str = "", done: str = ""
) -> HttpResponse:
    if request.htmx:
        fresh = selectors.leave_get(request.user, leave.pk)
        return render(
            request,
            "events/_leave_row.html",
            {"leave": fresh, "error": error, "done": done, "can_decide": True},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("events:leave_pending")


@login_required
@require_POST
def leave_decide_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    leave = selectors.leave_get(actor, pk)
    if not can_decide_leave(actor, leave):
        raise PermissionDenied
    approve = request.POST.get("approve") == "1"
    try:
        leave = leave_decide(
            actor=actor, leave=leave, approve=approve, note=request.POST.get("note", "")
        )
    except ValidationError as problem:
        return _decision_response(request, leave, error=error_text(problem))
    if approve:
        done = _("Approved: %(name)s is on leave.") % {"name": leave.member.name}
    else:
        done = _("Refused: %(name)s reads your note.") % {"name": leave.member.name}
    return _decision_response(request, leave, done=done)


@login_required
@require_POST
def leave_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    leave = selectors.leave_get(actor, pk)
    try:
        leave_cancel(actor=actor, leave=leave)
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(request, _("Your leave request is cancelled."))
    return redirect("events:leave_mine")
