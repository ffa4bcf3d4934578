"""Settings: language, users of the organisation (admins), the user's own API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.web.page import Page, Posting, platform_of, render

router = APIRouter()


def _page(
    request: Request, who: Page, new_secret: str = "", status_code: int = 200
) -> HTMLResponse:
    accounts = platform_of(request).accounts
    users = accounts.list_users(who.principal) if who.is_admin else []
    tokens = accounts.list_tokens(who.principal)
    return render(
        request, "settings.html", who, status_code=status_code,
        users=users, tokens=tokens, new_secret=new_secret,
    )  # fmt: skip


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, who: Page) -> HTMLResponse:
    return _page(request, who)


@router.post("/settings/users")
def create_user(
    request: Request,
    who: Posting,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()] = "viewer",
    display_name: Annotated[str, Form()] = "",
) -> Response:
    platform_of(request).accounts.create_user(
        who.principal, login, password, role=role, display_name=display_name
    )
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/users/{user_id}/active")
def set_user_active(
    request: Request, who: Posting, user_id: int, active: Annotated[int, Form()] = 0
) -> Response:
    """Deactivate a user (their sessions end, their tokens stop working) or reactivate them."""
    platform_of(request).accounts.update_user(who.principal, user_id, active=bool(active))
    return RedirectResponse("/settings", status_code=303)


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
