"""Sign-in state shared by API workers: the stored limiter's rules on both engines, and two
platforms on one PostgreSQL database (as two API worker processes) that see each other's
sessions and count failures against one limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from openkamp.accounts import LimitRule, MemoryLoginLimiter
from openkamp.accounts import stored_limiter as module
from openkamp.accounts.stored_limiter import StoredLoginLimiter
from openkamp.core.errors import TooManyAttempts, Unauthenticated
from openkamp.platform import Platform
from openkamp.storage import open_metadata
from openkamp.storage.metadata.login_limits import login_limit_store
from openkamp.storage.metadata.sql import SqlMetadataStore
from openkamp.storage.testing.postgres import fresh_database
from openkamp.storage.testing.sql_backends import BACKENDS, metadata_url

PASSWORD = "correct horse battery"
FAST_HASH = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
RULE = LimitRule(3, timedelta(minutes=10), timedelta(minutes=15))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(params=BACKENDS)
def meta(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SqlMetadataStore]:
    with metadata_url(request.param, tmp_path) as url:
        store = open_metadata(url)
        yield store
        store.close()


def limiter(meta: SqlMetadataStore, clock: Clock) -> StoredLoginLimiter:
    return StoredLoginLimiter(login_limit_store(meta), {"login": RULE}, clock=clock)


def test_failures_lock_a_key_for_the_lockout_and_a_window_forgets(meta: SqlMetadataStore) -> None:
    clock = Clock()
    lim = limiter(meta, clock)
    lim.failed("login:kim")
    clock.advance(minutes=11)  # out of the window: forgotten
    lim.failed("login:kim")
    lim.failed("login:kim")
    assert lim.retry_after("login:kim") == 0
    lim.failed("login:kim")
    assert lim.retry_after("login:kim") == pytest.approx(15 * 60)
    assert lim.attempt(["login:kim"]) == pytest.approx(15 * 60)
    assert lim.retry_after("login:lee") == 0  # keys apart
    clock.advance(minutes=15)
    assert lim.retry_after("login:kim") == 0 and lim.attempt(["login:kim"]) == 0
    lim.succeeded("login:kim")
    assert login_limit_store(meta).count() == 0  # nothing left to remember: no row


def test_an_attempt_reserves_a_check_until_it_ends(
    meta: SqlMetadataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three checks may run at once for a limit of three; a fourth waits, and is told to come
    back when none ends in time. A release frees a place; a confirmation is a failure."""
    monkeypatch.setattr(module, "PENDING_WAIT_S", 0.3)
    lim = limiter(meta, Clock())
    keys = ["login:kim", "client:10.0.0.1"]
    assert [lim.attempt(keys) for _ in range(3)] == [0, 0, 0]
    assert lim.attempt(["login:kim"]) == 1.0  # waited 0.3 s: all three still running
    lim.release("login:kim")
    assert lim.attempt(["login:kim"]) == 0
    for _ in range(3):
        lim.confirm("login:kim")  # three wrong passwords: locked
    assert lim.retry_after("login:kim") > 0
    state = lim.store.read(keys)
    assert state["login:kim"].pending == [] and state["login:kim"].locked_until is not None
    assert len(state["client:10.0.0.1"].pending) == 3  # the default rule: five


def test_a_waiting_attempt_goes_on_when_a_check_ends(meta: SqlMetadataStore) -> None:
    lim = limiter(meta, Clock())
    for _ in range(3):
        assert lim.attempt(["login:kim"]) == 0
    threading.Timer(0.2, lim.release, args=("login:kim",)).start()
    assert lim.attempt(["login:kim"]) == 0  # polled until a place was free


def test_a_long_key_is_stored_by_its_hash(meta: SqlMetadataStore) -> None:
    lim = limiter(meta, Clock())
    key = "client:" + "x" * 500
    for _ in range(5):
        lim.failed(key)
    assert lim.retry_after(key) > 0 and lim.retry_after("client:" + "x" * 499) == 0


def test_stale_keys_are_swept(meta: SqlMetadataStore) -> None:
    clock = Clock()
    lim = limiter(meta, clock)
    lim.failed("login:a")
    for _ in range(3):
        lim.failed("login:b")  # locked for 15 minutes
    clock.advance(minutes=12)
    lim.failed("login:c")
    assert lim.sweep() == 0  # nothing older than the longest look-back (15 minutes)
    clock.advance(minutes=4)
    assert lim.sweep() == 2  # a's failure and b's ended lockout; c is recent
    assert lim.store.count() == 1


