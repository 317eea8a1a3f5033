"""/api/v1/reports/: one router assembled from this app's slices."""

from ninja import Router

from .dashboard import router as dashboard_router
from .report import router as report_router

router = Router(tags=["reports"])
router.add_router("", dashboard_router)
router.add_router("", report_router)
