"""Builders shared by the meeting, visit and rule tests (no tests here).

`past(days)` is a meeting slot that has ended; `soon()` one that has not started. Meetings are
recorded through the services, as a secretary or org admin would."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.orglife.models import Meeting
from peixun.orglife.services.meetings import meeting_record


def past(days: int = 2, hour: int = 9) -> tuple[dt.datetime, dt.datetime]:
    """A two-hour slot `days` ago, kept inside this year so that its credits can be written."""
    today = timezone.localdate()
    day = max(today - dt.timedelta(days=days), today.replace(month=1, day=1))
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), tz)
    if start + dt.timedelta(hours=2) > timezone.now():
        # Early on 1 January: the slot just ended, moved back to a minute ago.
        start = timezone.now() - dt.timedelta(hours=2, minutes=1)
    return start, start + dt.timedelta(hours=2)


def soon(days: int = 3) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return start, start + dt.timedelta(hours=2)


def record(actor: Actor, org: Any, kind: str, title: str = "", **overrides: Any) -> Meeting:
    starts, ends = past()
    fields: dict[str, Any] = {
        "title": title or f"{kind} 会议",
        "starts_at": starts,
        "ends_at": ends,
        "place": "党员活动室",
        "host": "王芳",
        "minutes": "",
    }
    fields.update(overrides)
    return meeting_record(actor=actor, org=org, kind=kind, **fields)


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


def error_fields(response: Any) -> set[str]:
    wrappers = {"body", "query", "payload"}
    return {
        next(str(part) for part in item["loc"] if str(part) not in wrappers)
        for item in response.json()["detail"]
    }
