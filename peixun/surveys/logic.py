"""Pure rules of surveys: no ORM query, no request."""

from __future__ import annotations

import datetime as dt
from typing import Any


def survey_is_accepting(survey: Any, now: dt.datetime) -> bool:
    """Open, and `now` within its opening and closing times (either may be unset)."""
    return (
        survey.state == "open"
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )
