"""The fault test of edge forwarding: an ``openkamp edge run`` process collects from its local
connector and forwards to a real remote; the remote stops mid-stream (a WAN outage) and comes
back; the edge process is killed with SIGKILL while it drains the backlog, and started again.
In the end every point the connector was told is stored (and every point it re-sent after the
restart) is at the remote exactly once: count, distinct times, values and checksum."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from openkamp.edge.queue import read_stats

from .conftest import PRESS, RemotePlatform, assert_exactly, wait_for
from .ticker_plugin import acked

RUN_EDGE = Path(__file__).with_name("run_edge.py")


def start_edge(data: Path, remote: RemotePlatform, conns: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPENKAMP_EDGE_TOKEN": remote.token,
           "OPENKAMP_DUCKDB_MEMORY_LIMIT": "256MB"}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, str(RUN_EDGE), "-d", str(data), "edge", "run", "--remote", remote.url,
         "--connections", str(conns), "--coalesce-points", "2000", "--concurrency", "2"],
        env=env,
    )  # fmt: skip


def queued(data: Path) -> int:
    st = read_stats(data / "edge" / "queue.sqlite3")
    return 0 if st is None else int(st["points"])


def test_outage_then_sigkill_mid_drain_loses_nothing_and_stores_once(
    tmp_path: Path, remote: RemotePlatform
) -> None:
    total = 300_000
    data, state = tmp_path / "edge", tmp_path / "acked"
    conns = tmp_path / "connections.json"
    conns.write_text(json.dumps([{
        "name": "counter", "kind": "edge_ticker",
        "config": {"signal": f"{PRESS}/count", "total": total, "batch": 1000,
                   "period_s": 0.001, "state_file": str(state)},
    }]))  # fmt: skip
    edge = start_edge(data, remote, conns)
    try:
        wait_for(lambda: remote.count() >= 10_000, what="points at the remote")
        remote.stop()  # outage: the edge keeps collecting into its queue
        wait_for(lambda: queued(data) >= 80_000, what="a backlog in the queue")
        assert edge.poll() is None
        remote.start()
        at_restart = remote.count()
        wait_for(lambda: remote.count() > at_restart, timeout=30, what="the drain")
        backlog = queued(data)
        os.kill(edge.pid, signal.SIGKILL)  # mid-drain
        edge.wait(10)
        acked_at_kill = acked(state)
        assert backlog > 0, "the queue was already drained: the kill was not mid-drain"
        assert queued(data) > 0  # the queue survived the kill
        print(f"\nkilled with {backlog:,} points queued, {acked_at_kill:,} acknowledged")

        edge = start_edge(data, remote, conns)  # the ticker goes on from what was acknowledged
        wait_for(lambda: remote.count() >= total, timeout=120, what="every point at the remote")
        wait_for(lambda: queued(data) == 0, what="the queue empty")
        assert acked(state) == total
    finally:
        if edge.poll() is None:
            edge.send_signal(signal.SIGTERM)
            try:
                assert edge.wait(30) == 0  # a clean stop on SIGTERM
            finally:
                if edge.poll() is None:
                    edge.kill()
    time.sleep(0.2)
    assert_exactly(remote, total)
