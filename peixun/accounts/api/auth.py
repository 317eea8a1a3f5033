"""API v1 authentication: exchange a login and password for a named personal bearer token, list
one's tokens and revoke them.

The login is a username or a mobile number (`UsernameOrMobileBackend`); django-axes counts the
failures here exactly as on the login page, and answers 429 while an account is locked. Each
token call is a login that issues one more token (at most API_TOKEN_MAX_ACTIVE live at once);
a token ends at its expiry, when revoked, and when its owner's password changes or is reset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from peixun.core.apiutils import ErrorOut, IdParam, Int, Paged

from .. import selectors
from ..models import ApiToken
from ..services import DEFAULT_TOKEN_NAME, token_issue, token_revoke

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = DEFAULT_TOKEN_NAME
    expires_in_days: Int | None = None


class TokenOut(Schema):
    token: str
    id: int
    name: str
    expires_at: dt.datetime


class TokenInfoOut(Schema):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    state: str

    @staticmethod
    def resolve_state(obj: ApiToken) -> str:
        return obj.state()


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    """Exchange a username (or mobile number) and password for a named personal bearer token.

    Send it afterwards as `Authorization: Bearer <token>`. The token is shown once and stored
    only as a hash. `expires_in_days` defaults to 30 (at most 90 unless the operator sets
    otherwise). Wrong credentials answer 401; a bad name or expiry, or too many live tokens,
    answer 422.
    """
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, _("The login or password is wrong."))
    issued = token_issue(actor=user, name=payload.name, expires_in_days=payload.expires_in_days)
    return {
        "token": issued.raw,
        "id": issued.token.pk,
        "name": issued.token.name,
        "expires_at": issued.token.expires_at,
    }


@router.get("/tokens", response=list[TokenInfoOut])
@paginate(Paged)
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """Your own tokens, live ones first: name, when issued, last used, expiry and state
    (`active`, `expired` or `revoked`). Never the secret."""
    user = selectors.token_owner_manageable(actor=request.user, pk=request.user.pk)
    if user is None:
        raise Http404
    return selectors.tokens_of(actor=request.user, user=user)


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: IdParam) -> Status[None]:
    """Revoke a token: your own, one of a login under an org you administer, or any for a
    platform admin. It answers 401 from then on. A token out of reach is a 404; one already
    revoked a 422."""
    token = selectors.token_visible(actor=request.user, pk=token_id)
    if token is None:
        raise Http404
    token_revoke(actor=request.user, token=token)
    return Status(204, None)
