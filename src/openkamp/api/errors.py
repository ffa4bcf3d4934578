"""Domain errors to HTTP responses: the only place status codes are chosen (STYLE rule 10).

Every error response has the same JSON shape::

    {"error": {"type": "NotFound", "code": "asset_not_found", "message": "…", "hint": "…"}}

Message and hint are in the request's language: the UI's language cookie, else the first of
Korean or English in ``Accept-Language``, else English (API clients); ``code`` is stable.
"""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def error_body(exc: e.OpenKampError, request: Request | None = None) -> dict[str, object]:
    message, hint = error_text(exc, request_lang(request))
    return {
        "error": {"type": type(exc).__name__, "code": exc.code, "message": message, "hint": hint}
    }


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
        body = {"error": {"type": "HTTPError", "code": code, "message": message, "hint": hint}}
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
        body = {
            "error": {
                "type": "InvalidInput",
                "code": "request.invalid",
                "message": said,
                "hint": "See the API schema at /api/v1/docs.",
                "fields": [
                    {"loc": list(err.get("loc", ())), "msg": err.get("msg")}
                    for err in exc.errors()[:50]
                ],
            }
        }
        return JSONResponse(body, status_code=422)

    app.add_exception_handler(e.OpenKampError, handle)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
