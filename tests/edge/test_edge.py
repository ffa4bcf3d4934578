"""Edge forwarding in one process: the disk queue's guarantees, a real remote platform that
goes away and comes back (nothing lost, the connector held back while the queue is full), and
the drain rate of a backlog after an outage."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openkamp.connectors.base import points_table
from openkamp.edge.forwarder import Forwarder, IdMap
from openkamp.edge.queue import DiskQueue, QueueClosed, read_stats
from openkamp.edge.runner import Edge, read_status

from .conftest import PRESS, SETTINGS, RemotePlatform, assert_exactly, wait_for
from .ticker_plugin import T0, acked


def batch(k0: int, n: int, sid: int = 1) -> Any:
    ks = np.arange(k0, k0 + n, dtype=np.int64)
    return points_table(np.full(n, sid), T0 + ks * 1000, ks.astype(float))


def test_the_queue_is_durable_fifo_and_bounded(tmp_path: Path) -> None:
    q = DiskQueue(tmp_path / "q.sqlite3", max_bytes=1_000_000)
    for i in range(3):
        q.append(1, batch(i * 1000, 1000))
    first = q.claim(1500)
    assert first is not None and first.points == 1000  # whole batches, at least one
    second = q.claim(10_000)
    assert second is not None and second.ids == sorted(second.ids) and first.ids[0] < second.ids[0]
    q.release(first)  # a failed send: it goes again, oldest first
    again = q.claim(1000)
    assert again is not None and again.ids == first.ids
    q.delete(again)
    q.close()
    # Reopened (as after SIGKILL): what was not deleted is there, in flight or not.
    q = DiskQueue(tmp_path / "q.sqlite3", max_bytes=1_000_000)
    assert q.stats()["points"] == 2000
    assert read_stats(tmp_path / "q.sqlite3")["points"] == 2000  # type: ignore[index]
    q.close()


def test_a_full_queue_makes_the_writer_wait_and_drops_nothing(tmp_path: Path) -> None:
    q = DiskQueue(tmp_path / "q.sqlite3", max_bytes=60_000)
    size = len(__import__("openkamp.edge.queue", fromlist=["x"]).table_to_ipc(batch(0, 1000)))
    fits = 60_000 // size
    for i in range(fits):
        q.append(1, batch(i * 1000, 1000))
    with pytest.raises(TimeoutError):
        q.append(1, batch(10**6, 1000), timeout=0.3)  # refused: the caller knows
    waiter_done = threading.Event()

    def writer() -> None:
        q.append(1, batch(2 * 10**6, 1000))
        waiter_done.set()

    threading.Thread(target=writer, daemon=True).start()
    time.sleep(0.3)
    assert not waiter_done.is_set()  # still waiting: backpressure
    assert q.stats()["bytes"] <= 60_000
    claimed = q.claim(1000)
    assert claimed is not None
    q.delete(claimed)
    assert waiter_done.wait(5)
    st = q.stats()
    assert st["points"] == fits * 1000 and st["full_waits"] == 2
    # Closing wakes a waiting writer with an error, never a silent drop.
    while q.stats()["bytes"] + size <= 60_000:
        q.append(1, batch(3 * 10**6, 1000))
    errors: list[BaseException] = []

    def blocked() -> None:
        try:
            q.append(1, batch(4 * 10**6, 1000))
        except QueueClosed as exc:
            errors.append(exc)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.2)
    q.close()
    t.join(5)
    assert len(errors) == 1


def edge_of(tmp_path: Path, remote: RemotePlatform, total: int, **kw: Any) -> Edge:
    conn = {
        "name": "counter", "kind": "edge_ticker",
        "config": {"signal": f"{PRESS}/count", "total": total, "batch": 1000, "period_s": 0.002,
                   "state_file": str(tmp_path / "acked")},
    }  # fmt: skip
    return Edge(tmp_path / "edge", remote.url, remote.token, connections=[conn],
                platform_settings=SETTINGS, status_interval_s=0.2, **kw)  # fmt: skip


def test_a_remote_outage_loses_nothing_and_a_full_queue_holds_the_connector_back(
    tmp_path: Path, remote: RemotePlatform, ticker: Any
) -> None:
    total = 60_000
    # A small queue (about 20 batches): the outage fills it.
    edge = edge_of(tmp_path, remote, total, max_bytes=20 * 24_500, compression=None)
    edge.start()
    try:
        wait_for(lambda: remote.count() >= 5_000, what="points at the remote")
        remote.stop()  # the WAN is down
        assert edge.queue is not None
        wait_for(lambda: edge.queue.stats()["full_waits"] > 0, what="the queue full")  # type: ignore[union-attr]
        held = acked(tmp_path / "acked")
        time.sleep(1.0)
        # The connector waits: what it was told is stored grows no more, the queue stays bounded.
        assert acked(tmp_path / "acked") - held <= 2_000
        st = edge.queue.stats()
        assert st["bytes"] <= edge.queue.max_bytes
        assert edge.forwarder is not None and edge.forwarder.stats()["last_error"]
        edge.write_status()
        shown = read_status(tmp_path / "edge")
        assert shown["running"] and shown["queue"]["points"] > 0
        assert shown["forward"]["last_error"]
        remote.start()  # back: everything drains, the connector goes on
        wait_for(lambda: remote.count() == total, what="every point at the remote")
        wait_for(lambda: edge.queue.stats()["points"] == 0, what="the queue empty")  # type: ignore[union-attr]
    finally:
        edge.stop()
    assert acked(tmp_path / "acked") == total
    assert_exactly(remote, total)
    assert (
        json.loads((tmp_path / "edge" / "edge" / "status.json").read_text())["queue"]["points"] == 0
    )


def test_a_backlog_drains_at_full_speed_after_an_outage(
    tmp_path: Path, remote: RemotePlatform
) -> None:
    """Half a million points queued during an outage (500 batches of 1,000, as a connector
    writes them), then the remote is back: coalesced requests, four in flight."""
    sid_remote = remote.signal_id("count")
    q = DiskQueue(tmp_path / "q.sqlite3", compression="zstd")
    total = 500_000
    for i in range(total // 1000):
        q.append(1, batch(i * 1000, 1000, sid=7))
    ids = IdMap({f"{PRESS}/count": 7}, {f"{PRESS}/count": sid_remote})
    fw = Forwarder(q, remote.url, remote.token, ids, concurrency=4, coalesce_points=200_000)
    began = time.perf_counter()
    fw.start()
    try:
        assert q.wait_empty(120)
        rate = total / (time.perf_counter() - began)
    finally:
        fw.stop()
        q.close()
    print(f"\nedge drain after an outage: {rate:,.0f} points/s")
    assert_exactly(remote, total)
    assert fw.stats()["sent_requests"] <= 10  # coalesced: 200,000 points a request, not 500
    assert rate > 100_000


def test_requests_over_the_remotes_limit_are_split_not_lost(tmp_path: Path) -> None:
    remote = RemotePlatform(tmp_path, ingest_max_bytes=100_000)  # far less than 40,000 points
    try:
        q = DiskQueue(tmp_path / "q.sqlite3")
        for i in range(40):
            q.append(1, batch(i * 1000, 1000, sid=7))
        ids = IdMap({f"{PRESS}/count": 7}, {f"{PRESS}/count": remote.signal_id("count")})
        fw = Forwarder(q, remote.url, remote.token, ids, concurrency=2, coalesce_points=500_000)
        fw.start()
        try:
            assert q.wait_empty(60)
        finally:
            fw.stop()
            q.close()
        assert fw.coalesce_points < 40_000 and "413" in (fw.stats()["last_error"] or "")
        assert_exactly(remote, 40_000)
    finally:
        remote.close()


def test_an_edge_started_while_the_remote_is_away_catches_up_once_it_answers(
    tmp_path: Path, remote: RemotePlatform, ticker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openkamp.edge.runner as runner

    monkeypatch.setattr(runner, "SYNC_RETRY_S", 0.3)
    remote.stop()
    total = 20_000
    edge = edge_of(tmp_path, remote, total, max_bytes=1 << 26)
    edge.platform_settings = {**SETTINGS, "connectors_restart_initial_s": 0.1,
                              "connectors_restart_max_s": 0.5}  # fmt: skip
    edge.start()  # no asset model yet: the connector cannot find its signal and is retried
    try:
        assert not edge.synced
        time.sleep(1.0)
        remote.start()
        wait_for(lambda: edge.synced, what="the remote's model mirrored")
        wait_for(lambda: remote.count() == total, what="every point at the remote")
    finally:
        edge.stop()
    assert_exactly(remote, total)
