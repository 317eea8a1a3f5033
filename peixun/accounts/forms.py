"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin

from .models import AccountSettings


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )
    remember = forms.BooleanField(
        label=_("Keep me signed in on this phone"),
        required=False,
        help_text=_(
            "Only on your own phone. Staff accounts are always signed out when the browser closes."
        ),
    )
    error_messages = {
        "invalid_login": _("The login or password is wrong."),
        "inactive": _("This account is disabled."),
    }


class AccountSettingsForm(BootstrapMixin, forms.ModelForm[AccountSettings]):
    member_session_days = forms.IntegerField(
        label=_("members may stay signed in on their phone for (days)"), min_value=0, max_value=90
    )

    class Meta:
        model = AccountSettings
        fields = ["member_session_days"]
        help_texts = {
            "member_session_days": _(
                "0 turns it off. Staff are always signed out when the browser closes."
            )
        }
