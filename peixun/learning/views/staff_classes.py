"""Staff pages of online classes (网络专题班): the list, the form, a class with its progress per
branch, who has not started (with reminders), its courses, and the progress 台账. A plain member
gets 404 (their classes are on their own pages); a viewer reads and never writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, scope_of
from peixun.plans.selectors import manageable_orgs
from peixun.training.selectors.audience import audience_text

from ..forms.staff import ClassCoursesForm, OnlineClassForm, default_window
from ..models import OnlineClass
from ..selectors import catalogue as catalogue_selectors
from ..selectors import classes as selectors
from ..services import classes as services

TABS = ("branches", "absent", "courses")


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    q = (request.GET.get("q") or "").strip()
    state = request.GET.get("state") or ""
    raw_year = request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    classes = selectors.online_classes(request.user, q=q, year=year, state=state)
    page, query = paginate(request, classes)
    return render(
        request,
        "learning/staff/class_list.html",
        {"page": page, "query": query, "q": q, "state": state, "year": year or "",
         "states": OnlineClass.State.choices,
         "can_create": manageable_orgs(request.user).exists()},
    )  # fmt: skip


def _form_page(
    request: HttpRequest, form: OnlineClassForm, online_class: OnlineClass | None
) -> HttpResponse:
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/staff/class_form.html",
        {"form": form, "online_class": online_class},
        status=status,
    )


@login_required
def class_new(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    orgs = manageable_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("You may not change records of this organization."))
    form = OnlineClassForm(
        request.POST or None, orgs=orgs, initial={"org": orgs.first(), **default_window()}
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            online_class = services.online_class_create(
                actor=request.user, org=form.cleaned_data["org"], data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class was saved as a draft: assign its courses."))
            return redirect("learning:staff_class_courses", online_class_id=online_class.pk)
    return _form_page(request, form, None)


def _managed(request: HttpRequest, online_class_id: int) -> OnlineClass:
    online_class = selectors.online_class_for_staff(request.user, online_class_id)
    if not can_manage_org(request.user, online_class.org):
        raise PermissionDenied(_("You may not change records of this organization."))
    return online_class


@login_required
def class_edit(request: HttpRequest, online_class_id: int) -> HttpResponse:
    online_class = _managed(request, online_class_id)
    initial: dict[str, Any] = {name: getattr(online_class, name) for name in services.CLASS_FIELDS}
    initial["org"] = online_class.org
    form = OnlineClassForm(
        request.POST or None, orgs=manageable_orgs(request.user), initial=initial, editing=True
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.online_class_update(
                actor=request.user, online_class=online_class, data=form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class was saved."))
            return redirect("learning:staff_class", online_class_id=online_class.pk)
    return _form_page(request, form, online_class)


@login_required
def class_courses(request: HttpRequest, online_class_id: int) -> HttpResponse:
    online_class = _managed(request, online_class_id)
    courses = catalogue_selectors.assignable_courses(request.user, online_class.audience_org.path)
    assigned = selectors.class_assignments(online_class)
    form = ClassCoursesForm(
        request.POST or None,
        courses=courses,
        initial={
            "required": [a.course_id for a in assigned if a.required],
            "electives": [a.course_id for a in assigned if not a.required],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.online_class_set_courses(
                actor=request.user,
                online_class=online_class,
                required=list(form.cleaned_data["required"]),
                electives=list(form.cleaned_data["electives"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class's courses were saved."))
            return redirect(
                f"{reverse('learning:staff_class', args=[online_class.pk])}?tab=courses"
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/staff/class_courses.html",
        {"form": form, "online_class": online_class, "has_courses": courses.exists()},
        status=status,
    )


@login_required
def class_detail(request: HttpRequest, online_class_id: int) -> HttpResponse:
    actor = request.user
    online_class = selectors.online_class_for_staff(actor, online_class_id)
    tab = request.GET.get("tab") or "branches"
    if tab not in TABS:
        tab = "branches"
    rows, total = selectors.branch_progress(actor, online_class)
    today = timezone.localdate()
    is_open = (
        online_class.state == OnlineClass.State.PUBLISHED
        and online_class.starts_on <= today <= online_class.ends_on
    )
    scope = scope_of(actor)
    context: dict[str, Any] = {
        "online_class": online_class,
        "tab": tab,
        "rows": rows,
        "total": total,
        "audience": audience_text(online_class),
        "assignments": selectors.class_assignments(online_class),
        "can_manage": can_manage_org(actor, online_class.org),
        "can_remind": is_open and bool(scope.platform or scope.manage_paths),
        "is_open": is_open,
    }
    if tab == "absent":
        q = (request.GET.get("q") or "").strip()
        waiting = selectors.not_started_members(actor, online_class, q=q)
        context["absent"], context["query"] = paginate(request, waiting)
        context["q"] = q
    return render(request, "learning/staff/class_detail.html", context)


def _act(request: HttpRequest, online_class_id: int, act: Any, done: str) -> HttpResponse:
    online_class = _managed(request, online_class_id)
    try:
        act(online_class)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("learning:staff_class", online_class_id=online_class.pk)


@login_required
@require_POST
def class_publish(request: HttpRequest, online_class_id: int) -> HttpResponse:
    return _act(
        request,
        online_class_id,
        lambda oc: services.online_class_publish(actor=request.user, online_class=oc),
        _("The class is published: its audience finds the courses under My courses."),
    )


@login_required
@require_POST
def class_cancel(request: HttpRequest, online_class_id: int) -> HttpResponse:
    return _act(
        request,
        online_class_id,
        lambda oc: services.online_class_cancel(actor=request.user, online_class=oc),
        _("The class was cancelled."),
    )


@login_required
@require_POST
def class_remind(request: HttpRequest, online_class_id: int) -> HttpResponse:
    online_class = selectors.online_class_for_staff(request.user, online_class_id)
    try:
        told = services.online_class_remind(actor=request.user, online_class=online_class)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(n)s members who have not started were reminded.") % {"n": told},
        )
    return redirect(f"{reverse('learning:staff_class', args=[online_class.pk])}?tab=absent")


@login_required
def class_progress_xlsx(request: HttpRequest, online_class_id: int) -> HttpResponse:
    online_class = selectors.online_class_for_staff(request.user, online_class_id)
    content = services.online_class_progress_export(actor=request.user, online_class=online_class)
    return download(
        content,
        file_name(online_class.title, "学习进度台账", ext="xlsx"),
        fallback=f"online-class-{online_class.pk}-progress.xlsx",
    )
