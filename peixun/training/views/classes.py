"""Pages of a class and its curriculum: list, calendar, new and edit, the curriculum tab with the
theory share, sessions, publication, cancellation, and the tenant's training settings.

Access, uniformly (the persona tests document each page):
- anonymous → login (302);
- a class outside the actor's scope → 404, never a 403 that confirms it exists;
- a visible class the actor may not manage (a viewer, a member enrolled in it, a secretary whose
  members are dispatched to it) → 403 on every write page and action;
- "new class" is 404 for an actor who manages no organisation, and the settings page 404 for
  anyone but an org admin of a tenant's root, like the other apps' write pages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pagination import paginate
from peixun.core.permissions import require_manage
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, scope_of
from peixun.hours.selectors import requirement_audience_text
from peixun.orgs.selectors import admin_tenants
from peixun.resources.selectors.teachers import teachers_for_org

from .. import selectors
from ..forms import (
    CancelForm,
    ClassFilterForm,
    ClassForm,
    PublishForm,
    SessionForm,
    SettingsForm,
    session_error_map,
)
from ..models import Session, TrainingClass
from ..services import classes as services


def _managed_class(request: HttpRequest, pk: int) -> TrainingClass:
    """A visible class (404 otherwise) the actor manages (403 otherwise)."""
    training_class = selectors.class_get(request.user, pk)
    require_manage(request.user, training_class.org)
    return training_class


def _service_errors(form: Any, error: ValidationError, session: bool = False) -> None:
    if session and hasattr(error, "error_dict"):
        error = ValidationError(session_error_map(error.message_dict))
    add_service_errors(form, error)


# -- list and calendar ---------------------------------------------------------------------------


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = ClassFilterForm(
        request.GET,
        years=selectors.class_years(actor),
        organisers=selectors.class_organisers(actor),
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    form.is_valid()  # an unknown choice just drops that filter
    data = form.cleaned_data
    classes = selectors.class_list(
        actor,
        year=data.get("year") or None,
        state=data.get("state") or "",
        kind=data.get("kind") or "",
        org=data.get("org"),
        q=data.get("q") or "",
    )
    page, query = paginate(request, classes)
    scope = scope_of(actor)
    return render(
        request,
        "training/class_list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "filtered": any(data.get(k) for k in ("year", "state", "kind", "org", "q")),
            "can_create": scope.platform or bool(scope.manage_paths),
            "can_circular": scope.platform or bool(scope.read_paths),
            "can_settings": (scope.platform or bool(scope.admin_paths))
            and bool(admin_tenants(actor)),
        },
    )


MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def _month_of(raw: str) -> dt.date:
    match = MONTH_RE.match(raw or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return timezone.localdate().replace(day=1)


@login_required
def class_calendar(request: HttpRequest) -> HttpResponse:
    """A month of sessions of the visible classes: a grid on a wide screen, a day list on a phone."""
    first = _month_of(request.GET.get("month", ""))
    following = (first + dt.timedelta(days=32)).replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(following, dt.time.min), tz)
    by_day: dict[dt.date, list[Session]] = {}
    for session in selectors.sessions_between(request.user, start, end):
        by_day.setdefault(timezone.localdate(session.event.starts_at), []).append(session)
    today = timezone.localdate()
    weeks = [
        [
            {"day": d, "in_month": d.month == first.month, "sessions": by_day.get(d, [])}
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return render(
        request,
        "training/class_calendar.html",
        {
            "month": first,
            "weeks": weeks,
            "days": sorted(by_day.items()),
            "today": today,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "this_month": today.strftime("%Y-%m"),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


# -- new and edit --------------------------------------------------------------------------------


@login_required
def class_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    orgs = selectors.organiser_choices(actor)
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404
    initial: dict[str, Any] = {"capacity": 50, "starts_on": timezone.localdate()}
    first = orgs.first()
    if first is not None:
        initial["org"] = first.pk
    form = ClassForm(request.POST or None, orgs=orgs, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            training_class = services.class_create(
                actor=actor, org=form.cleaned_data["org"], **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Class created. Now build its curriculum."))
            return redirect("training:detail", training_class.pk)
    mark_invalid(form)
    return render(request, "training/class_form.html", {"form": form})


@login_required
def class_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    training_class = _managed_class(request, pk)
    if training_class.state not in services.EDITABLE_STATES:
        messages.error(request, _("This class can no longer be changed."))
        return redirect("training:detail", pk)
    orgs = selectors.organiser_choices(actor)
    form = ClassForm(
        request.POST or None,
        orgs=orgs,
        editing=True,
        initial=ClassForm.initial_of(training_class),
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.class_update(
                actor=actor, training_class=training_class, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class was saved."))
            return redirect("training:detail", pk)
    mark_invalid(form)
    return render(
        request, "training/class_form.html", {"form": form, "training_class": training_class}
    )


# -- the curriculum tab --------------------------------------------------------------------------


def _curriculum_context(
    request: HttpRequest,
    training_class: TrainingClass,
    *,
    session_form: SessionForm | None = None,
    publish_form: PublishForm | None = None,
    curriculum_error: str = "",
) -> dict[str, Any]:
    can_manage = can_manage_org(request.user, training_class.org)
    editable = can_manage and training_class.state in services.EDITABLE_STATES
    figures = services.theory_share(training_class)
    applies = services.theory_check_applies(training_class)
    if session_form is None and editable:
        session_form = _session_form(training_class, None, prefix="new")
    if publish_form is None:
        publish_form = PublishForm()
    return {
        "training_class": training_class,
        "sessions": list(selectors.class_sessions(training_class)),
        "can_manage": can_manage,
        "editable": editable,
        "theory": figures,
        "theory_applies": applies,
        "theory_below": applies and not figures.ok,
        "share_percent": services.percent(figures.share),
        "minimum_percent": services.percent(figures.minimum),
        "bar_width": min(int((figures.share or 0) * 100), 100),
        "minimum_width": min(int(figures.minimum * 100), 100),
        "session_form": session_form,
        "publish_form": publish_form,
        "curriculum_error": curriculum_error,
    }


def _detail(
    request: HttpRequest,
    training_class: TrainingClass,
    *,
    session_form: SessionForm | None = None,
    publish_form: PublishForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    figures = selectors.class_with_figures(request.user, training_class.pk)
    context = _curriculum_context(
        request, figures, session_form=session_form, publish_form=publish_form
    )
    context.update(
        active_tab="detail",
        cancel_form=cancel_form or CancelForm(),
        cancel_open=cancel_form is not None,
        audience_text=requirement_audience_text(
            rule_or_data={
                "statuses": figures.audience_statuses,
                "positions": figures.audience_positions,
                "cadre_ranks": figures.audience_cadre_ranks,
            },
            org=figures.audience_org,
        ),
    )
    return render(request, "training/class_detail.html", context)


@login_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.class_get(request.user, pk))


def _curriculum(request: HttpRequest, training_class: TrainingClass, **kwargs: Any) -> HttpResponse:
    """The curriculum fragment (figures, theory share, table, add form, publish), for HTMX
    swaps; read afresh, with the class's figures."""
    fresh = selectors.class_with_figures(request.user, training_class.pk)
    return render(
        request,
        "training/_class_curriculum.html",
        _curriculum_context(request, fresh, **kwargs),
    )


