"""Dependencies of the API routes, as ``Annotated`` aliases (STYLE rule 11).

``Kamp`` is the platform; ``Me`` the acting principal, from an API token
(``Authorization: Bearer okp_…``) or a browser session cookie. A session may only change things
with its CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``); a token may only change
things with the ``write`` scope. There is no route that acts without a principal except the ones
that make one (login, first-run set-up) and health.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from openkamp.core.errors import Forbidden, Unauthenticated
from openkamp.core.tenancy import Principal
from openkamp.platform import Platform

SESSION_COOKIE = "okp_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


Kamp = Annotated[Platform, Depends(get_platform)]


def bearer_secret(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, secret = auth.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip()
    return None


async def get_principal(request: Request, kamp: Kamp) -> Principal:
    """The acting principal; 401 without valid credentials, 403 for a missing scope or CSRF."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return,unused-ignore]
    secret = bearer_secret(request)
    unsafe = request.method.upper() not in SAFE_METHODS
    if secret is not None:
        principal = kamp.accounts.authenticate_token(secret)
        scopes = set(getattr(principal, "scopes", None) or ())
        if unsafe and scopes and not scopes & {"write", "admin"}:
            raise Forbidden(
                "This API token may only read.", hint="Create a token with the 'write' scope."
            )
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise Unauthenticated(
                "Log in, or send an API token.",
                hint="Authorization: Bearer okp_… (create a token under Settings → API tokens).",
            )
        principal, session = kamp.accounts.authenticate_session(cookie)
        request.state.session = session
        if unsafe:
            token = request.headers.get(CSRF_HEADER)
            if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                form = await request.form()
                value = form.get("csrf_token")
                token = value if isinstance(value, str) else None
            kamp.accounts.check_csrf(session, token or "")
    request.state.principal = principal
    return principal


Me = Annotated[Principal, Depends(get_principal)]


def page_args(limit: int = 100, offset: int = 0) -> dict[str, Any]:
    return {"limit": max(1, min(int(limit), 1000)), "offset": max(0, int(offset))}
