"""Who is expected at an event is decided by the app that owns the event's category.

The training app registers "session" (the class's enrolled members and those assigned to make a
session up); the meetings app will register "meeting". Sign-in and attendance ask here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

# category -> function(event) returning a queryset of member ids expected at the event
ExpectedMembers = Callable[..., QuerySet]
_resolvers: dict[str, ExpectedMembers] = {}


def register_expected_members(category: str, resolver: ExpectedMembers) -> None:
    _resolvers[category] = resolver


def expected_member_ids(event) -> QuerySet:  # type: ignore[no-untyped-def]
    """Member ids expected at `event`, as a values_list queryset (usable in `__in` filters)."""
    resolver = _resolvers.get(event.category)
    if resolver is None:
        from peixun.members.models import Member

        return Member.objects.none().values_list("pk", flat=True)
    return resolver(event)
