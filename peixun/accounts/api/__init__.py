"""API v1 of the accounts app: authentication (`auth`), grants and tenants (`grants`)."""

from .auth import router
from .grants import router as grants_router
from .grants import tenants_router

__all__ = ["grants_router", "router", "tenants_router"]
