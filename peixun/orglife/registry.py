"""Hooks orglife offers to the apps above it.

A meeting's page shows links that apps above add about it (the surveys app links a democratic
appraisal to its members' 述学), without orglife importing them: each provider takes the reader
and the meeting and returns (label, url) pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MeetingLinks = Callable[[Any, Any], list[tuple[str, str]]]
_link_providers: list[MeetingLinks] = []


def register_meeting_links(provider: MeetingLinks) -> None:
    if provider not in _link_providers:
        _link_providers.append(provider)


def meeting_links(actor: Any, meeting: Any) -> list[tuple[str, str]]:
    """The (label, url) links the apps above offer for `meeting`, as `actor` may follow them."""
    return [link for provider in _link_providers for link in provider(actor, meeting)]
