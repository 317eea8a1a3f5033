"""Pages of meetings: the list (and its .xlsx 台账, every export audited), recording a meeting,
its page (minutes, attendance figures and links to the events layer's sign-in and attendance,
observers, appraisal results, attachments, close and reopen) and editing it.

Access, as in the other apps (the persona tests document each page):
- anonymous → login (302);
- a plain member (no grant) → 404 on every page: meetings are read by secretaries, org admins
  and viewers of the meeting's org or above; members see their attendance in "My training";
- a meeting outside the actor's scope → 404;
- a visible meeting the actor may not manage (a viewer) → 403 on every write;
- "new meeting" is 404 for an actor who manages no organisation.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.permissions import require_manage
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, scope_of
from peixun.events.models import Event
from peixun.orgs.selectors import admin_tenants, attach_org_trails

from .. import selectors
from ..forms import (
    RESULT_CHOICES,
    AttachmentForm,
    MeetingFilterForm,
    MeetingForm,
    ObserverForm,
    ReopenForm,
)
from ..models import AppraisalResult, Meeting, MeetingKind
from ..registry import meeting_links
from ..services import appraisals, exports, observers
from ..services import meetings as services
from ..services.minutes import minutes_html


def _managed(request: HttpRequest, pk: int) -> Meeting:
    """A visible meeting (404 otherwise) the actor manages (403 otherwise)."""
    selectors.require_staff(request.user)
    meeting = selectors.meeting_get(request.user, pk)
    require_manage(request.user, meeting.event.org)
    return meeting


def list_filters(request: HttpRequest) -> tuple[MeetingFilterForm, dict[str, Any]]:
    actor = request.user
    form = MeetingFilterForm(
        request.GET, years=selectors.meeting_years(actor), orgs=selectors.meeting_orgs(actor)
    )
    form.is_valid()  # an unknown choice just drops that filter
    data = form.cleaned_data
    return form, {
        "kind": data.get("kind") or "",
        "topic": data.get("topic") or "",
        "org": data.get("org"),
        "year": data.get("year") or None,
        "q": data.get("q") or "",
    }


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    form, filters = list_filters(request)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    page, query = paginate(request, selectors.meeting_list(actor, **filters))
    # Where each holding org sits, so same-named branches differ (one query for the page).
    page.object_list = attach_org_trails(page.object_list, lambda m: m.event.org)
    scope = scope_of(actor)
    return render(
        request,
        "orglife/meeting_list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "filtered": any(filters.values()),
            "can_create": scope.platform or bool(scope.manage_paths),
            "can_rules": bool(admin_tenants(actor)),
            "export_query": request.GET.urlencode(),
            "now_at": timezone.now(),
        },
    )


@login_required
@require_GET
@never_cache
def meeting_export(request: HttpRequest) -> HttpResponse:
    """The list, with its filters, as an .xlsx 台账."""
    actor = request.user
    selectors.require_staff(actor)
    _form, filters = list_filters(request)
    meetings = list(selectors.meeting_list(actor, **filters))
    data = exports.meeting_export(actor=actor, meetings=meetings, filters=filters)
    today = timezone.localdate()
    return download(
        data,
        file_name("组织生活会议台账", f"{today:%Y%m%d}", ext="xlsx"),
        fallback=f"meetings-{today:%Y%m%d}.xlsx",
    )


def _rules_hint(orgs: Any) -> dict[str, str]:
    first = orgs.first()
    if first is None:
        return {}
    return {kind: f"{c.hours.normalize():f}" for kind, c in selectors.credit_rules(first).items()}


def _rules_table(hint: dict[str, str]) -> list[tuple[str, str]]:
    return [(str(label), hint[kind]) for kind, label in MeetingKind.choices if kind in hint]


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    orgs = selectors.recorder_orgs(actor)
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404
    initial: dict[str, Any] = {"day": timezone.localdate()}
    first = orgs.first()
    if first is not None:
        initial["org"] = first.pk
    if request.GET.get("kind") in MeetingKind.values:
        initial["kind"] = request.GET["kind"]
    form = MeetingForm(request.POST or None, orgs=orgs, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_record(
                actor=actor,
                org=form.cleaned_data["org"],
                kind=form.cleaned_data["kind"],
                scheduled=form.cleaned_data["scheduled"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("orglife:detail", meeting.pk)
    mark_invalid(form)
    hint = _rules_hint(orgs)
    return render(
        request,
        "orglife/meeting_form.html",
        {"form": form, "rules_hint": hint, "rules_table": _rules_table(hint)},
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    meeting = _managed(request, pk)
    form = MeetingForm(
        request.POST or None,
        orgs=selectors.recorder_orgs(actor),
        meeting=meeting,
        initial=MeetingForm.initial_of(meeting),
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if fields["hours"] is None:
            fields.pop("hours")
        if meeting.event.state == Event.State.CLOSED:
            # Once credited only the record itself may still be completed.
            fields = {k: fields[k] for k in ("host", "minutes", "plan_item")}
        try:
            services.meeting_update(
                actor=actor, meeting=meeting, scheduled=form.cleaned_data["scheduled"], **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("orglife:detail", pk)
    mark_invalid(form)
    return render(
        request,
        "orglife/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "closed": meeting.event.state == Event.State.CLOSED,
        },
    )


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    observer_form: ObserverForm | None = None,
    attachment_form: AttachmentForm | None = None,
    reopen_form: ReopenForm | None = None,
    appraisal_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    event = meeting.event
    can_manage = can_manage_org(actor, event.org)
    is_central = meeting.kind == MeetingKind.CENTRAL_GROUP
    is_appraisal = meeting.kind == MeetingKind.APPRAISAL
    context: dict[str, Any] = {
        "meeting": meeting,
        "event": event,
        "minutes": minutes_html(meeting.minutes),
        "figures": selectors.meeting_figures(meeting),
        "can_manage": can_manage,
        "closed": event.state == Event.State.CLOSED,
        "ended": event.ends_at <= timezone.now(),
        "now_at": timezone.now(),
        "is_central": is_central,
        "is_appraisal": is_appraisal,
        "attachments": list(selectors.meeting_attachments(meeting)),
        "attachment_form": attachment_form or AttachmentForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "reopen_open": reopen_form is not None,
        # Links the apps above add about this meeting (the members' 述学 of an appraisal).
        "meeting_links": meeting_links(actor, meeting),
    }
    if is_central:
        context["observers"] = list(selectors.meeting_observers(meeting))
        context["observer_form"] = observer_form or ObserverForm(
            orgs=observers.observer_orgs(meeting)
        )
    if is_appraisal:
        stored = {r.member_id: r for r in selectors.appraisal_results(meeting)}
        rows = []
        counts = {value: 0 for value in AppraisalResult.Result.values}
        for member in selectors.appraisal_members(meeting):
            result = stored.get(member.pk)
            if result is not None:
                counts[result.result] += 1
            rows.append({"member": member, "result": result})
        context.update(
            appraisal_rows=rows,
            appraisal_counts=[
                (label, counts[value]) for value, label in AppraisalResult.Result.choices
            ],
            result_choices=RESULT_CHOICES,
            appraisal_errors=appraisal_errors or [],
        )
    return render(request, "orglife/meeting_detail.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    return _detail(request, selectors.meeting_get(request.user, pk))


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    try:
        services.meeting_close(actor=request.user, meeting=meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The meeting was closed and the members' hours credited."))
    return redirect("orglife:detail", pk)


@login_required
@require_POST
def meeting_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_reopen(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting was reopened and its credits reversed."))
            return redirect("orglife:detail", pk)
    mark_invalid(form)
    return _detail(request, meeting, reopen_form=form, status=422)


@login_required
@require_POST
def observer_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    form = ObserverForm(request.POST, orgs=observers.observer_orgs(meeting))
    if form.is_valid():
        try:
            observers.observer_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The observer was added."))
            return redirect("orglife:detail", pk)
    mark_invalid(form)
    return _detail(request, meeting, observer_form=form, status=422)


@login_required
@require_POST
def observer_remove(request: HttpRequest, pk: int, observer_pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    observer = selectors.meeting_observer_get(meeting, observer_pk)
    observers.observer_remove(actor=request.user, observer=observer)
    messages.success(request, _("The observer was removed."))
    return redirect("orglife:detail", pk)


@login_required
@require_POST
def appraisals_save(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    rows = []
    for member in selectors.appraisal_members(meeting):
        key = f"result_{member.pk}"
        if key in request.POST:
            rows.append(
                appraisals.Appraisal(
                    member=member,
                    result=request.POST.get(key, ""),
                    note=request.POST.get(f"note_{member.pk}", ""),
                )
            )
    try:
        appraisals.appraisals_set(actor=request.user, meeting=meeting, results=rows)
    except ValidationError as error:
        return _detail(request, meeting, appraisal_errors=error.messages, status=422)
    messages.success(request, _("The appraisal results were saved."))
    return redirect("orglife:detail", pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_attachment_add(
                actor=request.user, meeting=meeting, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The file was attached."))
            return redirect("orglife:detail", pk)
    mark_invalid(form)
    return _detail(request, meeting, attachment_form=form, status=422)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    attachment = selectors.meeting_attachment_get(meeting, attachment_pk)
    services.meeting_attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("The file was removed."))
    return redirect("orglife:detail", pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    meeting = selectors.meeting_get(request.user, pk)
    attachment = selectors.meeting_attachment_get(meeting, attachment_pk)
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    suffix = PurePath(attachment.name).suffix
    return download(
        data, attachment.name, fallback=f"meeting-{pk}-attachment-{attachment.pk}{suffix}"
    )
