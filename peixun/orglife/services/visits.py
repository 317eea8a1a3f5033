"""送学上门: study brought to a member who cannot come (exempt, elderly, ill, far away), so that
"不让一个党员掉队" is shown from records. A visit worth hours writes one ledger credit for the
member, referenced `visit:<id>`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.events.services import clean_event_hours
from peixun.hours.models import CreditEntry, Kind
from peixun.hours.services import entry_record
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import HomeVisit, Pair

VISIT_AUDIT = ["org", "member", "visited_on", "visitors", "content", "hours", "note", "pair"]
# How the ledger's checks name things, and what the visit form calls them.
LEDGER_FIELD = {"on": "visited_on", "members": "member", "title": "content", "hours": "hours"}


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    org: Organization,
    member: Member,
    visited_on: Any,
    visitors: str,
    content: str,
    hours: Any = 0,
    note: str = "",
    pair: Pair | None = None,
) -> HomeVisit:
    """Record a visit by `org` to one of its members; not in the future. With hours, the member
    is credited them at once. A visit of a support `pair` is the helper's visit to the retired
    member, while the pair stands."""
    require_manage(actor, org)
    errors: dict[str, str] = {}
    if pair is not None and pair.retired_id != member.pk:
        errors["member"] = _("A pair's visit is to the retired member of the pair.")
    outside = (
        isinstance(visited_on, dt.date)
        and pair is not None
        and (visited_on < pair.since or (pair.until is not None and visited_on > pair.until))
    )
    if outside:
        errors["visited_on"] = _("The pair did not stand on that day.")
    if not member.org.path.startswith(org.path):
        errors["member"] = _("%(name)s is not a member of this organization.") % {
            "name": member.name
        }
    if not isinstance(visited_on, dt.date):
        errors["visited_on"] = _("Enter the date of the visit.")
    elif visited_on > timezone.localdate():
        errors["visited_on"] = _("A visit cannot be dated in the future.")
    visitors = (visitors or "").strip()
    content = (content or "").strip()
    if not visitors:
        errors["visitors"] = _("Name who made the visit.")
    if not content:
        errors["content"] = _("Say what was studied.")
    try:
        hours_value = clean_event_hours(hours if hours not in (None, "") else 0)
    except ValidationError as problem:
        errors["hours"] = problem.message_dict["hours"][0]
    if errors:
        raise ValidationError(errors)
    visit = HomeVisit.objects.create(
        org=org,
        member=member,
        visited_on=visited_on,
        visitors=visitors[:200],
        content=content[:300],
        hours=hours_value,
        note=(note or "").strip(),
        pair=pair,
        recorded_by_id=actor_id(actor),
    )
    if hours_value > 0:
        reference = f"visit:{visit.pk}"
        try:
            entry_record(
                actor=actor,
                members=[member],
                on=visited_on,
                hours=hours_value,
                kind=Kind.OTHER,
                title=(_("Study brought home: %(content)s") % {"content": content})[:200],
                source=CreditEntry.Source.MANUAL,
                reference=reference,
            )
        except ValidationError as problem:
            raise ValidationError(
                {
                    LEDGER_FIELD.get(field, "hours"): messages
                    for field, messages in problem.message_dict.items()
                }
            ) from None
        visit.credit_reference = reference
        visit.save(update_fields=["credit_reference"])
    audit_record(
        actor=actor, verb="visit.record", obj=visit, org=org, after=snapshot(visit, VISIT_AUDIT)
    )
    return visit
