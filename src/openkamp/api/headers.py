"""Security headers on every answer, and the API docs page served from the package (offline).

``Content-Security-Policy`` allows scripts only from this server's own files: no inline script, no
``eval``, no event-handler attributes (the pages pass their data in ``data-`` attributes and
``<script type="application/json">`` blocks, which are data, never run). Styles allow
``'unsafe-inline'`` because pages and charts set ``style`` attributes (bar widths, colours, the
chart's tooltip position); scripts stay strict, which is what stops injected code. Nothing may be
loaded from another machine (the platform runs air-gapped) and no other site may frame a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: Headers every answer carries (pages, API, static files, errors).
HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
#: Answers that may be kept by the browser: the package's own unchanging files.
CACHEABLE = ("/static/", "/api/v1/docs/assets/")

#: Starts Swagger UI on the API's own description (served as a file: the page has no inline script).
DOCS_INIT = """"use strict";
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
})();
"""


class SecurityHeaders:
    """Pure ASGI middleware (no buffering, so streamed downloads stay streamed)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(CACHEABLE)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                own = {name.lower() for name, _ in HEADERS}
                headers = [
                    (k, v) for k, v in message.get("headers", [])
                    if k.lower() not in own and k.lower() != b"server"
                ]  # fmt: skip
                headers += HEADERS
                if not cacheable:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        started = False

        async def send_tracked(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            # An unexpected error answers here, with the headers, rather than in Starlette's
            # outermost error middleware (which would answer without them); it is raised on
            # for the server's log.
            if not started:
                await send_with_headers(
                    {"type": "http.response.start", "status": 500,
                     "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
                )  # fmt: skip
                await send_with_headers(
                    {"type": "http.response.body", "body": b"Internal Server Error"}
                )
            raise


def install(app: FastAPI, prefix: str) -> None:
    """The headers on every answer, and ``{prefix}/docs`` with Swagger UI from the package."""
    app.add_middleware(SecurityHeaders)
    try:  # Swagger UI 5 (reads OpenAPI 3.1) as files in a package: fastapi-offline's assets
        import fastapi_offline
    except ImportError:  # pragma: no cover - a declared dependency
        return
    app.mount(
        f"{prefix}/docs/assets",
        StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
        name="swagger-ui",
    )

    @app.get(f"{prefix}/docs/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(DOCS_INIT, media_type="text/javascript")

    @app.get(f"{prefix}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            '<!doctype html>\n<html><head><meta charset="utf-8">'
            f"<title>{app.title} API</title>"
            f'<link rel="stylesheet" href="{prefix}/docs/assets/swagger-ui.css">'
            f'<link rel="icon" href="{prefix}/docs/assets/favicon.png">'
            f'</head><body><div id="swagger-ui" data-openapi="{app.openapi_url}"></div>'
            f'<script src="{prefix}/docs/assets/swagger-ui-bundle.js"></script>'
            f'<script src="{prefix}/docs/init.js"></script>'
            "</body></html>"
        )
