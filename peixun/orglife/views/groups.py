"""Pages of the 青年理论学习小组: the list, one group (members, meetings, hours credited this
year), creating and editing a group, adding and removing members, and scheduling a group
meeting with the meeting form. Access as for meetings: a plain member 404; writes need a
manager of the keeping org (404 for one who manages nothing, 403 for a reader)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.permissions import require_manage
from peixun.core.pickers import picker_answer, set_picker_url
from peixun.core.scoping import can_manage_org, scope_of

from .. import selectors
from ..forms import GroupMeetingForm, StudyGroupForm, StudyGroupMemberForm
from ..models import GROUP_MEETING_KINDS, StudyGroup
from ..selectors import groups as queries
from ..services import groups as services
from ..services.meetings import meeting_record


def _can_create(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.platform or bool(scope.manage_paths)


def _managed(request: HttpRequest, pk: int) -> StudyGroup:
    selectors.require_staff(request.user)
    group = queries.study_group_get(request.user, pk)
    require_manage(request.user, group.org)
    return group


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    q = request.GET.get("q", "")[:100]
    page, query = paginate(request, queries.study_group_list(actor, q=q))
    return render(
        request,
        "orglife/group_list.html",
        {"page": page, "query": query, "q": q, "can_create": _can_create(request)},
    )


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    if not _can_create(request):
        raise Http404
    orgs = selectors.recorder_orgs(actor)
    form = StudyGroupForm(
        request.POST or None, orgs=orgs, leaders=queries.study_group_leaders(actor, orgs)
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.study_group_create(
                actor=actor,
                org=data["org"],
                name=data["name"],
                leader=data["leader"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The study group was created."))
            return redirect("orglife:group", group.pk)
    mark_invalid(form)
    return render(request, "orglife/group_form.html", {"form": form})


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    group = _managed(request, pk)
    orgs = selectors.recorder_orgs(actor)
    form = StudyGroupForm(
        request.POST or None,
        orgs=orgs,
        leaders=queries.study_group_candidates(actor, group),
        group=group,
        initial={
            "org": group.org_id,
            "name": group.name,
            "leader": group.leader_id,
            "active": group.active,
            "note": group.note,
        },
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.study_group_update(
                actor=actor,
                group=group,
                name=data["name"],
                leader=data["leader"],
                active=data["active"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The study group was saved."))
            return redirect("orglife:group", group.pk)
    mark_invalid(form)
    return render(request, "orglife/group_form.html", {"form": form, "group": group})


def _member_form(request: HttpRequest, group: StudyGroup) -> StudyGroupMemberForm:
    form = StudyGroupMemberForm(
        request.POST if request.method == "POST" else None,
        members=queries.study_group_candidates(request.user, group),
        initial={"joined_on": timezone.localdate()},
        prefix="join",
    )
    # The detail page answers the picker, also when a failed POST re-shows the form.
    set_picker_url(form.fields["member"], reverse("orglife:group", args=[group.pk]))
    return form


def _detail(
    request: HttpRequest, group: StudyGroup, form: StudyGroupMemberForm | None
) -> HttpResponse:
    year = timezone.localdate().year
    can_manage = can_manage_org(request.user, group.org)
    if form is None and can_manage:
        form = _member_form(request, group)
    return render(
        request,
        "orglife/group_detail.html",
        {
            "group": group,
            "memberships": list(queries.study_group_memberships(group)),
            "meetings": list(queries.study_group_meetings(group)[:50]),
            "hours": queries.study_group_hours(group, year),
            "year": year,
            "can_manage": can_manage,
            "form": form,
        },
    )


@login_required
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    group = queries.study_group_get(request.user, pk)
    if can_manage_org(request.user, group.org):
        form = _member_form(request, group)
        if (answer := picker_answer(request, form)) is not None:
            return answer
    return _detail(request, group, None)


@login_required
@require_POST
def group_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _managed(request, pk)
    form = _member_form(request, group)
    if form.is_valid():
        try:
            services.study_group_member_add(
                actor=request.user,
                group=group,
                member=form.cleaned_data["member"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The member joined the group."))
            return redirect("orglife:group", group.pk)
    mark_invalid(form)
    return _detail(request, group, form)


@login_required
@require_POST
def group_member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    group = _managed(request, pk)
    membership = queries.study_group_membership_get(group, membership_pk)
    try:
        services.study_group_member_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The member left the group."))
    return redirect("orglife:group", group.pk)


@login_required
def group_meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule (or record) a meeting of the group: the meeting form, held by the keeping org,
    of a kind a group holds; its members are expected and credited when it closes."""
    actor = request.user
    group = _managed(request, pk)
    if not group.active:
        raise Http404
    form = GroupMeetingForm(
        request.POST or None,
        group=group,
        initial={
            "org": group.org_id,
            "kind": GROUP_MEETING_KINDS[0],
            "day": timezone.localdate(),
            "scheduled": True,
            "host": group.leader.name if group.leader else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_record(
                actor=actor,
                org=group.org,
                kind=form.cleaned_data["kind"],
                scheduled=form.cleaned_data["scheduled"],
                study_group=group,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group meeting was recorded."))
            return redirect("orglife:detail", meeting.pk)
    mark_invalid(form)
    return render(request, "orglife/meeting_form.html", {"form": form, "group": group})
