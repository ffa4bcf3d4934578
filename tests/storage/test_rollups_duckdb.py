"""DuckDB roll-ups: a file written before roll-ups existed gets them built once, at open."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from openkamp.storage.testing.timeseries_contract import assert_rollups_match, points
from openkamp.storage.timeseries.duckdb import DuckDBTimeSeriesStore


def test_an_older_file_gets_its_rollups_built_once(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    rng = np.random.default_rng(1)
    con = duckdb.connect(str(path))  # the layout before roll-ups: points and labels only
    con.execute(
        "CREATE TABLE points (org_id INTEGER, signal_id INTEGER, ts TIMESTAMP, value DOUBLE);"
        "CREATE TABLE labels (org_id INTEGER, column_id INTEGER, ts TIMESTAMP, value VARCHAR)"
    )
    for org, sig in ((1, 1), (1, 2), (2, 1)):
        secs = np.sort(rng.choice(4 * 3600, size=2_000, replace=False)).astype(float)
        batch = points(sig, secs, rng.normal(size=secs.size))
        naive = batch.set_column(1, "ts", batch.column("ts").cast(pa.timestamp("us")))
        con.register("b", naive)
        con.execute("INSERT INTO points SELECT ?, signal_id, ts, value FROM b", [org])
        con.unregister("b")
    con.close()
    store = DuckDBTimeSeriesStore(f"duckdb:///{path}")
    try:
        assert store.rollups_built_s is not None
        assert_rollups_match(store, 1, [1, 2])
        assert_rollups_match(store, 2, [1])
        store.write(1, points(1, [5, 7], [100.0, -100.0]))  # maintained from here on
        assert_rollups_match(store, 1, [1, 2])
    finally:
        store.close()
    store = DuckDBTimeSeriesStore(f"duckdb:///{path}")
    try:
        assert store.rollups_built_s is None  # built once, not at every open
        assert_rollups_match(store, 1, [1, 2])
    finally:
        store.close()
