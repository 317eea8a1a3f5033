"""Every write of the accounts app: member logins and activation (`accounts`), grants
(`grants`), sessions and login settings (`sessions`), and API tokens (`tokens`); tenants are created in `grants`."""

from .accounts import (
    CODE_LIFETIME,
    BulkResult,
    IssuedCode,
    account_activate,
    account_create,
    account_create_outside,
    accounts_create,
    accounts_create_for_org,
    accounts_deactivate_departed,
    activation_code_reissue,
    activation_slips_issue,
    password_change,
    password_reset,
)
from .grants import grant_create, grant_revoke, grant_update_expiry, tenant_create
from .sessions import (
    LOGIN_VERBS,
    account_settings_update,
    login_audit,
    sessions_end_all,
    sessions_end_everywhere,
)
from .tokens import (
    DEFAULT_TOKEN_NAME,
    IssuedToken,
    token_issue,
    token_revoke,
    token_user,
    tokens_revoke_all,
)

__all__ = [
    "account_activate",
    "account_create",
    "account_create_outside",
    "account_settings_update",
    "accounts_create",
    "accounts_create_for_org",
    "accounts_deactivate_departed",
    "activation_code_reissue",
    "activation_slips_issue",
    "BulkResult",
    "CODE_LIFETIME",
    "grant_create",
    "grant_revoke",
    "grant_update_expiry",
    "tenant_create",
    "IssuedCode",
    "password_change",
    "password_reset",
    "sessions_end_all",
    "sessions_end_everywhere",
    "login_audit",
    "LOGIN_VERBS",
    "DEFAULT_TOKEN_NAME",
    "IssuedToken",
    "token_issue",
    "token_revoke",
    "token_user",
    "tokens_revoke_all",
]
