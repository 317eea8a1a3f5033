"""API v1 of the accounts app: authentication (`auth`) and members' logins (`accounts`)."""

from .accounts import router as accounts_router
from .auth import router

__all__ = ["accounts_router", "router"]
