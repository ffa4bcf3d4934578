"""``install(app)``: pages, static files and HTML error pages on an API application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from openkamp.api.errors import status_of
from openkamp.core.errors import OpenKampError
from openkamp.i18n import error_text
from openkamp.web import account, explorer, importer, modeller, overview, settings_page
from openkamp.web.page import HERE, LANG_COOKIE, LANGS, LoginRequired, lang_of, render, safe_next

API_PREFIX = "/api/"
ONE_YEAR = 365 * 24 * 3600


def _language(request: Request, code: str, next: str = "/") -> Response:
    """Switch the interface language and go back to the page (a preference, not a change of
    data: a plain link, no CSRF token needed)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response


def install(app: FastAPI) -> None:
    """Add the web UI to ``app`` (built by :func:`openkamp.api.create_app`)."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_api_route("/lang/{code}", _language, methods=["GET"], include_in_schema=False)
    for module in (account, overview, explorer, importer, modeller, settings_page):
        app.include_router(module.router, include_in_schema=False)

    json_handler = app.exception_handlers.get(OpenKampError)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(exc.to, status_code=303)

    async def on_error(request: Request, exc: Exception) -> Any:
        """Errors of API routes stay JSON; a page shows them in words, in the user's language."""
        assert isinstance(exc, OpenKampError)
        if request.url.path.startswith(API_PREFIX) and json_handler is not None:
            return await json_handler(request, exc)  # type: ignore[misc]
        code = status_of(exc)
        if code == 401:
            return RedirectResponse("/login", status_code=303)
        who = getattr(request.state, "viewer", None)
        message, hint = error_text(exc, lang_of(request))
        return render(
            request, "error.html", who, status_code=code, error=exc, code=code,
            error_message=message, error_hint=hint,
        )  # fmt: skip

    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(OpenKampError, on_error)
