"""The shapes every dashboard tile shares, the org the dashboard is read for, and the links to
the pages that list the rows behind a number.

A tile is a handful of figures for the org, the same figures for each child org (the drill-down
one level down: tenant → unit → branch), and the data of its chart. Each figure carries the URL
of the page that lists what it counts (members behind, classes held, exam results …), with that
page's own filters, so a click on a number shows the rows it was computed from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from peixun.core.scoping import Actor, can_read_org, scope_of
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_roots_for

# Kinds of value, for formatting on the page and in the API.
COUNT = "count"
PERCENT = "percent"
HOURS = "hours"
AMOUNT = "amount"

ONE_DECIMAL = Decimal("0.1")


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL)


@dataclass
class Figure:
    key: str
    label: str
    value: int | Decimal | None
    kind: str = COUNT
    url: str = ""  # the page listing the rows behind the number ("" when there is none)


@dataclass
class ChildRow:
    """One child org's figures under a tile; `url` opens the dashboard of that child."""

    org_id: int
    org_name: str
    url: str
    figures: list[Figure]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


@dataclass
class Tile:
    key: str
    title: str
    figures: list[Figure]
    children: list[ChildRow] = field(default_factory=list)
    # {"categories": [...], "series": [{"name": ..., "data": [...]}], "stacked": bool}
    chart: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # what the tile counts, in a sentence
    url: str = ""  # the page of the whole topic (compliance page, regularity overview …)
    rows: list[dict[str, Any]] = field(default_factory=list)  # extra lines (per exam, per plan)
    # How many child orgs the tile has, when `children` holds only the first few of them (a
    # snapshot read for the page, which shows a few: a province's thousands are not decoded).
    children_total: int | None = None

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def children_count(self) -> int:
        return len(self.children) if self.children_total is None else self.children_total


@dataclass(frozen=True)
class Frame:
    """What every tile is computed for: an org the actor may read, a year, an as-of date in it,
    and the org's children (the next level of the drill-down)."""

    actor: Actor
    org: Organization
    year: int
    as_of: dt.date
    children: tuple[Organization, ...]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def query(self, org: Organization | None = None, **extra: Any) -> str:
        """The year and as-of date (and `extra`) as a query string."""
        params = {"year": self.year, "as_of": self.as_of.isoformat(), **extra}
        if org is not None:
            params = {"org": org.pk, **params}
        return urlencode(params)

    @cached_property
    def child_index(self) -> dict[str, Organization]:
        """The children by path (all of one length: the org's path and one step)."""
        return {c.path: c for c in self.children}

    def dashboard_url(self, org: Organization) -> str:
        return reverse("reports:dashboard") + "?" + self.query(org)


def may_see_dashboard(actor: Actor) -> bool:
    """Org admins, viewers and secretaries (anyone who reads an org); never a plain member."""
    return scope_of(actor).is_staff_like


def dashboard_roots(actor: Actor) -> list[Organization]:
    """The tops of the actor's scope, the orgs the chooser offers (404 for a plain member)."""
    if not may_see_dashboard(actor):
        raise Http404
    return list(org_roots_for(actor=actor))


def dashboard_org(actor: Actor, org: Any = None) -> Organization:
    """The org asked for if the actor may read it (else 404), or the first top of their scope."""
    if not may_see_dashboard(actor):
        raise Http404
    if org in (None, ""):
        roots = dashboard_roots(actor)
        if not roots:
            raise Http404
        return roots[0]
    try:
        pk = int(org)
    except (ValueError, TypeError):
        raise Http404 from None
    found: Organization | None = (
        Organization.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    )
    if found is None or not can_read_org(actor, found):
        raise Http404
    return found


def frame_for(actor: Actor, org: Organization, year: int, as_of: dt.date) -> Frame:
    children = tuple(Organization.objects.get_children(org).order_by("path"))
    return Frame(actor=actor, org=org, year=year, as_of=as_of, children=children)


def org_trail(org: Organization) -> list[Organization]:
    """The orgs from the tenant root down to `org` (the breadcrumb of the drill-down)."""
    step = Organization.steplen
    paths = [org.path[:i] for i in range(step, len(org.path) + 1, step)]
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def child_of(frame: Frame, path: str) -> Organization | None:
    """The child of the frame's org whose subtree holds `path` (None: the org's own)."""
    return frame.child_index.get(path[: len(frame.org.path) + Organization.steplen])
