"""What a member who is behind on study hours could still do, offered by the apps above hours.

The early warnings (`services.warnings`) list a few upcoming activities a member could join.
Hours does not know the apps that hold them; each registers a source in its `AppConfig.ready()`:
- "open_exams" (the exams app): function(member_id, as_of, limit) → the published knowledge tests
  the member can still take that credit hours (each with `pk`, `title`, `closes_at`);
- "open_classes" (the training app): function(member_id, as_of, limit=…) → the published classes
  starting after `as_of` that fit the member (each with `title`, `starts_on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

SuggestionKind = Literal["open_exams", "open_classes"]
SuggestionSource = Callable[..., Sequence[Any]]
_sources: dict[str, SuggestionSource] = {}


def register_suggestion_source(kind: SuggestionKind, source: SuggestionSource) -> None:
    _sources[kind] = source


def suggestion_source(kind: SuggestionKind) -> SuggestionSource | None:
    """The registered source of `kind`, or None when no app offers it."""
    return _sources.get(kind)


# -- the 培训档案's sections held by the apps above hours ----------------------------------------
# The printable training record (selectors.archive) lists, beside the ledger, the classes a member
# attended and the tests they passed. Each app registers a source in its `AppConfig.ready()`:
# function(member_id, first_year, last_year) → list of `ArchiveLine`, in date order.
# - "classes" (the training app): each class the member was an accepted trainee of, `done` when
#   they completed it (the class closed and credited them, not withdrawn);
# - "tests" (the exams app): each knowledge test the member passed;
# - "courses" (the learning app): each online course completed, with the evidence behind its
#   credit (unique minutes watched, quiz score, when).

ArchiveSourceKind = Literal["classes", "tests", "courses"]


@dataclass(frozen=True)
class ArchiveLine:
    on: dt.date
    title: str
    hours: Decimal | None  # hours it credited (None: not known or none)
    outcome: str  # a short phrase already translated: "completed", "passed (86 / 100)" …
    done: bool


ArchiveSource = Callable[[int, int, int], list[ArchiveLine]]
_archive_sources: dict[str, ArchiveSource] = {}


def register_archive_source(kind: ArchiveSourceKind, source: ArchiveSource) -> None:
    _archive_sources[kind] = source


def archive_lines(
    kind: ArchiveSourceKind, member_id: int, first: int, last: int
) -> list[ArchiveLine]:
    """The lines of `kind` of a member's record over [first, last]; none when no app offers it."""
    source = _archive_sources.get(kind)
    return list(source(member_id, first, last)) if source is not None else []


# -- a filing decided ----------------------------------------------------------------------------
# A pending self-study entry filed for an app above (its `reference`, e.g. ``book:<id>`` for a
# 必读书目's 心得) is decided in the hours flow, wherever the secretary decides it: the pending page,
# a bulk approval or the app's own queue. Each listener, registered in `AppConfig.ready()`, is
# called inside the deciding transaction once the entry is finally confirmed or rejected.
EntryListener = Callable[[Any], None]
_entry_listeners: list[EntryListener] = []


def register_entry_decided(listener: EntryListener) -> None:
    if listener not in _entry_listeners:
        _entry_listeners.append(listener)


def entry_decided(entry: Any) -> None:
    for listener in _entry_listeners:
        listener(entry)
