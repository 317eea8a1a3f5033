"""The published contract of API v1 as a whole: what the OpenAPI document promises.

Guards that hold for every route, so a new route cannot quietly break them: one name per schema
(ninja names a schema by its class name, and two classes of one name overwrite each other in the
document), every error status documented with the error body, and every integer an input takes
bounded (so no value reaches the database as an overflow, a 500).
"""

from __future__ import annotations

import types
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from peixun.api import api
from peixun.core.apiutils import MAX_ID


def operations() -> Iterator[Any]:
    api.urls  # noqa: B018 (building the URLs binds every router)
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    if get_origin(annotation) in (Union, types.UnionType) or get_args(annotation):
        for argument in get_args(annotation):
            yield from models_in(argument)


def reachable_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    queue: list[type[BaseModel]] = []
    for operation in operations():
        for model in [*operation.response_models.values(), *operation.models]:
            if isinstance(model, type) and issubclass(model, BaseModel):
                queue.append(model)
    while queue:
        model = queue.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            queue.extend(models_in(field.annotation))
    return found


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def test_schema_names_are_unique() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in reachable_models():
        if model.__module__.startswith("ninja."):
            continue  # ninja's own wrappers are inlined, never named components
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}


def test_every_operation_documents_its_errors(schema: dict[str, Any]) -> None:
    assert "ErrorOut" in schema["components"]["schemas"]
    missing = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            wanted = {422}
            if operation.get("security"):
                wanted |= {401, 403, 404}
            if "requestBody" in operation:
                wanted.add(400)
            absent = wanted - set(operation["responses"])
            if absent:
                missing.append((method, path, sorted(absent)))
    assert missing == []


def integers(node: Any, where: str, components: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Every integer schema under `node` without an upper bound in the database's range."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if reference:
            name = reference.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield from integers(components[name], f"{where}>{name}", components, seen)
            return
        if node.get("type") == "integer" and not (
            node.get("maximum", MAX_ID + 1) <= MAX_ID
            and node.get("minimum", -MAX_ID - 1) >= -MAX_ID
        ):
            yield where
        for key, value in node.items():
            yield from integers(value, f"{where}.{key}", components, seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from integers(value, f"{where}[{index}]", components, seen)


def test_every_integer_input_is_bounded(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    unbounded: list[str] = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            inputs = {
                "parameters": operation.get("parameters", []),
                "body": operation.get("requestBody", {}),
            }
            unbounded += integers(inputs, f"{method} {path}", components, set())
    assert unbounded == []
