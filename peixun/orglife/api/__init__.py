"""/api/v1/orglife/: one router assembled from the meetings and regularity slices."""

from ninja import Router

from .meetings import router as meetings_router
from .regularity import router as regularity_router

router = Router(tags=["orglife"])
router.add_router("", meetings_router)
router.add_router("", regularity_router)
