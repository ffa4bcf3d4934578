"""Ingest benchmark: the product's file import versus DuckDB's own read_csv, same file, same run.

    python bench/ingest.py                      # 5M rows x 20 signals (~1 GB CSV)
    python bench/ingest.py --big-rows 12500000  # also a > 2 GB file, product path, peak memory
    python bench/ingest.py --json               # last line: one JSON object

Each side runs in a fresh process so its peak memory (max RSS) is its own:

* baseline: ``CREATE TABLE t AS SELECT * FROM read_csv('file')`` in DuckDB (wide table, types
  inferred, default settings). This is what a user with DuckDB would do by hand; it stores the
  same points but validates nothing, quarantines nothing and is not idempotent.
* product: ``ImportService.import_file`` on a fresh embedded platform (detect encoding, delimiter
  and timestamps, create signals, validate every cell, unpivot to (signal, ts, value), store
  idempotently, write the import record).

The CSV is made by the simulator's bulk writer (``openkamp.sim.bulk``) and cached in bench/out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
        t0 = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        cols = len(con.execute("SELECT * FROM t LIMIT 0").description)
        con.close()
        secs = time.perf_counter() - t0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": secs, "points": rows * (cols - 1), "peak_mb": peak_rss_mb()}


def child_product(path: Path) -> dict[str, float]:
    from openkamp.core.assets import EquipmentSpec, LineSpec, SiteSpec
    from openkamp.ingest.importer import ImportOptions
    from openkamp.platform import Platform

    work = Path(tempfile.mkdtemp())
    try:
        with Platform.at(work / "data") as kamp:
            me = kamp.principal()
            kamp.assets.apply_tree(
                me,
                [SiteSpec("bench", lines=[LineSpec("line", equipment=[EquipmentSpec("machine")])])],
            )
            t0 = time.perf_counter()
            report = kamp.imports.import_file(
                me, path, ImportOptions(equipment="bench/line/machine")
            )
            secs = time.perf_counter() - t0
            assert report.balanced() and report.rows_quarantined == 0, report.reasons
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": secs,
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


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median time; peak memory is the worst of all runs."""
    mid = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {
        **mid,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "all_seconds": [r["seconds"] for r in runs],
    }


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
        "--repeat", type=int, default=3, help="runs of each side (medians are reported)"
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
    # Alternate the two sides and take medians: this machine's speed drifts between runs.
    runs: dict[str, list[dict[str, float]]] = {"duckdb": [], "product": []}
    for _ in range(args.repeat):
        for kind in runs:
            runs[kind].append(run_child(kind, path))
    raw, prod = (median_run(runs[k]) for k in ("duckdb", "product"))
    raw_pps = raw["points"] / raw["seconds"]
    prod_pps = prod["points"] / prod["seconds"]
    ratio = prod_pps / raw_pps
    rows = [
        (
            "DuckDB read_csv → table (baseline)",
            f"{raw['seconds']:.2f}",
            f"{raw_pps / 1e6:.2f}",
            f"{raw['peak_mb']:.0f}",
        ),
        (
            "OpenKAMP import_file",
            f"{prod['seconds']:.2f}",
            f"{prod_pps / 1e6:.2f}",
            f"{prod['peak_mb']:.0f}",
        ),
    ]
    print_table(
        f"Ingest (median of {args.repeat}): {args.rows:,} rows x {args.signals} signals = {prod['points']:,.0f} points, {size_gb:.2f} GB CSV",
        rows,
        ("path", "seconds", "M points/s", "peak MB"),
    )
    print(f"\nratio product / DuckDB (points/s): {ratio:.2f}   target >= 0.5")
    result = {
        "bench": "ingest",
        "rows": args.rows,
        "signals": args.signals,
        "file_gb": size_gb,
        "duckdb": raw,
        "product": prod,
        "ratio": ratio,
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
