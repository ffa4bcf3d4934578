"""The API's OpenAPI description, completed so that it tells the truth about every operation.

FastAPI describes each route's success answer (its ``response_model`` or declared content) and,
on its own, a 422 in the shape of its ``HTTPValidationError``, which this API never sends (every
error is an :class:`~openkamp.api.errors.ErrorResponse`). :func:`install` completes the
description once, when it is first asked for:

* **security**: the schemes of :mod:`openkamp.api.deps` (API token, session cookie, CSRF
  header); an operation that needs a principal takes a token, or a session, whose changes
  (POST, PATCH, DELETE) also carry the CSRF header.
* **errors**, all in the one error schema, by what the route is: 503 (storage) for every
  operation; 401 and 403 for one that needs a principal; 422 for one that reads parameters, a
  body or a principal (the service checks values too); 400 (unreadable body) for one with a
  body; 413 for an upload; 404 for one with a path parameter (the record it names). The
  errors a route can give beyond these (a 404 for a name in its query, a 409, a 429) it
  declares itself with ``responses=errors.responses(...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from openkamp.api.deps import CSRF, SAFE_METHODS, get_principal
from openkamp.api.errors import DESCRIPTIONS, HEADERS, ErrorResponse

REF = "#/components/schemas/"


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any] | None]:
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def needs_principal(route: APIRoute) -> bool:
    """Whether the route acts as a principal (depends on :func:`get_principal`)."""
    return any(call is get_principal for call in _calls(route.dependant))


def error_codes(route: APIRoute, operation: dict[str, Any]) -> set[int]:
    """The error statuses every route like ``route`` can answer (see the module's doc)."""
    codes = {503}
    principal = needs_principal(route)
    if principal:
        codes |= {401, 403}
    body = operation.get("requestBody", {}).get("content", {})
    params = operation.get("parameters", [])
    if params or body or principal:
        codes.add(422)
    if body:
        codes.add(400)
    if "multipart/form-data" in body:
        codes.add(413)
    if any(p.get("in") == "path" for p in params):
        codes.add(404)
    return codes


def _error_answer(code: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"{REF}ErrorResponse"}}},
    }
    if code in HEADERS:
        out["headers"] = HEADERS[code]
    return out


def complete(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """``schema`` (FastAPI's description of ``app``) with security and error answers."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = ErrorResponse.model_json_schema(ref_template=REF + "{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault("ErrorResponse", error_schema)
    security_schemes = components.setdefault("securitySchemes", {})
    security_schemes[CSRF.scheme_name] = CSRF.model.model_dump(
        mode="json", by_alias=True, exclude_none=True
    )

    routes = {
        (context.path_format, method.lower()): context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.include_in_schema
        for method in context.methods or ()
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            route = routes.get((path, method))
            if route is None:
                continue
            answers = operation.setdefault("responses", {})
            for code in error_codes(route, operation):
                # FastAPI's own 422 (HTTPValidationError) is replaced: it is never sent.
                if str(code) == "422" or str(code) not in answers:
                    answers[str(code)] = _error_answer(code)
            if method.upper() not in SAFE_METHODS:
                for requirement in operation.get("security", []):
                    if "session" in requirement:
                        requirement[CSRF.scheme_name] = []
            operation["responses"] = dict(sorted(answers.items()))
    for unused in ("HTTPValidationError", "ValidationError"):  # in this order: one uses the other
        if REF + unused not in set(_refs(schema)):
            schemas.pop(unused, None)
    return schema


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def install(app: FastAPI) -> None:
    """Serve the completed description as the app's OpenAPI (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(FastAPI.openapi(app), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def file_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers a file (with ``response_class=Response``): its
    200 in each media type it can have."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": {t: binary for t in media_types}}}
