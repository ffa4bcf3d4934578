"""Query service: reading by path, downsampling, charts, retention, and organisation scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform
from openkamp.storage.timeseries.base import TS_TYPE

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def loaded(kamp: Platform, me: Principal, press: str) -> Platform:
    ids = {s.name: s.id for s in kamp.assets.list_signals(me)}
    n = 3600
    ts = pa.array([T0 + timedelta(seconds=i) for i in range(n)], TS_TYPE)
    for name, fn in (("pressure", np.sin), ("oil_temp", np.cos)):
        kamp.ts.write(
            me.org_id,
            pa.table({"signal_id": [ids[name]] * n, "ts": ts, "value": fn(np.arange(n) / 300)}),
        )
    return kamp


def test_downsample_and_chart_by_path(loaded: Platform, me: Principal, press: str) -> None:
    paths = [f"{press}/pressure", f"{press}/oil_temp"]
    ds = loaded.query.downsample(me, paths, T0, T0 + timedelta(hours=1), 60)
    assert ds.num_rows == 120 and set(ds.column("signal").to_pylist()) == {"pressure", "oil_temp"}
    assert all(c == 60 for c in ds.column("count").to_pylist())
    chart = loaded.query.chart(me, paths, T0, T0 + timedelta(hours=1), 100)
    assert {k: v.num_rows for k, v in chart.items()} == {"pressure": 100, "oil_temp": 100}
    latest = loaded.query.latest(me, paths).to_pylist()
    assert all(r["ts"] == T0 + timedelta(seconds=3599) for r in latest)
    with pytest.raises(InvalidInput, match="not a signal"):
        loaded.query.read(me, [press])


def test_other_organisation_sees_nothing(loaded: Platform, me: Principal, press: str) -> None:
    other = loaded.principal("other")
    sig_id = loaded.assets.resolve(me, f"{press}/pressure").id
    for call in (
        lambda: loaded.query.read(other, [sig_id]),
        lambda: loaded.query.downsample(other, [sig_id], T0, T0 + timedelta(hours=1), 10),
        lambda: loaded.query.delete(other, [sig_id]),
        lambda: loaded.query.read(other, [f"{press}/pressure"]),
    ):
        with pytest.raises(NotFound):
            call()
    assert loaded.query.extent(other).num_rows == 0


def test_delete_range_and_retention(loaded: Platform, me: Principal, press: str) -> None:
    n = loaded.query.delete(me, [f"{press}/pressure"], T0, T0 + timedelta(minutes=10))
    assert n == 600
    viewer = Principal(me.org_id, "viewer", frozenset({Role.VIEWER}))
    with pytest.raises(Forbidden):
        loaded.query.apply_retention(viewer, timedelta(days=1))
    removed = loaded.query.apply_retention(me, timedelta(minutes=30), now=T0 + timedelta(hours=1))
    assert removed == (3600 - 600 - 1800) + (3600 - 1800)
    assert loaded.ts.count(me.org_id) == 3600
