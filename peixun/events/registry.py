"""Who is expected at an event is decided by the app that owns the event's category.

The training app registers "session" (the class's enrolled members and those assigned to make a
session up); the meetings app will register "meeting". Sign-in and attendance ask here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from peixun.members.models import Member

if TYPE_CHECKING:
    from .models import Event

# category -> function(event) returning a queryset of member ids expected at the event
ExpectedMembers = Callable[..., QuerySet[Any, int]]
_resolvers: dict[str, ExpectedMembers] = {}


def register_expected_members(category: str, resolver: ExpectedMembers) -> None:
    _resolvers[category] = resolver


def expected_member_ids(event: Event) -> QuerySet[Any, int]:
    """Member ids expected at `event`, as a values_list queryset (usable in `__in` filters)."""
    resolver = _resolvers.get(event.category)
    if resolver is None:
        return Member.objects.none().values_list("pk", flat=True)
    return resolver(event)


# category -> functions called (inside the writing transaction) after a leave decision or a
# manual attendance change of an event of that category; the training app recomputes its
# "leave above 1/7" flags there. Not called for QR sign-ins, which only add presence.
_attendance_listeners: dict[str, list[Callable[..., None]]] = {}


def register_attendance_listener(category: str, listener: Callable[..., None]) -> None:
    _attendance_listeners.setdefault(category, []).append(listener)


def attendance_changed(event) -> None:  # type: ignore[no-untyped-def]
    for listener in _attendance_listeners.get(event.category, []):
        listener(event)


# category -> function(event) giving the URL of the page where events of that category are
# closed together with what they belong to (a class session closes with its class, after the
# class's checklist). Such events refuse a direct close or reopen from the events layer.
CloseOwner = Callable[..., str]
_close_owners: dict[str, CloseOwner] = {}


def register_close_owner(category: str, owner_url: CloseOwner) -> None:
    _close_owners[category] = owner_url


def close_owner_url(event) -> str | None:  # type: ignore[no-untyped-def]
    """Where `event` is closed when it is closed with its owner; None when it closes alone."""
    owner_url = _close_owners.get(event.category)
    return owner_url(event) if owner_url else None
