from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from .services import token_issue

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response=TokenOut)
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    """Exchange a username (or mobile number) and password for a personal bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "Invalid credentials")
    return {"token": token_issue(actor=user)}
