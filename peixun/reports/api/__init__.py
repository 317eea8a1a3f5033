"""/api/v1/reports/: one router assembled from this app's slices."""

from ninja import Router

from .report import router as report_router

router = Router(tags=["reports"])
router.add_router("", report_router)
