"""API v1 of the accounts app: authentication (`auth`), members' logins (`accounts`), grants and
tenants (`grants`)."""

from .accounts import router as accounts_router
from .auth import router
from .grants import router as grants_router
from .grants import tenants_router

__all__ = ["accounts_router", "grants_router", "router", "tenants_router"]
