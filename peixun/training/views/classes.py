"""Stub: replaced by the helper that owns this slice."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def class_list(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def class_calendar(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def class_new(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def training_settings(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def class_detail(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def class_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_new(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_edit(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_delete(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def class_publish(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def class_cancel(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
