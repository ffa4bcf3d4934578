"""``install(app)``: pages, static files and HTML error pages on an API application."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkamp.api.errors import status_of
from openkamp.core.errors import InvalidInput, NotFound, OpenKampError
from openkamp.i18n import error_text
from openkamp.web import (
    account,
    alerts_page,
    assets_page,
    connections_page,
    explorer,
    importer,
    modeller,
    opcua_page,
    overview,
    recipe_page,
    score_page,
    settings_page,
    sharing_catalog_page,
    sharing_contracts_page,
    sharing_ledger_page,
    sharing_pooled_page,
)
from openkamp.web.page import (
    HERE,
    LANG_COOKIE,
    LANGS,
    LoginRequired,
    lang_of,
    render,
    safe_next,
    viewer,
)

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
    for module in (
        account, overview, assets_page, explorer, importer, modeller, score_page, recipe_page,
        settings_page, connections_page, opcua_page, alerts_page, sharing_catalog_page,
        sharing_contracts_page, sharing_ledger_page, sharing_pooled_page,
    ):  # fmt: skip
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
    _install_not_found(app, on_error)


def _install_not_found(app: FastAPI, on_error: Any) -> None:
    """Pages, not JSON, for what a browser meets outside the API: an unknown address, and an
    address whose id is not even a number (``/import/abc``) are "no such page" (404) in the
    user's language; a form with a missing or malformed field is a 422 page."""
    http_json = app.exception_handlers.get(StarletteHTTPException)
    invalid_json = app.exception_handlers.get(RequestValidationError)

    async def on_http(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith(API_PREFIX) or exc.status_code not in (404, 405):
            if http_json is not None:
                return await http_json(request, exc)  # type: ignore[misc]
            raise exc
        return await _page_error(request, NotFound("No such page.", code="web_data.page_not_found"))

    async def on_invalid(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, RequestValidationError)
        if request.url.path.startswith(API_PREFIX) and invalid_json is not None:
            return await invalid_json(request, exc)  # type: ignore[misc]
        where = {str(err.get("loc", ("",))[0]) for err in exc.errors()}
        if where & {"path", "query"}:  # a bogus id in the address: there is no such page
            error: OpenKampError = NotFound("No such page.", code="web_data.page_not_found")
        else:
            fields = sorted({str(err.get("loc", ("", ""))[-1]) for err in exc.errors()})
            error = InvalidInput(
                f"The form is incomplete: {', '.join(fields)}.",
                code="web_data.form_incomplete",
                params={"fields": ", ".join(fields)},
            )
        return await _page_error(request, error)

    async def _page_error(request: Request, error: OpenKampError) -> Any:
        # The page shows the menu to a signed-in user; a 404 needs no sign-in.
        with contextlib.suppress(LoginRequired, OpenKampError):
            viewer(request)
        return await on_error(request, error)

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_invalid)
