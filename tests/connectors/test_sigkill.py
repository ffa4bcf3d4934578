"""A point acknowledged over HTTP is never lost: the server process is killed with SIGKILL in
the middle of a stream of batches and started again; every batch that got a 2xx is stored,
exactly once (count and checksum), and the client's retries of the others change nothing."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyarrow as pa

from openkamp.storage.timeseries.base import TS_TYPE

from .conftest import PASSWORD, PRESS, free_port, open_platform, tree

BATCH = 2_000
T0 = 1_780_000_000_000_000


def batch_body(sid: int, i: int) -> bytes:
    ts = range(T0 + i * BATCH, T0 + (i + 1) * BATCH)
    table = pa.table({
        "signal_id": pa.array([sid] * BATCH, pa.int64()),
        "ts": pa.array(ts, pa.int64()).cast(TS_TYPE),
        "value": pa.array([float(i * BATCH + j) for j in range(BATCH)]),
    })  # fmt: skip
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def start_server(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPENKAMP_DATA_DIR": str(data), "OPENKAMP_DUCKDB_MEMORY_LIMIT": "256MB"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "openkamp.api:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "the server ended"
        assert time.monotonic() < deadline, "the server did not start"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)


def test_acknowledged_points_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kamp = open_platform(data)
    kamp.assets.apply_tree(kamp.principal(), tree())
    sid = int(kamp.assets.resolve(kamp.principal(), f"{PRESS}/pressure").id)
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    token = kamp.accounts.create_token(kamp.accounts.principal_of(kim), "t", ["write"])[1]
    org = kamp.default_org_id
    kamp.close()

    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/ingest/arrow"
    headers = {"Authorization": f"Bearer {token}"}
    server = start_server(data, port)
    acked: list[int] = []
    killed = threading.Event()

    def killer() -> None:  # mid-stream: once some batches were acknowledged
        while len(acked) < 15:
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)
        killed.set()

    threading.Thread(target=killer, daemon=True).start()
    sent = 0
    try:
        with httpx.Client(timeout=30) as client:
            for i in range(200):
                sent = i + 1
                try:
                    r = client.post(url, content=batch_body(sid, i), headers=headers)
                except httpx.HTTPError:
                    break  # the server died under this request: not acknowledged
                if r.status_code == 200:
                    assert r.json()["stored"] == BATCH
                    acked.append(i)
    finally:
        killed.wait(30)
        server.wait(30)
    assert killed.is_set() and server.returncode == -signal.SIGKILL
    assert 15 <= len(acked) < sent, (len(acked), sent)

    def check(batches: list[int]) -> int:
        k = open_platform(data)
        try:
            got = k.ts.read(org, [sid])
        finally:
            k.close()
        ts = got.column("ts").cast(pa.int64()).to_numpy()
        values = got.column("value").to_numpy()
        assert len(set(ts.tolist())) == len(ts), "a point is stored twice"
        by_ts = dict(zip(ts.tolist(), values.tolist(), strict=True))
        for i in batches:  # every acknowledged point, with its value
            for j in range(0, BATCH, 97):
                assert by_ts[T0 + i * BATCH + j] == float(i * BATCH + j)
        want = {T0 + i * BATCH + j for i in batches for j in range(BATCH)}
        assert want <= set(by_ts), "an acknowledged point is missing"
        checksum = sum(by_ts[t] for t in want)
        assert checksum == sum(float(i * BATCH + j) for i in batches for j in range(BATCH))
        return len(ts)

    after_kill = check(acked)
    assert after_kill >= len(acked) * BATCH

    # The client retries what was not acknowledged, after the restart: stored once in all.
    server = start_server(data, port)
    try:
        with httpx.Client(timeout=30) as client:
            for i in range(sent):
                if i not in acked:
                    r = client.post(url, content=batch_body(sid, i), headers=headers)
                    assert r.status_code == 200 and r.json()["stored"] == BATCH
            for i in acked[:3]:  # and some acknowledged ones again (a client unsure of its acks)
                assert (
                    client.post(url, content=batch_body(sid, i), headers=headers).status_code == 200
                )
    finally:
        server.terminate()
        server.wait(30)
    assert check(list(range(sent))) == sent * BATCH
