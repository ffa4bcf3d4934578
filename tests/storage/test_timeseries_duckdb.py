"""The time-series contract suite on the embedded DuckDB backend (file and in-memory)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from openkamp.storage import open_timeseries
from openkamp.storage.testing.timeseries_contract import TimeSeriesContract
from openkamp.storage.timeseries.base import TimeSeriesStore


class TestDuckDBFile(TimeSeriesContract):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> Callable[[], TimeSeriesStore]:
        return lambda: open_timeseries(f"duckdb:///{tmp_path}/ts.duckdb?memory_limit=256MB")
