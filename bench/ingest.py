"""Ingest benchmark: the product's file import versus DuckDB's own read_csv, same file, same run.

    python bench/ingest.py                      # 5M rows x 20 signals (~1 GB CSV)
    python bench/ingest.py --big-rows 12500000  # also a > 2 GB file, product path, peak memory
    python bench/ingest.py --json               # last line: one JSON object

Each side runs in a fresh process so its peak memory (max RSS) is its own:

* baseline: ``CREATE TABLE t AS SELECT * FROM read_csv('file')`` in DuckDB (wide table, types
  inferred, default settings), timed until the connection is closed (data on disk). This is
  what a user with DuckDB would do by hand; it stores the same points but validates nothing,
  quarantines nothing and is not idempotent.
* product: ``ImportService.import_file`` on a fresh embedded platform (detect encoding, delimiter,
  header and timestamps, create signals, validate every cell, unpivot to (signal, ts, value),
  store idempotently, write the import record), timed until the platform is closed (data on
  disk), like the baseline.

A stable ratio on a shared, drifting machine: the file is read once first (both sides find it in
the page cache), the two sides run as pairs back to back in alternating order (ABBA), each pair
gives its own ratio, and the median pair ratio is reported with the lowest and highest. CPU
seconds of each side are reported too (user + system, all threads): their ratio does not depend
on what else the machine is doing.

The CSV is made by the simulator's bulk writer (``openkamp.sim.bulk``) and cached in bench/out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import OUT, emit_json, machine, peak_rss_mb, print_table


def make_file(rows: int, signals: int) -> Path:
    from openkamp.sim.bulk import write_wide_csv

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"ingest_{rows}x{signals}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        tmp = path.with_suffix(".partial")
        write_wide_csv(tmp, rows, signals=signals, seed=7)
        tmp.rename(path)
        print(
            f"wrote {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    return path


def child_duckdb(path: Path) -> dict[str, float]:
    import duckdb

    work = Path(tempfile.mkdtemp())
    try:
        con = duckdb.connect(str(work / "raw.duckdb"))
        c0, t0 = cpu_seconds(), time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        cols = len(con.execute("SELECT * FROM t LIMIT 0").description)
        con.close()
        secs, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": secs, "cpu": cpu, "points": rows * (cols - 1), "peak_mb": peak_rss_mb()}


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads."""
    import resource

    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def child_product(path: Path) -> dict[str, float]:
    from openkamp.core.assets import EquipmentSpec, LineSpec, SiteSpec
    from openkamp.ingest.importer import ImportOptions
    from openkamp.platform import Platform

    work = Path(tempfile.mkdtemp())
    try:
        kamp = Platform.at(work / "data")
        me = kamp.principal()
        kamp.assets.apply_tree(
            me,
            [SiteSpec("bench", lines=[LineSpec("line", equipment=[EquipmentSpec("machine")])])],
        )
        c0, t0 = cpu_seconds(), time.perf_counter()
        report = kamp.imports.import_file(
            me, path, ImportOptions(equipment="bench/line/machine", kind="timeseries")
        )
        kamp.close()  # data on disk, as the baseline's close
        secs, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        assert report.balanced() and report.rows_quarantined == 0, report.reasons
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": secs,
        "cpu": cpu,
        "points": report.points_inserted,
        "rows": report.rows_read,
        "peak_mb": peak_rss_mb(),
    }


def run_child(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The run with the median time; peak memory is the worst of all runs."""
    mid = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {
        **mid,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "all_seconds": [round(r["seconds"], 2) for r in runs],
        "cpu": statistics.median(r["cpu"] for r in runs),
    }


def warm_cache(path: Path) -> None:
    """Read the file once so that neither side pays for the first read from disk."""
    with open(path, "rb") as fh:
        while fh.read(16 << 20):
            pass


def pairs(path: Path, repeat: int) -> tuple[dict[str, list[dict[str, float]]], list[float]]:
    """``repeat`` pairs in ABBA order; each pair's ratio product / DuckDB in points per second."""
    runs: dict[str, list[dict[str, float]]] = {"duckdb": [], "product": []}
    ratios = []
    for i in range(repeat):
        order = ("duckdb", "product") if i % 2 == 0 else ("product", "duckdb")
        got = {kind: run_child(kind, path) for kind in order}
        for kind in order:
            runs[kind].append(got[kind])
        pps = {k: got[k]["points"] / got[k]["seconds"] for k in got}
        ratios.append(pps["product"] / pps["duckdb"])
    return runs, ratios


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--signals", type=int, default=20)
    ap.add_argument(
        "--big-rows",
        type=int,
        default=0,
        help="also import a file of this many rows (memory check)",
    )
    ap.add_argument(
        "--repeat", type=int, default=5, help="pairs of runs (the median pair ratio is reported)"
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", choices=["duckdb", "product"], help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        res = child_duckdb(args.file) if args.child == "duckdb" else child_product(args.file)
        print(json.dumps(res))
        return

    path = make_file(args.rows, args.signals)
    size_gb = path.stat().st_size / 1e9
    warm_cache(path)
    runs, ratios = pairs(path, args.repeat)
    raw, prod = (median_run(runs[k]) for k in ("duckdb", "product"))
    raw_pps = raw["points"] / raw["seconds"]
    prod_pps = prod["points"] / prod["seconds"]
    ratio = statistics.median(ratios)
    cpu_ratio = (prod["points"] / prod["cpu"]) / (raw["points"] / raw["cpu"])
    rows: list[tuple[str, ...]] = [
        (
            "DuckDB read_csv → table (baseline)",
            f"{raw['seconds']:.2f}",
            f"{raw_pps / 1e6:.2f}",
            f"{raw['cpu']:.1f}",
            f"{raw['peak_mb']:.0f}",
        ),
        (
            "OpenKAMP import_file",
            f"{prod['seconds']:.2f}",
            f"{prod_pps / 1e6:.2f}",
            f"{prod['cpu']:.1f}",
            f"{prod['peak_mb']:.0f}",
        ),
    ]
    print_table(
        f"Ingest (median of {args.repeat} pairs): {args.rows:,} rows x {args.signals} signals = {prod['points']:,.0f} points, {size_gb:.2f} GB CSV",
        rows,
        ("path", "seconds", "M points/s", "CPU s", "peak MB"),
    )
    print(
        f"\nratio product / DuckDB (points/s): median of pairs {ratio:.2f} "
        f"(pairs {', '.join(f'{r:.2f}' for r in ratios)})   target >= 0.5"
    )
    print(f"ratio per CPU-second (load-independent): {cpu_ratio:.2f}")
    result = {
        "bench": "ingest",
        "rows": args.rows,
        "signals": args.signals,
        "file_gb": size_gb,
        "duckdb": raw,
        "product": prod,
        "ratio": ratio,
        "pair_ratios": ratios,
        "cpu_ratio": cpu_ratio,
        "machine": machine(),
    }
    if args.big_rows:
        big = make_file(args.big_rows, args.signals)
        big_res = run_child("product", big)
        big_gb = big.stat().st_size / 1e9
        print(
            f"large file: {big_gb:.2f} GB, {big_res['points']:,.0f} points in {big_res['seconds']:.1f} s "
            f"({big_res['points'] / big_res['seconds'] / 1e6:.2f} M points/s), peak memory "
            f"{big_res['peak_mb']:.0f} MB   target < 1024 MB"
        )
        result["large"] = {"file_gb": big_gb, **big_res}
    emit_json(args.json, result)


if __name__ == "__main__":
    main()
