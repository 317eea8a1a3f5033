"""Personal API tokens: named, issued on a login, stored only as a hash, ending at their expiry or
when revoked (by their owner, an org admin above the owner, a platform admin, or by a password
change, a password reset or the end of the login)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.prepared import PreparedQuery, PreparedUpdate
from peixun.core.scoping import Actor, actor_id, grants_known
from peixun.orgs.models import Organization

from ..models import ApiToken, User, hash_token
from ..selectors.grants import counting_grants

DEFAULT_TOKEN_NAME = "API"
TOKEN_NAME_MAX = 80
# A token's last use is written at most this often: a busy script must not write on every call.
LAST_USED_EVERY = dt.timedelta(minutes=1)
# Every API call asks this: prepared once per process (see peixun.core.prepared). With the
# token: whether its owner holds any grant, so a plain member's scope needs no query of its own.
_LIVE_TOKEN: PreparedQuery[ApiToken] = PreparedQuery(
    lambda key_hash, now, today: (
        ApiToken.objects.active(now)
        .select_related("user")
        .filter(key_hash=key_hash)
        .annotate(holds_grants=Exists(counting_grants(OuterRef("user_id"), today)))
    ),
    kinds=(str, dt.datetime, dt.date),
)
# Every API call's token records its use (at most once a minute): written once per process.
_TOUCH: PreparedUpdate[ApiToken] = PreparedUpdate(ApiToken, ("last_used_at",))


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: the raw value exists only here, to be shown once."""

    token: ApiToken
    raw: str


def _clean_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError({"name": _("Give the token a name, such as the script it is for.")})
    if len(cleaned) > TOKEN_NAME_MAX:
        raise ValidationError(
            {"name": _("Keep the name within %(max)d characters.") % {"max": TOKEN_NAME_MAX}}
        )
    return cleaned


def _clean_days(days: int | None) -> int:
    if days is None:
        return int(settings.API_TOKEN_DEFAULT_DAYS)
    longest = int(settings.API_TOKEN_MAX_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise ValidationError(
            {"expires_in_days": _("Enter a number of days from 1 to %(max)d.") % {"max": longest}}
        )
    return days


def _org_of(user: User) -> Organization | None:
    return user.member.org if user.member_id and user.member else None


@transaction.atomic
def token_issue(
    *, actor: Actor, name: str | None = DEFAULT_TOKEN_NAME, expires_in_days: int | None = None
) -> IssuedToken:
    """A new personal API token for `actor`, valid `expires_in_days` (the default when None, at
    most API_TOKEN_MAX_DAYS); the raw value is returned once and never stored. A user holds at
    most API_TOKEN_MAX_ACTIVE live tokens: past that, they revoke one first."""
    if not actor.is_authenticated:
        raise PermissionDenied
    cleaned = _clean_name(name)
    days = _clean_days(expires_in_days)
    # The owner's row locked: two token calls at once cannot both pass the cap.
    user = (
        User.objects.select_for_update(of=("self",)).select_related("member__org").get(pk=actor.pk)
    )
    now = timezone.now()
    cap = int(settings.API_TOKEN_MAX_ACTIVE)
    if ApiToken.objects.filter(user=user).active(now).count() >= cap:
        raise ValidationError(
            _(
                "You already hold %(max)d active API tokens. Revoke one you no longer use "
                "(on the API tokens page, or DELETE /api/v1/auth/tokens/{id}) and try again."
            )
            % {"max": cap}
        )
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, name=cleaned, key_hash=hash_token(raw), expires_at=now + dt.timedelta(days=days)
    )
    audit_record(
        actor=user,
        verb="token.issue",
        obj=token,
        org=_org_of(user),
        object_repr=cleaned,
        after={"name": cleaned, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """The token stops working at once: by its owner, an org admin over the owner's member
    record, or a platform admin."""
    locked: ApiToken | None = (
        ApiToken.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("user__member__org")
        .filter(pk=token.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(
            _("You may revoke only your own tokens or those of logins you manage.")
        )
    if locked.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by_id = actor_id(actor)
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        verb="token.revoke",
        obj=locked,
        org=_org_of(locked.user),
        object_repr=locked.name,
        after={"name": locked.name, "owner": locked.user.username},
    )
    return locked


def tokens_revoke_all(*, actor: Actor | None, user: User, reason: str) -> int:
    """Every live token of `user` stops working, in the caller's transaction: a password change,
    a password reset or the end of a login. The caller has checked the actor's right to do that;
    one audit event with the count, none when there was nothing to revoke."""
    now = timezone.now()
    count = (
        ApiToken.objects.filter(user=user)
        .active(now)
        .update(revoked_at=now, revoked_by_id=actor_id(actor))
    )
    if count:
        audit_record(
            actor=actor,
            verb="token.revoke_all",
            obj=user,
            org=_org_of(user),
            object_repr=user.display_name(),
            after={"tokens": count, "reason": reason},
        )
    return count


def token_user(raw: str) -> User | None:
    """The owner of a live token, or None (unknown, revoked, expired, or a disabled login).
    Records its use at most once a minute."""
    now = timezone.now()
    token = _LIVE_TOKEN.first(hash_token(raw), now, timezone.localdate(now))
    if token is None:
        return None
    owner: User = token.user
    if not owner.is_active:
        return None
    if not token.holds_grants:  # type: ignore[attr-defined]  # annotated above
        grants_known(owner, ())
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
        _TOUCH.update(token)
    return owner
