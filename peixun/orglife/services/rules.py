"""Changing the tenant's credit rule per kind of meeting: the 学时 attending earns and whether
they count as concentrated study (read with `selectors.credit_rules`; a tenant without a row for
a kind uses `selectors.DEFAULT_CREDIT`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_admin
from peixun.core.scoping import Actor
from peixun.events.services import clean_event_hours
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of

from ..models import MeetingCreditRule, MeetingKind
from ..selectors import Credit, credit_rules


@transaction.atomic
def credit_rules_update(
    *, actor: Actor, tenant: Organization, rules: dict[str, dict[str, Any]]
) -> dict[str, Credit]:
    """Set the credit of each kind named in `rules` ({kind: {"hours", "concentrated"}}); all or
    none. Only an org admin of the tenant's root may. Meetings already recorded keep the hours
    they were recorded with."""
    tenant = tenant_of(tenant)
    require_admin(actor, tenant)
    errors: dict[str, str] = {}
    cleaned: dict[str, tuple[Decimal, bool]] = {}
    for kind, rule in rules.items():
        if kind not in MeetingKind.values:
            errors[str(kind)] = _("Unknown kind of meeting.")
            continue
        try:
            hours = clean_event_hours(rule.get("hours"))
        except ValidationError as problem:
            errors[kind] = problem.message_dict["hours"][0]
            continue
        cleaned[kind] = (hours, bool(rule.get("concentrated", False)))
    if errors:
        raise ValidationError(errors)
    before = {k: [str(c.hours), c.concentrated] for k, c in credit_rules(tenant).items()}
    for kind, (hours, concentrated) in cleaned.items():
        MeetingCreditRule.objects.update_or_create(
            tenant=tenant, kind=kind, defaults={"hours": hours, "concentrated": concentrated}
        )
    after = credit_rules(tenant)
    audit_record(
        actor=actor,
        verb="orglife.rules",
        obj=tenant,
        org=tenant,
        before=before,
        after={k: [str(c.hours), c.concentrated] for k, c in after.items()},
    )
    return after
