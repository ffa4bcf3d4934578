"""Retention policies, the drop they drive, and reads that pick the tier still holding a range."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform
from openkamp.query import pick_tier, tier_of
from openkamp.storage.timeseries.base import TS_TYPE

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def viewer(me: Principal) -> Principal:
    return Principal(org_id=me.org_id, name="v", roles=frozenset({Role.VIEWER}))


def test_pick_tier() -> None:
    none: dict = {"raw": None, "minute": None, "hour": None}
    day, year = T0 + DAY, T0 + 365 * DAY
    assert pick_tier(none, T0, day, 1000) == "raw"  # 86 s buckets: raw
    assert pick_tier(none, T0, T0 + 7 * DAY, 1000) == "minute"  # 10 min buckets
    assert pick_tier(none, T0, year, 1000) == "hour"  # 8.8 h buckets
    raw_gone = {**none, "raw": T0 + 30 * DAY}
    assert pick_tier(raw_gone, T0, day, 1000) == "minute"  # raw gone: the finest that holds it
    assert pick_tier(raw_gone, T0 + 40 * DAY, T0 + 41 * DAY, 1000) == "raw"
    all_gone = {"raw": T0 + 30 * DAY, "minute": T0 + 20 * DAY, "hour": T0 + 10 * DAY}
    assert pick_tier(all_gone, T0, day, 100) == "hour"  # nothing holds it all: reach furthest


@pytest.fixture
def ids(kamp: Platform, me: Principal, press: str) -> dict[str, int]:
    return {s.name: s.id for s in kamp.assets.list_signals(me)}


def test_policies_scoped_and_checked(
    kamp: Platform, me: Principal, press: str, ids: dict[str, int]
) -> None:
    svc = kamp.retention
    assert svc.organisation(me).source == "settings" and svc.organisation(me).raw_days is None
    with pytest.raises(Forbidden):
        svc.set_organisation(viewer(me), 1, 2, 3)
    pol = svc.set_organisation(me, 30, 90, None)
    assert (pol.raw_days, pol.minute_days, pol.hour_days, pol.source) == (
        30,
        90,
        None,
        "organisation",
    )
    assert svc.organisation(viewer(me)).raw_days == 30  # anyone of the organisation may read
    with pytest.raises(InvalidInput) as err:
        svc.set_organisation(me, 90, 30, None)  # minute kept shorter than raw
    assert err.value.code == "retention.order"
    with pytest.raises(InvalidInput) as err:
        svc.set_organisation(me, 0, None, None)
    assert err.value.code == "retention.days"
    path = f"{press}/pressure"
    inherited = svc.signal(me, path)
    assert (inherited.source, inherited.raw_days, inherited.signal_id) == (
        "organisation",
        30,
        ids["pressure"],
    )
    own = svc.set_signal(me, path, 7, 7, 365)
    assert (own.source, own.raw_days, own.hour_days) == ("signal", 7, 365)
    assert svc.signal(me, ids["pressure"]) == own
    assert [p.signal_id for p in svc.signal_policies(me)] == [ids["pressure"]]
    other = kamp.principal("other")
    assert svc.organisation(other).source == "settings"
    assert svc.signal_policies(other) == []
    with pytest.raises(NotFound):
        svc.signal(other, ids["pressure"])  # another organisation's signal
    with pytest.raises(Forbidden):
        svc.clear_signal(viewer(me), path)
    assert svc.clear_signal(me, path).source == "organisation"
    assert svc.signal_policies(me) == []


def _fill(kamp: Platform, me: Principal, ids: dict[str, int], days: int) -> None:
    secs = np.arange(0, days * 86_400, 60.0)  # one point a minute
    for name in ("pressure", "oil_temp"):
        kamp.ts.write(
            me.org_id,
            pa.table(
                {
                    "signal_id": pa.array([ids[name]] * secs.size, pa.int64()),
                    "ts": pa.array([T0 + timedelta(seconds=s) for s in secs], TS_TYPE),
                    "value": np.sin(secs / 7_000.0) * (1 + ids[name]),
                }
            ),
        )


def test_apply_drops_each_tier_per_policy_and_reads_follow(
    kamp: Platform, me: Principal, press: str, ids: dict[str, int]
) -> None:
    _fill(kamp, me, ids, 10)
    spike = pa.table(
        {
            "signal_id": pa.array([ids["pressure"]], pa.int64()),
            "ts": pa.array([T0 + 2 * DAY + timedelta(seconds=120)], TS_TYPE),
            "value": [50.0],  # an overwrite, long before raw retention
        }
    )
    kamp.ts.write(me.org_id, spike)
    paths = [f"{press}/pressure", f"{press}/oil_temp"]
    whole = kamp.query.downsample(me, paths, T0, T0 + 10 * DAY, 10)
    assert tier_of(whole) == "hour"  # a day per bucket: the hour tier answers
    raw_whole = kamp.ts.downsample(me.org_id, list(ids.values()), T0, T0 + 10 * DAY, 10)
    assert whole.column("count").equals(raw_whole.column("count"))
    kamp.retention.set_organisation(me, 3, 5, None)
    kamp.retention.set_signal(me, paths[1], 7, 7, None)
    with pytest.raises(Forbidden):
        kamp.retention.apply(viewer(me))
    run = kamp.retention.apply(me, now=T0 + 10 * DAY + timedelta(minutes=30))
    p, o = ids["pressure"], ids["oil_temp"]
    assert kamp.ts.count(me.org_id, [p]) == 3 * 1440  # raw: three days (cut on the hour)
    assert kamp.ts.count(me.org_id, [o]) == 7 * 1440  # its own policy: seven
    assert run.dropped["raw"] == 7 * 1440 + 3 * 1440
    # minute aggregates are cut on the minute: half an hour more of each
    assert run.dropped["minute"] == 5 * 1440 + 30 + 3 * 1440 + 30 and run.dropped["hour"] == 0
    assert kamp.ts.retained_from(me.org_id, [p], "raw") == T0 + 7 * DAY
    # Data older than raw retention still charts, from the finest tier that holds it.
    again = kamp.query.downsample(me, paths, T0, T0 + 10 * DAY, 10)
    assert tier_of(again) == "hour" and again.equals(whole)
    day6 = kamp.query.downsample(me, paths[:1], T0 + 6 * DAY, T0 + 7 * DAY, 1440)
    assert tier_of(day6) == "minute" and day6.num_rows == 1440
    day9 = kamp.query.downsample(me, paths[:1], T0 + 9 * DAY, T0 + 10 * DAY, 1440)
    assert tier_of(day9) == "raw"
    chart = kamp.query.chart(me, paths, T0, T0 + 10 * DAY, 200)
    for series in chart.values():
        assert tier_of(series) == "hour" and 0 < series.num_rows <= 200
    assert chart["pressure"].column("value").to_numpy().max() == 50.0  # no spike hidden
    day = kamp.query.chart(me, paths[:1], T0 + 9 * DAY, T0 + 10 * DAY, 1000)["pressure"]
    assert tier_of(day) == "raw" and day.num_rows == 1000  # 86 s a pixel: raw points
    day = kamp.query.chart(me, paths[:1], T0 + 9 * DAY, T0 + 10 * DAY, 200)["pressure"]
    assert tier_of(day) == "minute"  # 7 minutes a pixel: the minute tier
    # A second pass drops nothing more at the same time.
    assert (
        sum(kamp.retention.apply(me, now=T0 + 10 * DAY + timedelta(minutes=30)).dropped.values())
        == 0
    )


def test_the_server_applies_retention_periodically(
    kamp: Platform, me: Principal, press: str, ids: dict[str, int]
) -> None:
    _fill(kamp, me, ids, 1)
    kamp.retention.clock = lambda: T0 + 3 * DAY
    kamp.retention.set_organisation(me, 1, None, None)
    assert kamp.retention.start(0.05)
    assert not kamp.retention.start(0.05)  # already running
    deadline = time.monotonic() + 10
    while kamp.ts.count(me.org_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    kamp.retention.stop()
    assert kamp.ts.count(me.org_id) == 0
    assert (
        sum(kamp.ts.rollups(me.org_id, list(ids.values()), "minute").column("count").to_pylist())
        == 2 * 1440
    )
