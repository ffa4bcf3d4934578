"""Snapshots: an equipment's signals and labels for a period, frozen as a dataset version."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from openkamp.core.errors import Forbidden, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.datasets.snapshot import snapshot
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform


def _import(kamp: Platform, me: Principal, press: str, tmp_path: Path) -> None:
    t = pd.date_range("2026-03-01 00:00", periods=120, freq="10s")
    lines = ["timestamp,pressure,oil_temp,current,result\n"] + [
        f"{ts:%Y-%m-%d %H:%M:%S},{100 + i % 7},{40 + i % 3},{12.5},{'NG' if i % 10 == 0 else 'OK'}\n"
        for i, ts in enumerate(t)
    ]
    path = tmp_path / "press.csv"
    path.write_text("".join(lines))
    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    assert report.kind == "timeseries" and report.rows_stored == 120


def test_snapshot_freezes_a_period(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    _import(kamp, me, press, tmp_path)
    args = (kamp.datasets, kamp.query, kamp.assets)
    start = datetime(2026, 2, 28, 15, 0, tzinfo=UTC)  # 2026-03-01 00:00 in Seoul
    end = datetime(2026, 2, 28, 15, 10, tzinfo=UTC)
    v = snapshot(*args, me, "press_snap", press, start, end)
    assert v.origin == "snapshot" and v.rows == 60
    assert v.time_column == "timestamp" and v.label_columns == ["result"]
    assert v.input_columns == ["pressure", "oil_temp", "current"]
    assert v.column("pressure").unit == "bar" and v.column("pressure").label("ko") == "압력"
    assert v.equipment_id == kamp.assets.resolve(me, press).id
    rows = kamp.datasets.read(me, v.ref)
    assert (rows["result"] == "NG").sum() == 6 and rows["pressure"].iloc[1] == 101.0
    # The same period again is the same table: no new version.
    assert snapshot(*args, me, "press_snap", press, start, end) == v
    wider = snapshot(*args, me, "press_snap", press, start, None)
    assert (wider.version, wider.rows) == (2, 120)
    viewer = Principal(me.org_id, "viewer", frozenset({Role.VIEWER}))
    with pytest.raises(Forbidden):
        snapshot(*args, viewer, "x", press)
    with pytest.raises(NotFound):
        snapshot(*args, kamp.principal("other"), "x", press)