@login_required
def session_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    training_class = _managed_class(request, pk)
    form = _session_form(training_class, request.POST or None, prefix="new")
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_add(
                actor=actor, training_class=training_class, **form.service_fields()
            )
        except ValidationError as error:
            _service_errors(form, error, session=True)
        else:
            if request.htmx:
                # The next session most often follows this one on the same day.
                event = session.event
                starts = timezone.localtime(event.starts_at)
                ends = timezone.localtime(event.ends_at)
                following = _session_form(
                    training_class,
                    None,
                    prefix="new",
                    initial={
                        **SessionForm.initial_for(training_class),
                        "day": ends.date(),
                        "start": ends.time(),
                        "end": (ends + (ends - starts)).time(),
                        "hours": event.hours,
                        "type": session.type,
                        "topic": event.topic,
                    },
                )
                return _curriculum(request, training_class, session_form=following)
            messages.success(
                request, _("Session “%(title)s” added.") % {"title": session.event.title}
            )
            return redirect("training:detail", pk)
    mark_invalid(form)
    if request.htmx:
        return _curriculum(request, training_class, session_form=form)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "training_class": training_class, "active_tab": "detail"},
    )


def _session_form(
    training_class: TrainingClass,
    data: Any,
    *,
    session: Session | None = None,
    prefix: str | None = None,
    initial: dict[str, Any] | None = None,
) -> SessionForm:
    """The session form with the 师资库's teachers open to the organiser (a session's current
    teacher kept even after they left the pool); the add form's picker asks the add page."""
    return SessionForm(
        data,
        prefix=prefix,
        initial=initial or SessionForm.initial_for(training_class, session),
        teachers=teachers_for_org(
            training_class.org, include=session.pool_teacher_id if session else None
        ),
        picker_url=reverse("training:session_new", args=[training_class.pk])
        if session is None
        else "",
    )


