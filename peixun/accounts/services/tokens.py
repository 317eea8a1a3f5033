"""Personal API tokens: issued on a login, stored only as a hash."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from peixun.core.audit import audit_record

from ..models import ApiToken, User, hash_token


@transaction.atomic
def token_issue(*, actor: User) -> str:
    """A new personal API token for `actor`; the raw value is returned once and never stored."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=actor, key_hash=hash_token(raw))
    audit_record(actor=actor, verb="token.issue", obj=token, object_repr=f"API token #{token.pk}")
    return raw


def token_user(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
