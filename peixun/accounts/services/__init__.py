"""Every write of the accounts app: member logins and activation (`accounts`), grants
(`grants`) and API tokens (`tokens`)."""

from .accounts import (
    CODE_LIFETIME,
    BulkResult,
    IssuedCode,
    account_activate,
    account_create,
    accounts_create,
    accounts_create_for_org,
    accounts_deactivate_departed,
    activation_code_reissue,
    activation_slips_issue,
    password_change,
    password_reset,
)
from .grants import grant_create
from .tokens import token_issue, token_user

__all__ = [
    "CODE_LIFETIME",
    "BulkResult",
    "IssuedCode",
    "account_activate",
    "account_create",
    "accounts_create",
    "accounts_create_for_org",
    "accounts_deactivate_departed",
    "activation_code_reissue",
    "activation_slips_issue",
    "grant_create",
    "password_change",
    "password_reset",
    "token_issue",
    "token_user",
]
