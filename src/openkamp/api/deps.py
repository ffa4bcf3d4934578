"""Dependencies of the API routes, as ``Annotated`` aliases (STYLE rule 11).

``Kamp`` is the platform; ``Me`` the acting principal, from an API token
(``Authorization: Bearer okp_…``) or a browser session cookie. A session may only change things
with its CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``); a token may only change
things with the ``write`` scope. There is no route that acts without a principal except the ones
that make one (login, first-run set-up) and health.

The credentials are read through FastAPI's security classes (:data:`API_TOKEN`,
:data:`SESSION`; ``auto_error=False``: a missing one is this module's 401 in the error shape),
which is what declares them as security schemes in the API's OpenAPI description;
:data:`CSRF` is declared beside them by :mod:`openkamp.api.openapi`, as what a session's changes
also need (a scheme FastAPI can only list as an alternative, not as a companion).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from openkamp.core.errors import Forbidden, Unauthenticated
from openkamp.core.tenancy import Principal
from openkamp.platform import Platform

SESSION_COOKIE = "okp_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Scripts and other programs: an API token of the organisation.
API_TOKEN = HTTPBearer(
    scheme_name="apiToken",
    bearerFormat="okp_…",
    description="An API token: `Authorization: Bearer okp_…` (Settings → API tokens). Its "
    "scopes decide what it may do: `read` only reads; changes need `write` or `admin`.",
    auto_error=False,
)
#: The web UI: the session cookie that signing in (``POST /auth/login``) sets.
SESSION = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="session",
    description="A browser session, set by `POST /api/v1/auth/login`. Changes (POST, PATCH, "
    "DELETE) also need the session's CSRF token (scheme `csrf`).",
    auto_error=False,
)
#: What a session's changes also carry: the CSRF token ``login`` returned (or the form field
#: ``csrf_token`` of a form post).
CSRF = APIKeyHeader(
    name=CSRF_HEADER,
    scheme_name="csrf",
    description="The CSRF token of the session (`csrf_token` of the login answer), with every "
    "change a browser session makes; a form post may send it as the field `csrf_token` instead.",
    auto_error=False,
)


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


Kamp = Annotated[Platform, Depends(get_platform)]


async def get_principal(
    request: Request,
    kamp: Kamp,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(API_TOKEN)],
    cookie: Annotated[str | None, Depends(SESSION)],
) -> Principal:
    """The acting principal; 401 without valid credentials, 403 for a missing scope or CSRF."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return,unused-ignore]
    secret = token.credentials if token is not None else None
    unsafe = request.method.upper() not in SAFE_METHODS
    if secret is not None:
        principal = kamp.accounts.authenticate_token(secret)
        scopes = set(getattr(principal, "scopes", None) or ())
        if unsafe and scopes and not scopes & {"write", "admin"}:
            raise Forbidden(
                "This API token may only read.", hint="Create a token with the 'write' scope."
            )
    else:
        if not cookie:
            raise Unauthenticated(
                "Log in, or send an API token.",
                hint="Authorization: Bearer okp_… (create a token under Settings → API tokens).",
            )
        principal, session = kamp.accounts.authenticate_session(cookie)
        request.state.session = session
        if unsafe:
            csrf = request.headers.get(CSRF_HEADER)
            if csrf is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                form = await request.form()
                value = form.get("csrf_token")
                csrf = value if isinstance(value, str) else None
            kamp.accounts.check_csrf(session, csrf or "")
    request.state.principal = principal
    return principal


Me = Annotated[Principal, Depends(get_principal)]


def page_args(limit: int = 100, offset: int = 0) -> dict[str, Any]:
    return {"limit": max(1, min(int(limit), 1000)), "offset": max(0, int(offset))}
