"""Adding and changing sites: the owner's managers (the unit's secretary for their branch's
党建阵地, the org admin for the subtree's bases) keep them. Every field is checked at once and all
problems reported together; audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..models import LimitPeriod, Site, SiteKind

SITE_AUDIT = [
    "kind",
    "org",
    "open_to",
    "name",
    "address",
    "capacity",
    "opening_hours",
    "open_weekdays",
    "opens_at",
    "closes_at",
    "contact",
    "phone",
    "description",
    "booking_limit",
    "limit_period",
    "active",
]
EDITABLE = [name for name in SITE_AUDIT if name != "org"]
MAX_CAPACITY = 100_000
MAX_LIMIT = 1_000


def _text(data: dict[str, Any], name: str, limit: int, errors: dict[str, str]) -> str:
    text = str(data.get(name) or "").strip()
    if len(text) > limit:
        errors[name] = _("At most %(n)s characters.") % {"n": limit}
    return text


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def site_snapshot(site: Site) -> dict[str, Any]:
    """The audited fields; the opening times as text (the audit trail stores JSON)."""
    values = snapshot(site, [n for n in SITE_AUDIT if n not in ("opens_at", "closes_at")])
    for name in ("opens_at", "closes_at"):
        value = getattr(site, name)
        values[name] = value.strftime("%H:%M") if value is not None else None
    return values


def clean_weekdays(value: Any) -> str:
    """ISO weekdays as sorted digits ("12345"); "" for any day. Raises ValueError otherwise."""
    if value in (None, ""):
        return ""
    items = list(value) if not isinstance(value, str) else list(value.replace(",", ""))
    days = set()
    for item in items:
        day = _whole(item)
        if day is None or not 1 <= day <= 7:
            raise ValueError(item)
        days.add(day)
    return "" if len(days) == 7 else "".join(str(d) for d in sorted(days))


def clean_site_fields(owner: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of a site owned by `owner`, checked at once: one ValidationError naming each
    field at fault."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    kind = data.get("kind")
    if kind not in SiteKind.values:
        errors["kind"] = _("Choose what kind of site this is.")
    clean["kind"] = kind
    open_to = data.get("open_to") or owner
    if not isinstance(open_to, Organization) or not owner.path.startswith(open_to.path):
        # Shared upwards only: a site is open to its owner's subtree or a larger one above it.
        errors["open_to"] = _("Choose the owner or an organization above it.")
    clean["open_to"] = open_to
    for name, limit in (
        ("name", 200),
        ("address", 300),
        ("opening_hours", 200),
        ("contact", 100),
        ("phone", 32),
        ("description", 4000),
    ):
        clean[name] = _text(data, name, limit, errors)
    if not clean["name"] and "name" not in errors:
        errors["name"] = _("Give the site's name.")
    if not clean["address"] and "address" not in errors:
        errors["address"] = _("Give the site's address.")
    capacity = _whole(data.get("capacity"))
    if capacity is None or not 0 < capacity <= MAX_CAPACITY:
        errors["capacity"] = _("Give how many people the site holds, a whole number from 1.")
    clean["capacity"] = capacity
    try:
        clean["open_weekdays"] = clean_weekdays(data.get("open_weekdays"))
    except ValueError:
        errors["open_weekdays"] = _("Choose the weekdays the site is open.")
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if opens in ("", None) and closes in ("", None):
        clean["opens_at"] = clean["closes_at"] = None
    elif not isinstance(opens, dt.time) or not isinstance(closes, dt.time) or closes <= opens:
        errors["closes_at"] = _(
            "Give both the opening and the closing time, closing after opening."
        )
    else:
        clean["opens_at"], clean["closes_at"] = opens, closes
    given = data.get("booking_limit")
    if given in (None, ""):
        clean["booking_limit"] = None
    else:
        number = _whole(given)
        if number is None or not 0 < number <= MAX_LIMIT:
            errors["booking_limit"] = _(
                "Give the number of bookings a unit may make in a period, or leave it empty."
            )
        clean["booking_limit"] = number
    period = data.get("limit_period") or LimitPeriod.MONTH
    if period not in LimitPeriod.values:
        errors["limit_period"] = _("Choose a month, a quarter or a year.")
    clean["limit_period"] = period
    clean["active"] = bool(data.get("active", True))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def site_create(*, actor: Actor, org: Organization, **fields: Any) -> Site:
    require_manage(actor, org)
    clean = clean_site_fields(org, fields)
    site = Site.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    audit_record(actor=actor, verb="site.create", obj=site, org=org, after=site_snapshot(site))
    return site


@transaction.atomic
def site_update(*, actor: Actor, site: Site, **fields: Any) -> Site:
    site = (
        Site.objects.select_for_update(of=("self",))
        .select_related("org", "open_to")
        .get(pk=site.pk)
    )
    require_manage(actor, site.org)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {name: getattr(site, name) for name in EDITABLE}
    merged.update(fields)
    clean = clean_site_fields(site.org, merged)
    before = site_snapshot(site)
    for name, value in clean.items():
        setattr(site, name, value)
    site.save()
    audit_record(
        actor=actor,
        verb="site.update",
        obj=site,
        org=site.org,
        before=before,
        after=site_snapshot(site),
    )
    return site
