import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from .context import client_address, current_address


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
