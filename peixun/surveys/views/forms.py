"""The form builder, for every purpose (evaluation, needs survey, judging): the list of forms
the reader may use, a new form (blank, from a built-in template or a copy of another), a form's
page, and its editor. An answered form is read only: copy it to change it.

Access: staff only (a plain member gets 404); a form is shared down its keeper's subtree (404
outside it); only those who manage the keeper change it (403 for others, a viewer included).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peixun.core.forms import mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, get_visible_or_404
from peixun.plans.selectors import manageable_orgs

from ..forms.builder import (
    Row,
    kind_choices,
    rows_from_post,
    rows_from_spec,
    spec_from_rows,
    topic_choices,
)
from ..forms.pages import FormHeadForm
from ..models import Form, QuestionKind
from ..models.forms import Purpose
from ..selectors.evaluations import may_run_evaluations
from ..selectors.surveys import visible_forms
from ..services.forms import (
    TEMPLATES,
    form_create,
    form_is_answered,
    form_spec,
    form_update,
    template_spec,
)

NEW_ROWS = 3  # empty question rows offered at the foot of the editor
ADD_KINDS = (QuestionKind.SECTION, QuestionKind.RATING, QuestionKind.CHOICE, QuestionKind.TEXT)


def _require_staff(request: HttpRequest) -> None:
    if not may_run_evaluations(request.user):
        raise Http404


@login_required
@require_GET
def forms_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    purpose = request.GET.get("purpose") or ""
    if purpose not in Purpose.values:
        purpose = ""
    rows = visible_forms(actor=request.user, purpose=purpose or None)
    page, query = paginate(request, rows)
    return render(
        request,
        "surveys/form_list.html",
        {
            "page": page,
            "query": query,
            "purpose": purpose,
            "purposes": Purpose.choices,
            "can_create": manageable_orgs(request.user).exists(),
        },
    )


def _editor_rows(rows: list[Row], added: str = "") -> list[Row]:
    """The rows to show: those given, one more of the kind asked for, and a few empty ones."""
    shown = list(rows)
    if added in QuestionKind.values:
        shown.append(Row(kind=added, text=""))
    last_is_section = bool(shown) and shown[-1].kind == QuestionKind.SECTION
    shown.extend(
        Row(kind=QuestionKind.RATING, item=last_is_section and i == 0) for i in range(NEW_ROWS)
    )
    return shown


def _editor(
    request: HttpRequest,
    *,
    head: FormHeadForm,
    rows: list[Row],
    form: Form | None,
    added: str = "",
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    mark_invalid(head)
    return render(
        request,
        "surveys/form_edit.html",
        {
            "head": head,
            "rows": _editor_rows(rows, added),
            "form_obj": form,
            "kinds": kind_choices(),
            "add_kinds": [(k, label) for k, label in kind_choices() if k in ADD_KINDS],
            "topics": topic_choices(),
            "problems": problems or [],
        },
        status=status,
    )


def _save(
    request: HttpRequest, head: FormHeadForm, rows: list[Row], form: Form | None
) -> Form | list[str] | None:
    """Save when asked and everything is valid: the form, or the form-wide problems."""
    head_ok = head.is_valid()
    spec = spec_from_rows(rows)
    if not head_ok or spec is None:
        return None
    try:
        if form is None:
            return form_create(
                actor=request.user,
                org=head.cleaned_data["org"],
                purpose=head.cleaned_data["purpose"],
                title=head.cleaned_data["title"],
                description=head.cleaned_data["description"],
                spec=spec,
            )
        return form_update(
            actor=request.user,
            form=form,
            title=head.cleaned_data["title"],
            description=head.cleaned_data["description"],
            spec=spec,
        )
    except ValidationError as error:
        problems: list[str] = []
        if hasattr(error, "error_dict"):
            for field, messages_ in error.message_dict.items():
                if field in head.fields:
                    for message in messages_:
                        head.add_error(field, message)
                else:
                    problems.extend(messages_)
        else:
            problems.extend(error.messages)
        return problems


@login_required
def form_new(request: HttpRequest) -> HttpResponse:
    """A new form: blank, from a template (?template=teaching) or a copy (?copy=<pk>)."""
    _require_staff(request)
    orgs = manageable_orgs(request.user).order_by("path")
    if not orgs.exists():
        raise PermissionDenied(_("You may not create forms."))
    initial: dict[str, Any] = {"org": orgs.first(), "purpose": Purpose.EVALUATION}
    rows: list[Row] = []
    if request.method == "GET":
        template = request.GET.get("template") or ""
        copy = request.GET.get("copy")
        if template in TEMPLATES:
            purpose, title, spec = template_spec(template)
            initial |= {"purpose": purpose, "title": title}
            rows = rows_from_spec(spec)
        elif copy:
            source = get_visible_or_404(request.user, Form, copy)
            initial |= {
                "purpose": source.purpose,
                "title": _("%(title)s (copy)") % {"title": source.title},
                "description": source.description,
            }
            rows = rows_from_spec(form_spec(source))
        elif request.GET.get("purpose") in Purpose.values:
            initial["purpose"] = request.GET["purpose"]
    head = FormHeadForm(request.POST or None, orgs=orgs, initial=initial)
    if (answer := picker_answer(request, head)) is not None:
        return answer
    if request.method == "POST":
        rows = rows_from_post(request.POST)
        if request.POST.get("action") == "save":
            saved = _save(request, head, rows, None)
            if isinstance(saved, Form):
                messages.success(request, _("The form is saved."))
                return redirect("surveys:form_detail", saved.pk)
            return _editor(request, head=head, rows=rows, form=None, problems=saved, status=400)
        return _editor(request, head=head, rows=rows, form=None, added=request.POST.get("add", ""))
    return _editor(request, head=head, rows=rows, form=None)


@login_required
@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    form = get_visible_or_404(request.user, Form, pk)
    answered = form_is_answered(form)
    return render(
        request,
        "surveys/form_detail.html",
        {
            "form_obj": form,
            "rows": rows_from_spec(form_spec(form)),
            "answered": answered,
            "can_edit": can_manage_org(request.user, form.org) and not answered,
            "can_copy": manageable_orgs(request.user).exists(),
        },
    )


@login_required
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    form = get_visible_or_404(request.user, Form, pk)
    if not can_manage_org(request.user, form.org):
        raise PermissionDenied(_("You may not change this form."))
    if form_is_answered(form):
        messages.info(request, _("This form has been answered; copy it to change its questions."))
        return redirect("surveys:form_detail", form.pk)
    head = FormHeadForm(
        request.POST or None, initial={"title": form.title, "description": form.description}
    )
    if request.method == "POST":
        rows = rows_from_post(request.POST)
        if request.POST.get("action") == "save":
            saved = _save(request, head, rows, form)
            if isinstance(saved, Form):
                messages.success(request, _("The form is saved."))
                return redirect("surveys:form_detail", saved.pk)
            return _editor(request, head=head, rows=rows, form=form, problems=saved, status=400)
        return _editor(request, head=head, rows=rows, form=form, added=request.POST.get("add", ""))
    return _editor(request, head=head, rows=rows_from_spec(form_spec(form)), form=form)
