"""The 数据驾驶舱: every tile a named selector (`base` holds their shapes, `people` the tiles about
members, `activity` the tiles about meetings, classes, exams and plans). `dashboard` computes
them all for one org, year and as-of date; out of the actor's scope is a 404, and a plain member
never sees it."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.hours.selectors import default_as_of
from peixun.orgs.models import Organization

from .activity import evaluations_tile, exams_tile, plans_tile, regularity_tile, training_tile
from .base import (
    AMOUNT,
    COUNT,
    HOURS,
    PERCENT,
    ChildRow,
    Figure,
    Frame,
    Tile,
    dashboard_org,
    dashboard_roots,
    frame_for,
    may_see_dashboard,
    org_trail,
)
from .money import spending_tile
from .people import (
    category_tile,
    compliance_of,
    compliance_tile,
    concentrated_tile,
    engine_batch,
    hours_tile,
)
from .snapshot import fresh_snapshot, kept_tiles, split_children, tiles_to_json


@dataclass
class Dashboard:
    org: Organization
    year: int
    as_of: dt.date
    trail: list[Organization]  # root first, the org itself last
    children: list[Organization]
    tiles: list[Tile]
    computed_at: dt.datetime | None = None  # when the tiles were computed (now, or a snapshot's)
    seconds: float = 0.0  # how long computing them took

    def tile(self, key: str) -> Tile:
        return next(t for t in self.tiles if t.key == key)


def as_of_for(year: int, raw: str | dt.date | None) -> dt.date:
    """The as-of date asked for if it falls in `year`; else the default (today in this year,
    the last day of a past year)."""
    if isinstance(raw, dt.date):
        return raw if raw.year == year else default_as_of(year)
    if raw:
        try:
            chosen = dt.date.fromisoformat(raw.strip())
        except ValueError:
            chosen = None
        if chosen is not None and chosen.year == year:
            return chosen
    return default_as_of(year)


def dashboard(
    *, actor: Actor, org: Organization | int | str | None, year: int, as_of: dt.date
) -> Dashboard:
    """Every tile for `org` (the first top of the actor's scope when None) in `year` as of
    `as_of`. 404 when the actor may not read the org or is a plain member."""
    found = dashboard_org(actor, org.pk if isinstance(org, Organization) else org)
    started = time.perf_counter()
    frame = frame_for(actor, found, year, as_of)
    # One load of the compliance engine serves the behind, participation and category tiles.
    batch = engine_batch(frame)
    compliance = compliance_of(frame, batch)
    tiles = [
        hours_tile(frame),
        compliance_tile(frame, compliance),
        concentrated_tile(frame, compliance),
        category_tile(frame, batch),
        regularity_tile(frame),
        training_tile(frame),
        exams_tile(frame),
        plans_tile(frame),
        spending_tile(frame),
        evaluations_tile(frame),
    ]
    return Dashboard(
        org=found,
        year=year,
        as_of=as_of,
        trail=org_trail(found),
        children=list(frame.children),
        tiles=tiles,
        computed_at=timezone.now(),
        seconds=time.perf_counter() - started,
    )


def dashboard_snapshot(
    *,
    actor: Actor,
    org: Organization | int | str | None,
    year: int,
    as_of: dt.date,
    children_limit: int | None = None,
) -> Dashboard | None:
    """The dashboard as last computed, if a snapshot younger than
    settings.DASHBOARD_MAX_AGE_SECONDS exists (404 as `dashboard` when the actor may not read
    the org); None when the tiles must be computed. `children_limit`: decode only each tile's
    first child rows (the page's view of a province's thousands of units)."""
    found = dashboard_org(actor, org.pk if isinstance(org, Organization) else org)
    snapshot = fresh_snapshot(org=found, year=year, as_of=as_of)
    if snapshot is None:
        return None
    return Dashboard(
        org=found,
        year=year,
        as_of=as_of,
        trail=org_trail(found),
        children=list(Organization.objects.get_children(found).order_by("path")),
        tiles=kept_tiles(snapshot, children_limit),
        computed_at=snapshot.computed_at,
        seconds=snapshot.seconds,
    )


__all__ = [
    "AMOUNT",
    "COUNT",
    "HOURS",
    "PERCENT",
    "ChildRow",
    "Dashboard",
    "Figure",
    "Frame",
    "Tile",
    "as_of_for",
    "category_tile",
    "compliance_tile",
    "concentrated_tile",
    "dashboard",
    "dashboard_org",
    "dashboard_roots",
    "dashboard_snapshot",
    "exams_tile",
    "frame_for",
    "hours_tile",
    "may_see_dashboard",
    "plans_tile",
    "regularity_tile",
    "spending_tile",
    "split_children",
    "tiles_to_json",
    "training_tile",
]
