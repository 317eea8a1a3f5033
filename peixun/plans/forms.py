"""Forms of the plan pages; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput
from peixun.core.pickers import set_picker_url
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization


def year_choices() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(this + 1, this - 5, -1)]


class PlanForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organization"))
    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=())
    title = forms.CharField(label=_("plan title"), max_length=200)
    summary = forms.CharField(
        label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["year"].choices = year_choices()  # type: ignore[attr-defined]
        self.style_fields()


class ItemForm(BootstrapMixin, forms.Form):
    content = forms.CharField(label=_("content"), max_length=300)
    audience = forms.CharField(label=_("target audience"), max_length=200, required=False)
    standard = forms.CharField(label=_("standard to reach"), max_length=300, required=False)
    responsible_org = OrgPickerField(label=_("responsible organization"))
    deadline = forms.DateField(label=_("deadline"), widget=DateInput())
    planned_classes = forms.IntegerField(label=_("planned classes"), min_value=0, initial=0)
    planned_meetings = forms.IntegerField(label=_("planned meetings"), min_value=0, initial=0)
    planned_hours = forms.DecimalField(
        label=_("planned study hours"), min_value=0, max_digits=7, decimal_places=2, initial=0
    )
    planned_people = forms.IntegerField(label=_("planned trainees"), min_value=0, initial=0)
    budget = forms.DecimalField(
        label=_("estimated budget (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subtree = Organization.objects.filter(
            path__startswith=plan.org.path, closed_on__isnull=True
        ).order_by("path")
        self.fields["responsible_org"].queryset = subtree  # type: ignore[attr-defined]
        # The plan's page answers the picker, wherever the form is shown again.
        set_picker_url(self.fields["responsible_org"], reverse("plans:detail", args=[plan.pk]))
        # Most items are the plan's own org's to deliver.
        self.fields["responsible_org"].initial = plan.org.pk
        self.style_fields()


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason for returning"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
