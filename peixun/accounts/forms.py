"""Page forms of the accounts app: parsing and field checks only (the services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin

from .models import AccountSettings


class _TwoPasswords(BootstrapMixin, forms.Form):
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class ActivationForm(_TwoPasswords):
    code = forms.CharField(
        label=_("Activation code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCDE-FGHJK",
            }
        ),
    )
    # Most members activate on their own phone from the slip's QR code: offer to stay signed in
    # there, so the first meeting's scan is already one scan.
    remember = forms.BooleanField(
        label=_("Keep me signed in on this phone"),
        required=False,
        initial=True,
        help_text=_(
            "Only on your own phone. Staff accounts are always signed out when the browser closes."
        ),
    )
    field_order = ["code", "new_password1", "new_password2", "remember"]


class PasswordChangeForm(_TwoPasswords):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]


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
        label=_("members may stay signed in on their phone for (days)"),
        min_value=0,
        max_value=90,
        help_text=_("0 turns it off. Staff are always signed out when the browser closes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    class Meta:
        model = AccountSettings
        fields = ["member_session_days"]


class ApiTokenForm(BootstrapMixin, forms.Form):
    """A new personal API token: its name and how many days it lasts (the service checks both
    against the operator's limits)."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, such as the script or program that uses it."),
    )
    expires_in_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = int(settings.API_TOKEN_MAX_DAYS)
        days = self.fields["expires_in_days"]
        days.initial = settings.API_TOKEN_DEFAULT_DAYS
        days.help_text = _("At most %(max)d days.") % {"max": longest}
        days.widget.attrs["max"] = longest
        self.fields["name"].initial = "API"
        self.style_fields()
