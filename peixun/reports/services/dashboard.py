"""Writing the dashboard's snapshots: after a reader's page computed the tiles, and from the
`reports.dashboard_refresh` job for every tenant's top org. A snapshot holds aggregate figures
only (no person's data) and changes nothing anyone recorded, so it is not audited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from peixun.core.scoping import Actor
from peixun.hours.selectors import default_as_of
from peixun.hours.services.warnings import SystemActor
from peixun.orgs.models import Organization

from ..models import DashboardSnapshot
from ..selectors.dashboard import (
    Dashboard,
    dashboard,
    dashboard_snapshot,
    split_children,
    tiles_to_json,
)


@transaction.atomic
def dashboard_snapshot_store(*, board: Dashboard) -> None:
    """Keep `board` as the snapshot of its org, year and as-of date (replacing an older one)."""
    if settings.DASHBOARD_MAX_AGE_SECONDS <= 0:
        return
    tiles, child_rows = split_children(tiles_to_json(board.tiles))
    DashboardSnapshot.objects.update_or_create(
        org=board.org,
        year=board.year,
        as_of=board.as_of,
        defaults={
            "computed_at": board.computed_at or timezone.now(),
            "seconds": board.seconds,
            "tiles": tiles,
            "child_rows": child_rows,
        },
    )


def dashboard_read(
    *,
    actor: Actor,
    org: Organization | int | str | None,
    year: int,
    as_of: dt.date,
    fresh: bool = False,
    children_limit: int | None = None,
) -> Dashboard:
    """The dashboard a reader sees: a snapshot young enough, else the tiles computed now (and
    kept as the new snapshot). `fresh` always computes. 404 as `dashboard`. `children_limit`:
    from a snapshot, each tile's first child rows only (all of them when computed)."""
    if not fresh:
        found = dashboard_snapshot(
            actor=actor, org=org, year=year, as_of=as_of, children_limit=children_limit
        )
        if found is not None:
            return found
    board = dashboard(actor=actor, org=org, year=year, as_of=as_of)
    dashboard_snapshot_store(board=board)
    return board


def dashboards_refresh() -> str:
    """The job: compute and keep this year's dashboard, as of today, of every tenant's top org,
    so the first reader of the day does not wait; and drop snapshots older than a week."""
    today = timezone.localdate()
    done = 0
    with translation.override(settings.LANGUAGE_CODE):
        for root in Organization.objects.get_root_nodes():
            board = dashboard(
                actor=SystemActor(), org=root, year=today.year, as_of=default_as_of(today.year)
            )
            dashboard_snapshot_store(board=board)
            done += 1
    stale = timezone.now() - dt.timedelta(days=7)
    dropped, _ = DashboardSnapshot.objects.filter(computed_at__lt=stale).delete()
    return f"{done} dashboards computed, {dropped} old snapshots dropped"
