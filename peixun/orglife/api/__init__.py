"""/api/v1/orglife/: one router assembled from the meetings and regularity slices."""

from ninja import Router

from .groups import router as groups_router
from .meetings import router as meetings_router
from .notechecks import router as notechecks_router
from .pairs import router as pairs_router
from .regularity import router as regularity_router

router = Router(tags=["orglife"])
router.add_router("", meetings_router)
router.add_router("", regularity_router)
router.add_router("", groups_router)
router.add_router("", pairs_router)
router.add_router("", notechecks_router)
