"""Forms of the class pages. They collect raw input; the rules (dates, audience within the
organiser's subtree, sessions within the class's dates, the theory share) live in
`services.classes`, whose ValidationError dicts are mapped back with `add_service_errors`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import (
    BootstrapMixin,
    DateInput,
    blank_first,
    combine_day_and_times,
)
from peixun.core.pickers import set_picker_url
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.forms import OrgPickerField
from peixun.orgs.models import Organization, Position
from peixun.plans.models import PlanItem
from peixun.resources.forms.teachers import TeacherPickerField
from peixun.resources.models import Teacher

from .models import ClassKind, MakeUp, SessionType, TrainingClass

HOURS_ATTRS = {"inputmode": "decimal", "step": "0.25", "min": "0", "type": "number"}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class ClassForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("organiser"))
    title = forms.CharField(label=_("class title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind of class"), choices=blank_first(ClassKind.choices))
    topic = forms.ChoiceField(label=_("main topic"), choices=blank_first(Topic.choices))
    starts_on = forms.DateField(label=_("first day"), widget=DateInput())
    ends_on = forms.DateField(label=_("last day"), widget=DateInput())
    capacity = forms.IntegerField(
        label=_("capacity"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    full_time = forms.BooleanField(label=_("full-time (脱产)"), required=False)
    online = forms.BooleanField(
        label=_("online"),
        required=False,
        help_text=_("Hours of an online class are credited as online training."),
    )
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    description = forms.CharField(
        label=_("description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
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

    plan_item = forms.ModelChoiceField(
        label=_("plan item"),
        queryset=PlanItem.objects.none(),
        required=False,
        empty_label=_("Not part of a plan item"),
        help_text=_("The item of the annual plan this class delivers (plan versus actual)."),
    )

    AUDIENCE_FIELDS = ("audience_statuses", "audience_cadre_ranks", "audience_positions")
    CHECKS = ("full_time", "online", *AUDIENCE_FIELDS)

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["audience_org"].queryset = orgs  # type: ignore[attr-defined]
        # Items of this year's and next year's plans of these orgs and the orgs above them.
        step = Organization.steplen
        paths = {o.path[:end] for o in orgs for end in range(step, len(o.path) + 1, step)}
        this_year = timezone.localdate().year
        # The class's current item is always offered, so editing an older class keeps its link.
        current = self.initial.get("plan_item")
        self.fields["plan_item"].queryset = (  # type: ignore[attr-defined]
            PlanItem.objects.filter(
                Q(plan__org__path__in=paths, plan__year__in=[this_year, this_year + 1])
                | Q(pk=current or 0)
            )
            .select_related("plan__org")
            .order_by("plan__org__path", "position")
        )
        self.fields["plan_item"].label_from_instance = (  # type: ignore[attr-defined]
            lambda item: f"{item.plan.org.name} {item.plan.year}：{item.content}"
        )
        if editing:
            # The organiser stays: the sessions' events belong to it.
            self.fields["org"].disabled = True
        self.style_fields()
        for name in self.CHECKS:
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        # The service checks this too; checking here shows it beside the form's other errors.
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("org", None)
        return data

    @staticmethod
    def initial_of(training_class: TrainingClass) -> dict[str, Any]:
        return {
            "org": training_class.org_id,
            **{name: getattr(training_class, name) for name in CLASS_INITIAL},
            "audience_org": training_class.audience_org_id,
            "plan_item": training_class.plan_item_id,
        }


CLASS_INITIAL = [
    "title",
    "kind",
    "topic",
    "starts_on",
    "ends_on",
    "capacity",
    "full_time",
    "online",
    "venue",
    "description",
    "audience_statuses",
    "audience_cadre_ranks",
    "audience_positions",
]


class SessionForm(BootstrapMixin, forms.Form):
    """A session on one day: a date and two times, which a phone shows as its own pickers."""

    title = forms.CharField(label=_("session title"), max_length=200)
    day = forms.DateField(label=_("date"), widget=DateInput())
    start = forms.TimeField(label=_("from"), widget=TimeInput())
    end = forms.TimeField(label=_("to"), widget=TimeInput())
    hours = forms.DecimalField(
        label=_("hours"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs=HOURS_ATTRS),
        help_text=_("In steps of a quarter: 0.25, 0.5, 1, 1.5 …"),
    )
    type = forms.ChoiceField(label=_("session type"), choices=SessionType.choices)
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices)
    pool_teacher = TeacherPickerField(
        label=_("teacher from the pool"),
        required=False,
        help_text=_("Their name is filled in; for a one-off speaker type the name instead."),
    )
    teacher = forms.CharField(label=_("teacher"), max_length=100, required=False)
    place = forms.CharField(
        label=_("place"),
        max_length=200,
        required=False,
        help_text=_("Empty: the class's venue."),
    )
    signout_required = forms.BooleanField(
        label=_("sign-out required"),
        required=False,
        help_text=_("For a full-day session: members also sign out at the end."),
    )

    def __init__(
        self,
        *args: Any,
        teachers: QuerySet[Teacher] | None = None,
        picker_url: str = "",
        **kwargs: Any,
    ) -> None:
        """`teachers`: the pool teachers the class's organiser may name
        (`resources.selectors.teachers.teachers_for_org`); `picker_url`: the page that answers
        the picker when this one cannot (the class page's add form asks the add page)."""
        super().__init__(*args, **kwargs)
        if teachers is not None:
            self.fields["pool_teacher"].queryset = teachers  # type: ignore[attr-defined]
        if picker_url:
            set_picker_url(self.fields["pool_teacher"], picker_url)
        self.style_fields()
        self.fields["signout_required"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        combine_day_and_times(self, data, _("The session must end after it starts."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "hours": data["hours"],
            "topic": data["topic"],
            "type": data["type"],
            "teacher": data["teacher"],
            "pool_teacher_id": data["pool_teacher"].pk if data.get("pool_teacher") else None,
            "place": data["place"],
            "signout_required": data["signout_required"],
        }

    @staticmethod
    def initial_for(training_class: TrainingClass, session: Any = None) -> dict[str, Any]:
        if session is None:
            return {
                "day": training_class.starts_on,
                "start": dt.time(9, 0),
                "end": dt.time(11, 30),
                "hours": Decimal(3),
                "type": SessionType.LECTURE,
                "topic": training_class.topic,
            }
        event = session.event
        starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        return {
            "title": event.title,
            "day": starts.date(),
            "start": starts.time(),
            "end": ends.time(),
            "hours": event.hours,
            "type": session.type,
            "topic": event.topic,
            "teacher": session.teacher,
            "pool_teacher": session.pool_teacher_id,
            "place": event.place,
            "signout_required": event.signout_required,
        }


def session_error_map(error_dict: dict[str, list[str]]) -> dict[str, list[str]]:
    """A service error on `starts_at`/`ends_at` belongs on the form's date and times."""
    moved = {"starts_at": "day", "ends_at": "end"}
    return {moved.get(k, k): v for k, v in error_dict.items()}


class PublishForm(BootstrapMixin, forms.Form):
    override_reason = forms.CharField(
        label=_("reason for publishing below the theory share"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for cancelling the class.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ClassFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("search by title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("search by title")}),
    )
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False, choices=())
    state = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=blank_first(TrainingClass.State.choices, _("All states")),
    )
    kind = forms.ChoiceField(
        label=_("kind of class"),
        required=False,
        choices=blank_first(ClassKind.choices, _("All kinds")),
    )
    org = OrgPickerField(label=_("organiser"), required=False, empty_label=_("All organisers"))

    def __init__(
        self, *args: Any, years: list[int], organisers: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        choices = sorted({*years, this_year}, reverse=True)
        self.fields["year"].choices = [("", _("All years")), *[(y, y) for y in choices]]  # type: ignore[attr-defined]
        self.fields["org"].queryset = organisers  # type: ignore[attr-defined]
        self.style_fields(small=True)


class SettingsForm(BootstrapMixin, forms.Form):
    theory_share_percent = forms.IntegerField(
        label=_("minimum theory share (%)"),
        min_value=0,
        max_value=100,
        help_text=_(
            "Of a special-topic, rotation or Party-spirit class's hours; publishing below it "
            "needs a reason. The national plan's default is 50; some localities use 33."
        ),
    )
    theory_topics = forms.MultipleChoiceField(
        label=_("topics counted as theory"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic that counts as theory.")},
    )
    leave_limit_denominator = forms.IntegerField(
        label=_("leave may not exceed 1/N of a full-time class's hours, N ="),
        min_value=2,
        max_value=50,
        help_text=_("Art. 15 of the cadre education and training regulations: 1/7."),
    )
    close_due_days = forms.IntegerField(
        label=_("close within (days)"),
        min_value=1,
        max_value=365,
        help_text=_("A class closed later than this after its last day must carry a note."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["theory_topics"].widget.attrs["class"] = "form-check-input"

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "theory_share_min": Decimal(data["theory_share_percent"]) / 100,
            "theory_topics": data["theory_topics"],
            "leave_limit_denominator": data["leave_limit_denominator"],
            "close_due_days": data["close_due_days"],
        }


class MakeUpFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(required=False, max_length=40, label=_("name"))
    state = forms.ChoiceField(
        required=False,
        choices=blank_first(list(MakeUp.State.choices), _("Any state")),
        label=_("state"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Search by name")
        self.style_fields(small=True)


class CloseForm(BootstrapMixin, forms.Form):
    late_note = forms.CharField(
        required=False,
        max_length=300,
        label=_("note on a late close"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decided_on = forms.DateField(
        required=False,
        label=_("date of closing"),
        help_text=_("The date the closing and the certificates carry; empty: the last day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        max_length=300, label=_("reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class PlanForm(BootstrapMixin, forms.Form):
    plan = forms.FileField(
        required=False,
        label=_("class plan document"),
        help_text=_("PDF or Word, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class QuotaForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=_("unit"))
    places = forms.IntegerField(label=_("places"), min_value=1)

    def __init__(self, *args: Any, orgs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs if orgs is not None else Organization.objects.none()  # type: ignore[attr-defined]
        self.style_fields(small=True)


class CircularForm(BootstrapMixin, forms.Form):
    """The 成文日期 and 主送 of a 调训情况通报 (both optional: the class's closing date and the
    units given places by default); the service checks them."""

    dated = forms.DateField(label=_("date of the circular"), required=False, widget=DateInput())
    addressee = forms.CharField(label=_("addressed to"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)
