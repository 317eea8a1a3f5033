"""Pages of the external records import: sources and their mappings, upload, the batch's
report with its progress bar (htmx polls while the worker runs), the review queue, apply.

Access: whoever manages an org (a secretary for their branch, an org admin for their subtree);
anonymous → login; plain members and read-only viewers → 404, as for the roster import.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peixun.core.forms import add_service_errors, error_text, render_form
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer, set_picker_url

from ..forms.imports import PickForm, SourceForm, UploadForm
from ..models.imports import ImportLine
from ..selectors import imports as selectors
from ..services import imports as services

PROBLEMS_SHOWN = 100


@login_required
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    """The sources, the upload form and the recent imports."""
    actor = request.user
    selectors.require_importer(actor)
    sources = selectors.source_list(actor)
    only = list(sources[:2])
    # With one source (the usual case for a branch) it is chosen already.
    initial = {"source": only[0].pk} if len(only) == 1 else {}
    form = UploadForm(request.POST or None, request.FILES or None, sources=sources, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_upload(
                actor=actor,
                source=form.cleaned_data["source"],
                period=form.cleaned_data["period"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            return redirect("learning:import_batch", batch.pk)
    page, query = paginate(request, selectors.batch_list(actor))
    return render_form(
        request, "learning/imports/index.html", form, sources=sources, page=page, query=query
    )


@login_required
@never_cache
def source_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_importer(actor)
    initial = {f"map_{f}": h for f, h in services.default_mapping().items()}
    form = SourceForm(request.POST or None, orgs=selectors.source_orgs(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_create(
                actor=actor,
                org=form.cleaned_data["org"],
                name=form.cleaned_data["name"],
                platform=form.cleaned_data["platform"],
                mapping=form.mapping(),
            )
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Source saved; its column mapping is remembered."))
            return redirect("learning:imports")
    return render_form(request, "learning/imports/source_form.html", form, source=None)


@login_required
@never_cache
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    source = selectors.source_get(actor, pk)
    initial = {"name": source.name, "platform": source.platform}
    initial.update({f"map_{f}": h for f, h in source.mapping.items()})
    form = SourceForm(request.POST or None, orgs=None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_update(
                actor=actor,
                source=source,
                name=form.cleaned_data["name"],
                platform=form.cleaned_data["platform"],
                mapping=form.mapping(),
            )
        except ValidationError as problem:
            add_service_errors(form, problem)
        else:
            messages.success(request, _("Source saved; its column mapping is remembered."))
            return redirect("learning:imports")
    return render_form(request, "learning/imports/source_form.html", form, source=source)


@login_required
@require_GET
@never_cache
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's report: counts, problem rows, one line a person (filtered by state)."""
    batch = selectors.batch_get(request.user, pk)
    state = request.GET.get("state", "")
    if state not in ImportLine.State.values:
        state = ""
    page, query = paginate(request, selectors.batch_lines(batch, state))
    return render(
        request,
        "learning/imports/batch.html",
        {
            "batch": batch,
            "page": page,
            "query": query,
            "state": state,
            "states": ImportLine.State.choices,
            "problems": batch.problems[:PROBLEMS_SHOWN],
            "problems_hidden": max(0, batch.problem_rows - PROBLEMS_SHOWN),
        },
    )


@login_required
@require_GET
@never_cache
def batch_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the worker runs; once it is done, the page
    reloads itself (HX-Refresh) to show the report."""
    batch = selectors.batch_get(request.user, pk)
    response = render(request, "learning/imports/_progress.html", {"batch": batch})
    if request.htmx and not batch.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def batch_apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    batch = selectors.batch_get(actor, pk)
    try:
        services.import_apply_request(actor=actor, batch=batch)
    except ValidationError as problem:
        messages.error(request, error_text(problem))
    return redirect("learning:import_batch", batch.pk)


@login_required
@never_cache
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The lines waiting for a person: each with the members the file may mean, a search over
    the source's members, and "leave out"."""
    batch = selectors.batch_get(request.user, pk)
    candidates = selectors.pick_candidates(batch)
    search = PickForm(candidates=candidates)
    if (answer := picker_answer(request, search)) is not None:
        return answer
    page, query = paginate(request, selectors.batch_lines(batch, ImportLine.State.REVIEW), 20)
    members = selectors.members_by_id([m for line in page.object_list for m in line.candidates])
    here = reverse("learning:import_review", args=[batch.pk])
    items = []
    for line in page.object_list:
        form = PickForm(candidates=candidates, auto_id=f"line{line.pk}_%s")
        set_picker_url(form.fields["member"], here)
        items.append(
            {
                "line": line,
                "form": form,
                "candidates": [members[m] for m in line.candidates if m in members],
            }
        )
    return render(
        request,
        "learning/imports/review.html",
        {"batch": batch, "items": items, "page": page, "query": query},
    )


@login_required
@require_POST
def line_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's answer: the member picked (a candidate's button or the search), or
    `skip` to leave the line out of this import."""
    actor = request.user
    line = selectors.line_get(actor, pk)
    batch = line.batch
    form = PickForm(request.POST, candidates=selectors.pick_candidates(batch))
    skip = request.POST.get("skip") == "1"
    if not form.is_valid() or (not skip and form.cleaned_data["member"] is None):
        messages.error(request, _("Pick a member from the list, or leave the line out."))
    else:
        try:
            services.import_line_pick(
                actor=actor, line=line, member=None if skip else form.cleaned_data["member"]
            )
        except ValidationError as problem:
            messages.error(request, error_text(problem))
    if selectors.batch_get(actor, batch.pk).review:
        return redirect("learning:import_review", batch.pk)
    return redirect("learning:import_batch", batch.pk)
