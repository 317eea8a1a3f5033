"""The small page forms: a form's head in the builder, starting an evaluation, the settings,
and the answers as posted by the answer page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization
from peixun.training.models import TrainingClass

from ..models import Form, Question, QuestionKind, SurveySettings
from ..models.forms import Purpose

TEMPLATE_CHOICE = "teaching"


class FormHeadForm(BootstrapMixin, forms.Form):
    """What a form is: its keeper and purpose (chosen once, at creation), title, description."""

    org = OrgPickerField(label=_("kept by"))
    purpose = forms.ChoiceField(label=_("purpose"), choices=Purpose.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if orgs is None:
            # Editing: the keeper and the purpose stay as they were.
            del self.fields["org"]
            del self.fields["purpose"]
        else:
            self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.style_fields()


class EvaluationStartForm(BootstrapMixin, forms.Form):
    """Which form to send, the survey's title and when it closes (and, for a teacher, the
    class whose trainees are asked)."""

    form = forms.ChoiceField(label=_("evaluation form"))
    title = forms.CharField(label=_("title"), max_length=200)
    closes_at = forms.DateTimeField(
        label=_("closes at"),
        required=False,
        help_text=_("Leave empty to close it by hand."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    teacher_class = forms.ModelChoiceField(
        label=_("class taught"), queryset=TrainingClass.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        forms_offered: QuerySet[Form],
        classes: QuerySet[TrainingClass] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.forms_offered = forms_offered
        self.fields["form"].choices = [  # type: ignore[attr-defined]
            (TEMPLATE_CHOICE, _("The standard teaching evaluation (教学内容, 教学方法, 教学效果)")),
            *[(str(f.pk), f"{f.title}（{f.org.name}）") for f in forms_offered],
        ]
        if classes is None:
            del self.fields["teacher_class"]
        else:
            field = self.fields["teacher_class"]
            field.queryset = classes  # type: ignore[attr-defined]
            field.required = True
        self.style_fields()

    def chosen_form(self) -> Form | None:
        value = self.cleaned_data["form"]
        if value == TEMPLATE_CHOICE:
            return None
        return self.forms_offered.get(pk=int(value))


class SurveySettingsForm(BootstrapMixin, forms.ModelForm[SurveySettings]):
    class Meta:
        model = SurveySettings
        fields = ["min_responses", "class_close_requires_evaluation"]
        help_texts = {
            "min_responses": _(
                "Results of an evaluation, a branch or a teacher are shown only from this many "
                "responses (1 to 50); below it a page says how many have answered and nothing more."
            ),
            "class_close_requires_evaluation": _(
                "A training class can be closed only once an evaluation of it, or of one of its "
                "sessions, has been run and answered."
            ),
        }
        widgets = {"min_responses": forms.NumberInput(attrs={"min": 1, "max": 50})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["min_responses"].widget.attrs.update(min=1, max=50)
        self.fields["class_close_requires_evaluation"].widget.attrs["class"] = "form-check-input"


def answers_from_post(data: QueryDict, questions: list[Question]) -> dict[int, Any]:
    """The answers by question id as the service takes them: a multiple choice as a list."""
    answers: dict[int, Any] = {}
    for q in questions:
        name = f"q-{q.pk}"
        if q.kind == QuestionKind.MULTIPLE:
            answers[q.pk] = data.getlist(name)
        elif q.kind != QuestionKind.SECTION:
            answers[q.pk] = data.get(name, "")
    return answers
