"""Query benchmark: the product's downsampling versus hand-written DuckDB SQL, same data, same run.

    python bench/query.py            # 100M points in one signal + 10 signals x 1 week at 1 Hz
    python bench/query.py --points 20000000 --json

Both sides run on the same DuckDB file, in the same process, on the same engine: the baseline
is the SQL an engineer would write by hand against the points table; the product goes through
``QueryService`` (signal lookup and organisation scoping included). Times are medians of 7 runs
after one warm-up.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, print_table, timed

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def load(kamp, me, signal_id: int, n: int, period_us: int, seed: int) -> None:
    """Write ``n`` points of a random walk through the product's write path, in batches."""
    rng = np.random.default_rng(seed)
    start_us = int(T0.timestamp() * 1_000_000)
    level = 0.0
    batch = 10_000_000
    for lo in range(0, n, batch):
        m = min(batch, n - lo)
        steps = rng.normal(0, 0.1, m)
        vals = level + np.cumsum(steps)
        level = float(vals[-1])
        ts = start_us + (lo + np.arange(m, dtype=np.int64)) * period_us
        kamp.ts.write(
            me.org_id,
            pa.table(
                {
                    "signal_id": pa.array(np.full(m, signal_id, dtype=np.int64)),
                    "ts": pa.array(ts).cast(pa.timestamp("us", tz="UTC")),
                    "value": pa.array(vals),
                }
            ),
        )


RAW_SQL = """
SELECT signal_id, ((epoch_us(ts) - {s}) * {n}) // {span} AS b, count(*), min(value), max(value),
       avg(value), arg_max(value, ts)
FROM points WHERE org_id = {org} AND signal_id IN ({ids}) AND ts >= make_timestamp({s})
  AND ts < make_timestamp({e})
GROUP BY ALL ORDER BY 1, 2
"""


def raw_query(cur, org: int, ids: list[int], start: datetime, end: datetime, n: int):
    s = int(start.timestamp() * 1e6)
    e = int(end.timestamp() * 1e6)
    sql = RAW_SQL.format(s=s, e=e, n=n, span=e - s, org=org, ids=", ".join(map(str, ids)))
    return cur.sql(sql).fetchall()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--points", type=int, default=100_000_000, help="points of the one long signal")
    ap.add_argument("--buckets", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
    from openkamp.platform import Platform

    work = Path(tempfile.mkdtemp())
    try:
        with Platform.at(work / "data", duckdb_memory_limit="4GB") as kamp:
            me = kamp.principal()
            signals = [SignalSpec("long")] + [SignalSpec(f"s{i:02d}") for i in range(10)]
            kamp.assets.apply_tree(
                me,
                [
                    SiteSpec(
                        "p", lines=[LineSpec("l", equipment=[EquipmentSpec("m", signals=signals)])]
                    )
                ],
            )
            sig = {s.name: s.id for s in kamp.assets.list_signals(me)}
            t0 = time.perf_counter()
            # 100M points: one every 10 ms, about 11.6 days.
            load(kamp, me, sig["long"], args.points, 10_000, seed=1)
            week = 7 * 24 * 3600
            for i in range(10):
                load(kamp, me, sig[f"s{i:02d}"], week, 1_000_000, seed=10 + i)
            load_s = time.perf_counter() - t0
            total = kamp.ts.count(me.org_id)
            print(
                f"loaded {total:,} points through the product's write path in {load_s:.1f} s "
                f"({total / load_s / 1e6:.2f} M points/s)",
                file=sys.stderr,
            )

            cur = kamp.ts._con.cursor()  # the same engine and file, for the hand-written SQL
            long_end = T0 + timedelta(microseconds=args.points * 10_000)
            ten = [sig[f"s{i:02d}"] for i in range(10)]
            ten_paths = [f"p/l/m/s{i:02d}" for i in range(10)]
            week_end = T0 + timedelta(seconds=week)

            cases = {}
            raw_t, raw_res = timed(
                lambda: raw_query(cur, me.org_id, [sig["long"]], T0, long_end, args.buckets), 7
            )
            prod_t, prod_res = timed(
                lambda: kamp.query.downsample(me, ["p/l/m/long"], T0, long_end, args.buckets), 7
            )
            assert prod_res.num_rows == len(raw_res) == args.buckets
            cases["downsample_1x100M"] = (raw_t, prod_t)
            raw_t, raw_res = timed(
                lambda: raw_query(cur, me.org_id, ten, T0, week_end, args.buckets), 7
            )
            prod_t, prod_res = timed(
                lambda: kamp.query.downsample(me, ten_paths, T0, week_end, args.buckets), 7
            )
            assert prod_res.num_rows == len(raw_res) == 10 * args.buckets
            cases["chart_10x1week"] = (raw_t, prod_t)
            lttb_t, lttb = timed(
                lambda: kamp.query.chart(me, ten_paths, T0, week_end, args.buckets), 5
            )
            assert all(v.num_rows == args.buckets for v in lttb.values())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = []
    for name, (raw_t, prod_t) in cases.items():
        rows.append((name, f"{raw_t * 1000:.1f}", f"{prod_t * 1000:.1f}", f"{prod_t / raw_t:.2f}"))
    rows.append(("chart_10x1week (LTTB, 1000 px)", "-", f"{lttb_t * 1000:.1f}", "-"))
    print_table(
        f"Query: {args.buckets} buckets, median of 7 runs",
        rows,
        ("case", "raw SQL ms", "product ms", "product/raw"),
    )
    chart_ms = cases["chart_10x1week"][1] * 1000
    worst = max(p / r for r, p in cases.values())
    print(
        f"\nworst product/raw ratio {worst:.2f} (target <= 1.2); 10-signal chart {chart_ms:.0f} ms (target < 200 ms)"
    )
    emit_json(
        args.json,
        {
            "bench": "query",
            "points_long": args.points,
            "buckets": args.buckets,
            "load_seconds": load_s,
            "cases": {
                k: {"raw_s": r, "product_s": p, "ratio": p / r} for k, (r, p) in cases.items()
            },
            "lttb_10x1week_s": lttb_t,
            "machine": machine(),
        },
    )


if __name__ == "__main__":
    main()
