"""在职党员联系帮扶离退休党员: an in-service Party member keeps in touch with a retired one and
brings them study. A pair is recorded by the managers of an org whose subtree holds both
members; its visits are 送学上门 visits (`visit_record(pair=…)`), credited as those are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import HomeVisit, Pair
from .visits import visit_record

PAIR_AUDIT = ["org", "helper", "retired", "since", "until", "note"]
PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)


def common_org(helper: Member, retired: Member) -> Organization:
    """The nearest org whose subtree holds both members: the pair's org."""
    a, b = helper.org.path, retired.org.path
    step = Organization.steplen
    shared = 0
    while shared + step <= min(len(a), len(b)) and a[: shared + step] == b[: shared + step]:
        shared += step
    if shared == len(retired.org.path):
        return retired.org
    if shared == len(helper.org.path):
        return helper.org
    found = Organization.objects.filter(path=a[:shared]).first() if shared else None
    return found or retired.org


@transaction.atomic
def pair_create(
    *,
    actor: Actor,
    helper: Member,
    retired: Member,
    since: Any = None,
    note: str = "",
) -> Pair:
    """Pair an in-service Party member with a retired one, from `since` (today by default), in
    the nearest org holding both (the actor must manage it)."""
    org = common_org(helper, retired)
    require_manage(actor, org)
    since = since or timezone.localdate()
    errors: dict[str, str] = {}
    if helper.pk == retired.pk:
        errors["helper"] = _("A member cannot be paired with themself.")
    elif helper.employment == Member.Employment.RETIRED or helper.status not in PARTY_STATUSES:
        errors["helper"] = _("%(name)s is not an in-service Party member.") % {"name": helper.name}
    if retired.employment != Member.Employment.RETIRED or retired.status not in PARTY_STATUSES:
        errors["retired"] = _("%(name)s is not a retired Party member.") % {"name": retired.name}
    if not isinstance(since, dt.date):
        errors["since"] = _("Enter a date.")
    elif since > timezone.localdate():
        errors["since"] = _("A pair cannot start in the future.")
    if (
        not errors
        and Pair.objects.filter(helper=helper, retired=retired, until__isnull=True).exists()
    ):
        errors["retired"] = _("These two members are already paired.")
    if errors:
        raise ValidationError(errors)
    pair = Pair.objects.create(
        org=org, helper=helper, retired=retired, since=since, note=(note or "").strip()[:300]
    )
    audit_record(
        actor=actor, verb="pair.create", obj=pair, org=org, after=snapshot(pair, PAIR_AUDIT)
    )
    return pair


@transaction.atomic
def pair_end(*, actor: Actor, pair: Pair, until: Any = None) -> Pair:
    """End the pair on `until` (today by default); its visits stay."""
    pair = Pair.objects.select_for_update(of=("self",)).select_related("org").get(pk=pair.pk)
    require_manage(actor, pair.org)
    until = until or timezone.localdate()
    if pair.until is not None:
        raise ValidationError({"until": _("This pair has already ended.")})
    if not isinstance(until, dt.date) or until < pair.since:
        raise ValidationError({"until": _("A pair cannot end before it started.")})
    before = snapshot(pair, PAIR_AUDIT)
    pair.until = until
    pair.save(update_fields=["until"])
    audit_record(
        actor=actor,
        verb="pair.end",
        obj=pair,
        org=pair.org,
        before=before,
        after=snapshot(pair, PAIR_AUDIT),
    )
    return pair


def pair_visit_record(
    *,
    actor: Actor,
    pair: Pair,
    visited_on: Any,
    content: str,
    hours: Any = 0,
    note: str = "",
) -> HomeVisit:
    """The helper's visit to the retired member: a 送学上门 visit of the pair's org, made by the
    helper, crediting the retired member `hours` as any visit does."""
    return visit_record(
        actor=actor,
        org=pair.org,
        member=pair.retired,
        visited_on=visited_on,
        visitors=pair.helper.name,
        content=content,
        hours=hours,
        note=note,
        pair=pair,
    )
