"""A stale rule just after the platform starts (the live demo's case): a signal whose newest
point is old stored data gets ``max_age_s`` for the live path to deliver before it counts as
silent; if nothing comes, it is flagged then, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from tests.alerts.test_rules import FAST, alerts, machine, points

from openkamp.platform import Platform


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with Platform.at(tmp_path / "data", **FAST) as k:
        yield k


def test_old_stored_data_is_not_stale_before_the_live_path_had_its_time(kamp: Platform) -> None:
    me = kamp.principal()
    _, (quiet, talking) = machine(kamp, signals=("quiet", "talking"))
    for sid in (quiet, talking):  # last month's data: far older than a minute
        kamp.ts.write(kamp.default_org_id, points(sid, [1.0, 2.0]))
        kamp.alert_rules.create(me, name=f"silent {sid}", kind="stale", signal_id=sid,
                                config={"max_age_s": 60})  # fmt: skip
    engine = kamp.alert_engine
    now = datetime.now(UTC)
    engine.tick(now)
    assert alerts(kamp) == []  # just started: not yet
    # one signal speaks live within the minute, the other stays silent
    engine.process(kamp.default_org_id, _at(talking, now + timedelta(seconds=20)))
    engine.tick(now + timedelta(seconds=30))
    assert alerts(kamp) == []
    engine.tick(now + timedelta(seconds=70))
    engine.tick(now + timedelta(seconds=75))
    (alert,) = alerts(kamp)
    assert alert["source"] == "stale" and alert["detail"]["signals"] == ["quiet"]


def _at(sid: int, ts: datetime) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array([sid], pa.int64()),
            "ts": pa.array([ts], pa.timestamp("us", tz="UTC")),
            "value": pa.array([3.0], pa.float64()),
        }
    )
