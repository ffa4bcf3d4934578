"""The sign-in and session tests on a platform whose metadata is in PostgreSQL: there the
account service counts sign-in failures in the store (every API worker shares them), so the
lockout, window, reservation and burst tests run against the stored limiter.

Needs the test PostgreSQL server (skipped without one, a failure under CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_accounts_concurrency import *  # noqa: F403 - the same tests, collected here
from test_accounts_login import *  # noqa: F403
from test_accounts_sessions import *  # noqa: F403

from openkamp.platform import Platform
from openkamp.storage.testing.postgres import fresh_database

FAST_HASH = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with fresh_database() as url:
        platform = Platform.at(
            tmp_path / "data", duckdb_memory_limit="256MB", metadata_url=url, **FAST_HASH
        )
        yield platform
        platform.close()


def test_the_failures_are_counted_in_the_store(accounts: AccountService, admin: Principal) -> None:  # noqa: F405
    from openkamp.accounts.stored_limiter import StoredLoginLimiter

    assert isinstance(accounts.limiter, StoredLoginLimiter)
    with pytest.raises(Unauthenticated):  # noqa: F405
        accounts.login("admin", "a wrong guess", client="10.0.0.9")
    state = accounts.limiter.store.read(["login:admin", "client:10.0.0.9"])
    assert [len(s.failures) for s in state.values()] == [1, 1]
