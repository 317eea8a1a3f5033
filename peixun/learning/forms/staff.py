"""Forms of the staff pages: an online class (its fields and its courses), a course of the
catalogue and an item of it. Raw input only: `services` hold the rules and their ValidationError
dicts are mapped back with `add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first
from peixun.exams.models import Question
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization, Position

from ..models import Course, ItemKind, MoveOn

NUMBER = {"inputmode": "numeric"}


class OnlineClassForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organiser"))
    title = forms.CharField(label=_("class title"), max_length=200)
    year = forms.IntegerField(
        label=_("year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=NUMBER)
    )
    starts_on = forms.DateField(label=_("first day"), widget=DateInput())
    ends_on = forms.DateField(label=_("last day"), widget=DateInput())
    elective_minimum = forms.IntegerField(
        label=_("electives to complete"),
        min_value=0,
        max_value=100,
        initial=0,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Besides every required course. 0: electives are optional."),
    )
    description = forms.CharField(
        label=_("description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The training classes' audience model, field for field.
    audience_org = OrgPickerField(
        label=_("audience within"),
        required=False,
        help_text=_("Empty: the organiser's whole subtree."),
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
        self, *args: Any, orgs: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["audience_org"].queryset = orgs  # type: ignore[attr-defined]
        if editing:
            self.fields["org"].disabled = True  # the organiser stays
        self.style_fields()
        for name in self.CHECKS:
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org", None)
        return data


def default_window() -> dict[str, Any]:
    today = timezone.localdate()
    return {"year": today.year, "starts_on": today, "ends_on": today.replace(month=12, day=31)}


class CourseChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.org.name}）"


class ClassCoursesForm(forms.Form):
    required = CourseChoiceField(
        label=_("required courses"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    electives = CourseChoiceField(
        label=_("elective courses"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("A course ticked in both lists is required."),
    )

    def __init__(self, *args: Any, courses: QuerySet[Course], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required"].queryset = courses  # type: ignore[attr-defined]
        self.fields["electives"].queryset = courses  # type: ignore[attr-defined]


class CourseForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("owner"))
    title = forms.CharField(label=_("title"), max_length=200)
    topic = forms.ChoiceField(label=_("topic"), choices=blank_first(Topic.choices))
    hours = forms.DecimalField(
        label=_("study hours"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.25", "min": "0"}),
        help_text=_("Empty: by the tenant's bands, from the length of its videos and its quiz."),
    )
    move_on = forms.ChoiceField(label=_("completed when"), choices=MoveOn.choices)
    watch_percent = forms.IntegerField(
        label=_("share of videos to watch (%)"),
        min_value=1,
        max_value=100,
        initial=90,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    allow_skip = forms.BooleanField(label=_("members may skip ahead"), required=False)
    description = forms.CharField(
        label=_("description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        if editing:
            self.fields["org"].disabled = True
        self.style_fields()
        self.fields["allow_skip"].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org", None)
        return data


class QuestionChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.stem)[:80]


class ItemForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=ItemKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    file = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_("A video as .mp4 or .webm, a document as PDF."),
    )
    duration_seconds = forms.IntegerField(
        label=_("length (seconds)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Videos only: what “watched” is measured against."),
    )
    questions = QuestionChoiceField(
        label=_("questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Quizzes only: questions of the bank the course's owner shares."),
    )
    pass_percent = forms.IntegerField(
        label=_("pass mark (%)"),
        required=False,
        min_value=1,
        max_value=100,
        initial=60,
        widget=forms.NumberInput(attrs=NUMBER),
    )

    def __init__(self, *args: Any, questions: QuerySet[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = questions  # type: ignore[attr-defined]
        self.style_fields()
        self.fields["questions"].widget.attrs["class"] = "form-select"
