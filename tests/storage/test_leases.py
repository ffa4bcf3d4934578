"""Leases (migration 0016) on SQLite and PostgreSQL: taken, renewed, lost, released; one holder
at a time however many processes race for a lease; migration 0016 down and up."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openkamp.storage import open_metadata
from openkamp.storage.metadata.leases import LeaseStore, holder_id, parse_holder
from openkamp.storage.metadata.sql import SqlMetadataStore
from openkamp.workers.keeper import Chore, LeaseKeeper


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/meta.sqlite"
        return
    from openkamp.storage.testing.postgres import fresh_database

    with fresh_database() as u:
        yield u


@pytest.fixture
def store(url: str) -> Iterator[LeaseStore]:
    meta = open_metadata(url)
    yield LeaseStore(meta)
    meta.close()


def test_a_lease_has_one_holder_until_it_expires(store: LeaseStore) -> None:
    a = store.acquire("job:1", "a", 0.6)
    assert a is not None and a.holder == "a" and a.expires_at - a.acquired_at == pytest.approx(0.6)
    assert abs(store.now() - time.time()) < 5  # the database's clock, in epoch seconds
    assert store.acquire("job:1", "b", 10) is None  # taken
    again = store.acquire("job:1", "a", 0.6)  # the holder's own: renewed, first time kept
    assert again is not None and again.acquired_at == a.acquired_at
    assert again.expires_at > a.expires_at
    assert store.renew("a", 0.6) == {"job:1"}
    time.sleep(0.8)
    assert store.renew("a", 10) == set()  # expired: never revived by a renewal
    b = store.acquire("job:1", "b", 10)
    assert b is not None and b.holder == "b"
    assert store.renew("a", 10, ["job:1"]) == set()  # taken by b: lost for a
    assert store.release("a", ["job:1"]) == 0  # a cannot release b's lease
    assert store.get("job:1") == b


def test_renew_release_expire_and_listings(store: LeaseStore) -> None:
    for r in ("connection:1", "connection:2", "chore:retention"):
        assert store.acquire(r, "a", 10) is not None
    assert store.acquire("connection:3", "b", 10) is not None
    assert store.renew("a", 10, ["connection:1", "connection:3"]) == {"connection:1"}
    assert [x.resource for x in store.find("connection:")] == [
        "connection:1", "connection:2", "connection:3",
    ]  # fmt: skip
    assert store.expire(["b"]) == 1
    _, live = store.live("connection:")
    assert [x.resource for x in live] == ["connection:1", "connection:2"]
    assert store.release("a", ["connection:2"]) == 1
    assert store.release("a") == 2
    assert [x.holder for x in store.find()] == ["b"]
    assert store.acquire("connection:3", "c", 10) is not None  # expired: free for anyone
    # resources that need escaping in a prefix match
    assert store.acquire("x_%y", "a", 10) is not None
    assert [x.resource for x in store.find("x_%")] == ["x_%y"]
    assert store.find("x__") == []


def _race(url: str, holder: str, start: Any, out: Any) -> None:
    meta = open_metadata(url)
    store = LeaseStore(meta)
    start.wait()
    won = [r for r in range(30) if store.acquire(f"r:{r}", holder, 30) is not None]
    out.put((holder, won))
    meta.close()


def test_processes_racing_for_leases_get_each_exactly_once(url: str) -> None:
    open_metadata(url).close()  # migrated before the race
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(url, f"h{i}", start, out)) for i in range(4)]
    for p in procs:
        p.start()
    start.set()
    results = dict(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(30)
    won = [r for rs in results.values() for r in rs]
    assert sorted(won) == list(range(30))  # every lease once, none twice


def test_holder_ids_name_host_and_process() -> None:
    import os
    import socket

    h = holder_id()
    assert parse_holder(h) == (socket.gethostname().replace(":", "_")[:120], os.getpid())
    assert holder_id() != h
    assert parse_holder("nonsense") == ("nonsense", None)


def test_the_keeper_renews_reports_losses_and_releases(store: LeaseStore) -> None:
    keeper = LeaseKeeper(store, ttl_s=0.6, heartbeat_s=0.1)
    lost: list[str] = []
    assert keeper.acquire("connection:1", lost.append)
    assert keeper.acquire("connection:2", lost.append)
    time.sleep(1.0)  # renewed meanwhile: still ours
    assert store.acquire("connection:1", "other", 10) is None
    store.expire([keeper.holder])  # as if this process had stalled past its leases' time
    assert store.acquire("connection:1", "other", 10) is not None
    deadline = time.monotonic() + 5
    while sorted(lost) != ["connection:1", "connection:2"]:
        assert time.monotonic() < deadline, lost
        time.sleep(0.02)
    assert keeper.held() == []
    assert keeper.acquire("connection:2")  # expired, not taken: ours again
    keeper.close()
    assert store.get("connection:2") is None  # released at close


def test_a_chore_runs_where_its_lease_is_and_moves_when_lost(store: LeaseStore) -> None:
    a = LeaseKeeper(store, ttl_s=0.5, heartbeat_s=0.1)
    b = LeaseKeeper(store, ttl_s=0.5, heartbeat_s=0.1)
    runs: list[str] = []
    ca = Chore(a, "sweep", lambda: runs.append("a+"), lambda: runs.append("a-"))
    cb = Chore(b, "sweep", lambda: runs.append("b+"), lambda: runs.append("b-"))
    assert ca.check() and not cb.check()
    store.expire([a.holder])
    assert cb.check()
    deadline = time.monotonic() + 5
    while "a-" not in runs:  # a's heartbeat finds its lease gone and stops the chore
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert not ca.running and cb.running
    cb.close()
    assert runs == ["a+", "b+", "a-", "b-"] and store.get("chore:sweep") is None
    a.close()
    b.close()


def test_dead_processes_of_this_host_lose_their_leases_at_once(store: LeaseStore) -> None:
    import socket
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host = socket.gethostname().replace(":", "_")[:120]
    assert store.acquire("job:7", f"{host}:{proc.pid}:abc", 60) is not None
    assert store.acquire("job:8", "elsewhere:1:abc", 60) is not None  # another host: unknown
    keeper = LeaseKeeper(store, ttl_s=5, heartbeat_s=1)
    assert keeper.expire_dead_here() == 1
    assert keeper.acquire("job:7") and not keeper.acquire("job:8")
    keeper.close()


def test_migration_0016_down_and_up(url: str) -> None:
    from alembic import command

    from openkamp.storage.metadata.migrate import alembic_config

    meta = open_metadata(url)
    assert isinstance(meta, SqlMetadataStore)
    org = meta.create_org("acme")["id"]
    job = meta.insert(org, "job", {"kind": "k", "status": "done", "function": "m:f", "attempt": 2})
    LeaseStore(meta).acquire("job:1", "a", 10)
    cfg = alembic_config(meta.engine)
    command.downgrade(cfg, "0015")
    with meta.engine.connect() as conn:
        from sqlalchemy import inspect

        insp = inspect(conn)
        assert "leases" not in insp.get_table_names()
        assert "attempt" not in {c["name"] for c in insp.get_columns("jobs")}
    command.upgrade(cfg, "head")
    rec = meta.get(org, "job", job["id"])
    assert rec["attempt"] == 0 and rec["max_attempts"] == 1 and rec["function"] is None
    meta.close()
