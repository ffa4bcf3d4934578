"""Live-path benchmark (issue 10): machine data arriving as it happens.

    python bench/stream.py                  # every section
    python bench/stream.py --only http,edge --json

Sections (each measured with its baseline in the same run, on this machine):

* ``http_*``: HTTP ingest through the real server (``uvicorn openkamp.api:create_app``, one
  process as ``openkamp serve`` runs it) with an API token: Arrow IPC batches (points/s from
  the first request to the last 2xx, i.e. durable), against writing the same batches straight
  into the same kind of store in this process (``http_ratio``); InfluxDB line protocol.
* ``edge_*``: the edge's drain after an outage: a backlog in the disk queue (as connectors
  wrote it during the outage) sent to the real server, coalesced, several requests in flight.

Other sections (MQTT, OPC UA, latency) live in their own ``<name>_*`` functions; ``main``
calls every section named in ``SECTIONS``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, platform_server, print_table
from stream_mqtt import mqtt_section
from stream_opcua import opcua_section

T0_US = 1_780_000_000_000_000  # 2026-05-28 UTC
PRESS = "plant1/line1/press01"


# --------------------------------------------------------------------------- shared set-up


def _prepare(data: Path, n_signals: int) -> tuple[str, list[int]]:
    """A data folder with one machine of ``n_signals`` signals and an engineer's write token."""
    from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
    from openkamp.platform import Platform

    kamp = Platform.at(data)
    try:
        sigs = [SignalSpec(f"s{i:03d}") for i in range(n_signals)]
        eq = EquipmentSpec("press01", signals=sigs)
        kamp.assets.apply_tree(
            kamp.principal(), [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[eq])])]
        )
        admin = kamp.accounts.create_first_admin(kamp.default_org_id, "bench", "bench-password-1")
        token = kamp.accounts.create_token(kamp.accounts.principal_of(admin), "b", ["write"])[1]
        me = kamp.principal()
        ids = [int(kamp.assets.resolve(me, f"{PRESS}/s{i:03d}").id) for i in range(n_signals)]
    finally:
        kamp.close()
    return token, ids


def _batches(
    ids: list[int], n_batches: int, batch_points: int, t0: int = T0_US, groups: int = 1
) -> list[pa.Table]:
    """Live-like batches, every signal at 1 Hz, times moving forward batch after batch. With
    ``groups``, the signals are split among that many senders (gateways, each with its own
    machines): batch ``b`` is sender ``b % groups``'s next one."""
    from openkamp.connectors.base import points_table

    parts = [list(p) for p in np.array_split(np.asarray(ids, dtype=np.int64), groups)]
    rng = np.random.default_rng(7)
    out = []
    for b in range(n_batches):
        mine = parts[b % groups]
        per = batch_points // len(mine)
        step = b // groups
        ts = t0 + (step * per + np.arange(per, dtype=np.int64)) * 1_000_000
        sid = np.repeat(np.asarray(mine, dtype=np.int64), per)
        tt = np.tile(ts, len(mine))
        out.append(points_table(sid, tt, rng.normal(100, 5, sid.size)))
    return out


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _post_all(url: str, token: str, bodies: list[bytes], content_type: str, workers: int) -> float:
    """Seconds to post every body until each got its 2xx: ``workers`` senders at once, sender
    ``w`` posting bodies ``w, w + workers, …`` in order (see :func:`_batches`)."""
    import httpx

    errors: list[str] = []

    def work(mine: list[bytes]) -> None:
        with httpx.Client(timeout=300, headers={"Authorization": f"Bearer {token}"}) as c:
            for body in mine:
                r = c.post(url, content=body, headers={"Content-Type": content_type})
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")

    began = time.perf_counter()
    threads = [threading.Thread(target=work, args=(bodies[w::workers],)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"ingest refused: {errors[:3]}")
    return time.perf_counter() - began


# --------------------------------------------------------------------------- HTTP ingest


def http_direct(root: Path, tables: list[pa.Table]) -> float:
    """Points/s of the same batches written straight into a store (the baseline)."""
    from openkamp.platform import Platform

    kamp = Platform.at(root)
    try:
        org = kamp.default_org_id
        began = time.perf_counter()
        for t in tables:
            kamp.ts.write(org, t)
        seconds = time.perf_counter() - began
    finally:
        kamp.close()
    return sum(t.num_rows for t in tables) / seconds


def http_line_bodies(tables: list[pa.Table], names: dict[int, str]) -> list[bytes]:
    """The batches as InfluxDB line protocol: one line per time with every signal a field
    (``plant1.line1.press01 s000=…,s001=… <ns>``), as Telegraf sends a device's readings."""
    bodies = []
    for t in tables:
        sid = t.column("signal_id").to_numpy()
        ts = t.column("ts").cast(pa.int64()).to_numpy()
        val = t.column("value").to_numpy()
        order = np.lexsort((sid, ts))
        sid, ts, val = sid[order], ts[order], val[order]
        starts = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]])
        ends = np.r_[starts[1:], len(ts)]
        lines = []
        for a, b in zip(starts, ends, strict=True):
            fields = ",".join(
                f"{names[int(s)]}={v:.3f}" for s, v in zip(sid[a:b], val[a:b], strict=True)
            )
            lines.append(f"plant1.line1.press01 {fields} {int(ts[a]) * 1000}")
        bodies.append(("\n".join(lines) + "\n").encode())
    return bodies


