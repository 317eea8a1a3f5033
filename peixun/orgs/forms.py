"""Forms for the org pages. They collect raw input; the rules live in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import DateInput
from peixun.core.pickers import PickerChoiceField

from .models import ALLOWED_CHILDREN, Organization
from .selectors import attach_ancestor_names, org_path_label, org_picker_matches


def style_fields(form: forms.Form) -> None:
    """Bootstrap classes on every widget, so templates can render fields plainly."""
    for field in form.fields.values():
        widget = field.widget
        widget.attrs["class"] = (
            "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=120)
    closed = forms.BooleanField(label=_("Show closed organizations"), required=False)


class OrgCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Organization.Kind.choices)
    name = forms.CharField(label=_("organization name"), max_length=120, required=False)
    code = forms.CharField(
        label=_("code"),
        max_length=32,
        required=False,
        help_text=_("Unique across the platform, e.g. the code of the parent plus two digits."),
    )

    def __init__(self, *args: Any, parent: Organization | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parent is not None:
            allowed = ALLOWED_CHILDREN[parent.kind]
            kind_field = self.fields["kind"]
            assert isinstance(kind_field, forms.ChoiceField)
            kind_field.choices = [
                (value, label) for value, label in Organization.Kind.choices if value in allowed
            ]
        style_fields(self)


class OrgRenameForm(forms.Form):
    # Empty input is left to the service, so its message is the one people see.
    name = forms.CharField(label=_("organization name"), max_length=120, required=False)
    code = forms.CharField(label=_("code"), max_length=32, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class OrgTreeChoiceField(forms.ModelChoiceField[Organization]):
    """An org picker for a plain select: names indented by depth so the tree reads."""

    def label_from_instance(self, obj: Organization) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class OrgPickerField(PickerChoiceField):
    """An org picker that searches on the server by name or code, each org labelled with its
    path (县统计局党总支 › 办公室党支部). The form sets `queryset` to the candidates, which
    are both what the search offers and what a submitted value is checked against."""

    placeholder = _("Type a name or code")

    def __init__(self, *, queryset: QuerySet[Organization] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "invalid_choice", _("Pick an organization from the list: that one is not offered here.")
        )
        super().__init__(
            queryset=Organization.objects.none() if queryset is None else queryset, **kwargs
        )

    def search(self, candidates: QuerySet[Any], text: str) -> QuerySet[Any]:
        return org_picker_matches(candidates, text)

    def prepare_labels(self, objs: list[Any]) -> None:
        attach_ancestor_names(objs)

    def label_from_instance(self, obj: Any) -> str:
        return org_path_label(obj)


class OrgMoveForm(forms.Form):
    new_parent = OrgPickerField(label=_("New parent organization"))

    def __init__(self, *args: Any, targets: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = targets  # type: ignore[attr-defined]
        self.targets = targets
        style_fields(self)

    @property
    def has_targets(self) -> bool:
        return self.targets.exists()


class OrgCloseForm(forms.Form):
    on = forms.DateField(label=_("Closed on"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
