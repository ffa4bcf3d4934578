"""Roll-up and retention benchmark: what the per-minute and per-hour aggregates cost and save.

    python bench/rollups.py                     # 10 M points: 3 signals x 1 year, 5 M dropped
    python bench/rollups.py --points 1000000 --json

All in one run, on the same machine and engine settings (DuckDB, memory_limit 512MB):

* write throughput with roll-ups against the same batches written by the same store with the
  roll-up maintenance switched off (the baseline): live batches (200 signals x 10 s at 1 Hz,
  2,000 points, appended in time order, and the same at 100 s, 20,000 points), small live
  batches (100 signals x 3 s, 300 points: a connector's write every few hundred ms), late batches
  (2,000 points of the past hour, merged) and import batches (one signal, 100,000 points);
* the one-time build of the roll-ups when a file written without them is opened;
* a chart of a year (1,000 buckets of three signals) from the hour tier against the same query
  on the raw points;
* retention: dropping about half the points (raw, older than half a year) in chunks while a
  writer appends live batches; the longest write (the stall) against the longest write of the
  same writer without a drop.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, print_table, timed
from openkamp.storage.timeseries.duckdb import DuckDBTimeSeriesStore

T0 = datetime(2025, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
TS = pa.timestamp("us", tz="UTC")
ORG = 1


class NoRollups(DuckDBTimeSeriesStore):
    """The same store with the roll-up maintenance switched off: the baseline."""

    def _add_to_rollups(self, con: Any, org: int, *points: Any, **how: Any) -> None:
        return None

    def _rollups_after_change(self, con: Any, org: int) -> None:
        return None


def batch(sig: np.ndarray, ts_us: np.ndarray, vals: np.ndarray) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array(sig.astype(np.int64)),
            "ts": pa.array(ts_us.astype(np.int64)).cast(TS),
            "value": pa.array(vals),
        }
    )


def live_batches(n: int, start_us: int, seconds: int = 10, signals: int = 200) -> list[pa.Table]:
    """``n`` batches of ``signals`` signals x ``seconds`` at 1 Hz, consecutive in time,
    signal-major."""
    rng = np.random.default_rng(1)
    out = []
    sigs = np.arange(100, 100 + signals)
    for i in range(n):
        secs = start_us + (i * seconds + np.arange(seconds)) * 1_000_000
        sig = np.repeat(sigs, seconds)
        ts = np.tile(secs, signals)
        out.append(batch(sig, ts, rng.normal(size=sig.size)))
    return out


def write_rate(store: DuckDBTimeSeriesStore, batches: list[pa.Table]) -> float:
    n = sum(b.num_rows for b in batches)
    t0 = time.perf_counter()
    for b in batches:
        store.write(ORG, b)
    return n / (time.perf_counter() - t0)


def throughput(root: Path, n_live: int, rounds: int) -> dict[str, float]:
    """Points/s of the same batches with and without roll-ups, on fresh stores (medians)."""
    start_us = int(T0.timestamp() * 1_000_000)
    live = live_batches(n_live, start_us)
    # The same seconds again, later, in batches of 100 s (20,000 points): a busier sink.
    big = live_batches(max(1, n_live // 10), start_us + n_live * 20 * 1_000_000, seconds=100)
    # Then batches of 300 points (100 signals x 3 s), as often as the 2,000-point ones: the
    # fixed cost per write shows most here.
    small = live_batches(n_live, start_us + n_live * 40 * 1_000_000, seconds=3, signals=100)
    rng = np.random.default_rng(2)
    # Late points: random seconds of the last hour written, for existing and new times.
    end_us = start_us + n_live * 10 * 1_000_000
    late = [
        batch(
            rng.integers(100, 300, 2000),
            end_us - rng.integers(1, 3600, 2000) * 1_000_000 - rng.integers(0, 2, 2000) * 500_000,
            rng.normal(size=2000),
        )
        for _ in range(max(5, n_live // 10))
    ]
    imports = [
        batch(np.full(100_000, 900 + k), start_us + np.arange(100_000) * 1_000_000,
              rng.normal(size=100_000))
        for k in range(10)
    ]  # fmt: skip
    seen: dict[str, list[float]] = {}
    # Rounds alternate the two stores, each on a fresh file, and the median of each is kept:
    # on a shared machine the load changes from second to second.
    for k in range(rounds):
        for name, cls in (("baseline", NoRollups), ("rollups", DuckDBTimeSeriesStore)):
            path = root / f"write-{name}-{k}.duckdb"
            store = cls(f"duckdb:///{path}?memory_limit=512MB")
            try:
                for kind, batches in (("live", live), ("live20k", big), ("small", small),
                                      ("late", late), ("import", imports)):  # fmt: skip
                    seen.setdefault(f"{name}_{kind}", []).append(write_rate(store, batches))
            finally:
                store.close()
            path.unlink()
    return {key: statistics.median(rates) for key, rates in seen.items()}


def load_year(path: Path, points: int, signals: int) -> tuple[list[int], int]:
    """``points`` points over a year for ``signals`` signals, written without roll-ups (as a
    file of an older version), in signal-major batches of a million; returns ids and step."""
    per = points // signals
    step_us = int(YEAR.total_seconds() * 1_000_000) // per
    start_us = int(T0.timestamp() * 1_000_000)
    store = NoRollups(f"duckdb:///{path}?memory_limit=512MB")
    rng = np.random.default_rng(3)
    ids = list(range(1, signals + 1))
    try:
        for sid in ids:
            level = 0.0
            for lo in range(0, per, 1_000_000):
                m = min(1_000_000, per - lo)
                vals = level + np.cumsum(rng.normal(0, 0.1, m))
                level = float(vals[-1])
                ts = start_us + (lo + np.arange(m, dtype=np.int64)) * step_us
                store.write(ORG, batch(np.full(m, sid), ts, vals))
    finally:
        store.close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE rollup_minute; DROP TABLE rollup_hour")
    con.close()
    return ids, step_us


def retention_stall(
    store: DuckDBTimeSeriesStore, ids: list[int], chunk: int, seconds: float
) -> dict[str, float]:
    """The writer's longest write without a drop, then while about half a year of raw points
    of ``ids`` is dropped in chunks of ``chunk``."""
    start_us = int((T0 + YEAR).timestamp() * 1_000_000)  # live data after the loaded year
    batches = iter(live_batches(100_000, start_us))

    def writer(stop: threading.Event, lat: list[float]) -> None:
        while not stop.is_set():
            b = next(batches)
            t0 = time.perf_counter()
            store.write(ORG, b)
            lat.append(time.perf_counter() - t0)
            time.sleep(0.01)  # a live source: a batch every 10 ms at most

    quiet: list[float] = []
    stop = threading.Event()
    t = threading.Thread(target=writer, args=(stop, quiet))
    t.start()
    time.sleep(seconds)
    stop.set()
    t.join()

    busy: list[float] = []
    stop = threading.Event()
    t = threading.Thread(target=writer, args=(stop, busy))
    t.start()
    time.sleep(0.5)
    before = store.count(ORG, ids)
    t0 = time.perf_counter()
    dropped = store.expire(ORG, "raw", ids, T0 + YEAR / 2, chunk=chunk)
    drop_s = time.perf_counter() - t0
    time.sleep(0.5)
    stop.set()
    t.join()
    assert store.count(ORG, ids) == before - dropped
    return {
        "dropped": dropped,
        "drop_s": drop_s,
        "chunk": chunk,
        "writes_during": len(busy),
        "max_write_ms_quiet": 1000 * max(quiet),
        "p50_write_ms_quiet": 1000 * statistics.median(quiet),
        "max_write_ms_dropping": 1000 * max(busy),
        "p50_write_ms_dropping": 1000 * statistics.median(busy),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=10_000_000, help="points of the year")
    ap.add_argument("--signals", type=int, default=3)
    ap.add_argument("--live-batches", type=int, default=300, help="2,000-point live batches")
    ap.add_argument("--chunk", type=int, default=50_000, help="rows dropped per transaction")
    ap.add_argument("--rounds", type=int, default=3, help="write rounds (medians reported)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="okp-rollups-"))
    try:
        rates = throughput(root, args.live_batches, args.rounds)
        path = root / "year.duckdb"
        ids, step_us = load_year(path, args.points, args.signals)
        t0 = time.perf_counter()
        store = DuckDBTimeSeriesStore(f"duckdb:///{path}?memory_limit=512MB")
        open_s = time.perf_counter() - t0
        try:
            built_s = store.rollups_built_s or 0.0
            end = T0 + YEAR
            hour_s, hour_t = timed(lambda: store.downsample(ORG, ids, T0, end, 1000, "hour"), 7)
            raw_s, raw_t = timed(lambda: store.downsample(ORG, ids, T0, end, 1000, "raw"), 3)
            # Both count every point once (bucket edges differ by less than an hour).
            assert sum(hour_t.column("count").to_pylist()) == sum(raw_t.column("count").to_pylist())
            stall = retention_stall(store, ids, args.chunk, seconds=3.0)
        finally:
            store.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def pair(kind: str) -> tuple[str, str, str, str]:
        b, r = rates[f"baseline_{kind}"], rates[f"rollups_{kind}"]
        return (kind, f"{b:,.0f}", f"{r:,.0f}", f"{r / b:.2f}")

    print_table(
        f"Write throughput, points/s (same batches, same run; median of {args.rounds} rounds)",
        [pair("small"), pair("live"), pair("live20k"), pair("late"), pair("import")],
        ("batches", "without roll-ups", "with roll-ups", "ratio"),
    )
    n = args.points // args.signals * args.signals
    year = [
        ("build roll-ups at first open", f"{built_s:.2f} s", f"open {open_s:.2f} s"),
        ("chart of the year, hour tier", f"{1000 * hour_s:.1f} ms", ""),
        ("same chart from raw points", f"{1000 * raw_s:.1f} ms",
         f"hour tier {raw_s / hour_s:.0f}x faster"),
    ]  # fmt: skip
    print_table(
        f"A year, {n:,} points of {args.signals} signals (one every {step_us / 1e6:.2f} s)",
        year,
        ("", "time", ""),
    )
    drop = [
        ("drop", f"{stall['drop_s']:.2f} s", f"{stall['dropped'] / stall['drop_s']:,.0f} rows/s"),
        ("longest write, no drop", f"{stall['max_write_ms_quiet']:.1f} ms",
         f"median {stall['p50_write_ms_quiet']:.1f} ms"),
        ("longest write while dropping", f"{stall['max_write_ms_dropping']:.1f} ms",
         f"median {stall['p50_write_ms_dropping']:.1f} ms, {stall['writes_during']} writes"),
    ]  # fmt: skip
    print_table(
        f"Retention: drop {stall['dropped']:,} raw points in chunks of {args.chunk:,} "
        "while live batches of 2,000 points are written",
        drop,
        ("", "time", ""),
    )
    emit_json(
        args.json,
        {
            "bench": "rollups",
            "machine": machine(),
            "points": n,
            **{f"{k}_points_per_s": round(v) for k, v in rates.items()},
            "small_ratio": rates["rollups_small"] / rates["baseline_small"],
            "live_ratio": rates["rollups_live"] / rates["baseline_live"],
            "live20k_ratio": rates["rollups_live20k"] / rates["baseline_live20k"],
            "late_ratio": rates["rollups_late"] / rates["baseline_late"],
            "import_ratio": rates["rollups_import"] / rates["baseline_import"],
            "rollup_build_s": built_s,
            "chart_year_hour_ms": 1000 * hour_s,
            "chart_year_raw_ms": 1000 * raw_s,
            "chart_speedup": raw_s / hour_s,
            "retention_dropped": stall["dropped"],
            "retention_drop_s": stall["drop_s"],
            "max_write_stall_ms": stall["max_write_ms_dropping"],
            "max_write_ms_without_drop": stall["max_write_ms_quiet"],
        },
    )


if __name__ == "__main__":
    main()
