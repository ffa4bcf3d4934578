"""Alerts and machine states: raised from scored periods and stale data, merged while open,
acknowledged by engineers, scoped to the organisation; states judged against each machine's own
rhythm and its usual production."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from openkamp.alerts import machine_states
from openkamp.api import create_app
from openkamp.core.assets import LabelSpec, SignalSpec
from openkamp.core.errors import Forbidden, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with Platform.at(tmp_path / "data", **FAST) as k:
        yield k


def machine(kamp: Platform, name: str, *, low: float = 0.0, high: float = 100.0) -> tuple[int, int]:
    me = kamp.principal()
    sites = kamp.assets.list_nodes(me, "site")
    site = sites[0] if sites else kamp.assets.create_node(me, "site", "p")
    lines = kamp.assets.list_nodes(me, "line")
    line = lines[0] if lines else kamp.assets.create_node(me, "line", "l", site.id)
    eq = kamp.assets.create_node(me, "equipment", name, line.id)
    sig = kamp.assets.create_signal(me, eq.id, SignalSpec("temp", min_value=low, max_value=high))
    return eq.id, sig.id


def write(kamp: Platform, signal_id: int, times: list[datetime], values: list[float]) -> None:
    kamp.ts.write(
        kamp.default_org_id,
        pa.table({"signal_id": [signal_id] * len(times), "ts": times, "value": values}),
    )


def viewer_and_engineer(kamp: Platform) -> tuple[Principal, Principal]:
    org = kamp.default_org_id
    return (
        Principal(org_id=org, name="v", roles=frozenset({Role.VIEWER}), user_id=90),
        Principal(org_id=org, name="e", roles=frozenset({Role.ENGINEER}), user_id=91),
    )


def test_a_scored_period_raises_merges_and_is_acknowledged(kamp: Platform) -> None:
    eq, _ = machine(kamp, "m1")
    viewer, engineer = viewer_and_engineer(kamp)
    first = kamp.alerts.raise_scored_period(
        viewer, model_name="m1_health", model_version=1, model_id=None, equipment_id=eq,
        rows=1000, alarms=12, first_at=NOW - timedelta(hours=1), last_at=NOW,
    )  # fmt: skip
    assert len(first) == 1 and first[0]["severity"] == "warning" and first[0]["count"] == 12
    # a second period with many alarms updates the same open alert and makes it critical
    again = kamp.alerts.raise_scored_period(
        viewer, model_name="m1_health", model_version=1, model_id=None, equipment_id=eq,
        rows=100, alarms=30, first_at=NOW, last_at=NOW + timedelta(hours=1),
    )  # fmt: skip
    assert again[0]["id"] == first[0]["id"]
    assert (again[0]["count"], again[0]["severity"]) == (42, "critical")
    assert again[0]["first_at"] == NOW - timedelta(hours=1)
    assert kamp.alerts.raise_scored_period(
        viewer, model_name="x", model_version=1, model_id=None, equipment_id=eq, rows=50
    ) == []  # fmt: skip
    with pytest.raises(Forbidden):
        kamp.alerts.acknowledge(viewer, first[0]["id"])
    done = kamp.alerts.acknowledge(engineer, first[0]["id"])
    assert (done["status"], done["acknowledged_by"]) == ("acknowledged", "e")
    assert kamp.alerts.list(viewer, status="open") == []
    # after acknowledging, a new period opens a new alert
    new = kamp.alerts.raise_scored_period(
        viewer, model_name="m1_health", model_version=1, model_id=None, equipment_id=eq,
        rows=100, alarms=1,
    )  # fmt: skip
    assert new[0]["id"] != first[0]["id"]
    assert [a["status"] for a in kamp.alerts.list(viewer)] == ["open", "acknowledged"]


def test_alerts_stay_in_their_organisation(kamp: Platform) -> None:
    eq, _ = machine(kamp, "m1")
    viewer, _ = viewer_and_engineer(kamp)
    alert = kamp.alerts.raise_scored_period(
        viewer, model_name="m", model_version=1, model_id=None, equipment_id=eq, rows=10,
        predicted_defects=3,
    )[0]  # fmt: skip
    other = kamp.principal("other")
    assert kamp.alerts.list(other) == []
    with pytest.raises(NotFound):
        kamp.alerts.acknowledge(other, alert["id"])
    assert kamp.alerts.get(viewer, alert["id"])["status"] == "open"


def test_alerts_from_a_frame_of_scores(kamp: Platform) -> None:
    eq, _ = machine(kamp, "m1")
    viewer, _ = viewer_and_engineer(kamp)
    index = pd.date_range(NOW, periods=200, freq="min", tz=UTC)
    rng = np.random.default_rng(0)
    alarm = rng.random(200) < 0.1
    scores = pd.DataFrame(
        {"score": rng.random(200), "alarm": alarm, "top_signal": np.where(alarm, "temp", "")},
        index=index,
    )

    class Version:  # what ModelService.score's caller holds: a ModelVersion
        id, name, version, task, provenance = None, "m1_health", 2, "anomaly", {}

    out = kamp.alerts.raise_from_scores(viewer, Version(), scores, equipment_id=eq)
    assert len(out) == 1 and out[0]["count"] == int(alarm.sum())
    assert out[0]["detail"]["top_signals"] == ["temp"]
    assert out[0]["first_at"] == NOW and out[0]["last_at"] == index[-1].to_pydatetime()
    classify = pd.DataFrame({"prediction": ["OK"] * 95 + ["NG"] * 5}, index=index[:100])
    Version.task, Version.name = "classify", "m1_defect"
    out = kamp.alerts.raise_from_scores(viewer, Version(), classify, equipment_id=eq)
    assert out[0]["source"] == "defects" and out[0]["count"] == 5
    assert "5" in out[0]["title"]


def test_fresh_and_stale_follow_each_machines_own_spacing(kamp: Platform) -> None:
    # Three machines whose last point is 10 minutes old: ten minutes is ~14 shots of a machine
    # logging a shot every 42 s (fresh: within 20 spacings) and nothing for one logging hourly,
    # but a machine logging every second is stale after ten silent minutes.
    shot, s1 = machine(kamp, "shots")
    hourly, s2 = machine(kamp, "hourly")
    fast, s3 = machine(kamp, "fast")
    last = NOW - timedelta(minutes=10)
    write(kamp, s1, [last - timedelta(seconds=42 * i) for i in range(200)], [50.0] * 200)
    write(kamp, s2, [last - timedelta(hours=i) for i in range(50)], [50.0] * 50)
    write(kamp, s3, [last - timedelta(seconds=i) for i in range(3000)], [50.0] * 3000)
    states = {m.name: m for m in machine_states(kamp, kamp.principal(), now=NOW)}
    assert states["shots"].spacing_s == pytest.approx(42)
    assert states["hourly"].spacing_s == pytest.approx(3600)
    assert states["fast"].spacing_s == pytest.approx(1)
    assert not states["shots"].stale and not states["hourly"].stale
    assert states["fast"].stale and states["fast"].level == "warning"
    assert "alerts.reason.stale" in states["fast"].reasons
    # one stale alert per silent period: not again on the next view, nor after acknowledging
    stale = kamp.alerts.list(kamp.principal(), status="open")
    assert [(a["source"], a["equipment_id"]) for a in stale] == [("stale", fast)]
    machine_states(kamp, kamp.principal(), now=NOW + timedelta(minutes=2))
    assert len(kamp.alerts.list(kamp.principal())) == 1
    kamp.alerts.acknowledge(kamp.principal(), stale[0]["id"])
    machine_states(kamp, kamp.principal(), now=NOW + timedelta(minutes=3))
    assert kamp.alerts.list(kamp.principal(), status="open") == []
    # the shot machine, silent for 20 cycles, is stale in its own rhythm
    later = {
        m.id: m for m in machine_states(kamp, kamp.principal(), now=NOW + timedelta(minutes=5))
    }
    assert later[shot].stale and not later[hourly].stale


def test_limits_production_and_defect_rate_against_the_usual(kamp: Platform) -> None:
    eq, sig = machine(kamp, "inj", low=10, high=90)
    me = kamp.principal()
    col = kamp.assets.create_label_column(me, eq, LabelSpec("pass_fail", categories=["OK", "NG"]))
    tz = kamp.settings.tz
    day0 = datetime(2026, 3, 10, tzinfo=tz)
    times, labels = [], []
    rng = np.random.default_rng(1)
    for d in range(8):  # seven usual days of 100 shots with 2 % NG, then a day with 20 % NG
        start = day0 - timedelta(days=7 - d) + timedelta(hours=8)
        for i in range(100):
            times.append(start + timedelta(seconds=60 * i))
            labels.append("NG" if rng.random() < (0.2 if d == 7 else 0.02) else "OK")
    values = [50.0] * (len(times) - 1) + [95.0]  # the very last reading breaks the high limit
    write(kamp, sig, times, values)
    kamp.ts.write_labels(
        kamp.default_org_id,
        pa.table({"column_id": [col.id] * len(times), "ts": times, "value": labels}),
    )
    now = times[-1] + timedelta(minutes=1)
    (state,) = machine_states(kamp, me, now=now)
    p = state.production
    assert p is not None and p.today and p.count == 100 and p.usual_count == 100
    assert p.defects == labels[-100:].count("NG")
    assert p.usual_rate is not None and p.usual_rate < 0.06
    assert p.rate is not None and p.rate > 0.1 and p.rate_high
    assert state.signals[0].outside and state.level == "critical"
    assert "alerts.reason.outside" in state.reasons and "alerts.reason.defect_rate" in state.reasons


def test_alerts_api_lists_and_acknowledges(kamp: Platform) -> None:
    eq, _ = machine(kamp, "m1")
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    me = kamp.accounts.principal_of(admin)
    viewer = kamp.accounts.create_user(me, "choi", "correct horse battery", role="viewer")
    _, admin_token = kamp.accounts.create_token(me, "t", ["write"])
    _, read_token = kamp.accounts.create_token(
        kamp.accounts.principal_of(kamp.meta.get(kamp.default_org_id, "user", viewer["id"])),
        "r",
        ["read"],
    )
    alert = kamp.alerts.raise_scored_period(
        me, model_name="m", model_version=1, model_id=None, equipment_id=eq, rows=10, alarms=2
    )[0]
    client = TestClient(create_app(platform=kamp))
    assert client.get("/api/v1/alerts").status_code == 401
    ko = client.get(
        "/api/v1/alerts",
        headers={"Authorization": f"Bearer {read_token}", "Accept-Language": "ko"},
    ).json()
    assert ko[0]["id"] == alert["id"] and "이상" in ko[0]["text"]
    refused = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge",
        headers={"Authorization": f"Bearer {read_token}"},
    )
    assert refused.status_code == 403
    done = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    missing = client.get("/api/v1/alerts/999", headers={"Authorization": f"Bearer {admin_token}"})
    assert missing.status_code == 404
    machines = client.get(
        "/api/v1/alerts/machines", headers={"Authorization": f"Bearer {admin_token}"}
    ).json()
    assert [m["path"] for m in machines] == ["p/l/m1"] and machines[0]["level"] == "nodata"


def test_production_of_a_machine_whose_parts_come_as_a_record_table(kamp: Platform) -> None:
    # A machine without signals whose shots were imported as a dataset (one row per shot,
    # two cavities per shot): its production and defect rate come from the dataset.
    eq, _ = machine(kamp, "press2")
    me = kamp.principal()
    tz = kamp.settings.tz
    rows = []
    for d in range(4):  # three usual days of 50 parts with 2 defects, then one with 10
        day = datetime(2026, 3, 2 + d, 9, tzinfo=tz)
        for i in range(50):
            bad = i < (10 if d == 3 else 2)
            rows.append({"시간": day + timedelta(minutes=i), "캐비티": "LH" if i % 2 else "RH",
                         "판정": "불량" if bad else "양품"})  # fmt: skip
    kamp.datasets.create(
        me, "press2_parts", pd.DataFrame(rows),
        [{"name": "시간", "kind": "time", "role": "time"},
         {"name": "캐비티", "kind": "text", "role": "id"},
         {"name": "판정", "kind": "text", "role": "label"}],
        equipment=eq,
    )  # fmt: skip
    (state,) = [m for m in machine_states(kamp, me, now=NOW) if m.id == eq]
    p = state.production
    assert p is not None and (p.count, p.defects, p.usual_count) == (50, 10, 50)
    assert p.usual_rate == pytest.approx(0.04) and p.rate_high
    assert state.level == "warning" and "alerts.reason.defect_rate" in state.reasons


def test_cached_facts_are_computed_once_by_concurrent_views() -> None:
    import threading
    import time

    from openkamp.alerts.status import _Cache

    cache, calls = _Cache(size=4), []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    got: list[int] = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get_or_compute("k", slow)))
        for _ in range(8)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert got == [42] * 8 and len(calls) == 1
    for i in range(6):  # bounded: the oldest keys go first
        cache.put(i, i)
    assert cache.get("k") is None and cache.get(5) == 5
