"""Forms for the member pages.

They only collect raw input: the field rules live in `validation.clean_member_fields`, which the
services call, and the services' ValidationError dicts are mapped back onto these fields with
`peixun.core.forms.add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first
from peixun.core.pickers import PickerChoiceField
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization, Position
from peixun.orgs.selectors import attach_ancestor_names, org_path_label

from .models import Departure, Member
from .selectors import member_picker_matches


class MemberPickerField(PickerChoiceField):
    """A member picker that searches on the server by name or mobile, each member labelled
    with their branch's path. The form sets `queryset` to the candidates, which are both what
    the search offers and what a submitted value is checked against."""

    placeholder = _("Type a name or mobile number")

    def __init__(self, *, queryset: QuerySet[Member] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "invalid_choice", _("Pick a member from the list: that one is not offered here.")
        )
        super().__init__(queryset=Member.objects.none() if queryset is None else queryset, **kwargs)

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        return member_picker_matches(candidates, text)

    def prepare_labels(self, objs: list[Any]) -> None:
        attach_ancestor_names([member.org for member in objs])

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {org_path_label(obj.org)}"


def _joined_in_month(month: int) -> str:
    return gettext("Joined in month %(n)s") % {"n": month}


# Lazy: the label is translated when a page renders, in that request's language.
_month_label = lazy(_joined_in_month, str)


class MemberFilterForm(BootstrapMixin, forms.Form):
    """The list filters; choices come from the model TextChoices."""

    q = forms.CharField(label=_("Name or mobile"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("member status"),
        required=False,
        choices=blank_first(Member.Status.choices, _("Any status")),
    )
    cadre_rank = forms.ChoiceField(
        label=_("cadre rank"),
        required=False,
        choices=blank_first(Member.CadreRank.choices, _("Any rank")),
    )
    position = forms.ChoiceField(
        label=_("position"),
        required=False,
        choices=blank_first(Position.Role.choices, _("Any position")),
    )
    exempt = forms.ChoiceField(
        label=_("exempt"),
        required=False,
        choices=[("", _("Exempt or not")), ("yes", _("Exempt")), ("no", _("Not exempt"))],
    )
    employment = forms.ChoiceField(
        label=_("employment status"),
        required=False,
        choices=blank_first(Member.Employment.choices, _("Any employment")),
    )
    joined_month = forms.TypedChoiceField(
        label=_("month joined the Party"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Joined in any month"))]
        + [(str(m), _month_label(m)) for m in range(1, 13)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)
        self.fields["q"].widget.attrs["placeholder"] = _("Name or mobile")
        # The filter row has no visible labels (it must fit a phone), so name each control.
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label


class MemberForm(BootstrapMixin, forms.Form):
    """A member's own facts. Values go to the services raw; `clean_member_fields` judges them."""

    name = forms.CharField(label=_("name"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    gender = forms.ChoiceField(
        label=_("gender"),
        required=False,
        choices=blank_first(Member.Gender.choices, _("From the ID number")),
    )
    birth_date = forms.CharField(
        label=_("birth date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave blank to take it from the ID number."),
    )
    ethnicity = forms.CharField(label=_("ethnicity"), required=False, max_length=16)
    mobile = forms.CharField(
        label=_("mobile number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    education = forms.ChoiceField(
        label=_("education"), required=False, choices=blank_first(Member.Education.choices)
    )
    status = forms.ChoiceField(label=_("member status"), choices=Member.Status.choices)
    candidate_since = forms.CharField(
        label=_("date became a candidate for admission"),
        required=False,
        widget=DateInput(),
        help_text=_("Training for candidates is counted from this day."),
    )
    joined_on = forms.CharField(
        label=_("date joined the Party"), required=False, widget=DateInput()
    )
    confirmed_on = forms.CharField(
        label=_("date became full member"), required=False, widget=DateInput()
    )
    cadre_rank = forms.ChoiceField(label=_("cadre rank"), choices=Member.CadreRank.choices)
    employment = forms.ChoiceField(label=_("employment status"), choices=Member.Employment.choices)
    exempt_reason = forms.ChoiceField(
        label=_("exemption reason"), required=False, choices=Member.ExemptReason.choices
    )

    def __init__(self, *args: Any, id_number_mode: str = "required", **kwargs: Any) -> None:
        """`id_number_mode`: "required" (create), "optional" (edit by an org admin: blank keeps
        the stored number) or "hidden" (edit by anyone else: the number cannot be changed)."""
        super().__init__(*args, **kwargs)
        if id_number_mode == "hidden":
            del self.fields["id_number"]
        elif id_number_mode == "optional":
            field = self.fields["id_number"]
            field.required = False
            field.help_text = _("Leave blank to keep the stored number.")
        self.style_fields()

    @staticmethod
    def initial_for(member: Member) -> dict[str, Any]:
        return {
            name: getattr(member, name)
            for name in (
                "name",
                "gender",
                "birth_date",
                "ethnicity",
                "mobile",
                "education",
                "status",
                "candidate_since",
                "joined_on",
                "confirmed_on",
                "cadre_rank",
                "employment",
                "exempt_reason",
            )
        }


class MemberCreateForm(MemberForm):
    org = OrgPickerField(label=_("Party organization"))
    field_order = ["org"]

    def __init__(self, *args: Any, org_options: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["org"]
        assert isinstance(org_field, OrgPickerField)
        org_field.queryset = org_options
        org_field.widget.attrs["class"] = "form-select"


class TransferForm(BootstrapMixin, forms.Form):
    to_org = OrgPickerField(label=_("Transfer to"))
    effective = forms.DateField(label=_("Effective date"), widget=DateInput())
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args: Any, targets: QuerySet[Organization], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective": timezone.localdate()})
        super().__init__(*args, **kwargs)
        to_org = self.fields["to_org"]
        assert isinstance(to_org, OrgPickerField)
        to_org.queryset = targets
        self.style_fields()


class DepartureForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("reason for leaving"), choices=blank_first(Departure.choices)
    )
    effective = forms.DateField(
        label=_("Effective date"),
        widget=DateInput(),
        help_text=_("The day the member left: today or earlier."),
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=200,
        help_text=_("E.g. where the membership was transferred, or the decision's number."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm the member leaves; their login stops working today."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["confirm"].widget.attrs["class"] = "form-check-input"
        self.style_fields()


class PositionForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organization"))
    role = forms.ChoiceField(label=_("position"), choices=Position.Role.choices)
    kind = forms.ChoiceField(label=_("position kind"), choices=Position.Kind.choices)
    since = forms.DateField(label=_("since"), widget=DateInput())
    until = forms.DateField(label=_("until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, org_options: QuerySet[Organization], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"since": timezone.localdate(), "kind": "part_time"})
        super().__init__(*args, **kwargs)
        org_field = self.fields["org"]
        assert isinstance(org_field, OrgPickerField)
        org_field.queryset = org_options
        self.style_fields()


class PositionEndForm(BootstrapMixin, forms.Form):
    until = forms.DateField(label=_("Ended on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"until": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.style_fields()


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )
