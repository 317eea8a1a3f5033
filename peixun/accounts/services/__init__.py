"""Every write of the accounts app: grants and tenants (`grants`) and API tokens (`tokens`)."""

from .grants import grant_create, grant_revoke, grant_update_expiry, tenant_create
from .tokens import token_issue, token_user

__all__ = [
    "grant_create",
    "grant_revoke",
    "grant_update_expiry",
    "tenant_create",
    "token_issue",
    "token_user",
]
