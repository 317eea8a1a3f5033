import secrets
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from .context import client_address, current_address
from .scoping import scope_of


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx's middleware leaves it: annotate a view's request with this
    to read `request.htmx` (truthy for an htmx request)."""

    htmx: HtmxDetails


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_address.set(client_address(request.META))
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)


# The pages a security administrator or an auditor without any other role may open (三员分立:
# they read and keep what is theirs, and no business page answers them, whatever it would show).
_PERSONAL_PAGES = frozenset(
    {
        "core:home",
        "core:notifications",
        "core:notifications_read_all",
        "core:notification_open",
        "core:notification_go",
        "core:notification_read",
        "accounts:login",
        "accounts:logout",
        "accounts:activate",
        "accounts:password",
    }
)
_AUDIT_PAGES = frozenset({"core:audit"})
_AUDIT_API = ("/api/v1/audit/", "/api/v1/auth/")
_ACCOUNT_API = ("/api/v1/accounts/", "/api/v1/grants/")


class SeparatedRolesMiddleware:
    """A signed-in user whose only roles are security administrator and/or auditor (no member
    record, no read grant, not a platform admin) gets 404 outside the audit trail, the logins and
    grants pages (a security administrator's) and their own notifications and password.

    The pages check their own permissions too; this is the one place that makes "the auditor
    reaches nothing else" true of every page, present and future."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        scope = scope_of(user)
        if scope.platform or scope.read_paths or scope.member_id:
            return None
        if not (scope.audit_paths or scope.security_paths):
            return None
        if request.path.startswith("/api/"):
            allowed = _AUDIT_API + (_ACCOUNT_API if scope.security_paths else ())
            if request.path.startswith(allowed):
                return None
            raise Http404
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name in _PERSONAL_PAGES or name in _AUDIT_PAGES:
            return None
        if scope.security_paths and name.startswith("accounts:"):
            return None
        raise Http404


# The pages load nothing from outside: every script, style, font and image is served from
# static/. Inline <script> and <style> blocks carry the request's nonce; inline event handlers
# are not allowed (static/core/behaviours.js handles data-autosubmit, data-confirm, data-print).
# style attributes stay allowed (style-src-attr): progress bars set their width per row, and an
# attribute cannot run script. Browsers without CSP level 3 read style-src, which therefore
# keeps 'unsafe-inline' for them; level-3 browsers take style-src-elem instead, so an injected
# <style> element is refused there.
CSP_HEADER = "Content-Security-Policy"


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"style-src-elem 'self' 'nonce-{nonce}'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """A fresh nonce on every request (`request.csp_nonce`, `{{ csp_nonce }}` in templates) and
    the policy on every response that has not set its own.

    A tiny middleware rather than django-csp: one fixed policy, no per-view decorators, one
    dependency fewer to pin and follow.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy(nonce)
        return response
