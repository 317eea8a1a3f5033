"""/api/v1/surveys/: one router assembled from this app's slices (one module per topic)."""

from ninja import Router

router = Router(tags=["surveys"])
