from typing import Any

from django.http import HttpRequest
from treebeard.mp_tree import MP_Node

from .notifications import unread_count
from .scoping import scope_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    scope = scope_of(user)
    return {
        "nav_scope": scope,
        "nav_is_admin": scope.platform or bool(scope.admin_paths),
        # Tenant-wide settings pages are for admins of a tree's root (its path is one step long).
        "nav_is_tenant_admin": scope.platform
        or any(len(path) == MP_Node.steplen for path in scope.admin_paths),
        # Logins and grants: org admins and security administrators (login settings at a root).
        "nav_can_accounts": scope.platform or bool(scope.account_paths),
        "nav_is_tenant_accounts": scope.platform
        or any(len(path) == MP_Node.steplen for path in scope.account_paths),
        # The audit trail: org admins, security administrators and auditors.
        "nav_can_audit": scope.platform or bool(scope.audit_paths),
        "nav_can_browse": scope.platform or bool(scope.read_paths),
        "nav_can_manage": scope.platform or bool(scope.manage_paths),
        "nav_is_member": bool(scope.member_id),
        # The periodic jobs and the task queue: the platform's operators.
        "nav_is_platform": scope.platform,
        "nav_unread": _unread(user),
    }


def _unread(user: Any) -> int:
    # One COUNT on the recipient/read_at index, for the navbar badge.
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(actor=user)


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """The nonce of this response's Content-Security-Policy, for inline <script> and <style>."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
