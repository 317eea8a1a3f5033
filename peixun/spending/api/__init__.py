"""/api/v1/spending/: one router assembled from this app's slices."""

from ninja import Router

router = Router(tags=["spending"])
