from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date

from .pagination import paginate
from .scoping import scope_of
from .selectors import audit_list as select_audit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.platform or scope.read_paths:
        return redirect("orgs:tree")
    if scope.member_id:
        return redirect("members:mine")
    return render(request, "core/no_role.html")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not (scope.platform or scope.admin_paths):
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
    return render(request, "core/audit_list.html", {"page": page, "query": query, "f": g})
