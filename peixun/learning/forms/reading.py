"""Forms of the 必读书目 pages: a list, a book, a member's 心得 and a secretary's return. Raw input
only: the rules (ISBN, hours, the quiz, who may write) live in `services.reading`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin
from peixun.exams.models import Exam
from peixun.hours.models import Topic
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization

from ..models.reading import MAX_REFLECTION_CHARS, MIN_REFLECTION_CHARS

NUMBER = {"inputmode": "numeric"}


class ReadingListForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organisation"))
    year = forms.IntegerField(
        label=_("year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=NUMBER)
    )
    title = forms.CharField(label=_("title"), max_length=200)
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        if editing:
            self.fields["org"].disabled = True  # a list stays with its org
        self.style_fields()

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org", None)
        return data


class ExamChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.org.name}）"


class BookForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("book title"), max_length=200)
    author = forms.CharField(label=_("author"), max_length=200, required=False)
    publisher = forms.CharField(label=_("publisher"), max_length=200, required=False)
    isbn = forms.CharField(
        label=_("ISBN"), max_length=20, required=False, help_text=_("Optional: 13 or 10 digits.")
    )
    required = forms.BooleanField(label=_("required reading"), required=False, initial=True)
    hours = forms.DecimalField(
        label=_("study hours for a reflection"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.25"}),
        help_text=_(
            "Credited to the ledger when the branch approves a member's reflection; 0: none."
        ),
    )
    topic = forms.ChoiceField(
        label=_("topic"), choices=Topic.choices, initial=Topic.INNOVATION_THEORY
    )
    exam = ExamChoiceField(
        label=_("quiz"),
        queryset=Exam.objects.none(),
        required=False,
        help_text=_(
            "Optional: a test from the question bank; passing it credits the book (the test's own study hours go to the ledger)."
        ),
    )

    def __init__(self, *args: Any, exams: QuerySet[Exam], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exam"].queryset = exams  # type: ignore[attr-defined]
        self.style_fields()
        self.fields["required"].widget.attrs["class"] = "form-check-input"


class ReflectionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Your reflection"),
        max_length=MAX_REFLECTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("At least %(n)s characters: what you read and what it means for your work.")
        % {"n": MIN_REFLECTION_CHARS},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)
