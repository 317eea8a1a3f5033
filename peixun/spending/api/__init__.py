"""/api/v1/spending/: one router assembled from this app's slices."""

from ninja import Router

from .expenses import router as expenses_router

router = Router(tags=["spending"])
router.add_router("", expenses_router)
