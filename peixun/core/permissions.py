from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor

from .scoping import can_admin_accounts, can_admin_org, can_manage_org, can_secure_org, scope_of


def require_manage(actor: Actor, org: Any) -> None:
    if not can_manage_org(actor, org):
        raise PermissionDenied(_("You may not change records of this organization."))


def require_admin(actor: Actor, org: Any) -> None:
    if not can_admin_org(actor, org):
        raise PermissionDenied(_("Only an org admin of this organization may do this."))


def require_platform(actor: Actor) -> None:
    if not scope_of(actor).platform:
        raise PermissionDenied(_("Only a platform admin may do this."))


def require_account_admin(actor: Actor, org: Any) -> None:
    if not can_admin_accounts(actor, org):
        raise PermissionDenied(
            _("Only an org admin or a security administrator of this organization may do this.")
        )


def require_security_admin(actor: Actor, org: Any) -> None:
    if not can_secure_org(actor, org):
        raise PermissionDenied(
            _("Only a security administrator of this organization or a platform admin may do this.")
        )
