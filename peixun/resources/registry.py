"""What the apps above resources tell it: a teacher's rating comes from evaluations (surveys).

The surveys app registers one provider in `ready()`; the teacher pages ask `teacher_ratings`.
Optional: with no provider registered, teachers simply show no rating.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TeacherRating:
    """A teacher's evaluation results. `average` (on a 5-point scale) is None while fewer
    responses exist than the tenant's threshold: a result below it is never shown."""

    responses: int
    average: Decimal | None
    surveys: int = 0


# function(teacher ids) -> teacher id -> rating (teachers never evaluated may be left out);
# a fixed number of queries whatever the ids.
TeacherRatingProvider = Callable[[list[int]], dict[int, TeacherRating]]
_rating_providers: list[TeacherRatingProvider] = []


def register_teacher_ratings(provider: TeacherRatingProvider) -> None:
    _rating_providers.append(provider)


def teacher_ratings(teacher_ids: Iterable[int]) -> dict[int, TeacherRating]:
    ids = list(teacher_ids)
    ratings: dict[int, TeacherRating] = {}
    for provider in _rating_providers:
        ratings.update(provider(ids))
    return ratings
