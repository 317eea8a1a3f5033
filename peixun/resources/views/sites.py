"""Pages of sites and bookings: the list, a site with its month calendar and its use over the
year, adding and changing a site, booking it, the owner's queue of requests, a unit's own
bookings, deciding and cancelling, and the site's booking ledger (.xlsx)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download
from peixun.core.forms import add_service_errors, error_text, render_form
from peixun.core.pagination import paginate
from peixun.core.params import year_param
from peixun.core.pickers import picker_answer, set_picker_url
from peixun.core.scoping import scope_of

from .. import selectors, services
from ..documents import booking_names
from ..forms import BookingForm, ReasonForm, SiteFilterForm, SiteForm
from ..models import BookingState, Site

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _require_manager(request: HttpRequest) -> None:
    """The booking pages are for those who manage some unit; anyone else gets a 404."""
    scope = scope_of(request.user)
    if not (scope.platform or scope.manage_paths):
        raise Http404


def _month(request: HttpRequest) -> tuple[int, int]:
    """The month asked for as ?month=2026-12, else this month (bounded to sensible years)."""
    match = MONTH.match(request.GET.get("month", ""))
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    today = timezone.localdate()
    return today.year, today.month


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    form = SiteFilterForm(request.GET)
    form.is_valid()  # what does not parse is left out, and so ignored
    clean = form.cleaned_data
    sites = selectors.site_list(
        request.user, q=(clean.get("q") or "").strip(), kind=clean.get("kind") or ""
    )
    page, query = paginate(request, sites)
    return render_form(
        request,
        "resources/site_list.html",
        form,
        page=page,
        query=query,
        filtered=bool(clean.get("q") or clean.get("kind")),
        can_add=selectors.can_add_site(request.user),
        can_book=selectors.sites_bookable_by(request.user).exists(),
    )


def _site_form_page(request: HttpRequest, form: SiteForm, site: Site | None) -> HttpResponse:
    response = render_form(request, "resources/site_form.html", form, site=site)
    if request.method == "POST":
        response.status_code = 400
    return response


def _site_values(form: SiteForm) -> dict[str, object]:
    values = dict(form.cleaned_data)
    values.pop("org", None)
    return values


@login_required
def site_new(request: HttpRequest) -> HttpResponse:
    if not selectors.can_add_site(request.user):
        raise PermissionDenied
    first = selectors.owner_orgs(request.user).first()
    initial = {"org": first.pk if first else None, "limit_period": "month", "active": True}
    form = SiteForm(request.POST or None, actor=request.user, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(
                actor=request.user, org=form.cleaned_data["org"], **_site_values(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The site was added."))
            return redirect("resources:site_detail", pk=site.pk)
    return _site_form_page(request, form, None)


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for(request.user, pk)
    if not selectors.can_manage_site(request.user, site):
        raise PermissionDenied
    initial = {name: getattr(site, name) for name in services.EDITABLE}
    initial["open_to"] = site.open_to_id
    initial["open_weekdays"] = list(site.open_weekdays)
    form = SiteForm(request.POST or None, actor=request.user, site=site, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(actor=request.user, site=site, **_site_values(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The site was saved."))
            return redirect("resources:site_detail", pk=site.pk)
    return _site_form_page(request, form, site)


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for(request.user, pk)
    year, month = _month(request)
    owner_reader = selectors.can_read_site_bookings(request.user, site)
    return render_form(
        request,
        "resources/site_detail.html",
        ReasonForm(),
        site=site,
        cal=selectors.site_calendar(site, year, month),
        use=selectors.site_use(site, year) if owner_reader else None,
        owner_reader=owner_reader,
        can_manage=selectors.can_manage_site(request.user, site),
        can_book=site.active and selectors.booking_orgs(request.user, site).exists(),
        today=timezone.localdate(),
    )


@login_required
@require_GET
def site_bookings_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for(request.user, pk)
    if not selectors.can_read_site_bookings(request.user, site):
        raise Http404
    year = year_param(request, lowest=2000, highest=2100)
    content = services.site_bookings_export(actor=request.user, site=site, year=year)
    name, fallback = booking_names(site, year)
    return download(content, name, fallback=fallback)


@login_required
def booking_new(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for(request.user, pk)
    orgs = selectors.booking_orgs(request.user, site)
    first = orgs.first()
    if first is None or not site.active:
        raise PermissionDenied
    initial: dict[str, object] = {"org": first.pk, "people": min(20, site.capacity)}
    if (event := request.GET.get("event", "")).isdigit():
        initial["event"] = int(event)
    form = BookingForm(request.POST or None, actor=request.user, site=site, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_request(actor=request.user, site=site, **form.values())
        except ValidationError as error:
            add_service_errors(form, _on_form_fields(error))
        else:
            messages.success(
                request, _("The booking was asked for; the site's owner will confirm or refuse it.")
            )
            return redirect("resources:booking_mine")
    response = render_form(request, "resources/booking_form.html", form, site=site)
    if request.method == "POST":
        set_picker_url(form.fields["org"], request.path)
        response.status_code = 400
    return response


# The service names the times; the form asks for them as a day and two times.
SERVICE_TO_FORM = {"starts_at": "day", "ends_at": "end"}


def _on_form_fields(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {SERVICE_TO_FORM.get(name, name): messages for name, messages in error.message_dict.items()}
    )


@login_required
@require_GET
def booking_queue(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    page, query = paginate(request, selectors.booking_queue(request.user))
    return render_form(
        request, "resources/booking_queue.html", ReasonForm(), page=page, query=query
    )


@login_required
@require_GET
def booking_mine(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    state = request.GET.get("state", "")
    if state not in BookingState.values:
        state = ""
    page, query = paginate(request, selectors.unit_bookings(request.user, state=state))
    now = timezone.now()
    for booking in page.object_list:
        booking.cancellable = booking.holds_slot and booking.starts_at > now
    return render_form(
        request,
        "resources/booking_mine.html",
        ReasonForm(),
        page=page,
        query=query,
        state=state,
        states=BookingState.choices,
    )


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def booking_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    try:
        services.booking_confirm(actor=request.user, booking=booking)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The booking was confirmed; the unit is told."))
    return _back(request, "resources:booking_queue")


@login_required
@require_POST
def booking_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    try:
        services.booking_refuse(
            actor=request.user, booking=booking, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return _back(request, "resources:booking_queue")
    messages.success(request, _("The booking was refused; the unit is told why."))
    return _back(request, "resources:booking_queue")


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for(request.user, pk)
    try:
        services.booking_cancel(
            actor=request.user, booking=booking, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The booking was cancelled."))
    return _back(request, "resources:booking_mine")
