"""/api/v1/surveys/: one router assembled from this app's slices (one module per topic)."""

from ninja import Router

from .contests import router as contests_router
from .evaluations import router as evaluations_router
from .forms import router as forms_router
from .needs import router as needs_router
from .study_reports import router as study_reports_router

router = Router(tags=["surveys"])
router.add_router("", forms_router)
router.add_router("", evaluations_router)
router.add_router("", contests_router)
router.add_router("", study_reports_router)
router.add_router("", needs_router)
