"""Reading values out of a request's query string the same way on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone


def year_param(
    request: HttpRequest, *, name: str = "year", lowest: int = 1, highest: int = dt.MAXYEAR - 1
) -> int:
    """The year asked for, or this year when it is missing, malformed or outside the bounds.

    The default ceiling leaves room for the first day of the next year, which pages use as the
    end of the year's range."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get(name) or this_year)
    except ValueError:
        return this_year
    return year if lowest <= year <= highest else this_year


def pk_or_404(raw: Any) -> int:
    """A primary key from a URL or query string; anything that is not a usable one is a 404."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    # Beyond a 64-bit integer the database would fail rather than find nothing.
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def absolute_url(request: HttpRequest, path: str) -> str:
    """`path` on this site: PEIXUN_SITE_URL when the operator set it (behind a proxy the
    request's host may be an internal name a phone cannot reach), else the request's host."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)
