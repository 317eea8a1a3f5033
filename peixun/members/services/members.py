"""Every write to members, their membership history and positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.crypto import encrypt_text, keyed_hash
from peixun.core.idcard import mask_id_number
from peixun.core.permissions import require_admin, require_manage
from peixun.core.scoping import Actor, can_manage_org, scope_of
from peixun.orgs.models import Organization, Position

from .. import registry
from ..logic import clean_member_fields
from ..models import Departure, Member, Membership

AUDIT_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_masked",
    "mobile",
    "education",
    "candidate_since",
    "joined_on",
    "confirmed_on",
    "status",
    "cadre_rank",
    "employment",
    "exempt_reason",
    "org",
]


def set_id_number(member: Member, number: str) -> None:
    member.id_number_encrypted = encrypt_text(number)
    member.id_number_hash = keyed_hash(number)
    member.id_number_masked = mask_id_number(number)


def check_member_org(org: Organization | None, field: str = "org") -> Organization:
    if org is None:
        raise ValidationError({field: _("Choose a Party organization.")})
    if not org.is_open:
        raise ValidationError(
            {field: _("The organization %(name)s is closed.") % {"name": org.name}}
        )
    if not org.accepts_members:
        raise ValidationError(
            {
                field: _("Members belong to a branch or a Party group, not to %(name)s.")
                % {"name": org.name}
            }
        )
    return org


@transaction.atomic
def member_create(
    *, actor: Actor, org: Organization, data: dict[str, Any], since: dt.date | None = None
) -> Member:
    # Permission first, so an actor outside the org learns nothing about it from the errors.
    if org is not None:
        require_manage(actor, org)
    check_member_org(org)
    clean, errors = clean_member_fields(data)
    if since is not None and since > timezone.localdate():
        errors.setdefault("since", _("The date is in the future."))
    if errors:
        raise ValidationError(errors)
    number = clean.pop("id_number")
    if Member.objects.filter(id_number_hash=keyed_hash(number)).exists():
        raise ValidationError(
            {"id_number": _("A member with this ID number is already registered.")}
        )
    member = Member(org=org, **clean)
    set_id_number(member, number)
    member.save()
    Membership.objects.create(
        member=member, org=org, since=since or member.joined_on or timezone.localdate()
    )
    audit_record(
        actor=actor, verb="member.create", obj=member, org=org, after=snapshot(member, AUDIT_FIELDS)
    )
    return member


@transaction.atomic
def member_update(*, actor: Actor, member: Member, data: dict[str, Any]) -> Member:
    """Change a member's own facts. The org changes only through `member_transfer`."""
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    require_manage(actor, member.org)
    data = dict(data)
    if "org" in data:
        sent = data.pop("org")
        sent_pk = getattr(sent, "pk", sent)
        if sent_pk not in (None, "", member.org_id, str(member.org_id)):
            raise ValidationError(
                {"org": _("A member changes organization only through a transfer.")}
            )
    if "id_number" in data and not data["id_number"]:
        data.pop("id_number")
    changes_id_number = "id_number" in data
    # Cross-field checks (birth date and gender against the ID number, dates against each other,
    # status against the joining date) need the stored values of fields the caller did not send.
    merged: dict[str, Any] = {
        f: getattr(member, f)
        for f in (
            "name",
            "gender",
            "birth_date",
            "candidate_since",
            "joined_on",
            "confirmed_on",
            "status",
        )
    }
    if not changes_id_number:
        # Checked against, never shown or stored again: this is not a reveal.
        merged["id_number"] = member.reveal_id_number()
    merged.update(data)
    clean, errors = clean_member_fields(merged, partial=True)
    if not changes_id_number:
        clean.pop("id_number", None)
        errors.pop("id_number", None)
    elif not errors.get("id_number"):
        require_admin(actor, member.org)
    if errors:
        raise ValidationError(errors)
    before = snapshot(member, AUDIT_FIELDS)
    number = clean.pop("id_number", None)
    if number:
        digest = keyed_hash(number)
        if Member.objects.filter(id_number_hash=digest).exclude(pk=member.pk).exists():
            raise ValidationError(
                {"id_number": _("A member with this ID number is already registered.")}
            )
        set_id_number(member, number)
    for field, value in clean.items():
        setattr(member, field, value)
    member.save()
    after = snapshot(member, AUDIT_FIELDS)
    if after != before:
        audit_record(
            actor=actor,
            verb="member.update",
            obj=member,
            org=member.org,
            before=before,
            after=after,
        )
    return member


