"""Browser sessions: sliding and absolute expiry, logout, deactivation, CSRF; no secret stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openkamp.accounts import AccountService
from openkamp.core.errors import Forbidden, Unauthenticated
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"


def test_login_opens_a_session(accounts: AccountService, admin: Principal) -> None:
    session, cookie, csrf = accounts.login("admin", PASSWORD, user_agent="Chromium/130")
    assert "token_hash" not in session and cookie not in repr(session)
    assert session["csrf_token"] == csrf and session["user_agent"] == "Chromium/130"
    who, current = accounts.authenticate_session(cookie)
    assert who == accounts.principal_of(accounts.get_user(admin, admin.user_id or 0))
    assert who.user_id == admin.user_id and who.scopes is None and current["id"] == session["id"]
    assert accounts.get_user(admin, admin.user_id or 0)["last_login_at"] is not None


def test_sessions_slide_while_used_and_end_when_idle(
    accounts: AccountService, admin: Principal, clock: Any
) -> None:
    _, cookie, _ = accounts.login("admin", PASSWORD)
    for _ in range(3):  # 3 × 100 minutes: longer than the 120-minute idle limit, but used
        clock.advance(minutes=100)
        accounts.authenticate_session(cookie)
    clock.advance(minutes=121)
    with pytest.raises(Unauthenticated, match="session has ended"):
        accounts.authenticate_session(cookie)
    with pytest.raises(Unauthenticated):  # and it is gone
        accounts.authenticate_session(cookie)


def test_sessions_end_after_the_absolute_maximum(
    accounts: AccountService, admin: Principal, clock: Any
) -> None:
    session, cookie, _ = accounts.login("admin", PASSWORD)
    for _ in range(11):
        clock.advance(hours=1)
        _, current = accounts.authenticate_session(cookie)
    assert current["expires_at"] == session["created_at"] + accounts.session_max
    clock.advance(minutes=59)
    accounts.authenticate_session(cookie)
    clock.advance(minutes=1)  # 12 hours after sign-in, however active
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(cookie)


def test_logout_and_logout_everywhere(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    _, one, _ = accounts.login("admin", PASSWORD)
    _, two, _ = accounts.login("admin", PASSWORD)
    accounts.logout(one)
    accounts.logout(one)  # harmless twice
    accounts.logout("never issued")
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(one)
    who, _ = accounts.authenticate_session(two)
    assert len(accounts.list_sessions(who)) == 2  # the admin fixture's session and this one
    assert all("csrf_token" not in s and "token_hash" not in s for s in accounts.list_sessions(who))
    assert accounts.logout_all(who) == 2
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(two)

    eng = make_user(admin, "eng1", Role.ENGINEER)
    assert eng.user_id is not None
    _, eng_cookie, _ = accounts.login("eng1", PASSWORD)
    with pytest.raises(Forbidden):
        accounts.logout_all(eng, admin.user_id)
    assert accounts.logout_all(admin, eng.user_id) == 2
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(eng_cookie)


def test_a_deactivated_users_sessions_end_and_roles_apply_at_once(
    accounts: AccountService, admin: Principal
) -> None:
    accounts.create_user(admin, "eng1", PASSWORD, role=Role.ENGINEER)
    _, cookie, _ = accounts.login("eng1", PASSWORD)
    eng, _ = accounts.authenticate_session(cookie)
    assert eng.user_id is not None
    accounts.update_user(admin, eng.user_id, role=Role.VIEWER)
    assert accounts.authenticate_session(cookie)[0].roles == frozenset({Role.VIEWER})
    accounts.deactivate_user(admin, eng.user_id)
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(cookie)


def test_csrf_token_is_checked_per_session(accounts: AccountService, admin: Principal) -> None:
    session, cookie, csrf = accounts.login("admin", PASSWORD)
    other, _, other_csrf = accounts.login("admin", PASSWORD)
    _, current = accounts.authenticate_session(cookie)
    accounts.check_csrf(current, csrf)
    for wrong in (other_csrf, "", None, csrf[:-1], csrf + "x", cookie):
        with pytest.raises(Forbidden, match="not sent from this site"):
            accounts.check_csrf(current, wrong)
    assert csrf != other_csrf and session["id"] != other["id"]


def test_purge_expired_sessions(accounts: AccountService, admin: Principal, clock: Any) -> None:
    accounts.login("admin", PASSWORD)
    clock.advance(hours=3)
    _, fresh, _ = accounts.login("admin", PASSWORD)  # sign-in also clears the user's ended ones
    accounts.login("admin", PASSWORD)
    clock.advance(hours=3)
    assert accounts.purge_expired_sessions() == 2
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(fresh)


def test_no_password_or_secret_is_stored_in_the_clear(
    tmp_path: Path, platform_at: Callable[..., Platform]
) -> None:
    data = tmp_path / "data"
    password = "unforgettable 압력 passphrase"
    with platform_at(data) as kamp:
        kamp.accounts.create_first_admin(kamp.default_org_id, "admin", password)
        _, cookie, _ = kamp.accounts.login("admin", password)
        me, _ = kamp.accounts.authenticate_session(cookie)
        kamp.accounts.create_user(me, "eng1", "another fine passphrase", role=Role.ENGINEER)
        _, token = kamp.accounts.create_token(me, "ci", ["write"])
        kamp.accounts.change_password(me, password, "a changed passphrase 2")
        # Read while open (the write-ahead log holds recent pages) and after closing.
        blobs = [p.read_bytes() for p in data.glob("metadata.sqlite*")]
    blobs += [p.read_bytes() for p in data.glob("metadata.sqlite*")]
    stored = b"".join(blobs)
    assert b"admin" in stored and b"$argon2id$" in stored  # we are looking at the right bytes
    from openkamp.accounts.credentials import digest

    assert digest(token).encode() in stored and digest(cookie).encode() in stored
    for secret in (password, "another fine passphrase", "a changed passphrase 2", token, cookie):
        assert secret.encode() not in stored, secret
        assert secret.encode("utf-16-le") not in stored
