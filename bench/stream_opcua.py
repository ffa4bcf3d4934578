"""The OPC UA section of ``bench/stream.py`` (issue 10).

A synthetic server (:class:`openkamp.connectors.opcua_testing.BigServer`) runs in its own
process, as a PLC or SCADA server would: ``items / 100`` machines of 100 Double variables with
units and ranges.

* **proposal** (``opcua_browse_s``): :func:`openkamp.connectors.opcua_browse.browse` of the
  whole server (every object, variable, EngineeringUnits and EURange) into a proposed asset tree.
* **subscription** (``opcua_items_lost``): the proposal is applied (assets + an ``opcua``
  connection in a platform in this process); the server gives every variable a new value once a
  second (source time = that second) for ``--opcua-seconds``; every (variable, second) the
  server published after the subscription was made must be stored: the loss is what is not
  (count), and the stored values' sum is checked against the server's formula.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _ServerProcess:
    """The synthetic server in a process; ``last_tick`` is the newest second it published."""

    def __init__(self, items: int, hz: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "openkamp.connectors.opcua_testing", str(_free_port()),
             str(max(1, items // 100)), "100", str(hz)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline().split()
        assert ready and ready[0] == "ready", ready
        self.endpoint = ready[1]
        self.first_tick = self.last_tick = int(ready[2])
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            parts = line.split()
            if parts and parts[0] == "tick":
                self.last_tick = int(parts[1])

    def cpu_s(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return float("nan")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def opcua_browse_time(items: int) -> dict[str, Any]:
    """Browse and propose a server of ``items`` variables; seconds and requests."""
    from openkamp.connectors.opcua_browse import browse

    server = _ServerProcess(items, 0.0)
    try:
        proposal = asyncio.run(browse(server.endpoint))
    finally:
        server.close()
    assert proposal.signals == items, proposal.signals
    return {"opcua_browse_s": proposal.seconds, "opcua_browse_requests": proposal.requests}


def opcua_subscription_loss(items: int, seconds: float) -> dict[str, Any]:
    """``items`` monitored items at 1 Hz for ``seconds``: loss, CPU, the platform's rate."""
    from openkamp.connectors.opcua_browse import apply, browse
    from openkamp.connectors.opcua_testing import value_at
    from openkamp.platform import Platform

    root = Path(tempfile.mkdtemp(prefix="bench-opcua-"))
    server = _ServerProcess(items, 1.0)
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    try:
        kamp.live.start()
        me = kamp.principal()
        proposal = asyncio.run(browse(server.endpoint))
        done = apply(kamp, me, proposal, name="big", settings={"publishing_interval_ms": 1000})
        rec = done.connection
        deadline = time.monotonic() + 120
        while kamp.connections.status(me, rec["id"])["points"] < items:
            assert time.monotonic() < deadline, "the subscription did not start"
            time.sleep(0.2)
        first = server.last_tick + 1  # every second from here on must arrive whole
        load0 = os.getloadavg()[0]
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        srv_cpu0 = server.cpu_s()
        began = time.monotonic()
        time.sleep(seconds)
        last = server.last_tick
        wall = time.monotonic() - began
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        srv_cpu1 = server.cpu_s()
        load1 = os.getloadavg()[0]
        sids = [int(n["signal_id"]) for n in _mapped(kamp, me, rec)]
        start = datetime.fromtimestamp(first, UTC)
        end = datetime.fromtimestamp(last + 1, UTC)
        expected = items * (last - first + 1)
        settle = time.monotonic() + 30
        while kamp.ts.count(kamp.default_org_id, sids, start, end) < expected:
            if time.monotonic() > settle:
                break
            time.sleep(0.2)
        stored = kamp.ts.count(kamp.default_org_id, sids, start, end)
        tbl = kamp.ts.read(kamp.default_org_id, sids, start, end)
        got_sum = float(np.sum(tbl.column("value").to_numpy()))
        want_sum = sum(
            value_at(m, v, s)
            for s in range(first, last + 1)
            for m in range(max(1, items // 100))
            for v in range(100)
        )
        status = kamp.connections.status(me, rec["id"])
    finally:
        kamp.close()
        server.close()
        shutil.rmtree(root, ignore_errors=True)
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {
        "opcua_items": items,
        "opcua_seconds": round(wall, 1),
        "opcua_expected_points": expected,
        "opcua_items_lost": int(expected - stored),
        "opcua_sum_matches": bool(abs(got_sum - want_sum) <= 1e-6 * max(1.0, abs(want_sum))),
        "opcua_platform_cpu_share": round(cpu / wall, 3),
        "opcua_server_cpu_share": round((srv_cpu1 - srv_cpu0) / wall, 3),
        "opcua_load_avg": [round(load0, 2), round(load1, 2)],
        "opcua_rejected": status["rejected_total"],
    }


def _mapped(kamp: Any, me: Any, rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The signal ids of the connection's mapped nodes."""
    out = []
    for n in rec["config"]["nodes"]:
        sig = kamp.assets.resolve(me, f"{n['equipment']}/{n['signal']}")
        out.append({"node_id": n["node_id"], "signal_id": sig.id})
    return out


def opcua_section(items: int, seconds: float) -> dict[str, Any]:
    """Both measurements, printed as a table; the keys for ``--json``."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _common import print_table

    result = opcua_browse_time(items)
    result.update(opcua_subscription_loss(items, seconds))
    print_table(
        f"OPC UA: a server of {items:,} variables in its own process",
        [
            ("browse + proposal", f"{result['opcua_browse_s']:.2f} s "
             f"({result['opcua_browse_requests']} requests)"),
            (f"{items:,} items at 1 Hz for {result['opcua_seconds']} s: points expected",
             f"{result['opcua_expected_points']:,}"),
            ("lost", f"{result['opcua_items_lost']:,} (sum of values matches: "
             f"{result['opcua_sum_matches']})"),
            ("CPU share: platform / server process",
             f"{result['opcua_platform_cpu_share']:.2f} / {result['opcua_server_cpu_share']:.2f}"),
            ("load average before / after", f"{result['opcua_load_avg']}"),
        ],
        ("measure", "value"),
    )  # fmt: skip
    return result
