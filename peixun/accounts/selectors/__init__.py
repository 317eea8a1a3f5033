"""Every read of the accounts app."""

from .grants import MANAGER_ROLES, grants_of, nearest_managers, org_managers

__all__ = ["MANAGER_ROLES", "grants_of", "nearest_managers", "org_managers"]
