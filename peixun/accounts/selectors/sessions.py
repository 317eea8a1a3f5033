"""How long a session may last: plain members may keep their own phone signed in."""

from __future__ import annotations

from peixun.core.scoping import Actor, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of

from ..models import AccountSettings


def account_settings_for(tenant: Organization) -> AccountSettings:
    """The tenant's stored login settings, or the defaults (unsaved) before anyone changed them."""
    return AccountSettings.objects.filter(tenant=tenant).first() or AccountSettings(tenant=tenant)


def remembered_session_seconds(actor: Actor, member: Member | None) -> int:
    """How long `actor` may stay signed in on their own phone: the tenant's days for a plain
    member, 0 (until the browser closes) for anyone holding a staff grant."""
    scope = scope_of(actor)
    if member is None or scope.is_staff_like or scope.manage_paths:
        return 0
    days = account_settings_for(tenant_of(member.org)).member_session_days
    return days * 24 * 3600
