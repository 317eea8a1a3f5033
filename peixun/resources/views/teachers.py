"""Pages of the 师资库: the pool with its search and 台账, a teacher's page (profile, subjects,
teaching history, evaluation results), adding and changing a teacher, leaving and rejoining,
a login for the teacher, and "My teaching" for a signed-in teacher.

Access: the pool and the 台账 are for staff (others 404). A teacher's page is seen by those who
see the teacher (`Teacher.objects.visible_to`, which includes the teacher's own login); only the
keeper's managers change it (others 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org
from peixun.orgs.selectors import reader_scope_org_name

from ..forms.teachers import TeacherFilterForm, TeacherForm, TeacherLeaveForm
from ..models import Teacher
from ..selectors import teachers as selectors
from ..services import teachers as services


def _filters(request: HttpRequest) -> TeacherFilterForm:
    return TeacherFilterForm(request.GET or None, keepers=selectors.teacher_keepers(request.user))


@login_required
def teacher_list(request: HttpRequest) -> HttpResponse:
    selectors.require_pool_reader(request.user)
    filters = _filters(request)
    if (answer := picker_answer(request, filters)) is not None:
        return answer
    rows = selectors.teachers_search(request.user, **filters.search())
    page, query = paginate(request, rows)
    teachers = list(page.object_list)
    ratings = selectors.shown_ratings([t.pk for t in teachers])
    export_query = request.GET.copy()
    export_query.pop("page", None)
    return render(
        request,
        "resources/teacher_list.html",
        {
            "page": page,
            "rows": [(t, ratings.get(t.pk)) for t in teachers],
            "query": query,
            "filters": filters,
            "filtered": filters.filtered(),
            "export_query": export_query.urlencode(),
            "can_manage": selectors.keeper_candidates(request.user).exists(),
        },
    )


@login_required
@require_GET
def teacher_export(request: HttpRequest) -> HttpResponse:
    """The teachers the list shows (same filters) as the 师资库 台账."""
    selectors.require_pool_reader(request.user)
    search = _filters(request).search()
    content = services.teachers_export(actor=request.user, search=search)
    today = timezone.localdate()
    name = file_name("师资库", reader_scope_org_name(request.user), f"{today:%Y%m%d}", ext="xlsx")
    return download(content, name, fallback=f"teachers-{today:%Y%m%d}.xlsx")


# -- one teacher ---------------------------------------------------------------------------------


@login_required
def teacher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = selectors.teacher_detail(request.user, pk)
    history = selectors.teaching_history(teacher)
    can_manage = can_manage_org(request.user, teacher.org)
    return render(
        request,
        "resources/teacher_detail.html",
        {
            "teacher": teacher,
            "subjects": selectors.teacher_subject_labels(teacher),
            "history": history,
            "summary": selectors.teaching_summary(history),
            "rating": selectors.teacher_rating(teacher),
            "can_manage": can_manage,
            "leave_form": TeacherLeaveForm() if can_manage and teacher.active else None,
            "is_self": teacher.user_id is not None and teacher.user_id == request.user.pk,
        },
    )


def _form(request: HttpRequest, teacher: Teacher | None) -> TeacherForm:
    orgs = selectors.keeper_candidates(request.user)
    if teacher is None and not orgs.exists():
        raise PermissionDenied(_("You may not add teachers to a pool."))
    initial: dict[str, Any] = (
        TeacherForm.initial_for(teacher) if teacher else {"org": orgs.first(), "title": "none"}
    )
    return TeacherForm(
        request.POST or None,
        orgs=orgs,
        open_to=selectors.open_to_candidates(request.user),
        members=selectors.member_candidates(request.user),
        initial=initial,
    )


@login_required
def teacher_new(request: HttpRequest) -> HttpResponse:
    selectors.require_pool_reader(request.user)
    form = _form(request, None)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            teacher = services.teacher_create(
                actor=request.user, org=form.cleaned_data["org"], data=form.teacher_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added to the pool.") % {"name": teacher.name})
            return redirect("resources:teacher_detail", pk=teacher.pk)
    mark_invalid(form)
    return render(
        request,
        "resources/teacher_form.html",
        {"form": form, "teacher": None},
        status=400 if request.method == "POST" else 200,
    )


def _managed(request: HttpRequest, pk: int) -> Teacher:
    teacher = selectors.teacher_detail(request.user, pk)
    if not can_manage_org(request.user, teacher.org):
        raise PermissionDenied(_("You may not change teachers of this pool."))
    return teacher


@login_required
def teacher_edit(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = _managed(request, pk)
    form = _form(request, teacher)
    form.fields["org"].disabled = True  # the keeper stays; a new keeper adds the teacher anew
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.teacher_update(actor=request.user, teacher=teacher, data=form.teacher_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The teacher was saved."))
            return redirect("resources:teacher_detail", pk=teacher.pk)
    mark_invalid(form)
    return render(
        request,
        "resources/teacher_form.html",
        {"form": form, "teacher": teacher},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def teacher_leave(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = _managed(request, pk)
    form = TeacherLeaveForm(request.POST)
    if form.is_valid():
        try:
            services.teacher_leave(
                actor=request.user,
                teacher=teacher,
                reason=form.cleaned_data["left_reason"],
                left_on=form.cleaned_data["left_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s left the pool: their history stays, no class may name them now.")
                % {"name": teacher.name},
            )
            return redirect("resources:teacher_detail", pk=teacher.pk)
    problems = " ".join(str(m) for errors in form.errors.values() for m in errors)
    messages.error(request, problems or _("The teacher could not leave the pool."))
    return redirect("resources:teacher_detail", pk=teacher.pk)


@login_required
@require_POST
def teacher_rejoin(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = _managed(request, pk)
    try:
        services.teacher_rejoin(actor=request.user, teacher=teacher)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is in the pool again.") % {"name": teacher.name})
    return redirect("resources:teacher_detail", pk=teacher.pk)


@login_required
@require_POST
@never_cache
def teacher_login(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the teacher a login: link a member's own, or make one and show its activation code
    once (the page is never cached)."""
    teacher = _managed(request, pk)
    try:
        issued = services.teacher_login_grant(actor=request.user, teacher=teacher)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("resources:teacher_detail", pk=teacher.pk)
    if issued is None:
        messages.success(
            request,
            _("%(name)s signs in with their own login and now sees their teaching.")
            % {"name": teacher.name},
        )
        return redirect("resources:teacher_detail", pk=teacher.pk)
    return render(request, "resources/teacher_login.html", {"teacher": teacher, "issued": issued})


# -- the teacher's own page ---------------------------------------------------------------------


@login_required
def my_teaching(request: HttpRequest) -> HttpResponse:
    """A signed-in teacher's sessions, each with its roster, and their evaluation results."""
    teacher = selectors.own_teacher(request.user)
    if teacher is None:
        raise Http404
    sessions = selectors.my_teaching(teacher)
    return render(
        request,
        "resources/my_teaching.html",
        {
            "teacher": teacher,
            "sessions": sessions,
            "summary": selectors.teaching_summary(sessions),
            "rating": selectors.teacher_rating(teacher),
            "subjects": selectors.teacher_subject_labels(teacher),
        },
    )
