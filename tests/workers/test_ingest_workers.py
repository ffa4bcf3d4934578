"""Ingest workers (``openkamp serve --role ingest``) on PostgreSQL with a real Mosquitto: each
enabled connection runs in exactly one worker (its lease), the connections spread over the
workers, a connection changed or stopped through another process follows in the worker running
it, and when a worker is SIGKILLed mid-stream the other takes its connections over within the
lease's time with every acknowledged point stored exactly once (counts and checksums)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.sim.live.mosquitto import Broker, broker_or_skip, free_port, run_broker
from openkamp.storage.metadata.leases import LeaseStore

from .support import LEASE, Cluster, Worker, cluster, wait_for

pytestmark = pytest.mark.postgres

MACHINES = ["m1", "m2", "m3", "m4"]
T0 = 1_780_000_000_000  # ms
PER = 10  # points per message
TAKEOVER = LEASE["lease_ttl_s"] + 4.0


def tree() -> list[SiteSpec]:
    eq = [EquipmentSpec(m, signals=[SignalSpec("pressure", "pressure", "압력", "bar")])
          for m in MACHINES]  # fmt: skip
    return [SiteSpec("plant1", lines=[LineSpec("line1", equipment=eq)])]


def message(k: int, i: int) -> str:
    """Message ``i`` of machine ``k``: PER readings at T0 + i·PER + j ms, values k·1e6 + i·PER + j."""
    values = [float(k * 1_000_000 + i * PER + j) for j in range(PER)]
    return json.dumps({"t0": T0 + i * PER, "dt": 1, "s": {"pressure": values}})


def expected(k: int, messages: list[int]) -> tuple[int, float, int]:
    """Count, sum of values and sum of times (ms) of machine ``k``'s ``messages``."""
    idx = np.array([i * PER + j for i in messages for j in range(PER)], dtype=np.int64)
    return len(idx), float((k * 1_000_000 + idx).sum()), int((T0 + idx).sum())


def stored(c: Cluster, k: int) -> tuple[int, float, int]:
    sid = c.kamp.assets.resolve(c.kamp.principal(), f"plant1/line1/{MACHINES[k]}/pressure").id
    tbl = c.kamp.ts.read(c.kamp.default_org_id, [int(sid)])
    ts = tbl.column("ts").cast("int64").to_numpy() // 1000  # µs -> ms
    assert len(np.unique(ts)) == len(ts), "a point stored twice"
    return len(ts), float(tbl.column("value").to_numpy().sum()), int(ts.sum())


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker_or_skip()
    with run_broker(folder=tmp_path / "broker") as b:
        yield b


def make_connections(c: Cluster, broker: Broker) -> list[dict[str, Any]]:
    me = c.kamp.principal()
    c.kamp.assets.apply_tree(me, tree())
    conns = []
    for k, m in enumerate(MACHINES):
        cfg = {"host": broker.host, "port": broker.port, "batch_ms": 5, "subscriptions": [
            {"topic": f"c{k}/{{machine}}", "equipment": "plant1/line1/{machine}"}]}  # fmt: skip
        conns.append(c.kamp.connections.create(me, f"mqtt-{m}", "mqtt", cfg))
    return conns


def owners(c: Cluster, conns: list[dict[str, Any]]) -> dict[int, str]:
    """Connection id -> the holder of its live lease."""
    _, live = LeaseStore(c.kamp.meta).live("connection:")
    return {int(x.resource.split(":")[1]): x.holder for x in live}


def states(c: Cluster, conns: list[dict[str, Any]]) -> list[str]:
    return [c.kamp.meta.get(c.kamp.default_org_id, "connection", x["id"])["state"] for x in conns]


def spread(c: Cluster, conns: list[dict[str, Any]], workers: list[Worker]) -> dict[int, str]:
    """Wait until every connection runs, each in one of ``workers``, two in each."""

    def ok() -> dict[int, str] | None:
        got = owners(c, conns)
        holders = [got.get(x["id"]) for x in conns]
        if None in holders or set(holders) != {w.holder for w in workers}:
            return None
        if any(holders.count(w.holder) != len(conns) // len(workers) for w in workers):
            return None
        return got if states(c, conns) == ["running"] * len(conns) else None

    return wait_for(ok, 40, "the connections spread over the workers, running")


def duplicates_at_broker(broker: Broker) -> list[str]:
    """Lines where the broker found a client id connected twice (two workers running one
    connection at once)."""
    text = (broker.folder / "mosquitto.log").read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if "already connected" in line]


