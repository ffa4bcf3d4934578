"""Signing in: first-run set-up, login / logout (browser sessions), who am I."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from openkamp.accounts.clients import client_address
from openkamp.api.deps import SESSION_COOKIE, Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer, Timestamp, record_out
from openkamp.core.errors import Conflict

router = APIRouter(prefix="/auth", tags=["auth"])


class SetupRequest(BaseModel):
    login: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    display_name: str = ""
    language: str = "ko"


class LoginRequest(BaseModel):
    login: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


AnyRole = Literal["operator", "admin", "engineer", "viewer"]


class User(Answer):
    """A user of the organisation (never the password hash)."""

    id: int
    org_id: int
    login: str
    display_name: str
    role: AnyRole
    language: str
    active: bool
    created_at: Timestamp
    last_login_at: Timestamp | None


class SetupState(Answer):
    needs_setup: bool


class SignedIn(Answer):
    csrf_token: str = Field(description="Send as X-CSRF-Token with every change of this session")
    expires_at: Timestamp


class OrgRef(Answer):
    id: int
    name: str
    display_name: str


class Whoami(Answer):
    login: str
    org: OrgRef
    roles: list[AnyRole]
    scopes: list[Literal["read", "write", "admin"]] | None = Field(
        description="The token's scopes; null for a browser session"
    )
    user: User | None = None


def user_out(rec: dict[str, Any]) -> dict[str, Any]:
    return record_out(rec, hide=("password_hash",))


def set_session_cookie(response: Response, request: Request, secret: str, max_age_s: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age_s,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.get("/setup", response_model=SetupState)
def auth_setup_needed(kamp: Kamp) -> dict[str, bool]:
    """Whether the platform still needs its first administrator (no principal needed)."""
    return {"needs_setup": kamp.accounts.needs_setup()}


@router.post("/setup", status_code=201, response_model=User, responses=responses(409))
def auth_setup(body: SetupRequest, kamp: Kamp) -> dict[str, Any]:
    """Create the first administrator (the platform operator); only while no user exists."""
    if not kamp.accounts.needs_setup():
        raise Conflict("The platform is already set up.", hint="Log in instead.")
    user = kamp.accounts.create_first_admin(
        kamp.default_org_id,
        body.login,
        body.password,
        display_name=body.display_name,
        language=body.language,
    )
    return user_out(user)


@router.post("/login", response_model=SignedIn, responses=responses(401, 429))
def auth_login(
    body: LoginRequest, request: Request, response: Response, kamp: Kamp
) -> dict[str, Any]:
    """Sign in: sets the session cookie and returns the CSRF token that unsafe requests carry."""
    peer = request.client.host if request.client else ""
    client = client_address(peer, request.headers, kamp.settings.trusted_proxies)
    session, secret, csrf = kamp.accounts.login(
        body.login, body.password, client=client, user_agent=request.headers.get("user-agent", "")
    )
    max_age = int(kamp.settings.session_max_hours * 3600)
    set_session_cookie(response, request, secret, max_age)
    return {"csrf_token": csrf, "expires_at": session["expires_at"].isoformat()}


@router.post("/logout", status_code=204)
def auth_logout(request: Request, me: Me, kamp: Kamp) -> Response:
    """End this browser session (tokens are revoked under /tokens)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        kamp.accounts.logout(cookie)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Whoami)
def auth_me(me: Me, kamp: Kamp) -> dict[str, Any]:
    """The acting user, their organisation and roles (and the token's scopes, for a token)."""
    org = kamp.meta.get_org(me.org_id)
    out: dict[str, Any] = {
        "login": me.name,
        "org": {"id": org["id"], "name": org["name"], "display_name": org["display_name"]},
        "roles": sorted(r.value for r in me.roles),
        "scopes": None if me.scopes is None else sorted(str(s) for s in me.scopes),
    }
    if me.user_id is not None:
        out["user"] = user_out(kamp.accounts.me(me))
    return out
