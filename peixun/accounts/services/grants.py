"""Grants: who holds which role on which subtree, and the tenant a platform admin starts.

The rule for every change ("within their subtree, never above it"): an org admin or a security
administrator grants, changes and revokes org admin, secretary and viewer only on orgs inside the
subtrees they administer (`require_account_admin` on the grant's org); the security administrator
and auditor roles are granted by a security administrator over the org or a platform admin only;
platform admin is granted and revoked by a platform admin only. One person holds roles of one
family only (system / security / audit: the three-role separation). A tenant is never left
without an org admin by a revoke. Every change is audited.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import (
    require_account_admin,
    require_platform,
    require_security_admin,
)
from peixun.core.scoping import Actor, actor_id, forget_scope
from peixun.core.text import fold_width
from peixun.core.validators import mobile_validator
from peixun.orgs.models import Organization
from peixun.orgs.services import org_create

from ..models import Grant, User
from ..selectors.grants import SEPARATION_ROLES, last_org_admin, role_family_conflict


def _state(grant: Grant) -> dict[str, object]:
    return {
        "user": grant.user_id,
        "role": grant.role,
        "org": grant.org_id,
        "expires_on": grant.expires_on,
    }


def _describe(grant: Grant) -> str:
    """The audit trail's sentence object: who, which role, where."""
    where = grant.org.name if grant.org is not None else _("the platform")
    return f"{grant.user.display_name()} · {grant.get_role_display()} · {where}"


def _check_permission(actor: Actor, role: str, org: Organization | None) -> None:
    """Permission first: platform roles are the platform's; the security administrator and
    auditor roles a security administrator's over `org`; the rest need an org admin or a
    security administrator over `org` (a platform admin is all of them everywhere)."""
    if role == Grant.Role.PLATFORM_ADMIN or org is None:
        require_platform(actor)
    elif role in SEPARATION_ROLES:
        require_security_admin(actor, org)
    else:
        require_account_admin(actor, org)


def _check_expiry(expires_on: dt.date | None) -> None:
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("The expiry date cannot be in the past.")})


