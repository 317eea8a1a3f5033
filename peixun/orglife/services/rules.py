"""The tenant's credit rule per kind of meeting: the 学时 attending earns and whether they count
as concentrated study. A tenant without a row for a kind uses `DEFAULT_CREDIT`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

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


class Credit(NamedTuple):
    hours: Decimal
    concentrated: bool
    is_default: bool = True


# The defaults a new tenant starts from, as local practice most often credits them: a Party
# lecture, a theme Party day, a central-group study, an organisational life meeting and a
# democratic appraisal take half a day (2 学时); the routine branch meetings 1 学时. Only the
# central group's study is concentrated study (理论学习中心组集体学习). Each tenant changes these
# on /orglife/rules/.
DEFAULT_CREDIT: dict[str, tuple[Decimal, bool]] = {
    MeetingKind.BRANCH_ASSEMBLY: (Decimal(1), False),
    MeetingKind.COMMITTEE: (Decimal(1), False),
    MeetingKind.GROUP: (Decimal(1), False),
    MeetingKind.LECTURE: (Decimal(2), False),
    MeetingKind.THEME_DAY: (Decimal(2), False),
    MeetingKind.CENTRAL_GROUP: (Decimal(2), True),
    MeetingKind.LIFE_MEETING: (Decimal(2), False),
    MeetingKind.APPRAISAL: (Decimal(2), False),
}


def credit_rules(org: Organization) -> dict[str, Credit]:
    """kind → the credit of `org`'s tenant, for every kind (defaults where no row)."""
    tenant_path = org.path[: Organization.steplen]
    stored = {
        rule.kind: Credit(rule.hours, rule.concentrated, is_default=False)
        for rule in MeetingCreditRule.objects.filter(tenant__path=tenant_path)
    }
    return {kind: stored.get(kind) or Credit(*DEFAULT_CREDIT[kind]) for kind in MeetingKind.values}


def credit_rule_for(org: Organization, kind: str) -> Credit:
    return credit_rules(org)[kind]


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