class Stream:
    """A QoS 1 publisher of every machine's messages, round robin, at about ``rate``/s."""

    def __init__(self, broker: Broker, n: int, rate: float) -> None:
        from connectors_mqtt.conftest import Publisher

        self.pub = Publisher(broker, "workers-pub")
        self.n, self.rate = n, rate
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        for i in range(self.n):
            for k in range(len(MACHINES)):
                self.pub.publish(f"c{k}/{MACHINES[k]}", message(k, i), key=(k, i))
            lag = start + i / self.rate - time.monotonic()
            if lag > 0:
                time.sleep(lag)

    def finish(self) -> dict[int, list[int]]:
        self.thread.join(90)
        self.pub.wait_acked(self.n * len(MACHINES), timeout=60)
        self.pub.close()
        acked: dict[int, list[int]] = {k: [] for k in range(len(MACHINES))}
        for k, i in set(self.pub.acked):
            acked[k].append(i)
        return acked


def test_two_ingest_workers_share_the_connections_and_survive_a_sigkill(
    tmp_path: Path, broker: Broker
) -> None:
    with cluster(tmp_path) as c:
        conns = make_connections(c, broker)
        assert owners(c, conns) == {}  # an API process runs no connection
        a = c.start("ingest", port=free_port())
        b = c.start("ingest", port=free_port())
        c.wait_ready(a, b)
        before = spread(c, conns, [a, b])

        stream = Stream(broker, n=600, rate=100.0)  # 4 machines x 600 messages x 10 points
        wait_for(lambda: len(stream.pub.acked) >= 600, 30, "the stream under way")
        victim = a
        moved = [cid for cid, h in before.items() if h == victim.holder]
        os.kill(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        victim.proc.wait(10)

        def taken_over() -> bool:
            got = owners(c, conns)
            return all(got.get(x["id"]) == b.holder for x in conns)

        wait_for(taken_over, TAKEOVER + 5, "the other worker taking every connection")
        assert time.monotonic() - killed_at < TAKEOVER
        wait_for(lambda: states(c, conns) == ["running"] * 4, 10, "all running on b")
        acked = stream.finish()
        for k in range(len(MACHINES)):
            want = expected(k, sorted(acked[k]))
            assert want[0] == 600 * PER  # the broker acknowledged every message
            wait_for(lambda k=k, want=want: stored(c, k)[0] >= want[0], 60,
                     f"machine {k}'s points stored")  # fmt: skip
            assert stored(c, k) == want, f"machine {k}"  # exactly once: count and checksums
        assert moved and duplicates_at_broker(broker) == []
        # the connections' counters go on from what the dead worker last saved
        st = c.kamp.connections.status(c.kamp.principal(), conns[0]["id"])
        assert st["state"] == "running" and st["points"] > 0


def test_a_change_made_through_another_process_reaches_the_running_worker(
    tmp_path: Path, broker: Broker
) -> None:
    with cluster(tmp_path) as c:
        conns = make_connections(c, broker)[:2]
        me = c.kamp.principal()
        for extra in make_extra(c, me):
            c.kamp.connections.stop(me, extra)
        w = c.start("ingest", port=free_port())
        c.wait_ready(w)
        wait_for(lambda: states(c, conns) == ["running", "running"], 30, "running")
        # stopped through the API process: the worker stops it and gives its lease up
        c.kamp.connections.stop(me, conns[0]["id"])
        wait_for(lambda: conns[0]["id"] not in owners(c, conns), 10, "its lease given up")
        assert states(c, conns)[0] == "stopped"
        # its settings changed (the topic): it restarts with them in the worker
        cfg = dict(conns[1]["config"], subscriptions=[
            {"topic": "moved/{machine}", "equipment": "plant1/line1/{machine}"}])  # fmt: skip
        c.kamp.connections.update(me, conns[1]["id"], config=cfg)
        from connectors_mqtt.conftest import Publisher

        pub = Publisher(broker, "change-pub")
        try:

            def arrived() -> bool:
                pub.publish("moved/m2", message(1, 0), key=0)
                time.sleep(0.2)
                return stored(c, 1)[0] >= PER

            wait_for(arrived, 20, "the new topic's messages stored")
        finally:
            pub.close()
        assert owners(c, conns)[conns[1]["id"]] == w.holder


def make_extra(c: Cluster, me: Any) -> list[int]:
    """The other two machines' connections are not part of this test."""
    return [x["id"] for x in c.kamp.connections.list(me) if x["name"] in ("mqtt-m3", "mqtt-m4")]
