"""The overview's trends read the roll-up tiers: a machine's day in 48 buckets comes from the
per-minute aggregates, equal to aggregating its raw points, and stays whole once retention has
dropped most of the day's raw points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from openkamp.alerts import machine_states
from openkamp.alerts.status import TREND_BUCKETS, trend_window
from openkamp.api import create_app
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.platform import Platform
from openkamp.query import tier_for, tier_of
from openkamp.web.overview import sparkline

from .support import PASSWORD, sign_in

LAST = datetime(2026, 3, 5, 10, 17, 23, 500_000, tzinfo=UTC)  # not on a whole minute


def _points(ids: list[int], times: np.ndarray, values: list[np.ndarray]) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array(np.repeat(ids, len(times)), pa.int64()),
            "ts": pa.array(np.tile(times, len(ids)), pa.timestamp("us", tz="UTC")),
            "value": pa.array(np.concatenate(values), pa.float64()),
        }
    )


def _raw_trend(kamp: Platform, ids: list[int]) -> dict[int, list[tuple[float, float, float]]]:
    start, end = trend_window(LAST)
    tbl = kamp.ts.downsample(kamp.default_org_id, ids, start, end, TREND_BUCKETS)
    assert tier_of(tbl) == "raw"
    out: dict[int, list[tuple[float, float, float]]] = {i: [] for i in ids}
    for r in tbl.to_pylist():
        out[int(r["signal_id"])].append((r["min"], r["max"], r["mean"]))
    return out


def _check(kamp: Platform, ids: list[int], expected: dict[int, list[tuple[float, float, float]]]):
    (state,) = machine_states(kamp, kamp.principal(), lang="ko")
    assert state.trend_tier == "minute"
    for s in state.signals:
        assert len(s.trend) == TREND_BUCKETS
        means = [m for _lo, _hi, m in expected[s.id]]
        assert [v for v in s.trend if v is not None] == pytest.approx(means, rel=1e-9)
    return state


def test_the_overview_trend_comes_from_the_minute_tier_and_matches_raw(tmp_path: Path) -> None:
    kamp = Platform.at(tmp_path / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    try:
        sigs = [SignalSpec("temp", unit="C"), SignalSpec("current", unit="A")]
        kamp.assets.apply_tree(kamp.principal(), [SiteSpec("plant1", lines=[LineSpec(
            "line1", equipment=[EquipmentSpec("m1", signals=sigs)])])])  # fmt: skip
        kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
        org = kamp.default_org_id
        ids = [int(kamp.assets.resolve(kamp.principal(), f"plant1/line1/m1/{n}").id)
               for n in ("temp", "current")]  # fmt: skip
        # two days every 5 s, ending at LAST: 34,560 points per signal
        end_us = int(LAST.timestamp() * 1e6)
        times = np.arange(end_us - 2 * 86_400 * 10**6, end_us + 1, 5 * 10**6)
        rng = np.random.default_rng(3)
        days = times / 86_400e6
        values = [60 + 5 * np.sin(2 * np.pi * days) + rng.normal(0, 0.5, len(times)),
                  10 + rng.gamma(2.0, 1.5, len(times))]  # fmt: skip
        kamp.ts.write(org, _points(ids, times, values))
        start, end = trend_window(LAST)
        assert start.second == 0 and end - start == timedelta(days=1)
        # the query layer's choice for charts: half-hour buckets from the minute tier
        assert tier_for(kamp.ts, org, ids, start, end, TREND_BUCKETS) == "minute"
        _check(kamp, ids, _raw_trend(kamp, ids))

        # a later point in the same minute, then retention drops the raw points older than 6 h
        kamp.ts.write(org, _points(ids, np.array([end_us + 1_000_000]), [np.array([99.0])] * 2))
        expected = _raw_trend(kamp, ids)
        kamp.ts.expire(org, "raw", ids, LAST - timedelta(hours=6))
        left = kamp.ts.downsample(org, ids, start, end, TREND_BUCKETS)
        assert left.num_rows <= 2 * 14  # raw points now fill only the last hours' buckets
        state = _check(kamp, ids, expected)  # the whole day, from the minute tier

        # the overview page draws these trends
        client = TestClient(create_app(platform=kamp), follow_redirects=False)
        sign_in(client)
        page = client.get("/")
        assert page.status_code == 200
        for s in state.signals:
            assert f'd="{sparkline(s.trend, 80, 18)}"' in page.text
    finally:
        kamp.close()
