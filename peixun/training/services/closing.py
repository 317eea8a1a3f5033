"""Stub: replaced by the helper that owns closing."""

from typing import Any


def enrolment_leave_flags_refresh(event: Any) -> None:
    """Recompute "leave above 1/N of a full-time class's hours" flags of the event's class."""
