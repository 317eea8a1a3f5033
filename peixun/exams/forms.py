"""Forms of the exam, bank and paper pages. They collect raw input; the rules (what a valid
exam, question, answer, rule or points value is) live in `services`, whose ValidationError dicts
come back with `add_service_errors`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, blank_first
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization

from .documents import answer_text
from .logic import OPTION_LETTERS
from .models import Difficulty, Exam, ExamKind, Paper, Question, QuestionKind
from .services.papers import DEFAULT_POINTS

HOURS_ATTRS = {"inputmode": "decimal", "step": "0.25", "min": "0", "max": "8", "type": "number"}


class PaperChoiceField(forms.ModelChoiceField[Paper]):
    def label_from_instance(self, obj: Paper) -> str:
        return f"{obj.title} · {obj.get_mode_display()} · {obj.org.name}"


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker, which phones show as their own."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ExamForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("Organisation"))
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


# -- the bank and papers -------------------------------------------------------------------------

MAX_RULES = 10
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
POINTS_ATTRS = {"inputmode": "decimal", "step": "0.1", "min": "0.1", "max": "100", "type": "number"}


def option_field(index: int) -> str:
    return f"option_{OPTION_LETTERS[index].lower()}"


class BankFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Words of the question or its source")}),
    )
    kind = forms.ChoiceField(
        label=_("type"), required=False, choices=blank_first(QuestionKind.choices, _("All types"))
    )
    difficulty = forms.TypedChoiceField(
        label=_("difficulty"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any difficulty")), *Difficulty.choices],
    )
    topic = forms.CharField(
        label=_("topics"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("topics")}),
    )
    retired = forms.BooleanField(label=_("Include retired questions"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)
        self.fields["retired"].widget.attrs["class"] = "form-check-input"

    def search(self) -> dict[str, Any]:
        """The arguments of `selectors.questions_search` (nothing filtered when invalid)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "text": (data.get("q") or "").strip(),
            "kind": data.get("kind") or "",
            "difficulty": data.get("difficulty") or None,
            "topic": (data.get("topic") or "").strip(),
            "include_retired": bool(data.get("retired")),
        }


