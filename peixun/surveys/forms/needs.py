"""Forms of the needs survey pages: raw input only; `services.needs` and `services.citations`
hold the rules, and their ValidationError dicts are mapped back with `add_service_errors`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization, Position
from peixun.plans.models import PlanItem

from ..models import Form

TEMPLATE = "template"
NUMBER = {"inputmode": "numeric"}


class NeedsSurveyForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("run by"))
    title = forms.CharField(label=_("title"), max_length=200)
    year = forms.IntegerField(
        label=_("year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=NUMBER)
    )
    form = forms.ChoiceField(label=_("questionnaire"))
    closes_on = forms.DateField(
        label=_("last day to answer"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: open until you close it."),
    )
    # The training classes' audience model, field for field.
    audience_org = OrgPickerField(
        label=_("audience within"),
        required=False,
        help_text=_("Empty: the whole subtree of the organization running the survey."),
    )
    audience_statuses = forms.MultipleChoiceField(
        label=_("member statuses"),
        choices=Member.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any status."),
    )
    audience_cadre_ranks = forms.MultipleChoiceField(
        label=_("cadre ranks"),
        choices=Member.CadreRank.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any rank."),
    )
    audience_positions = forms.MultipleChoiceField(
        label=_("positions"),
        choices=Position.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: with or without a position."),
    )

    CHECKS = ("audience_statuses", "audience_cadre_ranks", "audience_positions")

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        needs_forms: QuerySet[Form],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["audience_org"].queryset = orgs  # type: ignore[attr-defined]
        self.needs_forms = {str(f.pk): f for f in needs_forms[:200]}
        self.fields["form"].choices = [  # type: ignore[attr-defined]
            (TEMPLATE, _("A copy of the built-in training needs questionnaire")),
            *((pk, f"{f.title}（{f.org.name}）") for pk, f in self.needs_forms.items()),
        ]
        self.style_fields()
        for name in self.CHECKS:
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        closes_on: dt.date | None = data.get("closes_on")
        closes_at = (
            timezone.make_aware(dt.datetime.combine(closes_on, dt.time(23, 59, 59)))
            if closes_on
            else None
        )
        return {
            "org": data["org"],
            "form": self.needs_forms.get(data["form"]),
            "title": data["title"],
            "year": data["year"],
            "closes_at": closes_at,
            "audience": {
                "audience_org": data.get("audience_org"),
                **{name: data.get(name) or [] for name in self.CHECKS},
            },
        }


class CiteForm(BootstrapMixin, forms.Form):
    plan_item = forms.ModelChoiceField(
        label=_("plan item"), queryset=PlanItem.objects.none(), empty_label=None
    )
    topic = forms.ChoiceField(label=_("plan topic"), choices=Topic.choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args: Any, items: QuerySet[PlanItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_item"].queryset = items  # type: ignore[attr-defined]
        self.fields["plan_item"].label_from_instance = (  # type: ignore[attr-defined]
            lambda item: f"{item.plan.org.name} · {item.content}"
        )
        self.style_fields(small=True)
