"""Forms of the external records import: parsing and field checks only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin
from peixun.members.forms import MemberPickerField
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models.imports import MAPPED_FIELDS, ExternalSource
from ..services.imports import FIELD_LABELS


class SourceForm(BootstrapMixin, forms.Form):
    org = forms.ModelChoiceField(
        label=_("Party organization"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    platform = forms.ChoiceField(label=_("Platform"), choices=ExternalSource.Platform.choices)

    def __init__(self, *args: Any, orgs: QuerySet[Organization] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if orgs is None:  # editing: the org stays
            del self.fields["org"]
        else:
            self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        for name in MAPPED_FIELDS:
            self.fields[f"map_{name}"] = forms.CharField(
                label=str(FIELD_LABELS[name]),
                max_length=60,
                required=False,
                help_text=_("The column's header in the export; leave empty if it has none."),
            )
        self.style_fields()

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"map_{name}") or "" for name in MAPPED_FIELDS}

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{name}"] for name in MAPPED_FIELDS]


class UploadForm(BootstrapMixin, forms.Form):
    source = forms.ModelChoiceField(label=_("Source"), queryset=ExternalSource.objects.none())
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("A year (2025) or a month (2025-03): what the export covers."),
    )
    file = forms.FileField(
        label=_("Export (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, sources: QuerySet[ExternalSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        self.style_fields()


class PickForm(forms.Form):
    member = MemberPickerField(label=_("Member"), required=False)

    def __init__(self, *args: Any, candidates: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates  # type: ignore[attr-defined]
