"""Which routes of the URLconf hand out a file: every page route and every API operation whose
view (or a function of its own module that it calls) sets a file's content type, streams a
`FileResponse`, or whose route ends in .docx/.xlsx/.pdf/.zip. The docs-check table must list each
one, so a download added later cannot escape the check. Import it once Django is set up."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from types import FunctionType
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from peixun.api import api

FILE_MARKS = re.compile(
    r"FileResponse|content_type=(?!\"application/json)|\bdownload\(|zip_bundle|merged_pdf"
    r"|CONTENT_TYPES\[|DOCUMENT_TYPES\[|\bDOCX\b|\bXLSX\b"
)
FILE_ROUTE = re.compile(r"\.(docx|xlsx|pdf|zip|<str:fmt>)$")


def _unwrap(view: Any) -> Any:
    view = getattr(view, "view_class", None) or view
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _source(function: Any) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def hands_out_file(view: Any, depth: int = 2) -> bool:
    """Whether `view`, or a function of the project's own that it calls (two calls deep at most),
    builds a file response."""
    view = _unwrap(view)
    if FILE_MARKS.search(_source(view)):
        return True
    if depth == 0 or not isinstance(view, FunctionType):
        return False
    for name in view.__code__.co_names:
        helper = view.__globals__.get(name)
        if (
            isinstance(helper, FunctionType)
            and helper.__module__ == view.__module__
            and hands_out_file(helper, depth - 1)
        ):
            return True
    return False


def _walk(patterns: list[Any], prefix: str = "", ns: str = "") -> Iterator[tuple[str, str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ns + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{ns}{pattern.name}" if pattern.name else prefix + str(pattern.pattern)
            yield prefix + str(pattern.pattern), name, pattern.callback


def _api_operations(callback: Callable[..., Any]) -> list[Any]:
    """The ninja operations behind one API URL pattern (its PathView sits in the closure)."""
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            return list(operations)
    return []


def download_routes() -> dict[str, str]:
    """Every file-giving route: identifier -> route. Page routes are named by their URL name
    (`compliance:ledger`), API operations by `api:<operation id>`."""
    found: dict[str, str] = {}
    for route, name, callback in _walk(get_resolver().url_patterns):
        operations = _api_operations(callback)
        if operations:
            for operation in operations:
                if hands_out_file(operation.view_func) or FILE_ROUTE.search(route):
                    found[f"api:{api.get_openapi_operation_id(operation)}"] = route
        elif hands_out_file(callback) or FILE_ROUTE.search(route):
            found[name] = route
    return found
