"""JSON that keeps a Decimal, a date or a datetime as itself: what kept copies of computed figures
(the 数据驾驶舱's snapshot, a large org's compliance summary) are written with, so that reading
them back gives the same values as computing them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def encode(value: Any) -> Any:
    """JSON-ready `value`: a Decimal or a date keeps its type in a one-key dict."""
    if isinstance(value, Decimal):
        return {"__decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"__datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # lazy translations: the text in the language they were computed in


def decode(value: Any) -> Any:
    """`encode`'s value back (dict keys stay strings)."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), *_ = value.items()
            if key == "__decimal":
                return Decimal(inner)
            if key == "__datetime":
                return dt.datetime.fromisoformat(inner)
            if key == "__date":
                return dt.date.fromisoformat(inner)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
