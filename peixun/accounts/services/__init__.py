"""Every write of the accounts app: grants (`grants`), sessions and login settings
(`sessions`), and API tokens (`tokens`)."""

from .grants import grant_create
from .sessions import account_settings_update, sessions_end_everywhere
from .tokens import token_issue, token_user

__all__ = [
    "account_settings_update",
    "grant_create",
    "sessions_end_everywhere",
    "token_issue",
    "token_user",
]
