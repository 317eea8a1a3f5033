"""Forms of the 述学 pages: parsing only; the rules live in services.study_reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin
from peixun.orglife.models import Meeting
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization

from ..models import STUDY_REPORT_MAX_CHARS, STUDY_REPORT_MIN_CHARS


class StudyReportForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("What I studied this year"),
        max_length=STUDY_REPORT_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "At least %(min)s and at most %(max)s characters: what you studied, how, and what you "
            "took from it for your work."
        )
        % {"min": STUDY_REPORT_MIN_CHARS, "max": STUDY_REPORT_MAX_CHARS},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class StudyReportFilterForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organization and those below"), required=False)
    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=())

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
        self.style_fields(small=True)


class MeetingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        day = timezone.localtime(obj.event.starts_at)
        return f"{day:%Y-%m-%d} {obj.event.title}"


class StudyReportReviewForm(BootstrapMixin, forms.Form):
    meeting = MeetingChoiceField(
        label=_("democratic appraisal meeting"), queryset=Meeting.objects.none()
    )
    comment = forms.CharField(
        label=_("review comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.style_fields()


class StudyReportReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for returning"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
