"""Activation (a member sets their first password with the code on their slip) and the change
of one's own password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from peixun.core.forms import add_service_errors, render_form

from .. import services
from ..forms import ActivationForm, PasswordChangeForm
from ..selectors import remembered_session_seconds

BACKEND = "peixun.accounts.backends.UsernameOrMobileBackend"


def _password_errors(form: ActivationForm | PasswordChangeForm, exc: ValidationError) -> None:
    """Django's validators raise a plain list: it belongs to the new password."""
    if hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
    else:
        for message in exc.messages:
            form.add_error("new_password1", message)


@never_cache
def activate(request: HttpRequest) -> HttpResponse:
    """Anonymous, phone first: the code (filled in from the slip's QR code) and a new password
    twice; on success the member is signed in and lands on the home page."""
    if request.method == "POST":
        form = ActivationForm(request.POST)
        if form.is_valid():
            try:
                user = services.account_activate(
                    code=form.cleaned_data["code"], password=form.cleaned_data["new_password1"]
                )
            except ValidationError as exc:
                _password_errors(form, exc)
            else:
                login(request, user, backend=BACKEND)
                seconds = 0
                if form.cleaned_data.get("remember"):
                    seconds = remembered_session_seconds(user, user.member)
                request.session.set_expiry(seconds)
                messages.success(
                    request,
                    _("Your login is active. Next time log in as %(login)s with your password.")
                    % {"login": user.mobile or user.username},
                )
                return redirect("core:home")
    else:
        form = ActivationForm(initial={"code": request.GET.get("code", "")[:40]})
    return render_form(request, "accounts/activate.html", form)


@login_required
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            try:
                user = services.password_change(
                    actor=request.user,
                    old=form.cleaned_data["old_password"],
                    new=form.cleaned_data["new_password1"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "old" in exc.error_dict:
                    form.add_error("old_password", exc.error_dict["old"][0].messages[0])
                else:
                    _password_errors(form, exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("core:home")
    else:
        form = PasswordChangeForm()
    return render_form(request, "accounts/password.html", form)
