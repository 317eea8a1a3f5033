"""Roster pages: upload → dry run → confirm, the blank template, and the export.

Access:
- anonymous → login (302);
- import, confirm and the template are for actors who manage some org (secretary, org admin,
  platform admin); anyone else (plain member, viewer) gets 404, as for the other write pages;
- the export is for anyone who can read a subtree (viewers included); a plain member gets 404.

The checked upload is held server-side (core.uploads), so "confirm" imports exactly the file
that was checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download, file_name
from peixun.core.scoping import Actor, get_visible_or_404, scope_of
from peixun.core.spreadsheets import RowError
from peixun.core.uploads import upload_held, upload_hold
from peixun.orgs.models import Organization
from peixun.orgs.selectors import reader_scope_org_name

from ..documents import roster_template
from ..forms import MemberFilterForm, RosterUploadForm
from ..selectors import MemberFilters
from ..services import RosterImportResult, roster_export, roster_import

UPLOAD_KIND = "roster"
ERRORS_SHOWN = 500  # a page of thousands of rows helps nobody; the count says how many more


def require_importer(actor: Actor) -> None:
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404


def render_import(
    request: HttpRequest,
    *,
    form: RosterUploadForm,
    result: RosterImportResult | None = None,
    token: str = "",
    filename: str = "",
    done: bool = False,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    errors: list[RowError] = result.errors if result else []
    context = {
        "form": form,
        "result": result,
        "errors": errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "token": token,
        "filename": filename,
        "done": done,
        "notice": notice,
        "max_mb": int(settings.ROSTER_MAX_UPLOAD_BYTES) // (1024 * 1024),
    }
    return render(request, "members/roster_import.html", context, status=status)


@login_required
@never_cache
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: check the file (dry run) and show problems or a summary."""
    actor = request.user
    require_importer(actor)
    if request.method != "POST":
        return render_import(request, form=RosterUploadForm())
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_import(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > int(settings.ROSTER_MAX_UPLOAD_BYTES):
        form.add_error(
            "file",
            _("The file is larger than %(limit)d MB; split it into parts.")
            % {"limit": int(settings.ROSTER_MAX_UPLOAD_BYTES) // (1024 * 1024)},
        )
        return render_import(request, form=form, status=400)
    data = upload.read()
    result = roster_import(actor=actor, data=data, filename=upload.name, dry_run=True)
    token = (
        upload_hold(kind=UPLOAD_KIND, user=actor, data=data, filename=upload.name)
        if result.ok
        else ""
    )
    return render_import(request, form=form, result=result, token=token, filename=upload.name)


@login_required
@require_POST
@never_cache
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file checked a moment ago; it is re-checked inside the write transaction."""
    actor = request.user
    require_importer(actor)
    held = upload_held(
        kind=UPLOAD_KIND,
        user=actor,
        token=request.POST.get("token", ""),
        max_age=settings.SESSION_COOKIE_AGE,
    )
    if held is None:
        notice = _("This upload has expired or was already imported; upload it again.")
        return render_import(request, form=RosterUploadForm(), notice=notice, status=400)
    result = roster_import(actor=actor, data=held.read(), filename=held.filename, dry_run=False)
    held.release()
    return render_import(
        request, form=RosterUploadForm(), result=result, filename=held.filename, done=result.ok
    )


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    require_importer(request.user)
    return download(roster_template(), "党员名册导入模板.xlsx", fallback="roster-template.xlsx")


@login_required
@require_GET
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    """The visible roster with the member list's filters, as .xlsx."""
    actor = request.user
    if not scope_of(actor).is_staff_like:
        raise Http404
    form = MemberFilterForm(request.GET)
    form.is_valid()  # an unknown choice just drops that filter, as on the list
    chosen: dict[str, Any] = {
        name: form.cleaned_data.get(name) or "" for name in MemberFilterForm.base_fields
    }
    org = (
        get_visible_or_404(actor, Organization, request.GET["org"])
        if request.GET.get("org")
        else None
    )
    data = roster_export(actor=actor, filters=MemberFilters(org=org, **chosen))
    today = f"{timezone.localdate():%Y%m%d}"
    org_name = org.name if org is not None else reader_scope_org_name(actor)
    return download(
        data,
        file_name("党员名册", org_name, today, ext="xlsx"),
        fallback=f"roster-{today}.xlsx",
    )
