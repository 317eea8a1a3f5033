"""Every read of the accounts app."""

from .grants import MANAGER_ROLES, grants_of, nearest_managers, org_managers
from .sessions import account_settings_for, remembered_session_seconds

__all__ = [
    "MANAGER_ROLES",
    "account_settings_for",
    "grants_of",
    "nearest_managers",
    "org_managers",
    "remembered_session_seconds",
]
