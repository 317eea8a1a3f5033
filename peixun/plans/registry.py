"""What carries out a plan item is decided by the apps above plans.

A plan item is delivered by activities that link to it: the training app registers its closed
classes (classes, session hours, trainees), the orglife app its closed meetings (meetings and
their hours). Plan versus actual (`selectors.item_progress`) asks here and adds them up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Delivered:
    """What the activities of one kind delivered for one plan item."""

    classes: int = 0
    meetings: int = 0
    hours: Decimal = Decimal(0)
    people: int = 0

    def __add__(self, other: Delivered) -> Delivered:
        return Delivered(
            self.classes + other.classes,
            self.meetings + other.meetings,
            self.hours + other.hours,
            self.people + other.people,
        )


# name -> function(plan item ids) giving what that app's closed activities delivered, by item id
# (items with nothing delivered may be left out); a fixed number of queries whatever the ids.
PlanItemProvider = Callable[[list[int]], dict[int, Delivered]]
_providers: dict[str, PlanItemProvider] = {}


def register_plan_item_provider(name: str, provider: PlanItemProvider) -> None:
    _providers[name] = provider


def delivered_by_item(item_ids: Iterable[int]) -> dict[int, Delivered]:
    """plan item id -> what every registered kind of activity delivered for it."""
    ids = list(item_ids)
    delivered: dict[int, Delivered] = {pk: Delivered() for pk in ids}
    for provider in _providers.values():
        for pk, figures in provider(ids).items():
            delivered[pk] = delivered.get(pk, Delivered()) + figures
    return delivered
