"""The metadata contract suite on PostgreSQL, the migrations on it (schema, guards, down and up),
and the transaction rules several processes rely on (on both engines where they apply).

Needs the test PostgreSQL server (skipped without one, a failure under CI=true).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from openkamp.core.errors import Conflict
from openkamp.storage import open_metadata
from openkamp.storage.metadata.migrate import alembic_config
from openkamp.storage.metadata.schema import metadata
from openkamp.storage.metadata.settlement import settlement_store
from openkamp.storage.metadata.sql import SqlMetadataStore
from openkamp.storage.testing.metadata_contract import MetadataContract
from openkamp.storage.testing.postgres import fresh_database
from openkamp.storage.testing.sql_backends import BACKENDS, RawConnection, metadata_url


class TestPostgres(MetadataContract):
    @pytest.fixture
    def store(self) -> Iterator[SqlMetadataStore]:
        with fresh_database() as url:
            s = open_metadata(url)
            yield s
            s.close()


@pytest.fixture
def pg() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def test_migrations_create_exactly_the_declared_schema(pg: str) -> None:
    store = open_metadata(pg)
    assert store.engine.dialect.name == "postgresql"
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    store.close()
    assert diff == []


def test_reopening_migrates_nothing_and_keeps_data(pg: str) -> None:
    store = open_metadata(pg)
    store.create_org("acme")
    store.close()
    store = open_metadata(pg)
    assert store.find_org("acme") is not None
    store.close()


def test_a_plain_postgresql_url_uses_the_declared_driver(pg: str) -> None:
    """``postgresql://`` would make SQLAlchemy look for psycopg2, which is not a dependency."""
    plain = pg.replace("postgresql+psycopg://", "postgresql://", 1)
    store = open_metadata(plain)
    assert store.engine.dialect.driver == "psycopg" and store.shared
    store.create_org("acme")
    store.close()


def _statement(meta: SqlMetadataStore) -> int:
    org = meta.create_org("acme")["id"]
    rec = settlement_store(meta).insert_statement(
        {"org_id": org, "period": "2026-12", "fee_rate": "0.05", "revenue": "100",
         "fee": "5", "payout": "95", "digest": "d" * 64, "issued_at": datetime.now(UTC)},
        [{"kind": "fee", "gross": "0", "fee": "5", "amount": "-5"},
         {"kind": "contract", "gross": "100", "fee": "0", "amount": "100"}],
    )  # fmt: skip
    return int(rec["id"])


def test_issued_statements_are_immutable_on_postgresql(pg: str) -> None:
    """Migration 0011's PostgreSQL triggers refuse what SQLite's refuse (and TRUNCATE)."""
    meta = open_metadata(pg)
    sid = _statement(meta)
    with RawConnection(pg) as con:
        assert [t for _, t in con.triggers("statement")] == [
            "statement_lines", "statement_lines", "statements", "statements",
        ]  # fmt: skip
        for sql in (
            "UPDATE statements SET payout = '1'",
            "DELETE FROM statements",
            "UPDATE statement_lines SET amount = '1'",
            "DELETE FROM statement_lines",
            "TRUNCATE statement_lines",
            "TRUNCATE statements CASCADE",
        ):
            with pytest.raises(con.refused, match="immutable"):
                con.execute(sql)
        (lines,) = con.execute("SELECT count(*) FROM statement_lines").fetchone()
    assert lines == 2
    stored = settlement_store(meta).statement(sid)
    assert stored is not None and stored[0]["payout"] == "95"
    meta.close()


def test_migration_0011_goes_down_and_up_on_postgresql(pg: str) -> None:
    """Down: the tables, their triggers and the trigger function go; up: the guards are back."""
    meta = open_metadata(pg)
    _statement(meta)
    cfg = alembic_config(meta.engine)
    command.downgrade(cfg, "0010")
    with RawConnection(pg) as con:
        assert not con.tables() & {"charges", "statements", "statement_lines", "valuations"}
        assert con.triggers("statement") == []
        (fn,) = con.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'statement_immutable'"
        ).fetchone()
        assert fn == 0
    command.upgrade(cfg, "head")
    with RawConnection(pg) as con:
        con.execute("DELETE FROM orgs")  # the statement went with its table
    _statement(meta)
    with RawConnection(pg) as con, pytest.raises(con.refused, match="immutable"):
        con.execute("DELETE FROM statements")
    meta.close()


