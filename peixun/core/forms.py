"""Form helpers shared by every app's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for a page message or an htmx row."""
    return "；".join(str(m) for m in error.messages)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names; the rest on the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def blank_first(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    """Choices with one blank option first (for optional selects and filters)."""
    return [("", label), *[(v, lbl) for v, lbl in choices if v != ""]]


class DateInput(forms.DateInput):
    """A native date picker, which phones show as their own calendar."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BootstrapMixin:
    """Give every widget Bootstrap's classes, so templates can render fields plainly."""

    fields: dict[str, forms.Field]

    def style_fields(self, small: bool = False) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if small:
                css += f" {css}-sm"
            widget.attrs.setdefault("class", css)


def mark_invalid(form: forms.Form) -> None:
    """Flag the widgets of fields with errors, after validation, for Bootstrap's red outline."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if "form-check-input" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def render_form(
    request: HttpRequest, template_name: str, form: forms.Form, **context: Any
) -> HttpResponse:
    """A form page: the widgets of invalid fields flagged (`mark_invalid`), then the template
    with `form` and the rest of `context`."""
    mark_invalid(form)
    return render(request, template_name, {"form": form, **context})


def combine_day_and_times(form: forms.Form, data: dict[str, Any], ends_before: Any) -> None:
    """A one-day event entered as a date and two times (as phones show them): put the aware
    `starts_at` / `ends_at` into `data`, and `ends_before` on the end field if it is not later."""
    day, start, end = data.get("day"), data.get("start"), data.get("end")
    if day and start and end:
        tz = timezone.get_current_timezone()
        data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start), tz)
        data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end), tz)
        if end <= start:
            form.add_error("end", ends_before)
