"""Sign in, first-run set-up and sign out.

The sign-in and set-up forms come before any session exists, so their CSRF protection is a
double-submit token: the form page sets a random cookie and puts the same value in the form; a
post whose two values differ (another site's form) is refused.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from openkamp.accounts.clients import client_address
from openkamp.api.deps import SESSION_COOKIE
from openkamp.core.errors import Forbidden, OpenKampError
from openkamp.web.page import (
    CSRF_COOKIE,
    LoginRequired,
    Posting,
    lang_of,
    platform_of,
    render,
    safe_next,
    viewer,
)

router = APIRouter()
PRE_COOKIE = "okp_pre"  # the double-submit token of the sign-in and set-up forms


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _with_pre_token(
    request: Request, template: str, status_code: int = 200, **ctx: Any
) -> Response:
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, template, status_code=status_code, pre_token=token, **ctx)
    response.set_cookie(
        PRE_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


def _check_pre_token(request: Request, token: str) -> None:
    cookie = request.cookies.get(PRE_COOKIE, "")
    if not cookie or not token or not secrets.compare_digest(cookie, token):
        raise Forbidden(
            "The form was not sent from this site, or it is out of date.",
            hint="Reload the page and try again.",
        )


def _signed_in(request: Request) -> bool:
    try:
        viewer(request)
    except (LoginRequired, OpenKampError):  # either means "not signed in"
        return False
    return True


def _start_session(request: Request, login: str, password: str, to: str) -> Response:
    kamp = platform_of(request)
    peer = request.client.host if request.client else ""
    client = client_address(peer, request.headers, kamp.settings.trusted_proxies)
    _session, secret, csrf = kamp.accounts.login(
        login, password, client=client, user_agent=request.headers.get("user-agent", "")
    )
    response = RedirectResponse(safe_next(to), status_code=303)
    secure = _secure(request)
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(PRE_COOKIE)
    return response


def _error_key(exc: OpenKampError) -> str:
    name = type(exc).__name__
    if name == "TooManyAttempts":
        return "accounts.login.locked"  # says for how long
    if name == "WeakPassword":
        return f"web.password.{getattr(exc, 'reason', 'weak')}"
    if name == "Unauthenticated":
        return "web.login.failed"
    return ""


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    kamp = platform_of(request)
    if kamp.accounts.needs_setup():
        return RedirectResponse("/setup", status_code=303)
    if _signed_in(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return _with_pre_token(
        request, "login.html", next=safe_next(next), login="", error="", minutes=0
    )


@router.post("/login")
def login_post(
    request: Request,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    pre_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    _check_pre_token(request, pre_token)
    try:
        return _start_session(request, login, password, next)
    except OpenKampError as exc:
        key = _error_key(exc)
        if not key:
            raise
        minutes = max(1, round(float(getattr(exc, "retry_after_s", 60)) / 60))
        return _with_pre_token(
            request, "login.html", status_code=401 if key == "web.login.failed" else 429,
            next=safe_next(next), login=login, error=key, minutes=minutes,
        )  # fmt: skip


@router.get("/setup")
def setup_form(request: Request) -> Response:
    if not platform_of(request).accounts.needs_setup():
        return RedirectResponse("/login", status_code=303)
    return _with_pre_token(request, "setup.html", login="admin", display_name="", error="")


@router.post("/setup")
def setup_post(
    request: Request,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password2: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    pre_token: Annotated[str, Form()] = "",
) -> Response:
    _check_pre_token(request, pre_token)
    kamp = platform_of(request)
    if not kamp.accounts.needs_setup():
        return RedirectResponse("/login", status_code=303)
    ctx = {"login": login, "display_name": display_name}
    if password != password2:
        return _with_pre_token(
            request, "setup.html", status_code=422, error="web.setup.mismatch", **ctx
        )
    try:
        kamp.accounts.create_first_admin(
            kamp.default_org_id,
            login,
            password,
            display_name=display_name,
            language=lang_of(request),
        )
    except OpenKampError as exc:
        key = _error_key(exc)
        return _with_pre_token(
            request, "setup.html", status_code=422, error=key or exc.message, **ctx
        )
    return _start_session(request, login, password, "/")


@router.post("/logout")
def logout(request: Request, who: Posting) -> Response:
    platform_of(request).accounts.logout(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response
