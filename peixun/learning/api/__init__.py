from ninja import Router

from .imports import router as imports_router

router = Router(tags=["learning"])
router.add_router("", imports_router)
