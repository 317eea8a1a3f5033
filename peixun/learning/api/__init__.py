"""/api/v1/learning/: courses, the player's progress reports, presence, quizzes and
completions. Each area is a module whose router is added here (others add theirs beside)."""

from ninja import Router

from .imports import router as imports_router
from .member import router as member_router
from .reading import router as reading_router
from .staff import router as staff_router

router = Router(tags=["learning"])
router.add_router("", member_router)
router.add_router("/staff", staff_router)
router.add_router("", imports_router)
router.add_router("", reading_router)
