"""Forms of the site and booking pages: parsing and pickers only; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peixun.core.forms import BootstrapMixin, DateInput, blank_first, combine_day_and_times
from peixun.events.models import Event
from peixun.orgs.forms import OrgPickerField

from ..models import LimitPeriod, Site, SiteKind
from ..selectors import bookable_events, booking_orgs, open_to_candidates, owner_orgs

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class TimeInput(forms.TimeInput):
    """A native time picker."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class SiteFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("search"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = blank_first(SiteKind.choices, _("All kinds"))  # type: ignore[attr-defined]
        self.style_fields(small=True)


class SiteForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SiteKind.choices)
    org = OrgPickerField(label=_("owner"))
    open_to = OrgPickerField(
        label=_("open to"),
        required=False,
        help_text=_("Units inside this organization may book the site; empty: the owner's own."),
    )
    name = forms.CharField(label=_("site name"), max_length=200)
    address = forms.CharField(label=_("site address"), max_length=300)
    capacity = forms.IntegerField(label=_("capacity (people)"), min_value=1, max_value=100_000)
    opening_hours = forms.CharField(
        label=_("opening times"),
        max_length=200,
        required=False,
        help_text=_("As the site tells visitors, such as 工作日 8:30—17:30."),
    )
    open_weekdays = forms.MultipleChoiceField(
        label=_("open on weekdays"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Bookings must fall on these days; none ticked: any day."),
    )
    opens_at = forms.TimeField(label=_("opens at"), required=False, widget=TimeInput())
    closes_at = forms.TimeField(label=_("closes at"), required=False, widget=TimeInput())
    contact = forms.CharField(label=_("contact person"), max_length=100, required=False)
    phone = forms.CharField(label=_("contact phone"), max_length=32, required=False)
    description = forms.CharField(
        label=_("description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    booking_limit = forms.IntegerField(
        label=_("bookings allowed per unit"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Empty: no limit."),
    )
    limit_period = forms.ChoiceField(label=_("limit period"), choices=LimitPeriod.choices)
    active = forms.BooleanField(label=_("taking bookings"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, site: Site | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if site is None:
            self.fields["org"].queryset = owner_orgs(actor)  # type: ignore[attr-defined]
        else:
            del self.fields["org"]
        self.fields["open_to"].queryset = open_to_candidates(actor)  # type: ignore[attr-defined]
        self.style_fields()
        self.fields["open_weekdays"].widget.attrs["class"] = "form-check-input"
        self.fields["active"].widget.attrs["class"] = "form-check-input"


class BookingForm(BootstrapMixin, forms.Form):
    """A booking for one of the unit's meetings or sessions (its times taken from it), or for a
    free slot given as a day and two times."""

    event = forms.ModelChoiceField(
        label=_("meeting or session"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("None: a free slot"),
    )
    org = OrgPickerField(label=_("booking unit"), required=False)
    day = forms.DateField(label=_("date"), required=False, widget=DateInput())
    start = forms.TimeField(label=_("from"), required=False, widget=TimeInput())
    end = forms.TimeField(label=_("to"), required=False, widget=TimeInput())
    people = forms.IntegerField(label=_("people expected"), min_value=1, max_value=100_000)
    purpose = forms.CharField(
        label=_("purpose"),
        max_length=200,
        required=False,
        help_text=_("Empty for a meeting or session: its title."),
    )

    def __init__(self, *args: Any, actor: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events: QuerySet[Event] = bookable_events(actor, site)
        field = self.fields["event"]
        field.queryset = events  # type: ignore[attr-defined]
        field.label_from_instance = _event_label  # type: ignore[attr-defined]
        self.fields["org"].queryset = booking_orgs(actor, site)  # type: ignore[attr-defined]
        self.style_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        combine_day_and_times(self, data, _("The booking must end after it starts."))
        if data.get("event") is None and not data.get("starts_at") and not self.errors:
            self.add_error("day", _("Choose a meeting or session, or give the date and times."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        event = data.get("event")
        values: dict[str, Any] = {
            "event": event.pk if event is not None else None,
            "org": data.get("org"),
            "people": data.get("people"),
            "purpose": data.get("purpose") or "",
        }
        if data.get("starts_at"):
            values["starts_at"], values["ends_at"] = data["starts_at"], data["ends_at"]
        return values


def _event_label(event: Event) -> str:
    start = timezone.localtime(event.starts_at)
    return f"{start:%Y-%m-%d %H:%M} {event.org.name} · {event.title}"


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields(small=True)
