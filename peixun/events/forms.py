from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, blank_first

from .models import Attendance, EventSettings


class EventSettingsForm(BootstrapMixin, forms.ModelForm[EventSettings]):
    class Meta:
        model = EventSettings
        fields = [
            "qr_rotate_seconds",
            "qr_valid_seconds",
            "signin_opens_minutes",
            "late_after_minutes",
            "late_credit",
            "left_early_credit",
        ]
        help_texts = {
            "qr_rotate_seconds": _("The projector shows a new code this often (5 to 3600)."),
            "qr_valid_seconds": _(
                "A code signs people in for this long after it appears; at least the rotation, "
                "so a code never dies on screen."
            ),
            "signin_opens_minutes": _(
                "Members can sign in this many minutes before the start, until the end."
            ),
            "late_after_minutes": _(
                "Signing in this many minutes after the start is late; signing out this many "
                "minutes before the end is leaving early."
            ),
            "late_credit": _("What a late arrival earns when the event is closed."),
            "left_early_credit": _(
                "What leaving early earns; at an event that requires sign-out, a member who "
                "signed in but never signed out counts as leaving early."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class LeaveForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for leave"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance sheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )


class RosterFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Full name"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank_first(
            [("unmarked", _("Not marked yet")), *Attendance.Status.choices], _("All")
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)
