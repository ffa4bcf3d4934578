"""Two worker processes on one PostgreSQL database at once (issue 12): every read-check-write
that one process's lock used to keep in line holds across processes.

Each process (spawned, its own interpreter, its own store on the database) in parallel:
authorizes reads under one contract whose policy allows 50 rows (the usage check and the counter
bump), appends batches to the usage ledger, bumps another contract's counters outside any
transaction, registers the next version of a model ("max + 1"), and counts sign-in failures of
one login. Afterwards: exactly 50 rows were allowed and counted, no counter lost an update, no
ledger index was given twice and the ledger verifies, the versions are 1..n without a gap.

Needs the test PostgreSQL server (skipped without one, a failure under CI=true).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openkamp.sharing.policy import Access

from .contract_support import World, world

N = 40  # of each kind of write, per process
MAX_ROWS = 50  # the policy's limit: fewer than the 2 × N reads asked for


def worker(url: str, data_dir: str, ids: dict[str, int], start: Any, results: Any, me: int) -> None:
    """One process's writes (see the module docstring); puts what it did on ``results``."""
    from openkamp.accounts import LimitRule
    from openkamp.accounts.stored_limiter import StoredLoginLimiter
    from openkamp.core.errors import Forbidden
    from openkamp.core.tenancy import system_principal
    from openkamp.sharing import Entry, Ledger
    from openkamp.sharing.contracts import ContractService
    from openkamp.storage import open_metadata
    from openkamp.storage.metadata.contracts import contract_store
    from openkamp.storage.metadata.login_limits import login_limit_store

    meta = open_metadata(url, migrate=False)
    ledger = Ledger.at(meta, data_dir)  # the same keys: one data folder shared by the workers
    contracts = ContractService(meta, ledger)
    store = contract_store(meta)
    limiter = StoredLoginLimiter(
        login_limit_store(meta), {"login": LimitRule(10_000, timedelta(hours=1), timedelta(1))}
    )
    beta = system_principal(ids["beta"])
    done = {"allowed": 0, "refused": 0, "appended": 0, "versions": []}
    start.wait()
    for i in range(N):
        try:
            contracts.authorize(beta, ids["limited"], Access.READ, rows=1)
            done["allowed"] += 1
        except Forbidden:
            done["refused"] += 1
        got = ledger.append(ids["acme"], [Entry("export", dataset="own@1", details={"p": me}),
                                          Entry("export", dataset="own@1", details={"i": i})])  # fmt: skip
        done["appended"] += len(got)
        store.add_usage(ids["counted"], rows=3, queries=1, trainings=0, at=datetime.now(UTC))
        with meta.transaction():
            existing = meta.find(ids["acme"], "model", name="defect")
            version = max((int(m["version"]) for m in existing), default=0) + 1
            meta.insert(ids["acme"], "model", {
                "name": "defect", "version": version, "task": "classify", "stage": "candidate",
                "artefact_sha256": "0" * 64, "artefact_size": 1, "class_path": "x:Y",
            })  # fmt: skip
        done["versions"].append(version)  # type: ignore[attr-defined]
        limiter.failed("login:kim")
    meta.close()
    results.put(done)


def _collect(procs: list[Any], results: Any, limit_s: float = 240) -> list[dict[str, Any]]:
    """Each process's report; fails at once when one dies without it (its error is in the
    captured output)."""
    import queue
    import time

    done: list[dict[str, Any]] = []
    deadline = time.monotonic() + limit_s
    while len(done) < len(procs):
        try:
            done.append(results.get(timeout=0.5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            assert not dead, f"a worker process failed (exit code {dead})"
            assert time.monotonic() < deadline, "the worker processes took too long"
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return done


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path, backend="postgresql")


def test_two_processes_keep_every_limit_counter_and_index(w: World) -> None:
    limited = w.active(max_rows=MAX_ROWS)
    counted = w.active()
    ids = {"acme": w.acme.org_id, "beta": w.beta.org_id, "limited": limited, "counted": counted}
    before = w.kamp.sharing.ledger.size()
    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    url = w.kamp.meta.url
    procs = [
        ctx.Process(
            target=worker, args=(url, str(w.kamp.settings.data_dir), ids, start, results, k)
        )
        for k in range(2)
    ]
    for p in procs:
        p.start()
    done = _collect(procs, results)
    # the policy's limit held: exactly MAX_ROWS rows allowed and counted, the rest refused
    assert sum(d["allowed"] for d in done) == MAX_ROWS
    assert sum(d["refused"] for d in done) == 2 * N - MAX_ROWS
    usage = w.contracts.usage(w.beta, limited)
    assert (usage.rows, usage.queries) == (MAX_ROWS, MAX_ROWS)
    # a counter bumped outside any transaction lost nothing
    usage = w.contracts.usage(w.beta, counted)
    assert (usage.rows, usage.queries) == (3 * 2 * N, 2 * N)
    # the ledger: every authorization and append has its own index, and it verifies
    ledger = w.kamp.sharing.ledger
    appended = sum(d["appended"] for d in done)
    assert appended == 2 * 2 * N
    assert ledger.size() == before + appended + 2 * N  # plus one entry per authorization
    report = ledger.verify()
    assert report.ok, report.problems[:3]
    # "max + 1" in a transaction: versions 1..2N, none given twice
    versions = sorted(v for d in done for v in d["versions"])
    assert versions == list(range(1, 2 * N + 1))
    # the sign-in failures of one login: every one counted
    from openkamp.storage.metadata.login_limits import login_limit_store

    state = login_limit_store(w.kamp.meta).read(["login:kim"])["login:kim"]
    assert len(state.failures) == 2 * N


def start_platform(url: str, data_dir: str, start: Any, results: Any) -> None:
    """A worker starting on the database: migrations and the default organisation."""
    from openkamp.platform import Platform

    start.wait()
    with Platform.at(data_dir, duckdb_memory_limit="256MB", metadata_url=url) as kamp:
        results.put({"org": kamp.default_org_id})


def test_workers_starting_at_once_on_an_empty_database(tmp_path: Path) -> None:
    """Two workers start together on a new database: one migrates, the other waits and finds
    the schema current; both use the one default organisation."""
    from openkamp.storage import open_metadata
    from openkamp.storage.testing.postgres import fresh_database

    ctx = mp.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    with fresh_database() as url:
        procs = [
            ctx.Process(target=start_platform, args=(url, str(tmp_path / f"w{k}"), start, results))
            for k in range(2)
        ]
        for p in procs:
            p.start()
        done = _collect(procs, results)
        assert done[0]["org"] == done[1]["org"]
        meta = open_metadata(url, migrate=False)
        assert [o["name"] for o in meta.list_orgs()] == ["default"]
        meta.close()
