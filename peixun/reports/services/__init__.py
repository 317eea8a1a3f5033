"""Writes of this app: <noun>_<verb>(*, actor, ...), atomic, permission first, audited."""

from .closing import year_close
from .dashboard import dashboard_read, dashboard_snapshot_store, dashboards_refresh
from .drafts import draft_create, draft_delete, draft_export, draft_update

__all__ = [
    "dashboard_read",
    "dashboard_snapshot_store",
    "dashboards_refresh",
    "draft_create",
    "draft_delete",
    "draft_export",
    "draft_update",
    "year_close",
]
