"""Every write of online learning, one module per topic: `courses` (the catalogue), `progress`
(playing, reports, presence, documents, quizzes), `completion` (the course rule and the credit).
Other helpers add their modules (online classes, imports) beside these."""

from .completion import (
    bands_for,
    completion_check,
    course_state,
    credit_reference,
    idle_seconds,
)
from .courses import (
    CONTENT_TYPES,
    check_item_file,
    course_create,
    course_item_add,
    course_item_remove,
    course_publish,
    course_retire,
    course_update,
)
from .progress import (
    ReportResult,
    document_open,
    learner_item,
    play_start,
    presence_confirm,
    progress_report,
    quiz_items,
    quiz_submit,
)

__all__ = [
    "CONTENT_TYPES",
    "ReportResult",
    "bands_for",
    "check_item_file",
    "completion_check",
    "course_create",
    "course_item_add",
    "course_item_remove",
    "course_publish",
    "course_retire",
    "course_state",
    "course_update",
    "credit_reference",
    "document_open",
    "idle_seconds",
    "learner_item",
    "play_start",
    "presence_confirm",
    "progress_report",
    "quiz_items",
    "quiz_submit",
]
