"""Fixtures of the job tests: a real Dask LocalCluster (two worker processes), one per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openkamp.storage.registry import schemes
from openkamp.storage.testing.postgres import server_or_skip


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    server_or_skip()
    if "postgresql" not in schemes("timeseries"):
        pytest.skip("no PostgreSQL time-series backend registered (storage/timeseries/postgres)")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as lc,
        Client(lc) as client,
    ):
        yield client
