"""The Parquet import reader's chunks: every row once, in order, at most 200,000 rows each, read
one row group at a time (the whole-file reader kept every row group it had read until the end,
so an import grew by about the file's size)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openkamp.ingest.readers import ParquetReader, ReaderOptions


@pytest.mark.parametrize("row_group_size", [7_000, 150_000, 450_000])
def test_chunks_hold_every_row_once_in_order(tmp_path: Path, row_group_size: int) -> None:
    n = 450_003
    table = pa.table({
        "ts": pa.array(np.arange(n, dtype="int64") * 1_000_000, pa.timestamp("us", "UTC")),
        "value": pa.array(np.random.default_rng(3).normal(size=n)),
    })  # fmt: skip
    path = tmp_path / "points.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    reader = ParquetReader(path, ReaderOptions())
    chunks = list(reader.chunks({}))
    assert all(c.table.num_rows <= 200_000 for c in chunks)
    assert [c.first_row for c in chunks] == list(
        np.cumsum([1] + [c.table.num_rows for c in chunks[:-1]])
    )
    got = pa.concat_tables([c.table for c in chunks])
    assert got.num_rows == n
    assert got.column("value").equals(table.column("value"))
    assert got.column("ts").equals(table.column("ts"))


_MEASURE = """
import sys, psutil
from pathlib import Path
from openkamp.ingest.readers import ParquetReader, ReaderOptions
proc = psutil.Process()
reader = ParquetReader(Path(sys.argv[1]), ReaderOptions())
base = peak = proc.memory_info().rss
rows = 0
for chunk in reader.chunks({}):
    rows += chunk.table.num_rows
    del chunk
    peak = max(peak, proc.memory_info().rss)
print(rows, peak - base)
"""


def test_reading_a_large_file_does_not_hold_it(tmp_path: Path) -> None:
    """Measured in a fresh process: a 3,000,000-row file of 195 MB grew the reader by 228 MB
    before (every row group kept to the end), 67 MB after; here 1,500,000 rows."""
    import subprocess
    import sys

    n = 1_500_000
    rng = np.random.default_rng(5)
    columns = {f"v{i}": rng.normal(size=n) for i in range(6)}
    table = pa.table(
        {"ts": pa.array(np.arange(n, dtype="int64") * 1_000_000, pa.timestamp("us", "UTC")),
         **columns}
    )  # fmt: skip
    path = tmp_path / "big.parquet"
    pq.write_table(table, path, row_group_size=100_000)
    del table, columns
    size = path.stat().st_size
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    rows, growth = int(out[0]), int(out[1])
    assert rows == n
    assert growth < 0.6 * size, f"grew {growth / 2**20:.0f} MB reading a {size / 2**20:.0f} MB file"