@transaction.atomic
def member_transfer(
    *, actor: Actor, member: Member, to_org: Organization, effective: dt.date, note: str = ""
) -> Membership:
    """组织关系转接: close the current membership at `effective` and open one in `to_org`.

    The actor must be able to manage both ends, so a secretary moves members only within their
    branch; transfers between branches are made by the org admin above both.
    """
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    require_manage(actor, member.org)
    # Scope before the org's own state, so the error names nothing the actor may not see.
    if to_org is None or not can_manage_org(actor, to_org):
        raise ValidationError({"to_org": _("No such organization in your scope.")})
    check_member_org(to_org, "to_org")
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": _("The member already belongs to this organization.")})
    if effective > timezone.localdate():
        raise ValidationError({"effective": _("The effective date cannot be in the future.")})
    current = Membership.objects.filter(member=member, until__isnull=True).first()
    if current and effective <= current.since:
        raise ValidationError(
            {
                "effective": _("Must be after the start of the current membership (%(date)s).")
                % {"date": current.since}
            }
        )
    before = {"org": member.org_id, "since": current.since if current else None}
    if current:
        current.until = effective
        current.save(update_fields=["until"])
    new = Membership.objects.create(
        member=member, org=to_org, since=effective, note=(note or "").strip()[:200]
    )
    member.org = to_org
    member.save(update_fields=["org", "updated_at"])
    audit_record(
        actor=actor,
        verb="member.transfer",
        obj=member,
        org=to_org,
        before=before,
        after={"org": to_org.pk, "since": effective, "note": new.note},
    )
    return new


def is_own_record(actor: Actor | None, member: Member) -> bool:
    return actor is not None and scope_of(actor).member_id == member.pk


@transaction.atomic
def member_depart(
    *, actor: Actor, member: Member, reason: str, effective: dt.date, note: str = ""
) -> Membership:
    """A member leaves the tenant: transferred out of it, died, removed (出党/除名) or withdrew.

    The open membership closes at `effective` with the reason, and the listeners of
    `registry.member_departed` run in this transaction: the member's login stops the same day,
    whatever the effective date.
    """
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    require_manage(actor, member.org)
    if is_own_record(actor, member):
        # It would end the actor's own login mid-action; the org above records it.
        raise ValidationError(
            {"member": _("You cannot record your own departure; the organization above does.")}
        )
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Choose why the member leaves.")
    elif reason not in Departure.values:
        errors["reason"] = _("Unknown reason for leaving.")
    if effective > timezone.localdate():
        errors["effective"] = _("The effective date cannot be in the future.")
    current: Membership | None = Membership.objects.filter(
        member=member, until__isnull=True
    ).first()
    if current is None:
        raise ValidationError({"member": _("The member has already left.")})
    if "effective" not in errors and effective <= current.since:
        errors["effective"] = _("Must be after the start of the current membership (%(date)s).") % {
            "date": current.since
        }
    if errors:
        raise ValidationError(errors)
    current.until = effective
    current.departure = reason
    current.note = (note or "").strip()[:200]
    current.save(update_fields=["until", "departure", "note"])
    audit_record(
        actor=actor,
        verb="member.depart",
        obj=member,
        org=member.org,
        after={"reason": reason, "until": effective, "note": current.note},
    )
    # Nobody who has left still holds a post: a branch whose 书记 died must show none. A
    # position's `until` is its last day, the membership's the first day outside it.
    last_day = effective - dt.timedelta(days=1)
    still_held = Position.objects.filter(member=member).filter(
        Q(until__isnull=True) | Q(until__gt=last_day)
    )
    for position in still_held.select_related("org"):
        before = snapshot(position, ["until"])
        position.until = max(last_day, position.since)
        position.save(update_fields=["until"])
        audit_record(
            actor=actor,
            verb="position.end",
            obj=position,
            org=position.org,
            before=before,
            after={"until": position.until},
        )
    registry.member_departed(actor=actor, member=member, reason=reason)
    return current


def member_reveal_id(*, actor: Actor, member: Member) -> str:
    """The plain ID number for an org admin over the member's org; every reveal is audited."""
    require_admin(actor, member.org)
    audit_record(actor=actor, verb="member.reveal_id", obj=member, org=member.org)
    return member.reveal_id_number()


@transaction.atomic
def position_assign(
    *,
    actor: Actor,
    member: Member,
    org: Organization,
    role: str,
    kind: str,
    since: dt.date,
    until: dt.date | None = None,
) -> Position:
    require_manage(actor, org)
    errors: dict[str, str] = {}
    if not org.is_open:
        errors["org"] = _("The organization %(name)s is closed.") % {"name": org.name}
    if role not in Position.Role.values:
        errors["role"] = _("Unknown position.")
    if kind not in Position.Kind.values:
        errors["kind"] = _("Unknown position kind.")
    if until and until < since:
        errors["until"] = _("Cannot be earlier than the start date.")
    if not member.org.path.startswith(org.path) and not org.path.startswith(member.org.path):
        errors.setdefault("org", _("The member does not belong to this organization."))
    if errors:
        raise ValidationError(errors)
    position = Position.objects.create(
        member=member, org=org, role=role, kind=kind, since=since, until=until
    )
    audit_record(
        actor=actor,
        verb="position.assign",
        obj=position,
        org=org,
        after=snapshot(position, ["member", "org", "role", "kind", "since", "until"]),
    )
    return position


@transaction.atomic
def position_end(*, actor: Actor, position: Position, until: dt.date) -> Position:
    require_manage(actor, position.org)
    if until < position.since:
        raise ValidationError({"until": _("Cannot be earlier than the start date.")})
    before = snapshot(position, ["until"])
    position.until = until
    position.save(update_fields=["until"])
    audit_record(
        actor=actor,
        verb="position.end",
        obj=position,
        org=position.org,
        before=before,
        after={"until": until},
    )
    return position
