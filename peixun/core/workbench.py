"""The workbench (工作台), everyone's home page: the hooks apps fill in their `AppConfig.ready()`.

core imports no app, so each app contributes what it knows:

- a staff provider, `function(actor) -> iterable of Todo | Figure`: the to-dos in the actor's
  charge (scoped with the app's selectors, `manageable_by`) and the figures of their subtree;
- a member provider, `function(actor) -> iterable of MemberCard | BigButton`: what the member's
  own home shows (progress, next sessions, open tests) and the big buttons (扫码签到, 申报自学).

A provider runs a few constant queries (aggregate counts, never a query per row): the page's
query count must not grow with the tenant (a query-count test holds it). A provider that has
nothing to say returns nothing; a to-do with a count of 0 is not shown. The registry is optional:
with no provider the page simply says there is nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from .scoping import Actor

# How urgent a to-do is: the colour of its badge.
INFO = "info"
WARNING = "warning"
DANGER = "danger"
SEVERITIES = (INFO, WARNING, DANGER)


@dataclass(frozen=True)
class Todo:
    """Something in the actor's charge waiting for them: "3 leave requests", a link to the list."""

    key: str  # stable name, e.g. "events.leave" (tests and CSS hooks)
    label: str  # translated, e.g. "Leave requests to decide"
    count: int
    url: str
    severity: str = INFO
    order: int = 50  # lower comes first
    details: tuple[str, ...] = ()  # a few short lines under the label (names, years)


@dataclass(frozen=True)
class Figure:
    """One of the few numbers of the actor's subtree that matter today."""

    key: str
    label: str
    value: str  # already formatted ("1,234", "87%")
    url: str = ""
    order: int = 50


@dataclass(frozen=True)
class CardLine:
    """A line of a member card: text with an optional link, a note on the right and a bar."""

    text: str
    url: str = ""
    note: str = ""
    progress: int | None = None  # 0..100: drawn as a progress bar
    tone: str = ""  # "success" / "warning" / "danger" for the bar or the note


@dataclass(frozen=True)
class MemberCard:
    """A block of the member's home: a title, some lines, a link to the whole page."""

    key: str
    title: str
    lines: tuple[CardLine, ...] = ()
    url: str = ""  # "see all"
    empty: str = ""  # shown when there are no lines
    order: int = 50
    footer: str = ""  # one short sentence under the lines (what is still owed)


@dataclass(frozen=True)
class BigButton:
    """A large button on the member's home (扫码签到, 申报自学)."""

    key: str
    label: str
    url: str
    order: int = 50
    hint: str = ""


StaffProvider = Callable[[Actor], Iterable[Todo | Figure]]
MemberProvider = Callable[[Actor], Iterable[MemberCard | BigButton]]

_staff: dict[str, StaffProvider] = {}
_member: dict[str, MemberProvider] = {}


def register_staff(name: str, provider: StaffProvider) -> None:
    """Add (or replace, by `name`) a provider of staff to-dos and figures."""
    _staff[name] = provider


def register_member(name: str, provider: MemberProvider) -> None:
    """Add (or replace, by `name`) a provider of member cards and big buttons."""
    _member[name] = provider


@dataclass
class StaffSection:
    todos: list[Todo] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class MemberSection:
    cards: list[MemberCard] = field(default_factory=list)
    buttons: list[BigButton] = field(default_factory=list)


def staff_section(actor: Actor) -> StaffSection:
    """Every app's to-dos (those with a count) and figures for `actor`, in order."""
    section = StaffSection()
    for provider in _staff.values():
        for item in provider(actor):
            if isinstance(item, Todo):
                if item.count > 0:
                    section.todos.append(item)
            else:
                section.figures.append(item)
    section.todos.sort(key=lambda t: (t.order, t.key))
    section.figures.sort(key=lambda f: (f.order, f.key))
    return section


def member_section(actor: Actor) -> MemberSection:
    """Every app's cards and big buttons for the member `actor`, in order."""
    section = MemberSection()
    for provider in _member.values():
        for item in provider(actor):
            if isinstance(item, BigButton):
                section.buttons.append(item)
            else:
                section.cards.append(item)
    section.cards.sort(key=lambda c: (c.order, c.key))
    section.buttons.sort(key=lambda b: (b.order, b.key))
    return section


def percent(part: Any, whole: Any) -> int:
    """`part` of `whole` as a whole percentage clamped to 0..100 (0 when `whole` is 0)."""
    if not whole:
        return 0
    share = float(part) * 100 / float(whole)
    return max(0, min(100, int(share + 0.5)))  # half up: 12.5 shows as 13, not 12


def todo_url(count: int, first_pk: int | None, one: str, many: str) -> str:
    """Where a to-do leads: straight to the item when there is one (`one`, a URL name taking its
    pk), else to the list of them (`many`, a ready URL)."""
    if count == 1 and first_pk:
        return reverse(one, args=[first_pk])
    return many
