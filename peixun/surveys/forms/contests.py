"""Forms of the competition pages: parsing and pickers only; the rules live in
services.contests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first
from peixun.members.forms import MemberPickerField
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization

from ..models import Award, ContestKind, Form, Question, QuestionKind

JUDGE_FIELDS = 5  # judges chosen at once; more are added the same way


class ContestForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organised by"))
    kind = forms.ChoiceField(label=_("kind"), choices=ContestKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    entry_deadline = forms.DateField(label=_("entry deadline"), widget=DateInput())
    rules = forms.CharField(
        label=_("rules"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    form = forms.ModelChoiceField(
        label=_("judging form"),
        queryset=Form.objects.none(),
        required=False,
        empty_label=_("The built-in Party lecture score sheet"),
    )

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization], forms_: QuerySet[Form], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["form"].queryset = forms_  # type: ignore[attr-defined]
        self.style_fields()


class EntryForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("title of the lecture"), max_length=200)
    summary = forms.CharField(
        label=_("text or outline"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    slides = forms.FileField(
        label=_("slides (PDF, PowerPoint or Word)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.pptx,.docx"}),
    )
    video_url = forms.CharField(
        label=_("video link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class JudgesForm(BootstrapMixin, forms.Form):
    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, JUDGE_FIELDS + 1):
            self.fields[f"judge_{n}"] = MemberPickerField(
                label=_("judge %(n)s") % {"n": n}, queryset=members, required=False
            )
        self.style_fields()

    def judges(self) -> list[Member]:
        return [m for n in range(1, JUDGE_FIELDS + 1) if (m := self.cleaned_data.get(f"judge_{n}"))]


class AwardForm(forms.Form):
    award = forms.ChoiceField(label=_("award"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award"].choices = blank_first(Award.choices, _("No award"))  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    """A judge's score sheet: one field per answerable question of the judging form, named
    q<id>; sections are headings. `answers()` gives what `response_submit` takes."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name = f"q{q.pk}"
            if q.kind == QuestionKind.RATING:
                self.fields[name] = forms.TypedChoiceField(
                    label=q.text,
                    coerce=int,
                    choices=[(n, n) for n in range(1, q.scale_max + 1)],
                    widget=forms.RadioSelect,
                    required=q.required,
                )
            elif q.kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    max_length=2000,
                    required=q.required,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )
            elif q.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
                choices = [(o.pk, o.text) for o in q.options.all()]
                field_class = (
                    forms.TypedMultipleChoiceField
                    if q.kind == QuestionKind.MULTIPLE
                    else forms.TypedChoiceField
                )
                widget = (
                    forms.CheckboxSelectMultiple
                    if q.kind == QuestionKind.MULTIPLE
                    else forms.RadioSelect
                )
                self.fields[name] = field_class(
                    label=q.text, coerce=int, choices=choices, widget=widget, required=q.required
                )

    def rows(self) -> list[tuple[Question, Any]]:
        """(question, bound field or None for a section) in the form's order."""
        return [
            (q, self[f"q{q.pk}"] if f"q{q.pk}" in self.fields else None) for q in self.questions
        ]

    def answers(self) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"q{q.pk}")
            if value not in (None, "", []):
                out[q.pk] = value
        return out
