"""The tenant's login settings (how long members may stay signed in on their phone).

Access: org admins and security administrators of a tenant's root (and platform admins, who choose the tenant with
?tenant=); everyone else 404, as for the attendance settings.
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

from ..forms import AccountSettingsForm
from ..selectors import account_settings_for
from ..services import account_settings_update


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("tenant") or request.POST.get("tenant")
    tenant, tenants = admin_tenant_chosen(request.user, chosen, accounts=True)
    form = AccountSettingsForm(request.POST or None, instance=account_settings_for(tenant))
    if request.method == "POST" and form.is_valid():
        try:
            account_settings_update(
                actor=request.user,
                tenant=tenant,
                member_session_days=form.cleaned_data["member_session_days"],
            )
        except ValidationError as problem:
            add_service_errors(form, problem)  # type: ignore[arg-type]  # a ModelForm
        else:
            messages.success(request, _("Login settings saved."))
            return redirect(f"{request.path}?tenant={tenant.pk}")
    mark_invalid(form)  # type: ignore[arg-type]
    return render(
        request, "accounts/settings.html", {"form": form, "tenant": tenant, "tenants": tenants}
    )
