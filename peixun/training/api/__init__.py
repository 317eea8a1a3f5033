"""/api/v1/training/: one router assembled from the workflow's slices."""

from ninja import Router

from .circular import router as circular_router
from .classes import router as classes_router
from .closing import router as closing_router
from .dispatch import router as dispatch_router
from .documents import router as documents_router

router = Router(tags=["training"])
router.add_router("", classes_router)
router.add_router("", dispatch_router)
router.add_router("", closing_router)
router.add_router("", circular_router)
router.add_router("", documents_router)
