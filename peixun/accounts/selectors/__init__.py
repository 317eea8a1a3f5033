"""Every read of the accounts app: members' logins (`accounts`), grants (`grants`), session
lengths (`sessions`) and API tokens (`tokens`)."""

from .accounts import (
    AccountFilters,
    AccountStatus,
    account_counts,
    account_org_or_404,
    account_rows,
    account_user_manageable,
    account_user_visible,
    admin_orgs,
    member_for_account,
)
from .grants import (
    MANAGER_ROLES,
    ORG_ROLES,
    counting_grants,
    grants_of,
    live_grants,
    nearest_managers,
    org_managers,
)
from .sessions import account_settings_for, remembered_session_seconds
from .tokens import attach_active_token_counts, token_owner_manageable, token_visible, tokens_of

__all__ = [
    "MANAGER_ROLES",
    "ORG_ROLES",
    "live_grants",
    "account_counts",
    "account_org_or_404",
    "account_rows",
    "account_settings_for",
    "account_user_manageable",
    "account_user_visible",
    "AccountFilters",
    "AccountStatus",
    "admin_orgs",
    "counting_grants",
    "grants_of",
    "member_for_account",
    "nearest_managers",
    "org_managers",
    "remembered_session_seconds",
    "attach_active_token_counts",
    "token_owner_manageable",
    "token_visible",
    "tokens_of",
]
