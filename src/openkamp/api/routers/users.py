"""Users and API tokens of the organisation (administrators manage users; everyone their tokens)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer, Timestamp, record_out
from openkamp.api.routers.auth import User, user_out
from openkamp.core.tenancy import Role

router = APIRouter(tags=["users"])

RoleName = Literal["admin", "engineer", "viewer"]
ScopeName = Literal["read", "write", "admin"]


def _read_only() -> list[ScopeName]:
    return ["read"]


class UserCreate(BaseModel):
    login: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    role: RoleName = "viewer"
    display_name: str = ""
    language: Literal["ko", "en"] = "ko"


class UserUpdate(BaseModel):
    role: RoleName | None = None
    display_name: str | None = None
    language: Literal["ko", "en"] | None = None
    active: bool | None = None


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=256)


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    scopes: list[ScopeName] = Field(default_factory=_read_only)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class UserWithPassword(User):
    password: str = Field(description="The new password: in this answer only")


class Token(Answer):
    """An API token (never its secret)."""

    id: int
    org_id: int
    user_id: int
    name: str
    prefix: str
    hint: str = Field(description="How the secret begins, to recognise it: okp_<prefix>_…")
    scopes: list[ScopeName]
    status: Literal["active", "revoked", "expired"]
    created_at: Timestamp
    expires_at: Timestamp | None
    revoked_at: Timestamp | None
    last_used_at: Timestamp | None


class NewToken(Token):
    secret: str = Field(description="The token itself (okp_…): in this answer only")


class Org(Answer):
    id: int
    name: str
    display_name: str
    created_at: Timestamp
    industry: str | None = Field(
        None, description="KSIC industry code (data sharing's industry clause), if recorded"
    )


class NewOrg(Answer):
    org: Org
    admin: User


def token_out(rec: dict[str, Any]) -> dict[str, Any]:
    return record_out(rec, hide=("token_hash",))


@router.get("/users", response_model=list[User])
def users_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    return [user_out(u) for u in kamp.accounts.list_users(me)]


@router.post("/users", status_code=201, response_model=User, responses=responses(409))
def users_create(body: UserCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    user = kamp.accounts.create_user(
        me, body.login, body.password, role=Role(body.role),
        display_name=body.display_name, language=body.language,
    )  # fmt: skip
    return user_out(user)


@router.get("/users/{user_id}", response_model=User)
def users_get(user_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return user_out(kamp.accounts.get_user(me, user_id))


@router.patch("/users/{user_id}", response_model=User, responses=responses(409))
def users_update(user_id: int, body: UserUpdate, kamp: Kamp, me: Me) -> dict[str, Any]:
    user = kamp.accounts.update_user(
        me, user_id, role=None if body.role is None else Role(body.role),
        display_name=body.display_name, language=body.language, active=body.active,
    )  # fmt: skip
    return user_out(user)


@router.post("/users/me/password", status_code=204, responses=responses(429))
def users_change_password(body: PasswordChange, kamp: Kamp, me: Me, request: Request) -> None:
    """Change one's own password; every other session of the user ends."""
    session = getattr(request.state, "session", None)
    keep = session.get("id") if isinstance(session, dict) else getattr(session, "id", None)
    kamp.accounts.change_password(me, body.old_password, body.new_password, keep_session_id=keep)


@router.post("/users/{user_id}/password/reset", response_model=UserWithPassword)
def users_reset_password(user_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Give a user a new random password (administrators); it is in this response only."""
    password = kamp.accounts.reset_password(me, user_id)
    return {**user_out(kamp.accounts.get_user(me, user_id)), "password": password}


@router.get("/tokens", response_model=list[Token])
def tokens_list(kamp: Kamp, me: Me, all_users: bool = False) -> list[dict[str, Any]]:
    """API tokens (never their secrets): one's own, or the organisation's for an admin."""
    return [token_out(t) for t in kamp.accounts.list_tokens(me, all_users=all_users)]


@router.post("/tokens", status_code=201, response_model=NewToken, responses=responses(409))
def tokens_create(body: TokenCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Create a token; its secret is in this response only."""
    expires = None if body.expires_in_days is None else timedelta(days=body.expires_in_days)
    rec, secret = kamp.accounts.create_token(me, body.name, list(body.scopes), expires)
    return {**token_out(rec), "secret": secret}


@router.post("/tokens/{token_id}/revoke", response_model=Token)
def tokens_revoke(token_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return token_out(kamp.accounts.revoke_token(me, token_id))


class OrgCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    display_name: str = ""
    admin_login: str = Field(min_length=2, max_length=64)
    admin_password: str = Field(min_length=1, max_length=256)


@router.get("/orgs", response_model=list[Org])
def orgs_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """Every organisation of the platform (platform operator only)."""
    return [record_out(o) for o in kamp.accounts.list_organisations(me)]


@router.post("/orgs", status_code=201, response_model=NewOrg, responses=responses(409))
def orgs_create(body: OrgCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A new organisation with its first administrator (platform operator only)."""
    org, admin = kamp.accounts.create_organisation(
        me, body.name, display_name=body.display_name,
        admin_login=body.admin_login, admin_password=body.admin_password,
    )  # fmt: skip
    return {"org": record_out(org), "admin": user_out(admin)}
