"""Hooks the members app offers to the apps above it.

"A member departed": when a member leaves the tenant (their Party relationship transferred out of
it, death, removal), `member_depart` calls every listener inside its transaction, the same day.
The accounts app registers one that disables the member's login.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peixun.core.scoping import Actor

    from .models import Member

# function(*, actor, member, reason) called after the departure is stored
DepartedListener = Callable[..., Any]
_departed_listeners: list[DepartedListener] = []


def register_member_departed(listener: DepartedListener) -> None:
    if listener not in _departed_listeners:
        _departed_listeners.append(listener)


def member_departed(*, actor: Actor | None, member: Member, reason: str) -> None:
    for listener in _departed_listeners:
        listener(actor=actor, member=member, reason=reason)
