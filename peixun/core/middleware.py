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
