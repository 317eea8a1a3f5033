"""API v1 for members' logins: create one or a whole org's, reissue a code, reset a password,
activate (anonymous) and change one's own password, over the same services as the pages.

A member, org or login out of the actor's sight is a 404; one in sight that the actor may not
administer is a 403. Codes appear in a response once, when they are issued.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, Paged
from peixun.core.scoping import get_visible_or_404
from peixun.members.models import Member
from peixun.orgs.models import Organization

from .. import selectors, services
from ..models import ApiToken, User
from ..services import IssuedCode
from .auth import TokenInfoOut

router = Router(tags=["accounts"])


class CodeOut(Schema):
    user: int
    member: int | None
    name: str
    login: str
    code: str
    expires_at: dt.datetime


class BulkOut(Schema):
    created: int
    skipped: int
    codes: list[CodeOut]


class CreateIn(Schema):
    member: Id


class CreateForOrgIn(Schema):
    include_subtree: bool = True


class ActivateIn(Schema):
    code: str
    password: str
    login: str = ""


class ActivatedOut(Schema):
    username: str
    login: str


class PasswordIn(Schema):
    old: str
    new: str


def code_out(issued: IssuedCode) -> dict[str, Any]:
    return {
        "user": issued.user.pk,
        "member": issued.member.pk if issued.member else None,
        "name": issued.member.name if issued.member else issued.user.display_name(),
        "login": issued.login,
        "code": issued.code,
        "expires_at": issued.expires_at,
    }


def _user_or_404(request: HttpRequest, user_id: int) -> User:
    user = selectors.account_user_visible(actor=request.user, pk=user_id)
    if user is None:
        raise Http404
    return user


@router.post("/", response={201: CodeOut})
def create_account(request: HttpRequest, payload: CreateIn) -> Status[dict[str, Any]]:
    """A login for one member; the activation code is in the answer, once."""
    member = get_visible_or_404(request.user, Member, payload.member)
    return Status(201, code_out(services.account_create(actor=request.user, member=member)))


@router.post("/orgs/{org_id}", response={201: BulkOut})
def create_accounts_for_org(
    request: HttpRequest, org_id: IdParam, payload: CreateForOrgIn
) -> Status[dict[str, Any]]:
    """Logins for every member of the org (or its subtree) without one; the codes, once."""
    org = get_visible_or_404(request.user, Organization, org_id)
    result = services.accounts_create_for_org(
        actor=request.user, org=org, include_subtree=payload.include_subtree
    )
    return Status(
        201,
        {
            "created": result.created,
            "skipped": result.skipped,
            "codes": [code_out(i) for i in result.issued],
        },
    )


@router.post("/{user_id}/reissue", response=CodeOut)
def reissue_code(request: HttpRequest, user_id: IdParam) -> dict[str, Any]:
    """A new activation code for a login not yet activated; older codes stop working."""
    user = _user_or_404(request, user_id)
    return code_out(services.activation_code_reissue(actor=request.user, user=user))


@router.post("/{user_id}/reset", response=CodeOut)
def reset_password(request: HttpRequest, user_id: IdParam) -> dict[str, Any]:
    """The password stops working; the member sets a new one with the code returned."""
    user = _user_or_404(request, user_id)
    return code_out(services.password_reset(actor=request.user, user=user))


@router.post("/activate", auth=None, response=ActivatedOut)
def activate(request: HttpRequest, payload: ActivateIn) -> dict[str, str]:
    """Anonymous: set the first password with an activation code. A wrong, used or expired code
    answers 422 with one message that does not say which."""
    user = services.account_activate(
        code=payload.code, password=payload.password, username_or_mobile=payload.login
    )
    return {"username": user.username, "login": user.mobile or user.username}


@router.post("/password", response={204: None})
def change_password(request: HttpRequest, payload: PasswordIn) -> Status[None]:
    """Change your own password (Django's password validators apply)."""
    services.password_change(actor=request.user, old=payload.old, new=payload.new)
    return Status(204, None)


@router.get("/{user_id}/tokens", response=list[TokenInfoOut])
@paginate(Paged)
def list_user_tokens(request: HttpRequest, user_id: IdParam) -> QuerySet[ApiToken]:
    """The API tokens of a login you administer (a member's login under your org, or any for a
    platform admin), to revoke with `DELETE /api/v1/auth/tokens/{id}`. Never the secret."""
    user = selectors.token_owner_manageable(actor=request.user, pk=user_id)
    if user is None:
        raise Http404
    return selectors.tokens_of(actor=request.user, user=user)
