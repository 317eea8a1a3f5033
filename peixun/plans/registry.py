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


@dataclass(frozen=True)
class Citation:
    """What a plan item rests on, as an app above plans records it (a needs survey's topic and
    the share of respondents who asked for it): shown beside the item."""

    label: str
    url: str
    share: Decimal | None = None  # a fraction of respondents, 0 … 1
    note: str = ""

    @property
    def percent(self) -> Decimal | None:
        return None if self.share is None else (self.share * 100).quantize(Decimal("0.1"))


# name -> function(plan item ids) giving each item's citations (items without any may be left
# out); a fixed number of queries whatever the ids.
ItemCitationProvider = Callable[[list[int]], dict[int, list[Citation]]]
_citation_providers: dict[str, ItemCitationProvider] = {}


def register_item_citations(name: str, provider: ItemCitationProvider) -> None:
    _citation_providers[name] = provider


def citations_by_item(item_ids: Iterable[int]) -> dict[int, list[Citation]]:
    """plan item id -> what every registered app says the item rests on (optional: nothing when
    no app registered)."""
    ids = list(item_ids)
    found: dict[int, list[Citation]] = {}
    if not ids:
        return found
    for provider in _citation_providers.values():
        for pk, citations in provider(ids).items():
            found.setdefault(pk, []).extend(citations)
    return found
