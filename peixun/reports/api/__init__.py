"""/api/v1/reports/: one router assembled from this app's slices."""

from ninja import Router

router = Router(tags=["reports"])
