"""The ledger's bulk write: many members, each with their own hours, for one activity (an
external platform's year for a whole county). `entry_record` on the same input leaves the same
ledger and rollups; this path is for tens of thousands of lines in one transaction, so it
validates in one pass, inserts the lines in batches, adds the rollups' deltas with a few
upserts and records ONE audit event that sums the batch up (each line keeps its recorder and
time; the event names the reference and the first and last line)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor, actor_id, path_in, scope_of
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization

from ..models import CreditEntry, Kind, Topic
from .entries import _check_choice, _check_date, clean_hours
from .rollups import rollup_add_bulk

IN_CHUNK = 5000  # ids per IN (…) list: SQLite caps a statement's parameters
NAMES_SHOWN = 20  # a refusal names this many members, then counts the rest


def _branches_on(member_ids: list[int], on: dt.date) -> dict[int, int]:
    branch_of: dict[int, int] = {}
    for i in range(0, len(member_ids), IN_CHUNK):
        branch_of.update(
            Membership.objects.on(on)
            .filter(member_id__in=member_ids[i : i + IN_CHUNK])
            .values_list("member_id", "org_id")
        )
    return branch_of


def _names(members: list[Member]) -> str:
    names = "、".join(m.name for m in members[:NAMES_SHOWN])
    if len(members) > NAMES_SHOWN:
        return _("%(names)s and %(n)s more") % {"names": names, "n": len(members) - NAMES_SHOWN}
    return names


@transaction.atomic
def entries_record_bulk(
    *,
    actor: Actor,
    entries: Sequence[tuple[Member, Any]],
    on: dt.date,
    kind: str,
    title: str,
    topic: str = Topic.OTHER,
    concentrated: bool = False,
    online: bool = False,
    year: int | None = None,
    source: str = CreditEntry.Source.MANUAL,
    reference: str = "",
    org: Organization | None = None,
) -> list[CreditEntry]:
    """Record one activity for many members, `entries` being (member, hours) pairs (members
    loaded with their org): confirmed at once, rollups updated, one audit event for `org`.
    Refuses all of it, as `entry_record` would, when one member or one number is wrong."""
    if not entries:
        raise ValidationError({"members": _("Choose at least one member.")})
    members = [m for m, _hours in entries]
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": _("A member is listed twice.")})
    year = year or on.year
    _check_date(on, year)
    _check_choice("kind", kind, Kind)
    _check_choice("topic", topic, Topic)
    _check_choice("source", source, CreditEntry.Source)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Name the activity.")})
    # A file repeats a few values (25, 12.5 …): each distinct one is checked once.
    checked: dict[Any, Decimal] = {}
    hours_of: list[Decimal] = []
    for _member, raw in entries:
        value = checked.get(raw)
        if value is None:
            value = checked[raw] = clean_hours(raw)
        hours_of.append(value)
    branch_of = _branches_on([m.pk for m in members], on)
    branch_paths = dict(
        Organization.objects.filter(pk__in=set(branch_of.values())).values_list("pk", "path")
    )
    # The same rule as entry_record: the managers of the branch of that day, or of today's org.
    scope = scope_of(actor)
    if not scope.platform:
        manage = tuple(scope.manage_paths)
        outside = [
            m
            for m in members
            if not path_in(m.org.path, manage)
            and not path_in(branch_paths.get(branch_of.get(m.pk, -1), "\0"), manage)
        ]
        if outside:
            raise ValidationError(
                {"members": _("%(name)s is not in your scope.") % {"name": _names(outside)}}
            )
    missing = [m for m in members if m.pk not in branch_of]
    if missing:
        raise ValidationError(
            {
                "on": _("Not yet registered in a branch on that date: %(names)s.")
                % {"names": _names(missing)}
            }
        )
    recorded_by = actor_id(actor)
    lines = [
        CreditEntry(
            member=m,
            org_id=branch_of[m.pk],
            on=on,
            year=year,
            hours=hours,
            kind=kind,
            topic=topic,
            concentrated=concentrated,
            online=online,
            title=title[:200],
            source=source,
            reference=reference[:100],
            state=CreditEntry.State.CONFIRMED,
            recorded_by_id=recorded_by,
        )
        for m, hours in zip(members, hours_of, strict=True)
    ]
    CreditEntry.objects.bulk_create(lines, batch_size=2000)
    rollup_add_bulk(lines)
    audit_record(
        actor=actor,
        verb="hours.record_bulk",
        object_type=CreditEntry._meta.label_lower,
        object_repr=title[:200],
        org=org,
        after={
            "entries": len(lines),
            "hours": sum(hours_of, Decimal(0)),
            "reference": reference[:100],
            "on": on,
            "year": year,
            "kind": kind,
            "topic": topic,
            "online": online,
            "concentrated": concentrated,
            "first_entry": lines[0].pk,
            "last_entry": lines[-1].pk,
        },
    )
    return lines
