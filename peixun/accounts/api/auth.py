"""API v1 authentication: exchange a login and password for a personal bearer token.

The login is a username or a mobile number (`UsernameOrMobileBackend`); django-axes counts the
failures here exactly as on the login page, and answers 429 while an account is locked.
"""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from peixun.core.apiutils import ErrorOut

from ..services import token_issue

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    """Exchange a username (or mobile number) and password for a personal bearer token.

    Send it afterwards as `Authorization: Bearer <token>`. The token is shown once and stored
    only as a hash. Wrong credentials answer 401.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, _("The login or password is wrong."))
    return {"token": token_issue(actor=user)}
