"""Fixtures for the account tests: a platform with a cheap password hash, a clock we move by hand.

The argon2 cost is lowered (1 MiB, one pass) so that the tests run in seconds; the production
cost is checked by ``Settings.check_safe``, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openkamp.accounts import AccountService
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

FAST_HASH = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
PASSWORD = "correct horse battery"  # the tests repeat it: they cannot import conftest


@dataclass
class FakeClock:
    """A clock that only moves when told to (no sleeping in tests)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_platform(data_dir: Path, **settings: Any) -> Platform:
    return Platform.at(data_dir, duckdb_memory_limit="256MB", **{**FAST_HASH, **settings})


@pytest.fixture
def platform_at() -> Callable[..., Platform]:
    """Open a platform on a folder with the cheap hash (and any other settings)."""
    return make_platform


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    platform = make_platform(tmp_path / "data")
    yield platform
    platform.close()


@pytest.fixture
def accounts(kamp: Platform, clock: FakeClock) -> AccountService:
    """The platform's account service, on the fake clock."""
    return AccountService.from_settings(kamp.meta, kamp.settings, clock=clock)


@pytest.fixture
def admin(kamp: Platform, accounts: AccountService) -> Principal:
    """The first user (set up on the default organisation), signed in."""
    accounts.create_first_admin(kamp.default_org_id, "Admin", PASSWORD)
    _, cookie, _ = accounts.login("admin", PASSWORD)
    principal, _ = accounts.authenticate_session(cookie)
    return principal


@pytest.fixture
def make_user(accounts: AccountService) -> Callable[..., Principal]:
    """``make_user(by, login, role)``: create a user and return the principal it signs in as."""

    def make(by: Principal, login: str, role: Role = Role.ENGINEER) -> Principal:
        accounts.create_user(by, login, PASSWORD, role=role)
        _, cookie, _ = accounts.login(login, PASSWORD)
        principal, _ = accounts.authenticate_session(cookie)
        return principal

    return make
