"""Every read of online learning, one module per topic (other helpers add theirs beside)."""

from .courses import CourseRow, ItemRow, courses_visible, my_course, my_courses
from .progress import (
    YearGoal,
    archive_courses,
    completions_visible,
    evidence_text,
    my_completions,
    my_item_progress,
    my_year,
    strikes_visible,
)

__all__ = [
    "CourseRow",
    "ItemRow",
    "YearGoal",
    "archive_courses",
    "completions_visible",
    "courses_visible",
    "evidence_text",
    "my_completions",
    "my_course",
    "my_courses",
    "my_item_progress",
    "my_year",
    "strikes_visible",
]