@transaction.atomic
def grant_create(
    *,
    actor: Actor,
    user: User,
    role: str,
    org: Organization | None,
    expires_on: dt.date | None = None,
) -> Grant:
    """Give `user` the `role` on `org`'s subtree (until `expires_on`, inclusive, if given).

    Granting again a role the user holds only in an expired grant renews it; a live one is
    refused with a message."""
    if role not in Grant.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Grant.Role.PLATFORM_ADMIN:
        org = None
    elif org is None:
        raise ValidationError({"org": _("Choose the organization this role covers.")})
    _check_permission(actor, role, org)
    errors: dict[str, str] = {}
    if org is not None and not org.is_open:
        errors["org"] = _("The organization %(name)s is closed.") % {"name": org.name}
    elif role == Grant.Role.SECRETARY and org is not None and not org.accepts_members:
        errors["org"] = _("A secretary's grant is for a branch or a Party group.")
    if not user.is_active:
        errors["user"] = _("This account is disabled.")
    elif (conflict := role_family_conflict(user, role)) is not None:
        errors["role"] = _(
            "%(name)s holds the role %(held)s: the system, security and audit roles are kept "
            "apart, so one person cannot also hold %(role)s."
        ) % {
            "name": user.display_name(),
            "held": conflict.get_role_display(),
            "role": Grant.Role(role).label,
        }
    if expires_on is not None and expires_on < timezone.localdate():
        errors["expires_on"] = _("The expiry date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.select_for_update().filter(user=user, role=role, org=org).first()
    if grant is not None:
        if grant.is_live():
            raise ValidationError(
                {
                    "user": _("%(name)s already holds this role on this organization.")
                    % {"name": user.display_name()}
                }
            )
        before = _state(grant)
        grant.expires_on = expires_on
        grant.granted_by_id = actor_id(actor)
        grant.save(update_fields=["expires_on", "granted_by"])
        audit_record(
            actor=actor,
            verb="grant.renew",
            obj=grant,
            object_repr=_describe(grant),
            org=org,
            before=before,
            after=_state(grant),
        )
    else:
        grant = Grant.objects.create(
            user=user, role=role, org=org, expires_on=expires_on, granted_by_id=actor_id(actor)
        )
        audit_record(
            actor=actor,
            verb="grant.create",
            obj=grant,
            object_repr=_describe(grant),
            org=org,
            after=_state(grant),
        )
    forget_scope(user)
    return grant


@transaction.atomic
def grant_revoke(*, actor: Actor, grant: Grant) -> None:
    """Take a grant away. The last org admin of a tenant stays: grant another one first."""
    _check_permission(actor, grant.role, grant.org)
    if last_org_admin(grant):
        assert grant.org is not None
        raise ValidationError(
            _(
                "%(name)s is the last org admin of %(tenant)s; revoking it would leave the tenant "
                "without an org admin. Grant org admin to someone else first."
            )
            % {"name": grant.user.display_name(), "tenant": grant.org.name}
        )
    before = _state(grant)
    audit_record(
        actor=actor,
        verb="grant.revoke",
        obj=grant,
        object_repr=_describe(grant),
        org=grant.org,
        before=before,
    )
    grant.delete()
    forget_scope(grant.user)


@transaction.atomic
def grant_update_expiry(*, actor: Actor, grant: Grant, expires_on: dt.date | None) -> Grant:
    """Set or clear the last day a grant gives access (today or later)."""
    _check_permission(actor, grant.role, grant.org)
    _check_expiry(expires_on)
    if expires_on is not None and last_org_admin(grant):
        assert grant.org is not None
        raise ValidationError(
            {
                "expires_on": _(
                    "The last org admin of %(tenant)s keeps the grant without an end: "
                    "grant org admin to someone else first."
                )
                % {"tenant": grant.org.name}
            }
        )
    if grant.expires_on == expires_on:
        return grant
    before = _state(grant)
    grant.expires_on = expires_on
    grant.save(update_fields=["expires_on"])
    audit_record(
        actor=actor,
        verb="grant.update",
        obj=grant,
        object_repr=_describe(grant),
        org=grant.org,
        before=before,
        after=_state(grant),
    )
    forget_scope(grant.user)
    return grant


_username_validator = UnicodeUsernameValidator()


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationError({"admin_username": _("The username is required.")})
    try:
        _username_validator(username)
    except ValidationError as error:
        raise ValidationError({"admin_username": error.messages}) from None
    if len(username) > 150:
        raise ValidationError({"admin_username": _("The username is too long.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"admin_username": _("The username %(name)s is taken.") % {"name": username}}
        )
    return username


def _clean_mobile(mobile: str | None) -> str | None:
    mobile = fold_width(mobile or "").strip()
    if not mobile:
        return None
    try:
        mobile_validator(mobile)
    except ValidationError as error:
        raise ValidationError({"admin_mobile": error.messages}) from None
    if User.objects.filter(mobile=mobile).exists():
        raise ValidationError(
            {"admin_mobile": _("The mobile number %(mobile)s is in use.") % {"mobile": mobile}}
        )
    return mobile


@transaction.atomic
def tenant_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    admin_username: str,
    admin_mobile: str | None = None,
) -> tuple[Organization, User]:
    """A new tenant (its root org, seeded with the national rules by `org_create`) and its first
    org admin: a login with no usable password, granted org admin on the root. The admin gets
    their password through an activation code issued from the accounts page."""
    require_platform(actor)
    errors: dict[str, list[str]] = {}
    username = mobile = None
    try:
        username = _clean_username(admin_username)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        mobile = _clean_mobile(admin_mobile)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        root = org_create(actor=actor, parent=None, code=code, name=name, kind=kind)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        # org_create may have written the root: raising undoes it with the whole transaction.
        raise ValidationError(errors)
    assert username is not None
    user = User(username=username, mobile=mobile)
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        verb="user.create",
        obj=user,
        object_repr=username,
        org=root,
        after={"username": username, "mobile": mobile},
    )
    grant = Grant.objects.create(
        user=user, role=Grant.Role.ORG_ADMIN, org=root, granted_by_id=actor_id(actor)
    )
    audit_record(
        actor=actor,
        verb="grant.create",
        obj=grant,
        object_repr=_describe(grant),
        org=root,
        after=_state(grant),
    )
    return root, user
