"""API v1: one NinjaAPI; each app contributes a router over the same services and selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, SessionAuth

from peixun.accounts.api import accounts_router, grants_router, tenants_router
from peixun.accounts.api import router as auth_router
from peixun.accounts.services import token_user
from peixun.core.api import router as audit_router
from peixun.core.apiutils import ErrorOut
from peixun.core.context import client_address, current_address
from peixun.events.api import router as events_router
from peixun.exams.api import router as exams_router
from peixun.hours.api import compliance_router
from peixun.hours.api import router as hours_router
from peixun.learning.api import router as learning_router
from peixun.members.api import router as members_router
from peixun.orglife.api import router as orglife_router
from peixun.orgs.api import router as orgs_router
from peixun.plans.api import router as plans_router
from peixun.reports.api import router as reports_router
from peixun.resources.api import router as resources_router
from peixun.spending.api import router as spending_router
from peixun.surveys.api import router as surveys_router
from peixun.training.api import router as training_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
            current_address.set(client_address(request.META))
        return user


ERROR_SENTENCES = {
    400: "The request body could not be read (not JSON, or a multipart body without its boundary).",
    401: "Not signed in: no valid bearer token or session.",
    403: "Signed in, but not allowed to do this to a visible object (or the CSRF check failed).",
    404: "No such object in the caller's scope.",
    422: "A parameter or body field is missing, malformed or out of range, or the change was "
    "refused; `detail` lists the problems by field.",
}


def document_errors(schema: OpenAPISchema) -> None:
    """Add the error answers every operation can give to its documented responses.

    Ninja documents only what a route declares (usually its 200), but the exception handlers
    below answer 400, 401, 403, 404 and 422 for any route; the published schema has to say so,
    with their one body shape `ErrorOut`. A route that declares its own body for a status (an
    import's 422 with its rows' errors) keeps it.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    reference = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            statuses = [422]
            if "requestBody" in operation:
                statuses.append(400)
            if operation.get("security"):
                statuses += [401, 403, 404]
            elif any(p.get("in") == "path" for p in operation.get("parameters", [])):
                statuses.append(404)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(status, {"description": ERROR_SENTENCES[status], **reference})


class PeixunAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


api = PeixunAPI(
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


@api.exception_handler(MultiPartParserError)
def on_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body without its boundary (or cut short) is the client's mistake, not a 500.
    message = _("The request body could not be read as a multipart form (%(error)s).")
    return api.create_response(request, {"detail": message % {"error": exc}}, status=400)


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
api.add_router("/spending/", spending_router)
api.add_router("/learning/", learning_router)
api.add_router("/resources/", resources_router)
api.add_router("/surveys/", surveys_router)
api.add_router("/reports/", reports_router)
