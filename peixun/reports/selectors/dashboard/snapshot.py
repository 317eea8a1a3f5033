"""The dashboard as last computed (`DashboardSnapshot`): reading a fresh one, and the codec that
turns tiles into JSON and back without losing a Decimal, a date (`core.typed_json`) or a figure's
kind.

A snapshot is the same for every reader of the org: the tiles count the org's whole subtree, and
whoever may open the dashboard of an org may read all of that subtree (`dashboard_org`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from peixun.core.typed_json import decode, encode
from peixun.orgs.models import Organization

from ...models import DashboardSnapshot
from .base import ChildRow, Figure, Tile


def _figure(data: dict[str, Any]) -> dict[str, Any]:
    return {k: encode(v) for k, v in data.items()}


def tiles_to_json(tiles: list[Tile]) -> list[dict[str, Any]]:
    return [
        {
            "key": t.key,
            "title": str(t.title),
            "figures": [_figure(vars(f)) for f in t.figures],
            "children": [
                {
                    "org_id": c.org_id,
                    "org_name": c.org_name,
                    "url": c.url,
                    "figures": [_figure(vars(f)) for f in c.figures],
                }
                for c in t.children
            ],
            "chart": encode(t.chart),
            "note": str(t.note),
            "url": t.url,
            "rows": encode(t.rows),
        }
        for t in tiles
    ]


# A kept tile holds this many child rows (the page shows 30); the rest wait in `child_rows`.
KEPT_CHILDREN = 30


def split_children(
    data: list[dict[str, Any]], head: int | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`tiles_to_json`'s tiles as kept: each with its first `head` child rows, its chart cut to
    them and how many it has (`children_total`); and, per tile with more, all its child rows and
    whole chart (`DashboardSnapshot.child_rows`)."""
    head = KEPT_CHILDREN if head is None else head
    tiles, rest = [], {}
    for tile in data:
        children = tile["children"]
        if len(children) <= head:
            tiles.append(tile)
            continue
        rest[tile["key"]] = {"children": children, "chart": tile["chart"]}
        tiles.append(
            {
                **tile,
                "children": children[:head],
                "chart": _chart_of_children(tile, head),
                "children_total": len(children),
            }
        )
    return tiles, rest


def joined_children(tiles: list[dict[str, Any]], rest: dict[str, Any]) -> list[dict[str, Any]]:
    """The tiles of `split_children` whole again."""
    out = []
    for tile in tiles:
        whole = rest.get(tile["key"])
        if whole is None:
            out.append(tile)
            continue
        joined = {k: v for k, v in tile.items() if k != "children_total"}
        out.append({**joined, "children": whole["children"], "chart": whole["chart"]})
    return out


def _chart_of_children(tile: dict[str, Any], children_limit: int | None) -> Any:
    """A tile's chart; when it draws one bar per child org (its categories are the children's
    names, in order) and only the first `children_limit` children are shown, only theirs: a
    province's top org has thousands of units, whose chart would be megabytes no one can read."""
    chart = tile["chart"]
    children = tile["children"]
    if (
        children_limit is None
        or len(children) <= children_limit
        or not isinstance(chart, dict)
        or chart.get("categories") != [c["org_name"] for c in children]
    ):
        return chart
    return {
        **chart,
        "categories": chart["categories"][:children_limit],
        "series": [
            {**series, "data": series["data"][:children_limit]} for series in chart["series"]
        ],
    }


def tiles_from_json(data: list[dict[str, Any]], children_limit: int | None = None) -> list[Tile]:
    """The tiles kept by `tiles_to_json`; with `children_limit`, only each tile's first child
    rows are decoded (and `children_total` says how many there are)."""

    def figures(rows: list[dict[str, Any]]) -> list[Figure]:
        return [Figure(**{k: decode(v) for k, v in row.items()}) for row in rows]

    return [
        Tile(
            key=t["key"],
            title=t["title"],
            figures=figures(t["figures"]),
            children=[
                ChildRow(c["org_id"], c["org_name"], c["url"], figures(c["figures"]))
                for c in t["children"][:children_limit]
            ],
            chart=decode(_chart_of_children(t, children_limit)),
            note=t["note"],
            url=t["url"],
            rows=decode(t["rows"]),
            children_total=(
                None if children_limit is None else t.get("children_total", len(t["children"]))
            ),
        )
        for t in data
    ]


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DASHBOARD_MAX_AGE_SECONDS)


def fresh_snapshot(*, org: Organization, year: int, as_of: dt.date) -> DashboardSnapshot | None:
    """The snapshot of `org`, `year`, `as_of` computed within the allowed age, if any (the caller
    has checked that the reader may open this org's dashboard)."""
    if settings.DASHBOARD_MAX_AGE_SECONDS <= 0:
        return None
    return (
        DashboardSnapshot.objects.filter(org=org, year=year, as_of=as_of)
        .filter(computed_at__gte=timezone.now() - max_age())
        .defer("child_rows")
        .first()
    )


def kept_tiles(snapshot: DashboardSnapshot, children_limit: int | None) -> list[Tile]:
    """The snapshot's tiles with each tile's first `children_limit` child rows (None: all of
    them, read from `child_rows` only then)."""
    if children_limit is not None and children_limit <= KEPT_CHILDREN:
        return tiles_from_json(snapshot.tiles, children_limit)
    whole = joined_children(snapshot.tiles, snapshot.child_rows)
    return tiles_from_json(whole, children_limit)