# -- transactions shared by processes ----------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def two(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[SqlMetadataStore, ...]]:
    """Two writers: on PostgreSQL two stores on one database, as two processes have; on SQLite
    one store for both (an embedded database has one writing process)."""
    with metadata_url(request.param, tmp_path) as url:
        a = open_metadata(url)
        b = a if request.param == "sqlite" else open_metadata(url)
        try:
            yield a, b
        finally:
            a.close()
            b.close()


def test_a_refused_write_leaves_the_transaction_usable(two: tuple[SqlMetadataStore, ...]) -> None:
    """A duplicate name inside a transaction is refused and the transaction goes on (SQLite
    undoes the statement; on PostgreSQL the write runs in a savepoint)."""
    a, _ = two
    org = a.create_org("acme")["id"]
    site = {"kind": "site", "parent_id": None, "name": "plant1"}
    with a.transaction():
        a.insert(org, "node", site)
        with pytest.raises(Conflict):
            a.insert(org, "node", site)
        a.insert(org, "node", {**site, "name": "plant2"})
    assert [n["name"] for n in a.find(org, "node")] == ["plant1", "plant2"]


def test_check_then_insert_blocks_run_one_at_a_time_across_stores(
    two: tuple[SqlMetadataStore, ...],
) -> None:
    """Each writer counts the sites and inserts the next number, in a transaction: no two see
    the same count (none is refused, none numbered twice)."""
    a, b = two
    org = a.create_org("acme")["id"]
    errors: list[BaseException] = []
    n_each = 25

    def write(store: SqlMetadataStore) -> None:
        try:
            for _ in range(n_each):
                with store.transaction():
                    n = len(store.find(org, "node", kind="site"))
                    store.insert(org, "node", {"kind": "site", "parent_id": None, "name": f"s{n}"})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = sorted(int(n["name"][1:]) for n in a.find(org, "node"))
    assert names == list(range(2 * n_each))


def test_a_transaction_waits_for_another_process_transaction_on_postgresql(pg: str) -> None:
    """The advisory lock is held until commit: a second store's transaction starts after it."""
    a, b = open_metadata(pg), open_metadata(pg)
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with a.transaction():
            a.create_org("first")
            inside.set()
            threading.Event().wait(0.3)
            order.append("first commits")

    t = threading.Thread(target=first)
    t.start()
    inside.wait(5)
    with b.transaction():
        order.append("second starts")
        assert b.find_org("first") is not None  # it sees what the first committed
    t.join()
    assert order == ["first commits", "second starts"]
    a.close()
    b.close()


def test_notification_counters_of_two_workers_add_up(two: tuple[SqlMetadataStore, ...]) -> None:
    """Two notifiers (one per worker) count deliveries and failures of one channel at once."""
    from openkamp.alerts.notify import Notifier

    a, b = two
    org = a.create_org("acme")["id"]
    channel = a.insert(org, "notification_channel", {"name": "ops", "kind": "webhook"})
    n = 20

    def count(store: SqlMetadataStore) -> None:
        notifier = Notifier(store)
        for i in range(n):
            notifier._record(org, channel["id"], None if i % 2 else "refused")

    threads = [threading.Thread(target=count, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = a.get(org, "notification_channel", channel["id"])
    assert (got["sent"], got["failures"]) == (n, n)


def test_two_connections_report_a_new_machines_state_at_once(
    two: tuple[SqlMetadataStore, ...],
) -> None:
    """Two connections of one machine (in two ingest workers) record its state together:
    one record, no duplicate refused."""
    from openkamp.connectors.base import record_equipment_state

    a, b = two
    org = a.create_org("acme")["id"]
    errors: list[BaseException] = []
    machines = []
    for i in range(10):
        site = a.insert(org, "node", {"kind": "site", "parent_id": None, "name": f"p{i}"})
        machines.append(site["id"])  # any node will do as the machine

    def report(store: SqlMetadataStore, state: str) -> None:
        try:
            for m in machines:
                record_equipment_state(store, org, m, state, f"conn-{state}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=report, args=x) for x in ((a, "running"), (b, "idle"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    states = a.find(org, "equipment_state")
    assert sorted(s["equipment_id"] for s in states) == machines
