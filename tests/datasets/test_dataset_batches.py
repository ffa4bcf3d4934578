"""A whole version streamed in batches (``DatasetService.iter_batches``): the batches Parquet's
reader gives over the whole file (running across row groups), read one row group at a time.

The whole-file reader keeps what it read of every row group until it is done, so it held about
the file's size (tests/sharing/test_export_memory.py measures the governed export's memory)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from openkamp.core.tenancy import Principal
from openkamp.datasets import service as dataset_service
from openkamp.platform import Platform


@pytest.mark.parametrize("batch_rows", [7, 64, 100, 150, 301, 5000])
def test_the_batches_are_the_whole_file_reader_s_one_row_group_at_a_time(
    kamp: Platform, me: Principal, monkeypatch: pytest.MonkeyPatch, batch_rows: int
) -> None:
    monkeypatch.setattr(dataset_service, "ROW_GROUP_ROWS", 100)
    n = 3 * 100 + 7
    frame = pd.DataFrame({
        "time": pd.date_range("2026-03-02", periods=n, freq="s", tz="Asia/Seoul"),
        "i": np.arange(n), "x": np.linspace(0, 1, n), "s": [f"L{k % 7}" for k in range(n)],
    })  # fmt: skip
    frame.loc[frame.index % 31 == 3, "x"] = np.nan
    v = kamp.datasets.create(me, "rows", frame)
    with kamp.files.open(me.org_id, v.file_key) as fh:
        whole = [b.to_pandas() for b in pq.ParquetFile(fh).iter_batches(batch_size=batch_rows)]
    groups: list[list[int] | None] = []
    real = pq.ParquetFile.iter_batches

    def spy(self: pq.ParquetFile, *args: Any, **kw: Any) -> Any:
        groups.append(kw.get("row_groups"))
        return real(self, *args, **kw)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    got = list(kamp.datasets.iter_batches(me, "rows", batch_rows=batch_rows))
    assert [len(b) for b in got] == [len(b) for b in whole]
    for mine, theirs in zip(got, whole, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    assert groups == [[0], [1], [2], [3]]  # one reader per row group
    back = pd.concat(got, ignore_index=True)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_an_empty_version_gives_no_batch(kamp: Platform, me: Principal) -> None:
    kamp.datasets.create(me, "none", pd.DataFrame({"i": np.arange(0), "x": np.zeros(0)}))
    assert list(kamp.datasets.iter_batches(me, "none", batch_rows=10)) == []
