"""/api/v1/surveys/: one router assembled from this app's slices (one module per topic)."""

from ninja import Router

from .needs import router as needs_router

router = Router(tags=["surveys"])
router.add_router("", needs_router)
