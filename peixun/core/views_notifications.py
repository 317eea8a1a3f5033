"""The notification centre: a user's own messages, newest first; mark one or all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .notifications import (
    notification_get,
    notification_mark_all_read,
    notification_mark_read,
    notifications_for,
)
from .pagination import paginate


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = notifications_for(actor=request.user)
    if request.GET.get("unread") == "1":
        items = items.filter(read_at__isnull=True)
    page, query = paginate(request, items)
    return render(
        request,
        "core/notifications.html",
        {"page": page, "query": query, "unread_only": request.GET.get("unread") == "1"},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_get(actor=request.user, pk=pk)
    return render(request, "core/notification_detail.html", {"n": notification})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_get(actor=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    # "Open" marks read and follows the message's own link, if it stays on this site.
    if request.POST.get("go") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url or "core:notifications")
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(actor=request.user)
    return redirect("core:notifications")
