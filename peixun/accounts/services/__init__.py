"""Every write of the accounts app: grants (`grants`) and API tokens (`tokens`)."""

from .grants import grant_create
from .tokens import token_issue, token_user

__all__ = ["grant_create", "token_issue", "token_user"]
