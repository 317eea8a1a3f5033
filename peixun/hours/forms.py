"""Forms for the study-hour pages.

They collect raw input only: the rules (steps of a quarter hour, dates inside the accounting year,
members in scope, evidence types, rule thresholds) live in the services, whose ValidationError
dicts are mapped back onto these fields with `peixun.core.forms.add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first
from peixun.members.models import Member
from peixun.orgs.models import Position

from .models import CreditEntry, Kind, Metric, Topic
from .selectors import EARLIEST_YEAR
from .services import EVIDENCE_TYPES

HOURS_ATTRS = {"inputmode": "decimal", "step": "0.25", "min": "0.25", "type": "number"}


def year_choices(first_year: int) -> list[tuple[int, int]]:
    """This year down to `first_year` (the first year of the data), newest first."""
    this_year = timezone.localdate().year
    return [(y, y) for y in range(this_year, min(first_year, this_year) - 1, -1)]


class MemberChecklistField(forms.ModelMultipleChoiceField[Member]):
    def label_from_instance(self, obj: Member) -> str:
        return obj.name


class RecordForm(BootstrapMixin, forms.Form):
    """One activity for a list of a branch's members."""

    title = forms.CharField(label=_("activity"), max_length=200)
    on = forms.DateField(label=_("date"), widget=DateInput())
    year = forms.TypedChoiceField(label=_("accounting year"), coerce=int, choices=())
    hours = forms.CharField(
        label=_("hours"),
        max_length=12,
        widget=forms.TextInput(attrs=HOURS_ATTRS),
        help_text=_("In steps of a quarter: 0.25, 0.5, 1, 1.5 …"),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices, initial=Topic.OTHER)
    concentrated = forms.BooleanField(label=_("concentrated training"), required=False)
    online = forms.BooleanField(label=_("online"), required=False)
    members = MemberChecklistField(
        label=_("members who took part"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one member."),
            "invalid_choice": _("A chosen member is not in this branch."),
            "invalid_pk_value": _("A chosen member is not in this branch."),
        },
    )

    def __init__(
        self, *args: Any, members: QuerySet[Member], first_year: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        # Back to the tenant's earliest data: a branch may enter a past year's activities late.
        self.fields["year"].choices = year_choices(first_year)  # type: ignore[attr-defined]
        self.style_fields()
        for name in ("concentrated", "online", "members"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class ReasonForm(BootstrapMixin, forms.Form):
    """A reversal's or a rejection's reason. Required here and in the service."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class SelfStudyForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("what you studied"), max_length=200)
    on = forms.DateField(label=_("date"), widget=DateInput())
    hours = forms.CharField(
        label=_("hours"),
        max_length=12,
        widget=forms.TextInput(attrs=HOURS_ATTRS),
        help_text=_("In steps of a quarter: 0.25, 0.5, 1, 1.5 …"),
    )
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices, initial=Topic.OTHER)
    online = forms.BooleanField(label=_("studied online"), required=False)
    reflection = forms.CharField(
        label=_("reflections (心得体会)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = forms.FileField(
        label=_("evidence"),
        required=False,
        help_text=_("A PDF, a picture or an Office document, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EVIDENCE_TYPES)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["online"].widget.attrs["class"] = "form-check-input"


class EntryFilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False, choices=())
    kind = forms.ChoiceField(label=_("kind"), required=False)
    state = forms.ChoiceField(label=_("state"), required=False)

    def __init__(self, *args: Any, first_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = year_choices(first_year)
        asked = self._asked_year()
        if asked is not None and (asked, asked) not in years:
            # A year outside the data still filters (to nothing), never falls back to all years.
            years = sorted([*years, (asked, asked)], reverse=True)
        self.fields["year"].choices = [("", _("All years")), *years]  # type: ignore[attr-defined]
        self.fields["kind"].choices = blank_first(Kind.choices, _("All kinds"))  # type: ignore[attr-defined]
        self.fields["state"].choices = blank_first(  # type: ignore[attr-defined]
            CreditEntry.State.choices, _("All states")
        )
        self.style_fields(small=True)

    def _asked_year(self) -> int | None:
        try:
            year = int(self.data.get("year") or "")
        except (TypeError, ValueError):
            return None
        return year if EARLIEST_YEAR <= year <= timezone.localdate().year + 1 else None


class RuleForm(BootstrapMixin, forms.Form):
    """A local rule. `clean_requirement` in the services holds the rules; this collects input."""

    name = forms.CharField(label=_("rule name"), max_length=120)
    source = forms.CharField(label=_("source document"), max_length=200, required=False)
    statuses = forms.MultipleChoiceField(
        label=_("member statuses"),
        choices=Member.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any status."),
    )
    cadre_ranks = forms.MultipleChoiceField(
        label=_("cadre ranks"),
        choices=Member.CadreRank.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any rank."),
    )
    positions = forms.MultipleChoiceField(
        label=_("positions"),
        choices=Position.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: with or without a position."),
    )
    metric = forms.ChoiceField(label=_("metric"), choices=blank_first(Metric.choices))
    topic = forms.ChoiceField(label=_("topic"), choices=blank_first(Topic.choices), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=blank_first(Kind.choices), required=False)
    threshold = forms.CharField(
        label=_("threshold"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Hours, a number of activities, or a share in per cent."),
    )
    period_years = forms.IntegerField(label=_("period in years"), initial=1, required=False)
    cycle_start_year = forms.IntegerField(label=_("first year of the cycle"), required=False)
    online_cap = forms.CharField(
        label=_("online hours counted at most"), max_length=12, required=False
    )
    valid_from_year = forms.IntegerField(label=_("from year"))
    valid_to_year = forms.IntegerField(label=_("to year"), required=False)

    AUDIENCE_FIELDS = ("statuses", "cadre_ranks", "positions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        for name in self.AUDIENCE_FIELDS:
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def audience_data(self) -> dict[str, list[str]]:
        """The audience as typed so far, valid choices only: for the live count while editing."""
        data = self.data
        getlist = getattr(data, "getlist", None)
        result: dict[str, list[str]] = {}
        for name in self.AUDIENCE_FIELDS:
            raw = getlist(name) if getlist else list(data.get(name) or [])
            allowed = {str(v) for v, _label in self.fields[name].choices}  # type: ignore[attr-defined]
            result[name] = [v for v in raw if v in allowed]
        return result


class RetireForm(BootstrapMixin, forms.Form):
    last_year = forms.IntegerField(
        label=_("last year the rule holds for"),
        help_text=_("Results of the years it held for stay as they were."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ArchivePrintForm(BootstrapMixin, forms.Form):
    """Which years of a member's 培训档案 to print, and as what (the service checks the years)."""

    first_year = forms.IntegerField(label=_("from year"))
    last_year = forms.IntegerField(label=_("to year"))
    format = forms.ChoiceField(
        label=_("file"), choices=[("pdf", "PDF"), ("docx", "Word (.docx)")], initial="pdf"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class CertificateIssueForm(BootstrapMixin, forms.Form):
    """The years a 学时证明 covers and its date of issue (today unless the issuer gives one)."""

    first_year = forms.IntegerField(label=_("from year"))
    last_year = forms.IntegerField(label=_("to year"))
    issued_on = forms.DateField(
        label=_("date of issue"),
        required=False,
        widget=DateInput(),
        help_text=_("The date the certificate carries; today unless you give another."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
