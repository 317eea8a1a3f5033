"""Forms of the meeting, visit and credit-rule pages. They collect raw input; the rules (no
held meeting in the future, observers from above, results of members below, hours in quarter
steps) live in `services`, whose ValidationError dicts come back with `add_service_errors`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first, combine_day_and_times
from peixun.hours.models import Topic
from peixun.members.forms import MemberPickerField
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField, OrgTreeChoiceField
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem

from .models import (
    GROUP_MEETING_KINDS,
    AppraisalResult,
    Meeting,
    MeetingKind,
    NoteCheck,
    StudyGroup,
)

HOURS_ATTRS = {"inputmode": "decimal", "step": "0.25", "min": "0", "type": "number"}


class PlanItemChoiceField(forms.ModelChoiceField[PlanItem]):
    def label_from_instance(self, obj: PlanItem) -> str:
        return f"{obj.plan.year} {obj.plan.org.name}: {obj.content}"


class MemberChoiceField(MemberPickerField):
    def label_from_instance(self, obj: Any) -> str:
        exempt = f" ({obj.get_exempt_reason_display()})" if obj.exempt_reason else ""
        return super().label_from_instance(obj) + exempt


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def plan_items_for(orgs: QuerySet[Organization]) -> QuerySet[PlanItem]:
    """Items of this and last year's plans of the given orgs, of the orgs above them, or that
    they are responsible for."""
    paths = list(orgs.values_list("path", flat=True))
    steplen = Organization.steplen
    prefixes = {p[:n] for p in paths for n in range(steplen, len(p) + 1, steplen)}
    cond = Q(plan__org__path__in=prefixes) | Q(responsible_org__path__in=prefixes)
    for p in paths:
        cond |= Q(plan__org__path__startswith=p)
    year = timezone.localdate().year
    return (
        PlanItem.objects.filter(cond, plan__year__in=(year - 1, year))
        .select_related("plan__org")
        .order_by("-plan__year", "plan__org__path", "position", "id")
    )


class MeetingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Title, host, place or organization")}),
    )
    kind = forms.ChoiceField(
        label=_("kind of meeting"),
        required=False,
        choices=blank_first(MeetingKind.choices, _("All kinds")),
    )
    topic = forms.ChoiceField(
        label=_("topic"), required=False, choices=blank_first(Topic.choices, _("All topics"))
    )
    org = OrgPickerField(
        label=_("organization"), required=False, empty_label=_("All organizations")
    )
    year = forms.TypedChoiceField(label=_("year"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, years: list[int], orgs: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]  # type: ignore[attr-defined]
        self.style_fields(small=True)


class MeetingForm(BootstrapMixin, forms.Form):
    """A meeting on one day: the kind first (it sets the hours), then the rest."""

    kind = forms.ChoiceField(label=_("kind of meeting"), choices=blank_first(MeetingKind.choices))
    org = OrgPickerField(label=_("held by"))
    title = forms.CharField(label=_("subject"), max_length=200)
    day = forms.DateField(label=_("date"), widget=DateInput())
    start = forms.TimeField(label=_("from"), widget=TimeInput())
    end = forms.TimeField(label=_("to"), widget=TimeInput())
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    host = forms.CharField(label=_("host"), max_length=100)
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices, initial=Topic.OTHER)
    hours = forms.DecimalField(
        label=_("hours"),
        required=False,
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs=HOURS_ATTRS),
        help_text=_("Empty: the hours your organization credits for this kind of meeting."),
    )
    scheduled = forms.BooleanField(
        label=_("planned: the meeting is still to come"),
        required=False,
        help_text=_("Record an upcoming meeting so that members can sign in by QR code."),
    )
    plan_item = PlanItemChoiceField(
        label=_("plan item"),
        required=False,
        queryset=PlanItem.objects.none(),
        empty_label=_("Not part of a plan item"),
    )
    minutes = forms.CharField(
        label=_("minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain text, or simple formatting (paragraphs, bold, lists, tables); anything else is "
            "removed."
        ),
    )

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        meeting: Meeting | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["plan_item"].queryset = plan_items_for(orgs)  # type: ignore[attr-defined]
        if meeting is not None:
            # The kind and the org stay: the hours, credits and attendance depend on them.
            self.fields["kind"].disabled = True
            self.fields["org"].disabled = True
            self.fields["org"].queryset = Organization.objects.filter(pk=meeting.event.org_id)  # type: ignore[attr-defined]
            if meeting.plan_item_id:
                self.fields["plan_item"].queryset = PlanItem.objects.filter(  # type: ignore[attr-defined]
                    Q(pk__in=self.fields["plan_item"].queryset.values("pk"))  # type: ignore[attr-defined]
                    | Q(pk=meeting.plan_item_id)
                ).select_related("plan__org")
        self.style_fields()
        self.fields["scheduled"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        combine_day_and_times(self, data, _("The meeting must end after it starts."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data["place"],
            "topic": data["topic"],
            "host": data["host"],
            "minutes": data["minutes"],
            "plan_item": data["plan_item"],
            "hours": data["hours"],
        }

    @staticmethod
    def initial_of(meeting: Meeting) -> dict[str, Any]:
        event = meeting.event
        starts = timezone.localtime(event.starts_at)
        ends = timezone.localtime(event.ends_at)
        return {
            "kind": meeting.kind,
            "org": event.org_id,
            "title": event.title,
            "day": starts.date(),
            "start": starts.time(),
            "end": ends.time(),
            "place": event.place,
            "host": meeting.host,
            "topic": event.topic,
            "hours": event.hours,
            "plan_item": meeting.plan_item_id,
            "minutes": meeting.minutes,
            "scheduled": event.starts_at > timezone.now(),
        }


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason for reopening"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)


class ObserverForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    org = OrgTreeChoiceField(label=_("sent by"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("position"), max_length=100, required=False)

    def __init__(self, *args: Any, orgs: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in orgs]
        ).order_by("path")
        self.style_fields(small=True)


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)


RESULT_CHOICES = blank_first(AppraisalResult.Result.choices, _("Not rated"))


class VisitFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Member, visitors or content")}),
    )
    org = OrgPickerField(
        label=_("organization"), required=False, empty_label=_("All organizations")
    )
    year = forms.TypedChoiceField(label=_("year"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, years: list[int], orgs: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]  # type: ignore[attr-defined]
        self.style_fields(small=True)


class VisitForm(BootstrapMixin, forms.Form):
    member = MemberChoiceField(label=_("member visited"))
    visited_on = forms.DateField(label=_("date"), widget=DateInput())
    visitors = forms.CharField(label=_("visited by"), max_length=200)
    content = forms.CharField(label=_("what was studied"), max_length=300)
    hours = forms.DecimalField(
        label=_("hours"),
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.NumberInput(attrs=HOURS_ATTRS),
        help_text=_("Credited to the member's study hours at once; 0 for none."),
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.style_fields()


class RulesForm(BootstrapMixin, forms.Form):
    """One hours field and one "concentrated" box per kind of meeting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in MeetingKind.choices:
            self.fields[f"hours_{kind}"] = forms.DecimalField(
                label=label,
                min_value=Decimal(0),
                max_digits=5,
                decimal_places=2,
                widget=forms.NumberInput(attrs=HOURS_ATTRS),
            )
            self.fields[f"concentrated_{kind}"] = forms.BooleanField(
                label=_("counts as concentrated study"), required=False
            )
        self.style_fields(small=True)
        for kind in MeetingKind.values:
            self.fields[f"concentrated_{kind}"].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (label, self[f"hours_{kind}"], self[f"concentrated_{kind}"])
            for kind, label in MeetingKind.choices
        ]

    def rules(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            kind: {"hours": data[f"hours_{kind}"], "concentrated": data[f"concentrated_{kind}"]}
            for kind in MeetingKind.values
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for kind, messages in errors.items():
            target = f"hours_{kind}" if f"hours_{kind}" in self.fields else None
            for message in messages:
                self.add_error(target, message)


# -- study groups, support pairs, note checks ----------------------------------------------------


class StudyGroupForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("kept by"))
    name = forms.CharField(label=_("name"), max_length=100)
    leader = MemberPickerField(label=_("leader"), required=False)
    active = forms.BooleanField(label=_("active"), required=False, initial=True)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        orgs: QuerySet[Organization],
        leaders: QuerySet[Member],
        group: StudyGroup | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["leader"].queryset = leaders  # type: ignore[attr-defined]
        if group is None:
            del self.fields["active"]
        else:
            # The keeper stays: the group's meetings are that org's meetings.
            self.fields["org"].disabled = True
            self.fields["org"].queryset = Organization.objects.filter(pk=group.org_id)  # type: ignore[attr-defined]
        self.style_fields()
        if "active" in self.fields:
            self.fields["active"].widget.attrs["class"] = "form-check-input"


