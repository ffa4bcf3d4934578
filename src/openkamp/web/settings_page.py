"""Settings: language, one's own password, users of the organisation (admins: add,
deactivate, reset a password), the user's own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.core.errors import InvalidInput, OpenKampError, TooManyAttempts
from openkamp.i18n import error_text
from openkamp.web import retention_page
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()
router.include_router(retention_page.router)  # settings › data retention


def _page(
    request: Request,
    who: Page,
    new_secret: str = "",
    status_code: int = 200,
    *,
    reset: dict[str, str] | None = None,
    password_ok: bool = False,
    password_error: tuple[str, str | None] | None = None,
    created_login: str = "",
) -> HTMLResponse:
    accounts = platform_of(request).accounts
    users = accounts.list_users(who.principal) if who.is_admin else []
    suffix = accounts.login_suffix(who.principal) if who.is_admin else ""
    tokens = accounts.list_tokens(who.principal)
    return render(
        request, "settings.html", who, status_code=status_code,
        users=users, tokens=tokens, new_secret=new_secret, reset=reset,
        password_ok=password_ok, password_error=password_error,
        login_suffix=suffix, created_login=created_login,
        own_password=who.principal.user_id is not None and not who.principal.is_token,
    )  # fmt: skip


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, who: Page) -> HTMLResponse:
    return _page(request, who)


@router.post("/settings/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    who: Posting,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()] = "viewer",
    display_name: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Add a user; the page then shows the full login to pass on (an organisation's
    administrator's logins end in ``@<organisation>``, which the form announces)."""
    user = platform_of(request).accounts.create_user(
        who.principal, login, password, role=role, display_name=display_name
    )
    return _page(request, who, status_code=201, created_login=str(user["login"]))


@router.post("/settings/users/{user_id}/active")
def set_user_active(
    request: Request, who: Posting, user_id: int, active: Annotated[int, Form()] = 0
) -> Response:
    """Deactivate a user (their sessions end, their tokens stop working) or reactivate them."""
    platform_of(request).accounts.update_user(who.principal, user_id, active=bool(active))
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    who: Posting,
    old_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password2: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Change one's own password; the other sessions of the user end, this one stays."""
    lang = lang_of(request)
    try:
        if new_password != new_password2:
            raise InvalidInput("The two new passwords differ.", code="accounts.mismatch")
        platform_of(request).accounts.change_password(
            who.principal, old_password, new_password,
            keep_session_id=(who.session or {}).get("id") if isinstance(who.session, dict)
            else getattr(who.session, "id", None),
        )  # fmt: skip
    except OpenKampError as exc:
        if isinstance(exc, TooManyAttempts) or not isinstance(exc, InvalidInput):
            raise
        return _page(request, who, status_code=422, password_error=error_text(exc, lang))
    return _page(request, who, password_ok=True)


@router.post("/settings/users/{user_id}/password", response_class=HTMLResponse)
def reset_password(request: Request, who: Posting, user_id: int) -> HTMLResponse:
    """An administrator gives a user a new random password, shown once on this page."""
    accounts = platform_of(request).accounts
    password = accounts.reset_password(who.principal, user_id)
    login = accounts.get_user(who.principal, user_id)["login"]
    return _page(request, who, reset={"login": login, "password": password})


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    who: Posting,
    name: Annotated[str, Form()],
    scope: Annotated[str, Form()] = "read",
) -> HTMLResponse:
    _record, secret = platform_of(request).accounts.create_token(who.principal, name, [scope])
    return _page(request, who, new_secret=secret, status_code=201)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(request: Request, who: Posting, token_id: int) -> Response:
    platform_of(request).accounts.revoke_token(who.principal, token_id)
    return RedirectResponse("/settings", status_code=303)
