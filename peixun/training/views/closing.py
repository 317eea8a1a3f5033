"""Pages of attendance, make-up and closing of a class, its sign-in sheets and certificates,
and 我的培训 for members.

Access, uniformly (the persona tests document each page):
- anonymous → login (302);
- a class outside the actor's scope → 404, never a 403 that confirms it exists;
- the attendance grid, make-up list, closing page and sign-in sheets are for readers of the
  organiser (its org admins, secretaries and viewers); others who see the class (a member
  enrolled in it, a unit's secretary whose members are dispatched to it) get 403, and every
  action there is the organiser's managers' (403 for anyone else who sees the class);
- a certificate goes to its member, the organiser's readers and the member's own secretary;
- 我的培训 is a member's own page (404 for an account that is no member).
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from peixun.core.downloads import download, file_name
from peixun.core.forms import mark_invalid
from peixun.core.pagination import paginate
from peixun.core.scoping import can_manage_org, can_read_org, scope_of
from peixun.members.models import Member

from .. import selectors
from ..forms import CloseForm, MakeUpFilterForm, PlanForm, ReopenForm
from ..models import MakeUp, Session, TrainingClass
from ..services import closing as services
from ..services import makeup as makeup_services


def readable_class(request: HttpRequest, pk: int) -> TrainingClass:
    """A visible class (404 otherwise) whose organiser the actor reads (403 otherwise)."""
    training_class = selectors.class_get(request.user, pk)
    if not can_read_org(request.user, training_class.org):
        raise PermissionDenied(_("Only the organiser of the class may see this."))
    return training_class


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _tab(training_class: TrainingClass, tab: str, **extra: Any) -> dict[str, Any]:
    return {"training_class": training_class, "active_tab": tab, **extra}


# -- the attendance grid -------------------------------------------------------------------------

STATUS_STYLE = {
    "present": ("✓", "text-success fw-bold"),
    "late": (gettext_lazy("Late"), "text-warning-emphasis"),
    "left_early": (gettext_lazy("Left early"), "text-warning-emphasis"),
    "absent": ("✗", "text-danger fw-bold"),
    "leave": (gettext_lazy("Leave"), "text-primary"),
}


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = readable_class(request, pk)
    grid = selectors.attendance_grid(training_class)
    for row in grid.rows:
        for cell in row.cells:
            symbol, css = STATUS_STYLE.get(cell.status or "", ("", ""))
            cell.symbol, cell.css = symbol, css  # type: ignore[attr-defined]
    return render(
        request,
        "training/attendance.html",
        _tab(
            training_class,
            "attendance",
            grid=grid,
            can_manage=can_manage_org(request.user, training_class.org),
            limit_percent=(Decimal(100) / grid.denominator).quantize(Decimal("0.1")),
        ),
    )


# -- make-up -------------------------------------------------------------------------------------


def posted_pk(request: HttpRequest, name: str) -> int | None:
    raw = str(request.POST.get(name, ""))
    return int(raw) if raw.isdigit() else None


def _makeup_post(request: HttpRequest, training_class: TrainingClass) -> None:
    actor = request.user
    event_pk, member_pk = posted_pk(request, "event"), posted_pk(request, "member")
    missed = (
        selectors.missed_event_of_class(training_class, event_pk) if event_pk is not None else None
    )
    member = selectors.member_or_none(member_pk) if member_pk is not None else None
    if missed is None or member is None:
        raise ValidationError(_("Choose a member and a missed session of this class."))
    action = request.POST.get("action")
    if action == "assign":
        assigned_pk = posted_pk(request, "assigned")
        assigned = selectors.event_or_none(assigned_pk) if assigned_pk else None
        if assigned is None:
            raise ValidationError(_("Choose the session of the make-up."))
        makeup_services.makeup_assign(
            actor=actor, member=member, missed_event=missed, assigned_event=assigned
        )
        messages.success(
            request,
            _("%(name)s will make up %(missed)s at %(session)s.")
            % {"name": member.name, "missed": missed.title, "session": assigned.title},
        )
    elif action == "waive":
        makeup_services.makeup_waive(
            actor=actor, member=member, missed_event=missed, reason=request.POST.get("reason", "")
        )
        messages.success(
            request,
            _("The make-up of %(missed)s by %(name)s was waived.")
            % {"name": member.name, "missed": missed.title},
        )
    else:
        raise Http404


@login_required
def makeups(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = readable_class(request, pk)
    actor = request.user
    can_manage = can_manage_org(actor, training_class.org)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the organiser of the class may do this."))
        try:
            _makeup_post(request, training_class)
        except ValidationError as error:
            messages.error(request, error_text(error))
        query = request.POST.get("query", "")
        url = reverse("training:makeups", args=[training_class.pk])
        return redirect(f"{url}?{query}" if query else url)
    form = MakeUpFilterForm(request.GET)
    form.is_valid()
    q = (form.cleaned_data.get("q") or "").strip()
    state = form.cleaned_data.get("state") or ""
    rows = selectors.makeup_rows(training_class)
    tally = {s: 0 for s in MakeUp.State.values}
    for row in rows:
        tally[row.state] += 1
    counts = [(label, tally[value]) for value, label in MakeUp.State.choices]
    shown = [r for r in rows if (not q or q in r.member.name) and (not state or r.state == state)]
    page, query = paginate(request, shown)
    if can_manage and page.object_list:
        earliest = min(r.session.event.starts_at for r in page.object_list)
        candidates = list(selectors.makeup_candidates(actor, after=earliest)[:200])
        trainee_of = selectors.trainee_classes([r.member.pk for r in page.object_list])
        for row in page.object_list:
            row.choices = [  # type: ignore[attr-defined]
                s
                for s in candidates
                if selectors.fits_candidate(
                    s, row.member, row.session.event, trainee_of.get(row.member.pk, set())
                )
            ]
    return render(
        request,
        "training/makeups.html",
        _tab(
            training_class,
            "makeups",
            form=form,
            page=page,
            query=query,
            counts=counts,
            total=len(rows),
            filtered=bool(q or state),
            can_manage=can_manage,
            here_query=request.GET.urlencode(),
        ),
    )


# -- closing -------------------------------------------------------------------------------------


CLOSING_ACTIONS = ("confirm_roster", "confirm_timetable", "plan", "close", "reopen")


def _closing_post(
    request: HttpRequest, training_class: TrainingClass, action: str, forms_: dict[str, Any]
) -> bool:
    """Run one action of the closing page; True when done (the page redirects)."""
    actor = request.user
    try:
        if action == "confirm_roster":
            services.class_roster_confirm(actor=actor, training_class=training_class)
            messages.success(request, _("The final roster is confirmed."))
        elif action == "confirm_timetable":
            services.class_timetable_confirm(actor=actor, training_class=training_class)
            messages.success(request, _("The final timetable is confirmed."))
        elif action == "plan":
            services.class_plan_attach(
                actor=actor, training_class=training_class, file=request.FILES.get("plan")
            )
            messages.success(request, _("The class plan document is attached."))
        elif action == "close":
            form = forms_["close"]
            if not form.is_valid():  # a date that is no date: said, never closed with another
                return False
            services.class_close(
                actor=actor,
                training_class=training_class,
                late_note=form.cleaned_data.get("late_note", "") or "",
                decided_on=form.cleaned_data.get("decided_on"),
            )
            messages.success(request, _("The class is closed and the hours are credited."))
        elif action == "reopen":
            form = forms_["reopen"]
            form.is_valid()
            services.class_reopen(
                actor=actor,
                training_class=training_class,
                reason=form.cleaned_data.get("reason", "") or "",
            )
            messages.success(request, _("The class is reopened; its credits were reversed."))
    except ValidationError as error:
        target = {"plan": "plan", "close": "close", "reopen": "reopen"}.get(action)
        if target and hasattr(error, "error_dict"):
            form = forms_[target]
            for field, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            forms_["errors"].extend(error.messages)
        return False
    return True


@login_required
def closing(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = readable_class(request, pk)
    actor = request.user
    can_manage = can_manage_org(actor, training_class.org)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms_: dict[str, Any] = {
        "close": CloseForm(request.POST if action == "close" else None),
        "reopen": ReopenForm(request.POST if action == "reopen" else None),
        "plan": PlanForm(request.POST, request.FILES) if action == "plan" else PlanForm(),
        "errors": [],
    }
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the organiser of the class may do this."))
        if action not in CLOSING_ACTIONS:
            raise Http404
        if _closing_post(request, training_class, action, forms_):
            return redirect("training:closing", training_class.pk)
        training_class.refresh_from_db()
    for form in (forms_["close"], forms_["reopen"], forms_["plan"]):
        mark_invalid(form)
    items = selectors.closing_checklist(training_class)
    closed = training_class.state == TrainingClass.State.CLOSED
    credited: list[tuple[Member, Decimal]] = []
    if closed:
        credited = selectors.credited_members(
            training_class, selectors.class_credits(training_class)
        )
    return render(
        request,
        "training/closing.html",
        _tab(
            training_class,
            "closing",
            items=items,
            ready=not selectors.missing_items(items),
            can_manage=can_manage,
            closed=closed,
            late=selectors.close_is_late(training_class),
            due_on=selectors.close_due_on(training_class),
            close_form=forms_["close"],
            reopen_form=forms_["reopen"],
            plan_form=forms_["plan"],
            errors=forms_["errors"],
            credited=credited,
            credited_hours=sum((h for _m, h in credited), Decimal(0)),
            # No certificate for a trainee whose leave went over the limit (Art. 15), nor for a
            # member of another class who only made up a session here.
            no_certificate=selectors.flagged_member_ids(training_class) if closed else set(),
            trainees=selectors.trainee_member_ids(training_class) if closed else set(),
            flagged=selectors.attendance_grid(training_class).flagged if not closed else [],
            unmarked_sessions=_unmarked_sessions(training_class, items),
            plan_name=selectors.plan_file_name(training_class),
            certificate_count=len(selectors.class_certificates(actor, training_class))
            if closed
            else 0,
        ),
    )


def _unmarked_sessions(training_class: TrainingClass, items: list[Any]) -> list[Session]:
    """The sessions held whose attendance is incomplete: the checklist links each one."""
    if all(item.ok for item in items if item.key == "attendance"):
        return []
    ended = [
        s for s in selectors.class_sessions(training_class) if s.event.ends_at <= timezone.now()
    ]
    unmarked = selectors.unmarked_by_event(training_class, ended)
    for session in ended:
        session.unmarked = unmarked.get(session.event_id, 0)  # type: ignore[attr-defined]
    return [s for s in ended if s.event_id in unmarked]


@login_required
@never_cache
def plan_document(request: HttpRequest, pk: int) -> FileResponse:
    """The class plan, to whoever sees the class; served here, never from MEDIA_URL."""
    training_class = selectors.class_get(request.user, pk)
    if not training_class.plan_document:
        raise Http404
    try:
        handle = training_class.plan_document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(training_class.plan_document.name or "plan"),
    )


# -- documents -----------------------------------------------------------------------------------


@login_required
def signin_sheet(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The paper 签到表 of every session, or of one (?session=<id>)."""
    if fmt not in services.SHEET_FORMATS:
        raise Http404
    training_class = readable_class(request, pk)
    session = None
    if request.GET.get("session"):
        raw = request.GET["session"]
        if not raw.isdigit():
            raise Http404
        session = selectors.session_of_class_or_404(training_class, raw)
    content = services.signin_sheet_export(
        actor=request.user, training_class=training_class, session=session, fmt=fmt
    )
    title = session.event.title if session else ""
    fallback = f"signin-sheet-{training_class.pk}" + (f"-{session.pk}" if session else "")
    return download(
        content,
        file_name("签到表", training_class.title, title, ext=fmt),
        fallback=f"{fallback}.{fmt}",
    )


