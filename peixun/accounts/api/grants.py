"""API v1 for grants and tenants, over the same services and selectors as the pages.

Statuses: anonymous 401; a grant or an org in the path or query out of the actor's admin
subtrees 404; a user or org named in the body out of scope, or any bad value, 422; a visible
thing the actor may not change (a platform grant for an org admin) 403.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from peixun.core.apiutils import Id, IdParam, Paged, query_error
from peixun.core.permissions import require_platform
from peixun.core.scoping import scope_of
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names, attach_org_trails, orgs_administered

from .. import services
from ..models import Grant, User
from ..selectors import grants as selectors

router = Router(tags=["grants"])
tenants_router = Router(tags=["tenants"])


class GrantOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    member_id: int | None
    role: str
    role_label: str
    org_id: int | None
    org_name: str | None
    org_path: str | None
    expires_on: dt.date | None
    is_live: bool
    granted_by_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_username(obj: Grant) -> str:
        return obj.user.username

    @staticmethod
    def resolve_name(obj: Grant) -> str:
        return obj.user.display_name()

    @staticmethod
    def resolve_member_id(obj: Grant) -> int | None:
        return obj.user.member_id

    @staticmethod
    def resolve_role_label(obj: Grant) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_org_name(obj: Grant) -> str | None:
        return obj.org.name if obj.org is not None else None

    @staticmethod
    def resolve_org_path(obj: Grant) -> str | None:
        """The org with its ancestors' names, e.g. 县统计局党总支 › 办公室党支部."""
        if obj.org is None:
            return None
        if not hasattr(obj.org, "trail"):
            attach_ancestor_names([obj.org])
        return " › ".join([*obj.org.trail, obj.org.name])

    @staticmethod
    def resolve_is_live(obj: Grant) -> bool:
        return obj.is_live()


class GrantIn(Schema):
    user: Id
    role: str
    org: Id | None = None
    expires_on: dt.date | None = None


class GrantPatchIn(Schema):
    expires_on: dt.date | None = None


class TenantIn(Schema):
    code: str
    name: str
    kind: str = Organization.Kind.COMMITTEE.value
    admin_username: str
    admin_mobile: str | None = None


class TenantOut(Schema):
    org_id: int
    code: str
    name: str
    admin_user_id: int
    admin_username: str
    admin_has_password: bool
    # The first admin's activation code, once (as the page shows it), and when it expires.
    activation_code: str
    activation_expires_at: dt.datetime


def grant_or_404(request: HttpRequest, pk: int) -> Grant:
    return selectors.grant_manageable_or_404(request.user, pk)


def _body_user(request: HttpRequest, pk: int) -> User:
    user = selectors.grantable_user_or_none(request.user, pk)
    if user is None:
        raise ValidationError({"user": _("No such login in your scope.")})
    return user


def _body_org(request: HttpRequest, pk: int) -> Organization:
    org = orgs_administered(request.user, accounts=True).filter(pk=pk).first()
    if org is None:
        raise ValidationError({"org": _("No such organization in your scope.")})
    return org


class GrantPagination(Paged):
    """Limit/offset pages whose grants carry their org's trail, with one query for the page."""

    def paginate_queryset(
        self,
        queryset: QuerySet[Grant],
        pagination: LimitOffsetPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = attach_org_trails(page[self.items_attribute], lambda g: g.org)
        return page


@router.get("/", response=list[GrantOut])
@paginate(GrantPagination)
def list_grants(
    request: HttpRequest, org: IdParam | None = None, role: str = "", q: str = ""
) -> Any:
    """Who holds what on `org` and its whole subtree (everything the actor administers when
    `org` is left out), filtered by `role` and a name, username or mobile number `q`."""
    actor = request.user
    scope = scope_of(actor)
    if not (scope.platform or scope.account_paths):
        # Grants are read by those who give them; anyone else has none in scope, and no org.
        if org is not None:
            raise Http404
        return Grant.objects.none()
    org_obj = None
    if org is not None:
        org_obj = orgs_administered(actor, accounts=True).filter(pk=org).first()
        if org_obj is None:
            raise Http404
    if role and role not in Grant.Role.values:
        raise query_error("role", _("Unknown role."))
    return selectors.grants_listed(actor=actor, org=org_obj, role=role, q=q)


@router.post("/", response={201: GrantOut})
def create_grant(request: HttpRequest, payload: GrantIn) -> Status[Grant]:
    """Grant `role` on `org`'s subtree to `user` (a login of a member in your subtree), until
    `expires_on` (inclusive) if given. Platform admin takes no org."""
    actor = request.user
    # Permission first: someone who grants nothing anywhere learns nothing about names.
    if payload.role == Grant.Role.PLATFORM_ADMIN:
        require_platform(actor)
    elif not selectors.may_administer_grants(actor):
        raise PermissionDenied(_("Only an org admin may grant roles."))
    errors: dict[str, list[str]] = {}
    user: User | None = None
    org: Organization | None = None
    try:
        user = _body_user(request, payload.user)
    except ValidationError as error:
        errors.update(error.message_dict)
    if payload.org is not None and payload.role != Grant.Role.PLATFORM_ADMIN:
        try:
            org = _body_org(request, payload.org)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert user is not None
    grant = services.grant_create(
        actor=actor, user=user, role=payload.role, org=org, expires_on=payload.expires_on
    )
    return Status(201, grant)


@router.get("/{int:grant_id}", response=GrantOut)
def get_grant(request: HttpRequest, grant_id: IdParam) -> Grant:
    return grant_or_404(request, grant_id)


@router.patch("/{int:grant_id}", response=GrantOut)
def update_grant(request: HttpRequest, grant_id: IdParam, payload: GrantPatchIn) -> Grant:
    """Set the grant's expiry (`expires_on`, today or later), or clear it with null."""
    grant = grant_or_404(request, grant_id)
    return services.grant_update_expiry(
        actor=request.user, grant=grant, expires_on=payload.expires_on
    )


@router.delete("/{int:grant_id}", response={204: None})
def revoke_grant(request: HttpRequest, grant_id: IdParam) -> Status[None]:
    """Revoke the grant. The last org admin of a tenant is refused (422): grant another first."""
    grant = grant_or_404(request, grant_id)
    services.grant_revoke(actor=request.user, grant=grant)
    return Status(204, None)


@tenants_router.post("/", response={201: TenantOut})
def create_tenant(request: HttpRequest, payload: TenantIn) -> Status[dict[str, Any]]:
    """A platform admin's new tenant (root org, seeded with the national rules) and its first
    org admin, whose login has no password until they activate it with the activation code
    in the answer (shown once, as on the page)."""
    root, admin = services.tenant_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        admin_username=payload.admin_username,
        admin_mobile=payload.admin_mobile,
    )
    # The platform admin hands the code over, as from the page (accounts.views.tenant_new).
    issued = services.activation_code_reissue(actor=request.user, user=admin)
    return Status(
        201,
        {
            "org_id": root.pk,
            "code": root.code,
            "name": root.name,
            "admin_user_id": admin.pk,
            "admin_username": admin.username,
            "admin_has_password": admin.has_usable_password(),
            "activation_code": issued.code,
            "activation_expires_at": issued.expires_at,
        },
    )
