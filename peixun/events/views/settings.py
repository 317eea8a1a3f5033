"""The tenant's attendance settings (QR rotation, sign-in window, late/early credit).

Access: org admins of a tenant's root (and platform admins, who choose the tenant with
?tenant=); everyone else 404 — a unit's admin does not set the whole tenant's rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.orgs.selectors import admin_tenant_chosen

from ..forms import EventSettingsForm
from ..selectors import event_settings_for
from ..services import SETTINGS_FIELDS, event_settings_update


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("tenant") or request.POST.get("tenant")
    tenant, tenants = admin_tenant_chosen(request.user, chosen)
    rules = event_settings_for(tenant)
    form = EventSettingsForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            event_settings_update(
                actor=request.user,
                tenant=tenant,
                **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS},
            )
        except ValidationError as problem:
            add_service_errors(form, problem)  # type: ignore[arg-type]  # a ModelForm
        else:
            messages.success(request, _("Attendance settings saved."))
            return redirect(f"{request.path}?tenant={tenant.pk}")
    mark_invalid(form)  # type: ignore[arg-type]
    return render(
        request,
        "events/settings.html",
        {"form": form, "tenant": tenant, "tenants": tenants},
    )
