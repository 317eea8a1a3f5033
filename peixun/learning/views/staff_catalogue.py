"""Staff pages of the catalogue: the courses shared with the reader's part of the tree, a course
with its items and how far members have got, the course and item forms, publishing and retiring,
and the strikes log (refused progress reports). Writes go through `services.courses`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org
from peixun.exams.models import Question
from peixun.hours.models import Topic
from peixun.plans.selectors import manageable_orgs

from .. import services
from ..forms.staff import CourseForm, ItemForm
from ..models import Course, Strike
from ..selectors import catalogue as selectors
from ..selectors.classes import require_staff

COURSE_FIELDS = ["title", "topic", "hours", "move_on", "watch_percent", "allow_skip", "description"]


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    q = (request.GET.get("q") or "").strip()
    topic = request.GET.get("topic") or ""
    state = request.GET.get("state") or ""
    courses = selectors.catalogue(
        request.user, q=q, topic=topic if topic in Topic.values else "", state=state
    )
    page, query = paginate(request, courses)
    return render(
        request,
        "learning/staff/catalogue.html",
        {"page": page, "query": query, "q": q, "topic": topic, "state": state,
         "topics": Topic.choices, "states": Course.State.choices,
         "can_create": manageable_orgs(request.user).exists()},
    )  # fmt: skip


def _course_form_page(
    request: HttpRequest, form: CourseForm, course: Course | None
) -> HttpResponse:
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "learning/staff/course_form.html", {"form": form, "course": course}, status=status
    )


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    orgs = manageable_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("You may not change records of this organization."))
    form = CourseForm(request.POST or None, orgs=orgs, initial={"org": orgs.first()})
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(
                actor=request.user, org=form.cleaned_data["org"], **form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course was saved as a draft: add its items."))
            return redirect("learning:staff_course", course_id=course.pk)
    return _course_form_page(request, form, None)


def _managed(request: HttpRequest, course_id: int) -> Course:
    course = selectors.course_for_staff(request.user, course_id)
    if not can_manage_org(request.user, course.org):
        raise PermissionDenied(_("You may not change records of this organization."))
    return course


@login_required
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _managed(request, course_id)
    initial: dict[str, Any] = {name: getattr(course, name) for name in COURSE_FIELDS}
    initial["org"] = course.org
    form = CourseForm(
        request.POST or None, orgs=manageable_orgs(request.user), initial=initial, editing=True
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=request.user, course=course, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("learning:staff_course", course_id=course.pk)
    return _course_form_page(request, form, course)


@login_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_staff(request.user, course_id)
    figures = selectors.course_figures(request.user, course)
    return render(
        request, "learning/staff/course_detail.html", {"course": course, "figures": figures}
    )


def _bank(course: Course) -> Any:
    return (
        Question.objects.shared_with_paths((course.org.path,)).filter(retired=False).order_by("-id")
    )


@login_required
def item_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _managed(request, course_id)
    form = ItemForm(request.POST or None, request.FILES or None, questions=_bank(course))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.course_item_add(
                actor=request.user,
                course=course,
                kind=data["kind"],
                title=data["title"],
                file=data.get("file"),
                duration_seconds=data.get("duration_seconds"),
                questions=list(data.get("questions") or []),
                pass_percent=data.get("pass_percent") or 60,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item was added."))
            return redirect("learning:staff_course", course_id=course.pk)
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "learning/staff/item_form.html", {"form": form, "course": course}, status=status
    )


@login_required
@require_POST
def item_remove(request: HttpRequest, course_id: int, item_id: int) -> HttpResponse:
    course = _managed(request, course_id)
    item = course.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    try:
        services.course_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The item was removed."))
    return redirect("learning:staff_course", course_id=course.pk)


def _act(request: HttpRequest, course_id: int, act: Any, done: str) -> HttpResponse:
    course = _managed(request, course_id)
    try:
        act(course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("learning:staff_course", course_id=course.pk)


@login_required
@require_POST
def course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    return _act(
        request,
        course_id,
        lambda c: services.course_publish(actor=request.user, course=c),
        _("The course is published: members below its owner can take it."),
    )


@login_required
@require_POST
def course_retire(request: HttpRequest, course_id: int) -> HttpResponse:
    return _act(
        request,
        course_id,
        lambda c: services.course_retire(actor=request.user, course=c),
        _("The course was retired; completions and credits stay."),
    )


@login_required
def strikes(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    q = (request.GET.get("q") or "").strip()
    reason = request.GET.get("reason") or ""
    rows = selectors.strikes(request.user, q=q, reason=reason)
    page, query = paginate(request, rows)
    return render(
        request,
        "learning/staff/strikes.html",
        {"page": page, "query": query, "q": q, "reason": reason,
         "reasons": Strike.Reason.choices,
         "uncredited": selectors.uncredited_completions(request.user)},
    )  # fmt: skip
