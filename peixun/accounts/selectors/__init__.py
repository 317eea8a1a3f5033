"""Every read of the accounts app."""

from .grants import (
    MANAGER_ROLES,
    ORG_ROLES,
    grants_of,
    live_grants,
    nearest_managers,
    org_managers,
)

__all__ = [
    "MANAGER_ROLES",
    "ORG_ROLES",
    "grants_of",
    "live_grants",
    "nearest_managers",
    "org_managers",
]
