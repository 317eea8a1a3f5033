"""Forms of the exam pages. They collect raw input; the rules live in `services`, whose
ValidationError dicts come back with `add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin
from peixun.members.models import Member
from peixun.orgs.models import Organization

from .models import Exam, ExamKind, Paper

HOURS_ATTRS = {"inputmode": "decimal", "step": "0.25", "min": "0", "max": "8", "type": "number"}


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:  # type: ignore[override]
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class PaperChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Paper) -> str:  # type: ignore[override]
        return f"{obj.title} · {obj.get_mode_display()} · {obj.org.name}"


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker, which phones show as their own."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ExamForm(BootstrapMixin, forms.Form):
    org = OrgChoiceField(queryset=Organization.objects.none(), label=_("Organisation"))
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExamKind.choices)
    paper = PaperChoiceField(queryset=Paper.objects.none(), label=_("Paper"))
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DateTimeInput())
    time_limit_minutes = forms.IntegerField(label=_("Time limit (minutes)"), initial=30)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), initial=1)
    pass_percent = forms.IntegerField(label=_("Pass mark (%)"), initial=60)
    shuffle_questions = forms.BooleanField(label=_("Shuffle questions"), required=False)
    shuffle_options = forms.BooleanField(label=_("Shuffle options"), required=False)
    show_answers = forms.ChoiceField(label=_("Show answers"), choices=Exam.ShowAnswers.choices)
    credit_hours = forms.DecimalField(
        label=_("Study hours for passing"),
        required=False,
        widget=forms.NumberInput(attrs=HOURS_ATTRS),
        help_text=_("Credited on the ledger when the exam is finalised; 0 for none."),
    )
    audience = forms.ChoiceField(
        label=_("Who takes it"), choices=Exam.Audience.choices, widget=forms.RadioSelect
    )
    member_statuses = forms.MultipleChoiceField(
        label=_("Member statuses"),
        choices=Member.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cadre_ranks = forms.MultipleChoiceField(
        label=_("Cadre ranks (none ticked: everyone)"),
        choices=Member.CadreRank.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sample_count = forms.IntegerField(label=_("Members per branch"), required=False)
    sample_percent = forms.IntegerField(label=_("Or percent per branch"), required=False)
    leaderboard = forms.BooleanField(
        label=_("Show a leaderboard (contests only, if the tenant allows)"), required=False
    )

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        papers: QuerySet[Paper],
        published: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["paper"].queryset = papers  # type: ignore[attr-defined]
        if published:
            # Only these may change once takers have the exam (the service says so too).
            for name in list(self.fields):
                if name not in ("title", "closes_at", "show_answers"):
                    del self.fields[name]
        self.style_fields()
        for name in ("shuffle_questions", "shuffle_options", "leaderboard"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-check-input"
        for name in ("audience", "member_statuses", "cadre_ranks"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-check-input"


class RuleForm(BootstrapMixin, forms.Form):
    pass_credit_hours = forms.DecimalField(
        label=_("Study hours for passing a test"), widget=forms.NumberInput(attrs=HOURS_ATTRS)
    )
    contest_leaderboards = forms.BooleanField(
        label=_("Allow leaderboards for contests"),
        required=False,
        help_text=_(
            "Off by default: points rankings must not become a measure of Party members. When "
            "on, a contest may turn its own leaderboard on."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["contest_leaderboards"].widget.attrs["class"] = "form-check-input"
