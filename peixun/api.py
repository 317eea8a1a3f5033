"""API v1: one NinjaAPI; each app contributes a router over the same services and selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from peixun.accounts.api import accounts_router, grants_router, tenants_router
from peixun.accounts.api import router as auth_router
from peixun.accounts.services import token_user
from peixun.core.api import router as audit_router
from peixun.core.context import client_address, current_address
from peixun.events.api import router as events_router
from peixun.exams.api import router as exams_router
from peixun.hours.api import compliance_router
from peixun.hours.api import router as hours_router
from peixun.members.api import router as members_router
from peixun.orglife.api import router as orglife_router
from peixun.orgs.api import router as orgs_router
from peixun.plans.api import router as plans_router
from peixun.training.api import router as training_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
            current_address.set(client_address(request.META))
        return user


api = NinjaAPI(
    title="peixun API",
    version="1",
    description="党员干部教育培训管理平台 API v1. Authenticate with `POST /api/v1/auth/token`, "
    "then send `Authorization: Bearer <token>`.",
    auth=[BearerToken(), SessionAuth()],
    docs_url="/docs",
    urls_namespace="api-v1",
)


def validation_detail(exc: ValidationError) -> list[dict[str, Any]]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "loc": ["body", field],
                "msg": " ".join(str(m) for e in errs for m in e.messages),
                "type": "value_error",
            }
            for field, errs in exc.error_dict.items()
        ]
    return [{"loc": ["body"], "msg": " ".join(exc.messages), "type": "value_error"}]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_detail(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


api.add_router("/auth/", auth_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/grants/", grants_router)
api.add_router("/tenants/", tenants_router)
api.add_router("/orgs/", orgs_router)
api.add_router("/members/", members_router)
api.add_router("/audit/", audit_router)
api.add_router("/hours/", hours_router)
api.add_router("/compliance/", compliance_router)
api.add_router("/training/", training_router)
api.add_router("/events/", events_router)
api.add_router("/plans/", plans_router)
api.add_router("/orglife/", orglife_router)
api.add_router("/exams/", exams_router)
