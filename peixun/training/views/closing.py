"""Stub: replaced by the helper that owns this slice."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def my_training(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def attendance(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def makeups(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def closing(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def signin_sheet(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def certificate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
