"""The 调训情况通报 pages: for one class (a tab of the class, for the organiser's readers) and for
the classes an org's subtree held in a year; each shows the table per unit and who did not come,
and hands out the 通报 as .docx or PDF (dated and addressed as the reader asks) and its table as
.xlsx. Thin views over `selectors.circular` and `services.dispatch.circular_export`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from peixun.core.downloads import download
from peixun.core.forms import add_service_errors
from peixun.core.params import pk_or_404, year_param
from peixun.orgs.selectors import org_roots_for

from .. import selectors
from ..forms import CircularForm
from ..selectors import Circular
from ..services.dispatch import circular_export, circular_file_name

FORMATS = ("pdf", "docx", "xlsx")
FIRST_YEAR = 2000


def _form(request: HttpRequest, circular: Circular) -> CircularForm:
    if "dated" in request.GET or "addressee" in request.GET:
        return CircularForm(request.GET)
    return CircularForm(
        initial={"dated": circular.default_dated, "addressee": circular.default_addressee}
    )


def _download(
    request: HttpRequest, circular: Circular, fmt: str
) -> tuple[HttpResponse | None, CircularForm]:
    """The file, or None and the form with its errors (nothing is recorded then)."""
    if fmt not in FORMATS:
        raise Http404
    form = CircularForm(request.GET)
    if form.is_valid():
        try:
            data = circular_export(
                actor=request.user,
                circular=circular,
                fmt=fmt,
                dated=form.cleaned_data["dated"],
                addressee=form.cleaned_data["addressee"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            name, fallback = circular_file_name(circular, fmt)
            return download(data, name, fallback=fallback), form
    return None, form


@login_required
@require_GET
def class_circular(request: HttpRequest, pk: int) -> HttpResponse:
    circular = selectors.class_circular(actor=request.user, training_class=pk_or_404(pk))
    return _class_page(request, circular, _form(request, circular))


def _class_page(
    request: HttpRequest, circular: Circular, form: CircularForm, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "training_class": circular.training_class,
        "active_tab": "circular",
        "circular": circular,
        "total": circular.total,
        "form": form,
    }
    return render(request, "training/circular.html", context, status=status)


@login_required
@require_GET
def class_circular_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    circular = selectors.class_circular(actor=request.user, training_class=pk_or_404(pk))
    response, form = _download(request, circular, fmt)
    return response or _class_page(request, circular, form, status=400)


def _year_circular(request: HttpRequest) -> tuple[Circular, list[Any], list[int]]:
    this_year = timezone.localdate().year
    year = year_param(request, lowest=FIRST_YEAR, highest=this_year + 1)
    roots = list(org_roots_for(actor=request.user))
    raw = request.GET.get("org", "")
    if raw:
        org: Any = pk_or_404(raw)
    elif roots:
        org = roots[0]
    else:
        raise Http404
    circular = selectors.org_year_circular(actor=request.user, org=org, year=year)
    years = list(range(this_year + 1, FIRST_YEAR - 1, -1))[:12]
    if year not in years:
        years.append(year)
    return circular, roots, years


def _year_page(
    request: HttpRequest,
    circular: Circular,
    roots: list[Any],
    years: list[int],
    form: CircularForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "training/circular_year.html",
        {
            "circular": circular,
            "total": circular.total,
            "form": form,
            "roots": roots,
            "years": years,
            "hidden": [("org", circular.organiser.pk), ("year", circular.year)],
        },
        status=status,
    )


@login_required
@require_GET
def year_circular(request: HttpRequest) -> HttpResponse:
    circular, roots, years = _year_circular(request)
    return _year_page(request, circular, roots, years, _form(request, circular))


@login_required
@require_GET
def year_circular_download(request: HttpRequest, fmt: str) -> HttpResponse:
    circular, roots, years = _year_circular(request)
    response, form = _download(request, circular, fmt)
    return response or _year_page(request, circular, roots, years, form, status=400)
