"""Web platform under load: 50 simulated users for 2 minutes against a real server on loopback.

    python bench/web.py [--users 50] [--seconds 120] [--days 7] [--json]

Loads the demo factory (``--days`` of simulated data, two trained models) into a fresh data folder,
starts ``uvicorn`` with ``openkamp.api:create_app`` in its own process (one worker, as
``openkamp serve`` runs), signs each simulated user in (its own browser session), and lets every
user loop over a mix of page views and API reads with a think time of 0.25–0.75 s:

* pages: overview ``/`` (every machine's state: freshness, limits, production against the usual,
  trends, alerts), signal explorer ``/signals``, models ``/models``, settings ``/settings``;
* API reads: asset tree, latest values, chart series of a random window (min/max per pixel column
  of 1,000 columns over up to the whole period), model list, job list, open alerts.

Prints throughput, p50 / p99 latency per kind and errors; the baseline is ``/api/v1/health`` under
the same load (the cost of the server and the network stack alone), so the ratios say what the
platform's own work adds. Target (issue 4): 0 errors, p99 under 300 ms for pages and API reads.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, platform_server, print_table

PASSWORD = "bench password 2026"
PAGES = ["/", "/signals", "/models", "/settings"]
SIGNALS = [
    "plant1/line2/press01/motor_current",
    "plant1/line2/press01/vib_rms",
    "plant1/line1/tank01/melt_temp",
    "plant1/line1/inj01/injection_pressure",
    "plant1/line2/cnc01/spindle_load",
]


def prepare(data_dir: Path, days: int) -> tuple[datetime, datetime]:
    from rich.console import Console

    from openkamp.core.tenancy import Role
    from openkamp.demo import run_demo
    from openkamp.platform import Platform

    with Platform.at(data_dir) as kamp:
        run_demo(kamp, days=days, console=Console(quiet=True), lang="en")
        admin = kamp.accounts.create_first_admin(kamp.default_org_id, "admin", PASSWORD)
        kamp.accounts.create_user(
            kamp.accounts.principal_of(admin), "bench", PASSWORD, role=Role.ENGINEER
        )
        ext = kamp.query.extent(kamp.principal())
        first = min(ext.column("first_ts").to_pylist())
        last = max(ext.column("last_ts").to_pylist())
    return first, last


async def user(
    base: str,
    deadline: float,
    first: datetime,
    last: datetime,
    seed: int,
    out: list[tuple[str, float, int, str]],
) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"login": "bench", "password": PASSWORD}
        )
        login.raise_for_status()
        span = (last - first).total_seconds()

        def api_read() -> tuple[str, dict[str, Any]]:
            pick = rng.random()
            if pick < 0.45:
                length = rng.uniform(3600, span)
                start = first + timedelta(seconds=rng.uniform(0, span - length))
                end = start + timedelta(seconds=length)
                params = {"signal": rng.choice(SIGNALS), "start": start.isoformat(),
                          "end": end.isoformat(), "width": 1000}  # fmt: skip
                return "/api/v1/data/chart", params
            if pick < 0.65:
                return "/api/v1/data/latest", {"signal": rng.sample(SIGNALS, 3)}
            if pick < 0.80:
                return "/api/v1/assets/tree", {}
            if pick < 0.88:
                return "/api/v1/models", {}
            if pick < 0.94:
                return "/api/v1/jobs", {}
            return "/api/v1/alerts", {"status": "open"}

        while time.perf_counter() < deadline:
            r = rng.random()
            if r < 0.40:
                kind, path, params = "page", rng.choice(PAGES), {}
            elif r < 0.90:
                kind = "api"
                path, params = api_read()
            else:
                kind, path, params = "baseline", "/api/v1/health", {}
            t0 = time.perf_counter()
            try:
                resp = await client.get(path, params=params)
                status = resp.status_code
            except httpx.HTTPError:
                status = 0
            out.append((kind, time.perf_counter() - t0, status, path))
            await asyncio.sleep(rng.uniform(0.25, 0.75))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="okp-bench-web-") as tmp:
        data_dir = Path(tmp) / "data"
        t0 = time.perf_counter()
        first, last = prepare(data_dir, args.days)
        print(f"demo factory loaded: {args.days} days, {time.perf_counter() - t0:.0f} s")
        with platform_server(data_dir) as (base, _):
            results: list[tuple[str, float, int, str]] = []

            async def run() -> None:
                deadline = time.perf_counter() + args.seconds
                await asyncio.gather(
                    *(user(base, deadline, first, last, i, results) for i in range(args.users))
                )

            started = time.perf_counter()
            asyncio.run(run())
            wall = time.perf_counter() - started

    rows, summary = [], {}
    base_p50 = pct([d for k, d, _, _ in results if k == "baseline"], 0.5)
    base_p99 = pct([d for k, d, _, _ in results if k == "baseline"], 0.99)
    for kind in ("page", "api", "baseline"):
        lat = [d for k, d, _, _ in results if k == kind]
        errors = sum(1 for k, _, s, _ in results if k == kind and not 200 <= s < 400)
        p50, p99 = pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000
        summary[kind] = {"requests": len(lat), "errors": errors, "p50_ms": p50, "p99_ms": p99,
                         "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan")}  # fmt: skip
        rows.append((kind, f"{len(lat):,}", str(errors), f"{p50:.1f}", f"{p99:.1f}",
                     f"{p50 / (base_p50 * 1000):.1f}x", f"{p99 / (base_p99 * 1000):.1f}x"))  # fmt: skip
    total = len(results)
    errors = sum(1 for _, _, s, _ in results if not 200 <= s < 400)
    by_path: dict[str, list[float]] = {}
    for _, d, _, path in results:
        by_path.setdefault(path, []).append(d)
    path_rows = sorted(
        ((p, f"{len(v):,}", f"{pct(v, 0.5) * 1000:.1f}", f"{pct(v, 0.99) * 1000:.1f}")
         for p, v in by_path.items()),
        key=lambda r: -float(r[3]),
    )  # fmt: skip
    print_table(
        f"{args.users} users, {wall:.0f} s, {total:,} requests, {total / wall:.1f} requests/s, {errors} errors",
        rows,
        ("kind", "requests", "errors", "p50 ms", "p99 ms", "p50 vs health", "p99 vs health"),
    )
    print_table("per route", path_rows, ("route", "requests", "p50 ms", "p99 ms"))
    worst = max(summary["page"]["p99_ms"], summary["api"]["p99_ms"])
    ok = errors == 0 and worst < 300
    print(
        f"target: 0 errors and p99 < 300 ms for pages and API reads -> {'met' if ok else 'NOT met'}"
    )
    emit_json(args.json, {"bench": "web", "machine": machine(), "users": args.users,
                          "seconds": wall, "requests": total, "throughput": total / wall,
                          "errors": errors, "kinds": summary, "target_met": ok})  # fmt: skip


if __name__ == "__main__":
    main()
