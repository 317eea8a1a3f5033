"""A dashboard figure as text: a filter, not an include per cell, because the drill-down tables
of a top org hold hundreds of rows (an include per cell made the page several times slower)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def figure_text(value: Any, kind: str) -> str:
    """— for no value, N% for a percentage, else the value as Django would print it."""
    if value is None:
        return "—"
    text = str(formats.localize(value))
    return f"{text}%" if kind == "percent" else text
