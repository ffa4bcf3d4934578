from __future__ import annotations

import pytest

from openkamp.core.errors import UnknownBackend
from openkamp.storage import open_timeseries, register, schemes


def test_unknown_scheme_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownBackend) as err:
        open_timeseries("influx://localhost/db")
    assert "duckdb" in str(err.value) and "influx" in str(err.value)


def test_third_party_backends_register_by_scheme() -> None:
    register("timeseries", "mem", "openkamp.storage.timeseries.duckdb:DuckDBTimeSeriesStore")
    assert "mem" in schemes("timeseries")