class QuestionForm(BootstrapMixin, forms.Form):
    """A question; the options as up to eight text inputs, the answer as a person writes it."""

    org = OrgPickerField(label=_("owner"))
    kind = forms.ChoiceField(label=_("type"), choices=blank_first(QuestionKind.choices))
    stem = forms.CharField(
        label=_("question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    answer = forms.CharField(
        label=_("answer"),
        max_length=2100,
        help_text=_(
            "Option letters (B, or ACD for multiple choice); 对 or 错 for true or false; the "
            "accepted answers of a blank separated by | (人民|人民群众)."
        ),
    )
    topics = forms.CharField(
        label=_("topics"),
        required=False,
        max_length=200,
        help_text=_("Separated by 、, such as 党章、党史."),
    )
    difficulty = forms.TypedChoiceField(
        label=_("difficulty"), coerce=int, choices=Difficulty.choices, initial=Difficulty.MEDIUM
    )
    explanation = forms.CharField(
        label=_("explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.CharField(label=_("source"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        question: Question | None = None,
        **kwargs: Any,
    ) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = question_initial(question)
        super().__init__(*args, **kwargs)
        for index, letter in enumerate(OPTION_LETTERS):
            self.fields[option_field(index)] = forms.CharField(
                label=format_lazy("{} {}", _("Option"), letter), required=False, max_length=500
            )
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        if question is not None:
            # The owner stays: duplicates are found within the owner's bank.
            self.fields["org"].queryset = Organization.objects.filter(pk=question.org_id)  # type: ignore[attr-defined]
            self.fields["org"].disabled = True
        self.style_fields()

    def option_fields(self) -> list[forms.BoundField]:
        return [self[option_field(i)] for i in range(len(OPTION_LETTERS))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in CHOICE_KINDS:
            options = [
                (data.get(option_field(i)) or "").strip() for i in range(len(OPTION_LETTERS))
            ]
            filled = [i for i, text in enumerate(options) if text]
            if filled and any(not options[i] for i in range(filled[-1])):
                # Letters would shift and the answer point at the wrong option.
                self.add_error(None, _("Fill the options from A on, without gaps."))
        return data

    def question_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "stem": data["stem"],
            "options": [data.get(option_field(i)) or "" for i in range(len(OPTION_LETTERS))],
            "answer": data["answer"],
            "topics": data.get("topics") or "",
            "difficulty": data["difficulty"],
            "explanation": data.get("explanation") or "",
            "source": data.get("source") or "",
        }


def question_initial(question: Question) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "org": question.org_id,
        "kind": question.kind,
        "stem": question.stem,
        "answer": answer_text(question),
        "topics": question.topics,
        "difficulty": question.difficulty,
        "explanation": question.explanation,
        "source": question.source,
    }
    for index, text in enumerate((question.options or [])[: len(OPTION_LETTERS)]):
        initial[option_field(index)] = text
    return initial


class ImportForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("import into the bank of"))
    file = forms.FileField(
        label=_("question workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.style_fields()


def points_field_name(kind: str) -> str:
    return f"points_{kind}"


class PaperForm(BootstrapMixin, forms.Form):
    """A paper: title, owner and composition, the points of each type, and for a rules paper
    up to ten rows of topic / type / difficulty / count (blank rows are left out)."""

    org = OrgPickerField(label=_("owner"))
    title = forms.CharField(label=_("title"), max_length=200)
    mode = forms.ChoiceField(
        label=_("composition"),
        choices=Paper.Mode.choices,
        initial=Paper.Mode.FIXED,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        paper: Paper | None = None,
        **kwargs: Any,
    ) -> None:
        if paper is not None and "initial" not in kwargs:
            kwargs["initial"] = paper_initial(paper)
        super().__init__(*args, **kwargs)
        for kind, label in QuestionKind.choices:
            self.fields[points_field_name(kind)] = forms.DecimalField(
                label=format_lazy("{} · {}", label, _("points each")),
                min_value=Decimal("0.1"),
                max_value=Decimal(100),
                max_digits=4,
                decimal_places=1,
                initial=Decimal(DEFAULT_POINTS[kind]),
                widget=forms.NumberInput(attrs=POINTS_ATTRS),
            )
        for n in range(MAX_RULES):
            self.fields[f"rule{n}_topic"] = forms.CharField(
                label=_("topics"), required=False, max_length=50
            )
            self.fields[f"rule{n}_kind"] = forms.ChoiceField(
                label=_("type"), required=False, choices=blank_first(QuestionKind.choices)
            )
            self.fields[f"rule{n}_difficulty"] = forms.TypedChoiceField(
                label=_("difficulty"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[(0, _("Any")), *Difficulty.choices],
            )
            self.fields[f"rule{n}_count"] = forms.IntegerField(
                label=_("count"),
                required=False,
                min_value=1,
                max_value=200,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
            )
        for n in range(MAX_RULES):
            for part in ("topic", "kind", "difficulty", "count"):
                rule_field = self.fields[f"rule{n}_{part}"]
                rule_field.widget.attrs["aria-label"] = format_lazy(
                    "{} {}", rule_field.label, n + 1
                )
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        if paper is not None:
            # Owner and composition stay; exams and rows depend on them.
            self.fields["org"].queryset = Organization.objects.filter(pk=paper.org_id)  # type: ignore[attr-defined]
            self.fields["org"].disabled = True
            self.fields["mode"].disabled = True
        self.style_fields(small=False)
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def points_fields(self) -> list[forms.BoundField]:
        return [self[points_field_name(kind)] for kind in QuestionKind.values]

    def rule_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"rule{n}_{part}"] for part in ("topic", "kind", "difficulty", "count")]
            for n in range(MAX_RULES)
        ]

    def points(self) -> dict[str, str]:
        return {
            kind: str(self.cleaned_data[points_field_name(kind)]) for kind in QuestionKind.values
        }

    def rules(self) -> list[dict[str, Any]]:
        rules = []
        for n in range(MAX_RULES):
            row = {
                "topic": (self.cleaned_data.get(f"rule{n}_topic") or "").strip(),
                "kind": self.cleaned_data.get(f"rule{n}_kind") or "",
                "difficulty": self.cleaned_data.get(f"rule{n}_difficulty") or 0,
                "count": self.cleaned_data.get(f"rule{n}_count") or 0,
            }
            if row["topic"] or row["kind"] or row["count"]:
                rules.append(row)
        return rules


def paper_initial(paper: Paper) -> dict[str, Any]:
    initial: dict[str, Any] = {"org": paper.org_id, "title": paper.title, "mode": paper.mode}
    for kind in QuestionKind.values:
        initial[points_field_name(kind)] = Decimal(
            str((paper.points or {}).get(kind, DEFAULT_POINTS[kind]))
        )
    for n, rule in enumerate((paper.rules or [])[:MAX_RULES]):
        for part in ("topic", "kind", "difficulty", "count"):
            initial[f"rule{n}_{part}"] = rule.get(part)
    return initial