def _session_of(training_class: TrainingClass, session_pk: int) -> Session:
    return selectors.session_of_class_or_404(training_class, session_pk)


@login_required
def session_edit(request: HtmxHttpRequest, pk: int, session_pk: int) -> HttpResponse:
    actor = request.user
    training_class = _managed_class(request, pk)
    session = _session_of(training_class, session_pk)
    if training_class.state not in services.EDITABLE_STATES:
        messages.error(request, _("This class can no longer be changed."))
        return redirect("training:detail", pk)
    form = _session_form(training_class, request.POST or None, session=session)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=actor, session=session, **form.service_fields())
        except ValidationError as error:
            _service_errors(form, error, session=True)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("training:detail", pk)
    mark_invalid(form)
    return render(
        request,
        "training/session_form.html",
        {
            "form": form,
            "training_class": training_class,
            "session": session,
            "active_tab": "detail",
        },
    )


@login_required
def session_delete(request: HtmxHttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the session and its event."""
    actor = request.user
    training_class = _managed_class(request, pk)
    session = _session_of(training_class, session_pk)
    error = ""
    if request.method == "POST":
        try:
            services.session_remove(actor=actor, session=session)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            if request.htmx:
                return _curriculum(request, training_class, curriculum_error=error)
        else:
            if request.htmx:
                return _curriculum(request, training_class)
            messages.success(
                request, _("Session “%(title)s” removed.") % {"title": session.event.title}
            )
            return redirect("training:detail", pk)
    return render(
        request,
        "training/session_form.html",
        {
            "training_class": training_class,
            "session": session,
            "deleting": True,
            "error": error,
            "active_tab": "detail",
        },
    )


# -- publish and cancel --------------------------------------------------------------------------


@login_required
@require_POST
def class_publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    training_class = _managed_class(request, pk)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        services.class_publish(
            actor=request.user,
            training_class=training_class,
            override_reason=form.cleaned_data.get("override_reason", ""),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        mark_invalid(form)
        return _detail(request, training_class, publish_form=form)
    messages.success(request, _("The class was published."))
    return redirect("training:detail", pk)


@login_required
@require_POST
def class_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = _managed_class(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.class_cancel(
                actor=request.user,
                training_class=training_class,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The class was cancelled."))
            return redirect("training:detail", pk)
    mark_invalid(form)
    return _detail(request, training_class, cancel_form=form)


# -- settings ------------------------------------------------------------------------------------


@login_required
def training_settings(request: HttpRequest) -> HttpResponse:
    """The tenant's class settings, for an org admin of the tenant's root (404 for anyone else)."""
    actor = request.user
    tenants = admin_tenants(actor)
    if not tenants:
        raise Http404
    chosen = request.GET.get("tenant")
    tenant = next((t for t in tenants if str(t.pk) == chosen), tenants[0])
    current = selectors.training_settings_of(tenant)
    initial = {
        "theory_share_percent": int(current.theory_share_min * 100),
        "theory_topics": current.theory_topic_list,
        "leave_limit_denominator": current.leave_limit_denominator,
        "close_due_days": current.close_due_days,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_settings_update(actor=actor, tenant=tenant, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The training settings were saved."))
            return redirect(f"{reverse('training:settings')}?tenant={tenant.pk}")
    mark_invalid(form)
    return render(
        request,
        "training/settings.html",
        {"form": form, "tenant": tenant, "tenants": tenants},
    )
