"""The organiser's attendance page of one event: the list, marking, import, close and reopen.

Access: those who manage the event's organiser. Anonymous → login; the event out of sight 404;
visible but not theirs (a viewer, a member who attended) 403.

The import is checked first (dry run) and the checked bytes kept server-side under
MEDIA_ROOT/imports/attendance/<uuid>.xlsx, named in the uploader's session with the event, so
"confirm" writes exactly the file that was checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download
from peixun.core.forms import error_text
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.uploads import upload_held, upload_hold
from peixun.orgs.selectors import attach_org_trails

from .. import selectors
from ..documents import MAX_BYTES, attendance_names
from ..forms import AttendanceImportForm, ReasonForm, RosterFilterForm
from ..models import Attendance, Event
from ..registry import close_owner_url
from ..services import (
    AttendanceImportResult,
    attendance_counts,
    attendance_import,
    attendance_mark,
    attendance_mark_bulk,
    attendance_mark_unmarked,
    attendance_template,
    credited_status,
    event_close,
    event_reopen,
    event_settings_for,
)

UPLOAD_KIND = "attendance"
ERRORS_SHOWN = 500
ROSTER_PAGE = 100


def _row_context(event: Event, row: selectors.RosterRow) -> dict[str, Any]:
    a = row.attendance
    return {
        "event": event,
        "r": row,
        "statuses": Attendance.Status.choices,
        "no_signout": bool(
            a
            and event.signout_required
            and credited_status(event, a.status, a.method, a.signed_out_at) != a.status
        ),
    }


@login_required
@never_cache
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    form = RosterFilterForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q") or ""
    status = form.cleaned_data.get("status") or ""
    rows = selectors.attendance_roster(event, q=q, status=status)
    page, query = paginate(request, rows, per_page=ROSTER_PAGE)
    counts = attendance_counts(event)
    expected = selectors.expected_count(event)
    marked = sum(counts.values())
    rules = event_settings_for(event.org)
    now = timezone.now()
    return render(
        request,
        "events/attendance.html",
        {
            "event": event,
            "form": form,
            "page": page,
            "query": query,
            "rows": [
                _row_context(event, r)
                # Where each member's branch sits, so same-named branches differ (one query).
                for r in attach_org_trails(page.object_list, lambda r: r.member.org)
            ],
            "counts": [(s, label, counts[s]) for s, label in Attendance.Status.choices],
            "expected": expected,
            "unmarked": max(0, expected - marked),
            "filtered": bool(q or status),
            "rules": rules,
            "started": now >= event.starts_at,
            "ended": now >= event.ends_at,
            "closed": event.state == Event.State.CLOSED,
            "close_owner_url": close_owner_url(event),
            "import_form": AttendanceImportForm(),
            "reopen_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def mark(request: HtmxHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """One member's status (HTMX: the row comes back; otherwise back to the page)."""
    event = selectors.event_managed(request.user, pk)
    row = selectors.attendance_row(event, member_pk)
    error = ""
    try:
        attendance_mark(
            actor=request.user,
            event=event,
            member=row.member,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", row.attendance.note if row.attendance else ""),
        )
    except ValidationError as problem:
        error = error_text(problem)
    if request.htmx:
        fresh = selectors.attendance_row(event, member_pk)
        context = _row_context(event, fresh)
        context.update({"error": error, "done": not error})
        return render(request, "events/_attendance_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved: %(name)s.") % {"name": row.member.name})
    return redirect("events:attendance", pk=event.pk)


@login_required
@require_POST
def mark_selected(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticked members all get one status (present by default); all or nothing."""
    event = selectors.event_managed(request.user, pk)
    status = request.POST.get("status") or Attendance.Status.PRESENT
    try:
        created, updated, same = attendance_mark_bulk(
            actor=request.user,
            event=event,
            member_ids=request.POST.getlist("member"),
            status=status,
        )
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(
            request,
            _("Marked %(status)s: %(changed)d changed, %(same)d already so.")
            % {
                "status": Attendance.Status(status).label,
                "changed": created + updated,
                "same": same,
            },
        )
    # The list's own filter is sent as "status_filter": "status" is the status to give.
    back = {
        key: request.POST.get(field, "")
        for key, field in (("q", "q"), ("status", "status_filter"), ("page", "page"))
    }
    back = {key: value for key, value in back.items() if value}
    url = reverse("events:attendance", args=[event.pk])
    return redirect(f"{url}?{urlencode(back)}" if back else url)


@login_required
@require_POST
def mark_unmarked(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    try:
        n = attendance_mark_unmarked(actor=request.user, event=event)
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(request, _("%(n)d members without a mark were marked absent.") % {"n": n})
    return redirect("events:attendance", pk=event.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    try:
        event_close(actor=request.user, event=event)
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(
            request, _("The event is over and the attended hours are credited to the ledger.")
        )
    return redirect("events:attendance", pk=event.pk)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    try:
        event_reopen(actor=request.user, event=event, reason=request.POST.get("reason", ""))
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(
            request, _("The event is open again; its credits were reversed in the ledger.")
        )
    return redirect("events:attendance", pk=event.pk)


@login_required
@never_cache
@require_GET
def template(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    data = attendance_template(actor=request.user, event=event)
    name, fallback = attendance_names(event)
    return download(data, name, fallback=fallback)


# -- import --------------------------------------------------------------------------------------


def _render_import(
    request: HttpRequest,
    event: Event,
    *,
    form: AttendanceImportForm,
    result: AttendanceImportResult | None = None,
    token: str = "",
    filename: str = "",
    done: bool = False,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = result.errors if result else []
    return render(
        request,
        "events/attendance_import.html",
        {
            "event": event,
            "form": form,
            "result": result,
            "errors": errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
            "token": token,
            "filename": filename,
            "done": done,
            "notice": notice,
            "max_mb": MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


@login_required
@never_cache
def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST: check the file (dry run) and show problems or a summary."""
    event = selectors.event_managed(request.user, pk)
    if request.method != "POST":
        return _render_import(request, event, form=AttendanceImportForm())
    form = AttendanceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, event, form=form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read(MAX_BYTES + 1)
    result = attendance_import(actor=request.user, event=event, file=data, dry_run=True)
    token = ""
    if result.ok:
        token = upload_hold(
            kind=UPLOAD_KIND,
            user=request.user,
            data=data,
            filename=upload.name or "",
            bound={"event": event.pk},
        )
    return _render_import(
        request,
        event,
        form=AttendanceImportForm(),
        result=result,
        token=token,
        filename=upload.name or "",
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    held = upload_held(
        kind=UPLOAD_KIND,
        user=request.user,
        token=request.POST.get("token", ""),
        max_age=settings.SESSION_COOKIE_AGE,
        bound={"event": event.pk},
    )
    if held is None:
        return _render_import(
            request,
            event,
            form=AttendanceImportForm(),
            notice=_("The checked file is no longer available; upload it again."),
            status=400,
        )
    result = attendance_import(actor=request.user, event=event, file=held.read(), dry_run=False)
    if result.ok:
        held.release()
        messages.success(
            request,
            _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect(reverse("events:attendance", args=[event.pk]))
    return _render_import(
        request, event, form=AttendanceImportForm(), result=result, filename=held.filename
    )
