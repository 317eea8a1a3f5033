from ninja import Router

from .staff import router as staff_router

router = Router(tags=["learning"])
router.add_router("/staff", staff_router)