def http_section(points: int, batch_points: int, workers: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    try:
        n_signals = 200
        token, ids = _prepare(root / "server", n_signals)
        n_batches = max(1, points // batch_points)
        arrow = _batches(ids, n_batches, batch_points, groups=workers)
        bodies = [_ipc(t) for t in arrow]
        # Line protocol: later times (nothing already stored), half as many points.
        n_lp = max(1, n_batches // 2)
        lp_tables = _batches(ids, n_lp, batch_points, t0=T0_US + 10**15, groups=workers)
        names = {sid: f"s{i:03d}" for i, sid in enumerate(ids)}
        lp_bodies = http_line_bodies(lp_tables, names)
        direct = http_direct(root / "direct", arrow)
        with platform_server(root / "server") as (base, _pid):
            warm = _batches(ids, 1, batch_points, t0=T0_US - 10**14)
            _post_all(f"{base}/api/v1/ingest/arrow", token, [_ipc(warm[0])], "x", 1)
            s = _post_all(f"{base}/api/v1/ingest/arrow", token, bodies,
                          "application/vnd.apache.arrow.stream", workers)  # fmt: skip
            arrow_rate = n_batches * batch_points / s
            s_lp = _post_all(f"{base}/api/v1/ingest/influx?precision=ns", token, lp_bodies,
                             "text/plain", workers)  # fmt: skip
            lp_rate = n_lp * batch_points / s_lp
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [
        ("HTTP Arrow IPC (server, 2xx = durable)", f"{arrow_rate:,.0f}"),
        ("same batches straight into the store", f"{direct:,.0f}"),
        ("ratio", f"{arrow_rate / direct:.2f}"),
        ("HTTP InfluxDB line protocol", f"{lp_rate:,.0f}"),
    ]
    print_table(
        f"HTTP ingest: {n_batches} batches of {batch_points:,} points, {workers} clients",
        rows, ("path", "points/s"),
    )  # fmt: skip
    return {
        "http_arrow_points_per_s": round(arrow_rate),
        "http_direct_points_per_s": round(direct),
        "http_ratio": round(arrow_rate / direct, 3),
        "line_protocol_points_per_s": round(lp_rate),
    }


# --------------------------------------------------------------------------- edge


def edge_section(points: int, concurrency: int) -> dict[str, Any]:
    """A backlog of ``points`` (batches of 1,000 as the connectors wrote them during an
    outage) drained into the real server once it is back."""
    from openkamp.edge.forwarder import Forwarder, IdMap
    from openkamp.edge.queue import DiskQueue

    root = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    try:
        token, ids = _prepare(root / "server", 200)
        queue = DiskQueue(root / "edge" / "queue.sqlite3", compression="lz4")
        began = time.perf_counter()
        for t in _batches(ids, max(1, points // 200_000), 200_000):
            for off in range(0, t.num_rows, 1000):
                queue.append(1, t.slice(off, 1000))
        fill = points / (time.perf_counter() - began)
        same = {f"{PRESS}/s{i:03d}": sid for i, sid in enumerate(ids)}
        with platform_server(root / "server") as (base, _pid):
            fw = Forwarder(queue, base, token, IdMap(same, same), concurrency=concurrency)
            began = time.perf_counter()
            fw.start()
            assert queue.wait_empty(600), "the backlog did not drain"
            drain = points / (time.perf_counter() - began)
            fw.stop()
            requests = fw.stats()["sent_requests"]
        queue.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print_table(
        f"Edge: backlog of {points:,} points after an outage, at most {concurrency} requests "
        "in flight",
        [("queue fill (fsync'd appends of 1,000 points)", f"{fill:,.0f}"),
         (f"drain into the server ({requests} requests)", f"{drain:,.0f}")],
        ("step", "points/s"),
    )  # fmt: skip
    return {"edge_fill_points_per_s": round(fill), "edge_drain_points_per_s": round(drain)}


# --------------------------------------------------------------------------- main

SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "http": lambda a: http_section(a.http_points, a.http_batch, a.http_workers),
    "edge": lambda a: edge_section(a.edge_points, a.edge_concurrency),
    "mqtt": lambda a: mqtt_section(a.mqtt_messages, a.mqtt_batches, a.mqtt_seconds, a.mqtt_rate),
    "opcua": lambda a: opcua_section(a.opcua_items, a.opcua_seconds),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="Comma-separated sections (default: all)")
    ap.add_argument("--json", action="store_true", help="Print one JSON line at the end")
    ap.add_argument("--http-points", type=int, default=4_000_000)
    ap.add_argument("--http-batch", type=int, default=200_000)
    ap.add_argument("--http-workers", type=int, default=2)
    ap.add_argument("--edge-points", type=int, default=2_000_000)
    ap.add_argument("--edge-concurrency", type=int, default=2)
    ap.add_argument("--mqtt-messages", type=int, default=200_000, help="One-value backlog")
    ap.add_argument("--mqtt-batches", type=int, default=20_000, help="Backlog of 100-point batches")
    ap.add_argument(
        "--mqtt-seconds",
        type=float,
        default=20.0,
        help="Latency, alert and sustained run (300: the issue's 5 minutes)",
    )
    ap.add_argument("--mqtt-rate", type=float, default=5_000.0,
                    help="Messages/s of that run")  # fmt: skip
    ap.add_argument("--opcua-items", type=int, default=5_000, help="Monitored items (1 Hz)")
    ap.add_argument("--opcua-seconds", type=float, default=60.0, help="Run (300: 5 min)")
    args = ap.parse_args()
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    result: dict[str, Any] = {"machine": machine()}
    for name in chosen:
        result.update(SECTIONS[name](args))
    emit_json(args.json, result)


if __name__ == "__main__":
    main()
