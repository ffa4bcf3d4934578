"""Sign-in: one answer for every failure, lockout per login and per client address, and the
in-memory limiter's window and thread safety. The clock is moved by hand; nothing sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from openkamp.accounts import AccountService, LimitRule, MemoryLoginLimiter
from openkamp.core.errors import TooManyAttempts, Unauthenticated
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"


def _failure(accounts: AccountService, login: str, password: str, **kw: Any) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as info:
        accounts.login(login, password, **kw)
    return info.value


def test_wrong_password_and_unknown_login_look_the_same(
    accounts: AccountService, admin: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    dummy_checks: list[str] = []
    real_dummy = accounts.passwords.verify_dummy
    monkeypatch.setattr(
        accounts.passwords,
        "verify_dummy",
        lambda password: (dummy_checks.append(password), real_dummy(password))[1],
    )
    wrong = _failure(accounts, "admin", "not the password")
    unknown = _failure(accounts, "nobody", "not the password")
    malformed = _failure(accounts, "no such login!", "not the password")
    assert type(wrong) is type(unknown) is type(malformed) is Unauthenticated
    assert str(wrong) == str(unknown) == str(malformed)
    assert "login or password" in wrong.message
    # An unknown login still costs one hash verification (about the same time as a real one).
    assert dummy_checks == ["not the password", "not the password"]


def test_lockout_after_repeated_failures_and_recovery_after_the_window(
    accounts: AccountService, admin: Principal, clock: Any
) -> None:
    for _ in range(5):
        _failure(accounts, "admin", "a wrong guess")
    # Locked: even the right password is refused now, with how long to wait.
    with pytest.raises(TooManyAttempts) as info:
        accounts.login("admin", PASSWORD)
    assert 0 < info.value.retry_after_s <= 15 * 60
    clock.advance(minutes=14)
    with pytest.raises(TooManyAttempts):
        accounts.login("admin", PASSWORD)
    clock.advance(minutes=1, seconds=1)
    accounts.login("admin", PASSWORD)


def test_unknown_logins_lock_too(accounts: AccountService, admin: Principal) -> None:
    # Otherwise the lock itself would tell which logins exist.
    for _ in range(5):
        _failure(accounts, "ghost", "a wrong guess")
    with pytest.raises(TooManyAttempts):
        accounts.login("ghost", "a wrong guess")


def test_failures_outside_the_window_are_forgotten(
    accounts: AccountService, admin: Principal, clock: Any
) -> None:
    for _ in range(4):
        _failure(accounts, "admin", "a wrong guess")
    clock.advance(minutes=16)
    for _ in range(4):
        _failure(accounts, "admin", "a wrong guess")
    accounts.login("admin", PASSWORD)


def test_success_resets_the_login_count(accounts: AccountService, admin: Principal) -> None:
    for _ in range(4):
        _failure(accounts, "admin", "a wrong guess")
    accounts.login("admin", PASSWORD)
    for _ in range(4):
        _failure(accounts, "admin", "a wrong guess")
    accounts.login("admin", PASSWORD)


def test_one_client_address_guessing_many_logins_is_locked(
    platform_at: Callable[..., Platform],
    tmp_path: Any,
    clock: Any,
) -> None:
    with platform_at(tmp_path / "data", login_client_max_failures=6) as kamp:
        accounts = AccountService.from_settings(kamp.meta, kamp.settings, clock=clock)
        accounts.create_first_admin(kamp.default_org_id, "admin", PASSWORD)
        for i in range(6):  # a different login each time: no login reaches its own limit
            _failure(accounts, f"user{i}", "a wrong guess", client="10.0.0.66")
        with pytest.raises(TooManyAttempts):
            accounts.login("admin", PASSWORD, client="10.0.0.66")
        # Another address (a colleague on the same login) is not affected.
        accounts.login("admin", PASSWORD, client="10.0.0.7")
        # A success on the locked address's behalf does not clear the address.
        with pytest.raises(TooManyAttempts):
            accounts.login("admin", PASSWORD, client="10.0.0.66")
        clock.advance(minutes=15)
        accounts.login("admin", PASSWORD, client="10.0.0.66")


def test_deactivated_user_cannot_sign_in(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    eng = make_user(admin, "eng1", Role.ENGINEER)
    assert eng.user_id is not None
    accounts.deactivate_user(admin, eng.user_id)
    with pytest.raises(Unauthenticated, match="deactivated"):
        accounts.login("eng1", PASSWORD)  # said only to someone who knows the password
    assert "deactivated" not in str(_failure(accounts, "eng1", "a wrong guess"))
    accounts.update_user(admin, eng.user_id, active=True)
    accounts.login("eng1", PASSWORD)


def test_memory_limiter_counts_exactly_under_threads() -> None:
    limiter = MemoryLoginLimiter(
        default=LimitRule(800, timedelta(minutes=15), timedelta(minutes=15))
    )

    def fail(n: int) -> None:
        for _ in range(n):
            limiter.failed("login:x")

    threads = [threading.Thread(target=fail, args=(100,)) for _ in range(8)]
    threads[-1] = threading.Thread(target=fail, args=(99,))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.retry_after("login:x") == 0  # 799 failures: not yet
    limiter.failed("login:x")
    assert limiter.retry_after("login:x") > 0
    limiter.succeeded("login:x")
    assert limiter.retry_after("login:x") == 0


def test_memory_limiter_stays_bounded() -> None:
    limiter = MemoryLoginLimiter(max_keys=100)
    for i in range(1000):
        limiter.failed(f"login:spray{i}")
    assert len(limiter._failures) <= 100
