"""/api/v1/resources/: one router assembled from this app's slices (one module per topic)."""

from ninja import Router

from .sites import router as sites_router
from .teachers import router as teachers_router

router = Router(tags=["resources"])
router.add_router("", teachers_router)
router.add_router("", sites_router)
