"""API v1 of the accounts app: authentication (`auth`)."""

from .auth import router

__all__ = ["router"]