@login_required
def certificate(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """The 结业证书 as .docx: the address the pages linked to before PDF was offered."""
    return certificate_file(request, pk, member_pk, "docx")


@login_required
def certificate_file(request: HttpRequest, pk: int, member_pk: int, fmt: str) -> HttpResponse:
    """The 结业证书 of a member who completed a closed class, as .docx or PDF."""
    if fmt not in services.CERTIFICATE_FORMATS:
        raise Http404
    actor = request.user
    training_class = selectors.class_get(actor, pk)
    member = selectors.member_or_none(member_pk)
    if member is None:
        raise Http404
    own = scope_of(actor).member_id == member.pk
    if not (own or can_read_org(actor, training_class.org) or can_manage_org(actor, member.org)):
        if selectors.member_is_visible(actor, member.pk):
            raise PermissionDenied(_("Only the member and the organiser may download this."))
        raise Http404
    facts = selectors.certificate_facts(training_class, member)
    if facts is None:
        raise Http404
    content = services.certificate_export(actor=actor, facts=facts, fmt=fmt)
    return download(
        content,
        services.certificate_file_name(facts, fmt),
        fallback=f"certificate-{training_class.pk}-{member.pk}.{fmt}",
    )


CERTIFICATE_BATCHES = {
    "pdf": ("结业证书", "pdf", "certificates-{pk}.pdf"),
    "zip": ("结业证书", "zip", "certificates-{pk}.zip"),
    "pdf.zip": ("结业证书（PDF）", "zip", "certificates-pdf-{pk}.zip"),
}


@login_required
@never_cache
def certificates_batch(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Every certificate of the class the actor may download (`selectors.class_certificates`)
    as one PDF (.pdf) or a .zip of .docx (.zip) or of PDF files (.pdf.zip)."""
    if fmt not in CERTIFICATE_BATCHES:
        raise Http404
    actor = request.user
    training_class = selectors.class_get(actor, pk)
    certificates = selectors.class_certificates(actor, training_class)
    if not certificates:
        if training_class.state != TrainingClass.State.CLOSED:
            messages.info(request, _("Certificates are issued when the class is closed."))
        else:
            messages.info(request, _("There is no certificate you may download in this class."))
        page = "training:closing" if can_read_org(actor, training_class.org) else "training:detail"
        return redirect(page, training_class.pk)
    content = services.certificates_export(actor=actor, certificates=certificates, fmt=fmt)
    label, ext, fallback = CERTIFICATE_BATCHES[fmt]
    return download(
        content,
        file_name(label, training_class.title, ext=ext),
        fallback=fallback.format(pk=training_class.pk),
    )


# -- 我的培训 ------------------------------------------------------------------------------------


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    member_id = scope_of(request.user).member_id
    if not member_id:
        raise Http404
    member = selectors.member_get(member_id)
    return render(request, "training/mine.html", {"mine": selectors.my_training(member)})
