"""Domain errors to HTTP responses: the only place status codes are chosen (STYLE rule 10).

Every error response has the same JSON shape, :class:`ErrorResponse` (the one error schema of
the API's OpenAPI description)::

    {"error": {"type": "NotFound", "code": "asset_not_found", "message": "…", "hint": "…"}}

A refused request (``request.invalid``, 422) adds ``fields``: where and why. Message and hint are
in the request's language: the UI's language cookie, else the first of Korean or English in
``Accept-Language``, else English (API clients); ``code`` is stable.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkamp.core import errors as e
from openkamp.i18n import error_text

LANG_COOKIE = "okp_lang"

#: Status code per error class; the most specific class wins (checked in MRO order).
STATUS: dict[type[e.OpenKampError], int] = {
    e.TooManyAttempts: 429,
    e.Unauthenticated: 401,
    e.NotFound: 404,
    e.Forbidden: 403,
    e.Conflict: 409,
    e.ImportRejected: 422,
    e.TooLarge: 413,
    e.InvalidInput: 422,
    e.UnknownBackend: 500,
    e.ConfigError: 500,
    e.StorageError: 503,
}


class FieldProblem(BaseModel):
    """One part of a request that validation refused."""

    model_config = ConfigDict(extra="forbid")

    loc: list[str | int] = Field(description="Where: query / path / body, then the field's path")
    msg: str = Field(description="Why, in English (the framework's words)")


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="The error's kind: NotFound, InvalidInput, HTTPError, …")
    code: str | None = Field(
        description="Stable code of the error (request.invalid, http.not_found, …); null for "
        "an error that has none"
    )
    message: str = Field(description="What went wrong, in the request's language")
    hint: str | None = Field(description="How to fix it, where there is a way")
    fields: list[FieldProblem] | SkipJsonSchema[None] = Field(
        default=None, description="request.invalid only: each refused part of the request"
    )


class ErrorResponse(BaseModel):
    """The body of every error answer of the API."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


#: What each error status means in this API (the OpenAPI description of the answers).
DESCRIPTIONS: dict[int, str] = {
    400: "The request body cannot be read (not JSON, nested too deeply, a broken form): "
    "request.unreadable.",
    401: "No valid credentials: send an API token (Authorization: Bearer okp_…) or sign in. "
    "Sign-in itself answers 401 for a wrong login or password.",
    403: "The principal may not do this: its role, a read-only token asked to change something, "
    "or a browser session's change without its CSRF token.",
    404: "No such record in the acting organisation (another organisation's records are never "
    "found).",
    409: "The change would break a rule: a name already taken, or a record still in use.",
    413: "The upload is larger than the size limit or the organisation's quota: upload.too_large.",
    422: "A value of the request is wrong: request.invalid (with fields) when the request does "
    "not match this description, else the service's own code.",
    429: "Too many failed sign-ins: wait Retry-After seconds.",
    503: "A storage engine failed; try again later.",
}

#: Headers that answers of a status always carry.
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds until sign-in may be tried again",
            "schema": {"type": "integer"},
        }
    },
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route for the errors it can answer beyond those every route of its
    kind can (see :mod:`openkamp.api.openapi`), all in the one error shape."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        out[code] = {"model": ErrorResponse, "description": DESCRIPTIONS[code]}
        if code in HEADERS:
            out[code]["headers"] = HEADERS[code]
    return out


def status_of(exc: e.OpenKampError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def request_lang(request: Request | None) -> str:
    """The language of an API answer: the UI's cookie; for the UI's own calls (a browser
    session), the installation's language, as its pages speak; else Accept-Language, else
    English (scripts and other programs)."""
    if request is None:
        return "en"
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in ("ko", "en"):
        return cookie
    if request.cookies.get("okp_session"):
        settings = getattr(request.app.state, "settings", None)
        default = str(getattr(settings, "language", "ko"))
        return default if default in ("ko", "en") else "ko"
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in ("ko", "en"):
            return tag
    return "en"


def _body(detail: ErrorDetail) -> dict[str, Any]:
    """The JSON body of an error: built through the documented schema, so the answer and its
    description cannot drift apart (``fields`` only where it was given)."""
    return ErrorResponse(error=detail).model_dump(mode="json", exclude_unset=True)


def error_body(exc: e.OpenKampError, request: Request | None = None) -> dict[str, Any]:
    message, hint = error_text(exc, request_lang(request))
    return _body(ErrorDetail(type=type(exc).__name__, code=exc.code, message=message, hint=hint))


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, e.OpenKampError)
        code = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
        if isinstance(exc, e.TooManyAttempts):
            headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}
        return JSONResponse(error_body(exc, request), status_code=code, headers=headers)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        """Errors raised by the framework itself (an unreadable body, an unknown address, a
        wrong method) in the one error shape, in the reader's language."""
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        code = {400: "request.unreadable", 404: "http.not_found", 405: "http.method"}.get(
            status, "http.other"
        )
        error = e.InvalidInput(str(exc.detail), code=code, params={"status": status})
        message, hint = error_text(error, request_lang(request))
        body = _body(ErrorDetail(type="HTTPError", code=code, message=message, hint=hint))
        return JSONResponse(body, status_code=status, headers=getattr(exc, "headers", None))

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for err in exc.errors()[:10]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        said, _ = error_text(
            e.InvalidInput("", code="request.invalid", params={"problems": "; ".join(problems)}),
            request_lang(request),
        )
        fields = [
            FieldProblem(loc=list(err.get("loc", ())), msg=str(err.get("msg", "invalid")))
            for err in exc.errors()[:50]
        ]
        detail = ErrorDetail(
            type="InvalidInput",
            code="request.invalid",
            message=said,
            hint="See the API schema at /api/v1/docs.",
            fields=fields,
        )
        return JSONResponse(_body(detail), status_code=422)

    app.add_exception_handler(e.OpenKampError, handle)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
