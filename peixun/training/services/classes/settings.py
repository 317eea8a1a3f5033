"""The tenant's class settings (theory share, theory topics, leave limit, close due days)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_admin
from peixun.core.scoping import Actor
from peixun.hours.models import Topic
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of

from ...models import (
    TrainingSettings,
)

SETTINGS_FIELDS = [
    "theory_share_min",
    "theory_topics",
    "leave_limit_denominator",
    "close_due_days",
]

# -- settings ------------------------------------------------------------------------------------


def clean_settings(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "theory_share_min" in data:
        try:
            share = Decimal(str(data["theory_share_min"]).strip())
            if not share.is_finite() or not 0 <= share <= 1:
                raise InvalidOperation
            if share != share.quantize(Decimal("0.01")):
                raise InvalidOperation
            clean["theory_share_min"] = share
        except (InvalidOperation, ValueError):
            errors["theory_share_min"] = _("Enter a share from 0 to 1 in hundredths, such as 0.5.")
    if "theory_topics" in data:
        topics = [str(t) for t in (data["theory_topics"] or [])]
        if not topics:
            errors["theory_topics"] = _("Choose at least one topic that counts as theory.")
        elif any(t not in Topic.values for t in topics):
            errors["theory_topics"] = _("Unknown value.")
        clean["theory_topics"] = sorted(set(topics), key=Topic.values.index)
    for field, low, high in (("leave_limit_denominator", 2, 50), ("close_due_days", 1, 365)):
        if field not in data:
            continue
        try:
            value = int(data[field])
            if not low <= value <= high:
                raise ValueError
            clean[field] = value
        except (TypeError, ValueError):
            errors[field] = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def training_settings_update(
    *, actor: Actor, tenant: Organization, **fields: Any
) -> TrainingSettings:
    """Change the tenant's class settings; only an org admin of the tenant's root may."""
    tenant = tenant_of(tenant)
    require_admin(actor, tenant)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    clean = clean_settings(fields)
    # The first save creates the tenant's row; until then reads see the unsaved defaults.
    settings, _created = TrainingSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = snapshot(settings, SETTINGS_FIELDS)
    for name, value in clean.items():
        setattr(settings, name, value)
    settings.save()
    audit_record(
        actor=actor,
        verb="training_settings.update",
        obj=settings,
        org=tenant,
        before=before,
        after=snapshot(settings, SETTINGS_FIELDS),
    )
    return settings
