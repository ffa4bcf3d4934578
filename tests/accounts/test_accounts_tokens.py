"""API tokens: shown once, stored hashed, scoped, capped by their user's role, revocable."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from openkamp.accounts import AccountService
from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from openkamp.core.tenancy import Principal, Role, Scope, require, require_scope

PASSWORD = "correct horse battery"


def test_a_token_is_shown_once_and_acts_as_its_user(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    eng = make_user(admin, "eng1", Role.ENGINEER)
    record, secret = accounts.create_token(eng, "nightly import", ["write"])
    assert re.fullmatch(r"okp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret)
    assert secret.startswith(f"okp_{record['prefix']}_")
    assert "token_hash" not in record and secret not in repr(record)
    assert record["scopes"] == ["read", "write"] and record["status"] == "active"
    listed = accounts.list_tokens(eng)
    assert [t["name"] for t in listed] == ["nightly import"]
    assert all("token_hash" not in t and secret not in repr(t) for t in listed)

    who = accounts.authenticate_token(secret)
    assert (who.org_id, who.name, who.user_id, who.token_id) == (
        eng.org_id,
        "eng1",
        eng.user_id,
        record["id"],
    )
    assert who.roles == frozenset({Role.ENGINEER}) and who.scopes == {Scope.READ, Scope.WRITE}
    require(who, Role.ENGINEER)
    require_scope(who, Scope.WRITE)
    with pytest.raises(Forbidden):
        require(who, Role.ADMIN)
    with pytest.raises(Conflict, match="already have a token"):
        accounts.create_token(eng, "nightly import", ["read"])


def test_a_read_token_cannot_write_whatever_its_user_may_do(
    accounts: AccountService, admin: Principal
) -> None:
    _, secret = accounts.create_token(admin, "dashboard", ["read"])
    who = accounts.authenticate_token(secret)
    assert who.roles == frozenset({Role.VIEWER}) and who.scopes == {Scope.READ}
    assert who.allows(Scope.READ) and not who.allows(Scope.WRITE)
    with pytest.raises(Forbidden):
        require(who, Role.ENGINEER)  # every service's write check refuses it
    with pytest.raises(Forbidden, match="scope 'write'"):
        require_scope(who, Scope.WRITE)
    # It cannot mint itself a stronger token either.
    with pytest.raises(Forbidden):
        accounts.create_token(who, "escalate", ["write"])


def test_scopes_never_exceed_the_users_role(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    viewer = make_user(admin, "viewer1", Role.VIEWER)
    eng = make_user(admin, "eng1", Role.ENGINEER)
    with pytest.raises(Forbidden):
        accounts.create_token(viewer, "t", ["write"])
    with pytest.raises(Forbidden):
        accounts.create_token(eng, "t", ["admin"])
    accounts.create_token(viewer, "t", ["read"])
    _, secret = accounts.create_token(admin, "ops", ["admin"])
    who = accounts.authenticate_token(secret)
    # An operator's token acts as an organisation admin at most: operator powers need a session.
    assert who.roles == frozenset({Role.ADMIN}) and who.allows(Scope.ADMIN)
    with pytest.raises(InvalidInput, match="scope"):
        accounts.create_token(admin, "bad", ["delete"])
    with pytest.raises(InvalidInput, match="at least one scope"):
        accounts.create_token(admin, "none", [])
    with pytest.raises(Forbidden, match="belong to a user"):
        accounts.create_token(Principal(admin.org_id, "local-admin", frozenset({Role.ADMIN})), "x", ["read"])  # fmt: skip


def test_a_demoted_users_tokens_lose_the_role_at_once(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    org_admin = make_user(admin, "orgadmin", Role.ADMIN)
    assert org_admin.user_id is not None
    _, secret = accounts.create_token(org_admin, "scripts", ["admin"])
    assert accounts.authenticate_token(secret).has(Role.ADMIN)
    accounts.update_user(admin, org_admin.user_id, role=Role.VIEWER)
    who = accounts.authenticate_token(secret)
    assert who.roles == frozenset({Role.VIEWER}) and who.scopes == {Scope.READ}


def test_revoked_expired_and_bogus_tokens_are_refused(
    accounts: AccountService, admin: Principal, clock: Any
) -> None:
    revoked, revoked_secret = accounts.create_token(admin, "old", ["read"])
    accounts.revoke_token(admin, revoked["id"])
    with pytest.raises(Unauthenticated, match="revoked"):
        accounts.authenticate_token(revoked_secret)
    assert accounts.revoke_token(admin, revoked["id"])["status"] == "revoked"  # idempotent

    _, short_secret = accounts.create_token(admin, "short", ["read"], timedelta(hours=1))
    accounts.authenticate_token(short_secret)
    clock.advance(hours=1)
    with pytest.raises(Unauthenticated, match="expired"):
        accounts.authenticate_token(short_secret)
    assert {t["name"]: t["status"] for t in accounts.list_tokens(admin)} == {
        "old": "revoked",
        "short": "expired",
    }
    with pytest.raises(InvalidInput, match="positive"):
        accounts.create_token(admin, "never", ["read"], timedelta(0))

    _, good = accounts.create_token(admin, "good", ["read"])
    for bogus in ("", "okp_", "okp_12345678_wrong", good + "x", good[:-1], "Bearer " + good, "x" * 10_000):  # fmt: skip
        with pytest.raises(Unauthenticated, match="not valid"):
            accounts.authenticate_token(bogus)


def test_a_deactivated_users_tokens_are_refused(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    eng = make_user(admin, "eng1", Role.ENGINEER)
    assert eng.user_id is not None
    _, secret = accounts.create_token(eng, "t", ["write"])
    accounts.deactivate_user(admin, eng.user_id)
    with pytest.raises(Unauthenticated, match="deactivated"):
        accounts.authenticate_token(secret)
    accounts.update_user(admin, eng.user_id, active=True)  # back from leave: tokens work again
    accounts.authenticate_token(secret)


def test_last_use_is_written_at_most_once_a_minute(
    kamp: Any, accounts: AccountService, admin: Principal, clock: Any
) -> None:
    record, secret = accounts.create_token(admin, "t", ["read"])
    assert record["last_used_at"] is None

    def last_used() -> Any:
        return kamp.meta.get(admin.org_id, "api_token", record["id"])["last_used_at"]

    accounts.authenticate_token(secret)
    first = last_used()
    assert first == clock.now
    clock.advance(seconds=30)
    accounts.authenticate_token(secret)
    assert last_used() == first
    clock.advance(seconds=31)
    accounts.authenticate_token(secret)
    assert last_used() == clock.now


def test_revoking_needs_the_owner_or_an_admin(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    eng = make_user(admin, "eng1", Role.ENGINEER)
    other = make_user(admin, "eng2", Role.ENGINEER)
    record, secret = accounts.create_token(eng, "t", ["write"])
    with pytest.raises(NotFound):
        accounts.revoke_token(other, record["id"])
    assert accounts.list_tokens(other) == []
    with pytest.raises(Forbidden):
        accounts.list_tokens(other, all_users=True)
    assert [t["id"] for t in accounts.list_tokens(admin, all_users=True)] == [record["id"]]
    accounts.revoke_token(admin, record["id"])
    with pytest.raises(Unauthenticated):
        accounts.authenticate_token(secret)


def test_a_token_cannot_change_its_users_password(
    accounts: AccountService, admin: Principal
) -> None:
    _, secret = accounts.create_token(admin, "t", ["admin"])
    with pytest.raises(Forbidden):
        accounts.change_password(accounts.authenticate_token(secret), PASSWORD, "a new password!")
