"""Who is expected at an event is decided by the app that owns the event's category.

The training app registers "session" (the class's enrolled members and those assigned to make a
session up); the meetings app will register "meeting". Sign-in and attendance ask here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from peixun.core.prepared import PreparedQuery
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


# category -> function(member_id) giving a condition on Event rows: "this member is expected at
# the event", the same answer as `expected_member_ids(event).filter(pk=member_id)`. Optional:
# without one, `member_expected` asks the resolver's queryset. With one, the check is one EXISTS
# on the member's own rows, prepared once per process (sign-in asks on every first scan, where
# the whole audience query, and then building this one each time, cost more than the rest of the
# sign-in; see peixun.core.prepared).
ExpectedCondition = Callable[[int], Q]
_conditions: dict[str, ExpectedCondition] = {}
_prepared: dict[str, PreparedQuery[Any]] = {}
# Where a "yes" is kept on an Event instance fetched for one request (see `member_expected`).
EXPECTED_MEMO = "_peixun_expected_member"


def register_expected_condition(category: str, condition: ExpectedCondition) -> None:
    """Called from an app's ready(), before any query: the queries built on the conditions are
    prepared once per process on first use (here and in `selectors.event_get`)."""
    _conditions[category] = condition


def has_expected_condition(category: str) -> bool:
    return category in _conditions


def any_expected_condition() -> bool:
    return bool(_conditions)


def expected_condition(member_id: int | None) -> Q | None:
    """A condition on Event rows: the member is expected there, for the categories that
    registered a condition (None when none did, or for no member)."""
    if not member_id:
        return None
    condition = Q()
    for category, make in _conditions.items():
        condition |= Q(category=category) & make(member_id)
    return condition or None


def _expected_query(event_model: type[Event], category: str) -> PreparedQuery[Any]:
    found = _prepared.get(category)
    if found is None:
        make = _conditions[category]
        found = PreparedQuery(
            lambda event_id, member_id: event_model._default_manager.filter(pk=event_id).filter(
                make(member_id)
            ),
            kinds=(int, int),
        )
        _prepared[category] = found
    return found


def remember_expected(event: Event, member_id: int) -> None:
    """Note on an instance fetched for one request that its member is expected, so the rest of
    the request (the sign-in's own check after `selectors.event_get`) does not ask again. Only a
    selector that has just read the answer from the database calls this."""
    event.__dict__[EXPECTED_MEMO] = member_id


def member_expected(event: Event, member_id: int | None) -> bool:
    """Whether the member is expected at `event`: one query (none when `event_get` already
    found out for this instance)."""
    if not member_id:
        return False
    if event.__dict__.get(EXPECTED_MEMO) == member_id:
        return True
    if event.category not in _conditions:
        return expected_member_ids(event).filter(pk=member_id).exists()
    return _expected_query(type(event), event.category).exists(event.pk, int(member_id))


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
