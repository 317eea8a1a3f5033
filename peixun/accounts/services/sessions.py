"""Sessions: logging out everywhere, and the tenant's login settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_account_admin
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..models import AccountSettings, User

MAX_MEMBER_SESSION_DAYS = 90


LOGIN_VERBS = (
    "account.login",
    "account.logout",
    "account.login_failed",
    "account.locked_out",
    "account.idle_timeout",
)


def sessions_end_all(user: User) -> None:
    """Every session of `user` ends at its next request (its auth hash changes), in the caller's
    transaction: a password change or reset, or the end of a login. The caller audits the cause;
    a self-change keeps its own session with `update_session_auth_hash`."""
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])


@transaction.atomic
def sessions_end_everywhere(*, actor: Actor, user: User) -> None:
    """End every session of `user`, on every device, at its next request (a logout anywhere).
    Only the user themselves; an admin's reset of someone else's password ends them too."""
    if not actor.is_authenticated or actor.pk != user.pk:
        raise PermissionDenied(_("You may end only your own sessions."))
    sessions_end_all(user)
    audit_record(actor=actor, verb="account.sessions_end", obj=user, object_repr=user.username)


@transaction.atomic
def account_settings_update(
    *, actor: Actor, tenant: Organization, member_session_days: int
) -> AccountSettings:
    if tenant.depth != 1:
        raise ValidationError(
            {"tenant": _("Login settings belong to a tenant's top organization.")}
        )
    require_account_admin(actor, tenant)
    if not 0 <= member_session_days <= MAX_MEMBER_SESSION_DAYS:
        raise ValidationError(
            {
                "member_session_days": _("Enter a number of days from 0 to %(max)d.")
                % {"max": MAX_MEMBER_SESSION_DAYS}
            }
        )
    settings, _created = AccountSettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = snapshot(settings, ["member_session_days"])
    settings.member_session_days = member_session_days
    settings.save(update_fields=["member_session_days"])
    audit_record(
        actor=actor,
        verb="account_settings.update",
        obj=settings,
        org=tenant,
        before=before,
        after=snapshot(settings, ["member_session_days"]),
    )
    return settings


def login_audit(*, user: User | None, verb: str, username: str = "") -> None:
    """A login, logout, failed login or lockout in the audit trail (等保: identity events),
    with the client address the request middleware recorded. `username` is what was typed, for
    a failure that matches no account; a password is never recorded."""
    if verb not in LOGIN_VERBS:
        raise ValueError(verb)
    typed = (username or "")[:150]
    # Filed under the account's org, so the tenant's auditors and admins read their own people's
    # logins; a failure for an unknown login stays with the platform.
    account = user or (
        User.objects.filter(Q(username=typed) | Q(mobile=typed)).select_related("member").first()
        if typed
        else None
    )
    audit_record(
        actor=user,
        verb=verb,
        obj=user,
        object_type="" if user is not None else "accounts.user",
        object_repr=(user.username if user is not None else typed),
        org=_home_org(account),
        after={"username": typed} if typed and user is None else None,
    )


def _home_org(user: User | None) -> Organization | None:
    if user is None:
        return None
    if user.member_id is not None and user.member is not None:
        return user.member.org
    grant = user.grants.filter(org__isnull=False).select_related("org").order_by("pk").first()
    return grant.org if grant is not None else None
