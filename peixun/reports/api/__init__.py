"""/api/v1/reports/: one router assembled from this app's slices."""

from ninja import Router

router = Router(tags=["reports"])

from .dashboard import router as dashboard_router  # noqa: E402

router.add_router("", dashboard_router)
