"""/api/v1/exams/: the bank, papers, exams, attempts and results of knowledge tests. Reads
through `exams.selectors`, writes through `exams.services`.

Statuses as elsewhere in API v1: anonymous 401; out of scope 404 (an attempt is only ever its
taker's); a visible object the actor may not change 403; bad values 422 with the field named.
"""

from ninja import Router

from .staff import router as staff_router
from .taking import router as taking_router

router = Router(tags=["exams"])
router.add_router("", staff_router)
router.add_router("", taking_router)