def test_an_embedded_installation_counts_in_memory(tmp_path: Path) -> None:
    with Platform.at(tmp_path / "data", duckdb_memory_limit="256MB", **FAST_HASH) as kamp:
        assert not kamp.meta.shared
        assert isinstance(kamp.accounts.limiter, MemoryLoginLimiter)


# -- two API workers on one PostgreSQL database ---------------------------------------------------


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Platform, Platform]]:
    """Two platforms on one PostgreSQL database, each with its own data folder (as two API
    worker processes on two machines)."""
    with fresh_database() as url:
        a = Platform.at(tmp_path / "a", duckdb_memory_limit="256MB", metadata_url=url, **FAST_HASH)
        b = Platform.at(tmp_path / "b", duckdb_memory_limit="256MB", metadata_url=url, **FAST_HASH)
        try:
            yield a, b
        finally:
            a.close()
            b.close()


def test_two_workers_see_each_others_sessions(workers: tuple[Platform, Platform]) -> None:
    a, b = workers
    assert a.default_org_id == b.default_org_id  # the second did not make another
    a.accounts.create_first_admin(a.default_org_id, "admin", PASSWORD)
    _, cookie, csrf = a.accounts.login("admin", PASSWORD, user_agent="browser 1")
    principal, session = b.accounts.authenticate_session(cookie)  # the request went to b
    assert principal.name == "admin" and session["csrf_token"] == csrf
    b.accounts.check_csrf(session, csrf)
    _, other, _ = b.accounts.login("admin", PASSWORD, user_agent="browser 2")
    assert len(a.accounts.list_sessions(principal)) == 2
    b.accounts.logout(cookie)  # signed out through b ...
    with pytest.raises(Unauthenticated):
        a.accounts.authenticate_session(cookie)  # ... is signed out on a
    assert a.accounts.logout_all(principal) == 1
    with pytest.raises(Unauthenticated):
        b.accounts.authenticate_session(other)


def test_two_workers_count_failures_against_one_limit(workers: tuple[Platform, Platform]) -> None:
    """Five failures allowed per login: three on one worker and two on the other lock it on
    both (in memory each would have allowed five)."""
    a, b = workers
    a.accounts.create_first_admin(a.default_org_id, "admin", PASSWORD)
    limit = a.settings.login_max_failures
    for i in range(limit):
        with pytest.raises(Unauthenticated):
            (a if i % 2 else b).accounts.login("admin", f"wrong guess {i}")
    for worker in (a, b):
        with pytest.raises(TooManyAttempts) as info:
            worker.accounts.login("admin", PASSWORD)
        assert info.value.code == "accounts.locked"


def test_concurrent_wrong_passwords_on_two_workers_run_at_most_the_limit_of_checks(
    workers: tuple[Platform, Platform], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = workers
    a.accounts.create_first_admin(a.default_org_id, "admin", PASSWORD)
    checks: list[int] = []
    for worker in (a, b):
        verify = worker.accounts.passwords.verify

        def slow(*args: object, _verify: object = verify) -> object:
            checks.append(1)
            threading.Event().wait(0.05)
            return _verify(*args)  # type: ignore[operator]

        monkeypatch.setattr(worker.accounts.passwords, "verify", slow)
    outcome: dict[str, int] = {"wrong": 0, "locked": 0}
    lock = threading.Lock()
    start = threading.Barrier(30)

    def one(i: int) -> None:
        start.wait()
        try:
            (a if i % 2 else b).accounts.login("admin", f"wrong {i}")
        except TooManyAttempts:
            kind = "locked"
        except Unauthenticated:
            kind = "wrong"
        with lock:
            outcome[kind] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limit = a.settings.login_max_failures
    assert len(checks) <= limit, f"{len(checks)} password checks against a limit of {limit}"
    assert outcome == {"wrong": len(checks), "locked": 30 - len(checks)}


def test_a_session_signed_out_on_another_worker_while_in_use_has_ended(
    workers: tuple[Platform, Platform], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker b finds the session, worker a signs it out, b goes to slide its expiry: the
    answer is "your session has ended", not an internal not-found."""
    a, b = workers
    a.accounts.create_first_admin(a.default_org_id, "admin", PASSWORD)
    _, cookie, _ = a.accounts.login("admin", PASSWORD)
    lookup = b.meta.lookup

    def then_signed_out(kind: str, /, **equals: object) -> dict | None:
        found = lookup(kind, **equals)
        if kind == "session" and found is not None:
            a.accounts.logout(cookie)
            found = {**found, "last_seen_at": None}  # due for its touch
        return found

    monkeypatch.setattr(b.meta, "lookup", then_signed_out)
    with pytest.raises(Unauthenticated, match="session has ended"):
        b.accounts.authenticate_session(cookie)
