"""Stub: replaced by the helper that owns this slice."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def my_places(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def roster(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def quotas(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def nominate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def name_members(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def enrolment_action(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def roster_export(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


def notice_docx(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404