class StudyGroupMemberForm(BootstrapMixin, forms.Form):
    member = MemberPickerField(label=_("member"))
    joined_on = forms.DateField(label=_("joined on"), widget=DateInput())

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.style_fields(small=True)


class GroupMeetingForm(MeetingForm):
    """The meeting form for a study group: its keeper holds it, of a kind a group holds."""

    def __init__(self, *args: Any, group: StudyGroup, **kwargs: Any) -> None:
        super().__init__(*args, orgs=Organization.objects.filter(pk=group.org_id), **kwargs)
        self.fields["org"].disabled = True
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in MeetingKind.choices if value in GROUP_MEETING_KINDS
        ]


class PairForm(BootstrapMixin, forms.Form):
    retired = MemberPickerField(label=_("retired member"))
    helper = MemberPickerField(label=_("in-service member"))
    since = forms.DateField(label=_("since"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, helpers: QuerySet[Member], retirees: QuerySet[Member], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers  # type: ignore[attr-defined]
        self.fields["retired"].queryset = retirees  # type: ignore[attr-defined]
        self.style_fields()


class PairEndForm(BootstrapMixin, forms.Form):
    until = forms.DateField(label=_("until"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)


class PairVisitForm(BootstrapMixin, forms.Form):
    visited_on = forms.DateField(label=_("date"), widget=DateInput())
    content = forms.CharField(label=_("what was studied"), max_length=300)
    hours = forms.DecimalField(
        label=_("hours"),
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.NumberInput(attrs=HOURS_ATTRS),
        help_text=_("Credited to the retired member's study hours at once; 0 for none."),
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class PairFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name of either member")}),
    )
    org = OrgPickerField(
        label=_("organization"), required=False, empty_label=_("All organizations")
    )
    ended = forms.BooleanField(label=_("ended pairs"), required=False)

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.style_fields(small=True)
        self.fields["ended"].widget.attrs["class"] = "form-check-input"


class NoteRoundForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organization"))
    year = forms.IntegerField(label=_("year"))
    title = forms.CharField(label=_("title"), max_length=200)
    sample_count = forms.IntegerField(
        label=_("members per branch"), required=False, min_value=1, max_value=1000
    )
    sample_percent = forms.IntegerField(
        label=_("or percent of each branch"), required=False, min_value=1, max_value=100
    )

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.style_fields()


class NoteCheckForm(BootstrapMixin, forms.Form):
    checked_on = forms.DateField(label=_("checked on"), widget=DateInput())
    checker = forms.CharField(label=_("checked by"), max_length=100)
    result = forms.ChoiceField(
        label=_("result"), choices=blank_first(NoteCheck.Result.choices), widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    # A phone opens its camera on this field (capture); a desk chooses a file.
    photo = forms.FileField(
        label=_("photo of the notes"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = NoteCheck.Result.choices  # type: ignore[attr-defined]
        self.style_fields()
        self.fields["result"].widget.attrs["class"] = "form-check-input"
