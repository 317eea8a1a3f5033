"""What a member who is behind on study hours could still do, offered by the apps above hours.

The early warnings (`services.warnings`) list a few upcoming activities a member could join.
Hours does not know the apps that hold them; each registers a source in its `AppConfig.ready()`:
- "open_exams" (the exams app): function(member_id, as_of, limit) → the published knowledge tests
  the member can still take that credit hours (each with `pk`, `title`, `closes_at`);
- "open_classes" (the training app): function(member_id, as_of, limit=…) → the published classes
  starting after `as_of` that fit the member (each with `title`, `starts_on`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

SuggestionKind = Literal["open_exams", "open_classes"]
SuggestionSource = Callable[..., Sequence[Any]]
_sources: dict[str, SuggestionSource] = {}


def register_suggestion_source(kind: SuggestionKind, source: SuggestionSource) -> None:
    _sources[kind] = source


def suggestion_source(kind: SuggestionKind) -> SuggestionSource | None:
    """The registered source of `kind`, or None when no app offers it."""
    return _sources.get(kind)
