"""Forms of the spending pages: parsing and pickers only; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first
from peixun.core.pickers import PickerChoiceField
from peixun.orglife.models import Meeting
from peixun.orgs.forms import OrgPickerField
from peixun.plans.models import PlanItem
from peixun.training.models import TrainingClass

from .models import ExpenseAttachment, Fund
from .selectors import (
    class_candidates,
    meeting_candidates,
    plan_item_candidates,
    reading_orgs,
    recording_orgs,
)


class ClassPickerField(PickerChoiceField):
    placeholder = _("Type the class's title")

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        return candidates.filter(title__icontains=text) if text else candidates

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.starts_on:%Y-%m-%d} {obj.title}"


class MeetingPickerField(PickerChoiceField):
    placeholder = _("Type the meeting's title")

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        return candidates.filter(event__title__icontains=text) if text else candidates

    def label_from_instance(self, obj: Any) -> str:
        day = timezone.localtime(obj.event.starts_at)
        return f"{day:%Y-%m-%d} {obj.get_kind_display()} · {obj.event.title}"


class PlanItemPickerField(PickerChoiceField):
    placeholder = _("Type the item's content or the plan's organization")

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        if not text:
            return candidates
        return candidates.filter(Q(content__icontains=text) | Q(plan__org__name__icontains=text))

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.plan.year} {obj.plan.org.name} · {obj.content}"


class ExpenseForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organization"))
    spent_on = forms.DateField(label=_("date spent"), widget=DateInput())
    amount = forms.CharField(
        label=_("amount (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    fund = forms.ChoiceField(label=_("fund"), choices=Fund.choices)
    purpose = forms.CharField(label=_("purpose"), max_length=300)
    payee = forms.CharField(label=_("payee"), max_length=200, required=False)
    training_class = ClassPickerField(
        label=_("training class"), queryset=TrainingClass.objects.none(), required=False
    )
    meeting = MeetingPickerField(
        label=_("meeting"), queryset=Meeting.objects.none(), required=False
    )
    plan_item = PlanItemPickerField(
        label=_("plan item"), queryset=PlanItem.objects.none(), required=False
    )
    decision_body = forms.CharField(
        label=_("decided by (body)"),
        max_length=100,
        required=False,
        help_text=_("Required for Party dues: 支委会, 党委会, 党员大会…"),
    )
    decision_on = forms.DateField(label=_("date of decision"), required=False, widget=DateInput())
    decision_ref = forms.CharField(
        label=_("decision reference"),
        max_length=200,
        required=False,
        help_text=_("The minutes or the document that records it."),
    )
    decision_meeting = MeetingPickerField(
        label=_("meeting that decided it"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = recording_orgs(actor)  # type: ignore[attr-defined]
        self.fields["training_class"].queryset = class_candidates(actor)  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meeting_candidates(actor)  # type: ignore[attr-defined]
        self.fields["decision_meeting"].queryset = meeting_candidates(actor)  # type: ignore[attr-defined]
        self.fields["plan_item"].queryset = plan_item_candidates(actor)  # type: ignore[attr-defined]
        self.style_fields()


class ExpenseFilterForm(BootstrapMixin, forms.Form):
    """The list's filters, read from the query string; a value that does not parse is ignored."""

    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=(), required=False)
    fund = forms.ChoiceField(label=_("fund"), required=False, choices=())
    org = OrgPickerField(label=_("organization and those below"), required=False)
    against = forms.ChoiceField(label=_("spent on"), required=False, choices=())
    q = forms.CharField(label=_("search"), max_length=60, required=False)

    def __init__(self, *args: Any, actor: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in years]]  # type: ignore[attr-defined]
        self.fields["fund"].choices = blank_first(Fund.choices, _("All funds"))  # type: ignore[attr-defined]
        self.fields["against"].choices = blank_first(  # type: ignore[attr-defined]
            [
                ("class", _("A training class")),
                ("meeting", _("A meeting")),
                ("plan_item", _("A plan item")),
                ("none", _("Nothing in particular")),
            ],
            _("Anything"),
        )
        self.fields["org"].queryset = reading_orgs(actor)  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["placeholder"] = _("Purpose, payee or decision")
        self.fields["q"].widget.attrs["type"] = "search"
        self.style_fields(small=True)


class VoidForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason for voiding"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class AttachmentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ExpenseAttachment.Kind.choices)
    file = forms.FileField(label=_("file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)


class PlanActualForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=())
    org = OrgPickerField(label=_("organization"), required=False)

    def __init__(self, *args: Any, actor: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
        self.fields["org"].queryset = reading_orgs(actor)  # type: ignore[attr-defined]
        self.style_fields(small=True)


def year_choices() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 8, -1))
