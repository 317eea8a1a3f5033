"""/api/v1/surveys/: one router assembled from this app's slices (one module per topic)."""

from ninja import Router

from .evaluations import router as evaluations_router
from .forms import router as forms_router

router = Router(tags=["surveys"])
router.add_router("", forms_router)
router.add_router("", evaluations_router)
