"""Issue 12's test of a region in small: two API workers and two ingest workers run at once on
one PostgreSQL database while files and streams arrive: CSV files uploaded through both API
workers (imported at once, or as jobs polled through the other worker), MQTT streams taken by
the ingest workers' connections, JSON posted to both ingest workers' HTTP ingest. Every signal
ends with exactly the points sent (count and checksums of values and times), none twice, none
lost; the API workers refuse /api/v1/ingest with where to send it."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.sim.live.mosquitto import free_port

from .support import Cluster, cluster, wait_for
from .test_ingest_workers import (
    MACHINES,
    PER,
    Stream,
    broker,  # noqa: F401 - the fixture
    duplicates_at_broker,
    expected,
    make_connections,
    spread,
    stored,
)

pytestmark = pytest.mark.postgres

FILES = ["f1", "f2"]
HTTP = ["h1", "h2"]
ROWS = 1500  # rows per file, two files per machine
T0_S = 1_780_000_000  # epoch seconds of the files' first row
REQUESTS = 20  # HTTP ingest requests per machine
HPER = 200  # points per request
HT0 = 1_781_000_000_000  # ms


def extra_tree() -> list[SiteSpec]:
    def eq(name: str, signal: str) -> EquipmentSpec:
        return EquipmentSpec(name, signals=[SignalSpec(signal, signal, signal, "")])

    return [
        SiteSpec(
            "plant1",
            lines=[
                LineSpec("line2", equipment=[eq(m, "temp") for m in FILES]),
                LineSpec("line3", equipment=[eq(m, "flow") for m in HTTP]),
            ],
        )
    ]


def csv_file(m: int, part: int) -> tuple[str, list[int], list[float]]:
    """File ``part`` of machine ``m``: ROWS rows one second apart, the parts back to back."""
    start = T0_S + part * ROWS
    ts = [start + i for i in range(ROWS)]
    values = [round(m * 10_000 + part * ROWS + i + 0.25, 2) for i in range(ROWS)]
    lines = ["ts,temp"] + [f"{t},{v}" for t, v in zip(ts, values, strict=True)]
    return "\n".join(lines) + "\n", ts, values


def read(c: Cluster, path: str) -> tuple[int, float, int]:
    """Count, value sum and time sum (µs) of a signal as stored; no time twice."""
    sid = int(c.kamp.assets.resolve(c.kamp.principal(), path).id)
    tbl = c.kamp.ts.read(c.kamp.default_org_id, [sid])
    ts = tbl.column("ts").cast("int64").to_numpy()
    assert len(np.unique(ts)) == len(ts), f"{path}: a point stored twice"
    return len(ts), round(float(tbl.column("value").to_numpy().sum()), 4), int(ts.sum())


def test_two_api_and_two_ingest_workers_while_files_and_streams_arrive(
    tmp_path: Path,
    broker: Any,  # noqa: F811
) -> None:
    with cluster(tmp_path) as c:
        me = c.kamp.principal()
        conns = make_connections(c, broker)
        c.kamp.assets.apply_tree(me, extra_tree())
        admin = c.kamp.accounts.create_first_admin(c.kamp.default_org_id, "kim", "pw-12345678!")
        _, token = c.kamp.accounts.create_token(
            c.kamp.accounts.principal_of(admin), "region", ["write"]
        )
        apis = [c.start("api", port=free_port()) for _ in range(2)]
        ingests = [c.start("ingest", port=free_port()) for _ in range(2)]
        c.wait_ready(*apis, *ingests, timeout=90)
        spread(c, conns, ingests)
        headers = {"Authorization": f"Bearer {token}"}
        errors: list[BaseException] = []

        def guarded(fn: Any) -> Any:
            def run() -> None:
                try:
                    fn()
                except BaseException as exc:  # reported by the test thread
                    errors.append(exc)

            return threading.Thread(target=run, daemon=True)

        # -- files through both API workers: at once, or as a job followed on the other ------
        reports: list[dict[str, Any]] = []

        def upload() -> None:
            with httpx.Client(headers=headers, timeout=60) as http:
                n = 0
                for part in range(2):
                    for m, name in enumerate(FILES):
                        text, _, _ = csv_file(m, part)
                        api, other = apis[n % 2], apis[(n + 1) % 2]
                        wait = n % 2 == 0
                        r = http.post(
                            f"{api.url}/api/v1/imports",
                            params={"wait": str(wait).lower()},
                            data={"options": json.dumps({"equipment": f"plant1/line2/{name}"})},
                            files={"file": (f"{name}-{part}.csv", text.encode(), "text/csv")},
                        )
                        assert r.status_code == 201, r.text
                        if wait:
                            reports.append(r.json()["report"])
                        else:
                            jid = r.json()["job"]["id"]

                            def done(jid: int = jid, other: Any = other) -> dict[str, Any] | None:
                                got = http.get(f"{other.url}/api/v1/jobs/{jid}").json()
                                return got if got["status"] in ("done", "failed") else None

                            job = wait_for(done, 60, f"import job {jid}")
                            assert job["status"] == "done", job
                            reports.append(job["result"]["report"])
                        n += 1

        # -- JSON to both ingest workers' HTTP ingest ------------------------------------------
        answers: list[dict[str, Any]] = []

        def post_json() -> None:
            with httpx.Client(headers=headers, timeout=60) as http:
                for i in range(REQUESTS):
                    for m, name in enumerate(HTTP):
                        worker = ingests[(i + m) % 2]
                        values = [float(m * 1_000_000 + i * HPER + j) for j in range(HPER)]
                        body = {"t0": HT0 + i * HPER, "dt": 1, "s": {"flow": values}}
                        r = http.post(
                            f"{worker.url}/api/v1/ingest/json",
                            params={"equipment": f"plant1/line3/{name}", "precision": "ms"},
                            json=body,
                        )
                        assert r.status_code == 200, r.text
                        answers.append(r.json())

        stream = Stream(broker, n=300, rate=100.0)  # MQTT: 4 machines x 300 messages x 10 points
        threads = [guarded(upload), guarded(post_json)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        acked = stream.finish()
        assert not errors, errors

        # -- what the API workers say about ingest ---------------------------------------------
        r = httpx.post(f"{apis[0].url}/api/v1/ingest/json", headers=headers, json={})
        assert r.status_code == 404 and r.json()["error"]["code"] == "workers.ingest_elsewhere"

        # -- every signal: exactly what was sent -------------------------------------------------
        for k in range(len(MACHINES)):
            want = expected(k, sorted(acked[k]))
            assert want[0] == 300 * PER
            wait_for(lambda k=k, w=want: stored(c, k)[0] >= w[0], 60, f"MQTT machine {k} stored")
            assert stored(c, k) == want, f"MQTT machine {k}"
        assert len(reports) == 2 * len(FILES)
        assert all(r["rows_read"] == ROWS == r["rows_stored"] for r in reports), reports
        for m, name in enumerate(FILES):
            ts, values = [], []
            for part in range(2):
                _, t, v = csv_file(m, part)
                ts += t
                values += v
            want = (2 * ROWS, round(sum(values), 4), sum(t * 1_000_000 for t in ts))
            assert read(c, f"plant1/line2/{name}/temp") == want, name
        assert sum(a["stored"] for a in answers) == REQUESTS * len(HTTP) * HPER
        assert all(a["rejected"] == 0 for a in answers)
        for m, name in enumerate(HTTP):
            idx = np.arange(REQUESTS * HPER, dtype=np.int64)
            want = (len(idx), float((m * 1_000_000 + idx).sum()), int(((HT0 + idx) * 1000).sum()))
            assert read(c, f"plant1/line3/{name}/flow") == want, name
        assert duplicates_at_broker(broker) == []
        for w in c.workers:
            assert w.proc.poll() is None and "Traceback" not in w.output(), w.output()[-3000:]
