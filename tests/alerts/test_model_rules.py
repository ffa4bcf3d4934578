"""Model alerts on live data: a production anomaly model scores points as they arrive; a fault
in one signal raises exactly one alert naming that signal; a score rule on pure noise, its
threshold chosen on a separate sample, fires at the false-alarm rate that sample promised.

One machine with three signals of independent Gaussian noise (1 s apart) is written to the store:
a training hour, a calibration hour (the threshold: its 99th percentile of the model's score)
and a test period. The model looks at single readings (no lags, no smoothing, no alarm filter),
so on noise its scores are independent draws and its exceedances a Bernoulli sequence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from openkamp.alerts.engine import AlertEngine
from openkamp.core.assets import SignalSpec
from openkamp.ml.online import OnlineScoring
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3600
TRAIN, CALIB, TEST = T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)
TEST_ROWS = 4 * HOUR
SIGNALS = ("a", "b", "c")
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


def noise(ids: list[int], start: datetime, rows: int, rng: np.random.Generator) -> pa.Table:
    times = np.array([start + timedelta(seconds=i) for i in range(rows)])
    values = rng.normal(size=(len(ids), rows))
    return pa.table(
        {
            "signal_id": pa.array(np.repeat(ids, rows), pa.int64()),
            "ts": pa.array(np.tile(times, len(ids)), pa.timestamp("us", tz="UTC")),
            "value": pa.array(values.ravel(), pa.float64()),
        }
    )


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root: Path = tmp_path_factory.mktemp("model-rules")
    with Platform.at(root / "data", **FAST) as platform:
        me = platform.principal()
        site = platform.assets.create_node(me, "site", "p")
        line = platform.assets.create_node(me, "line", "l", site.id)
        eq = platform.assets.create_node(me, "equipment", "mixer", line.id)
        ids = [platform.assets.create_signal(me, eq.id, SignalSpec(s)).id for s in SIGNALS]
        rng = np.random.default_rng(11)
        platform.ts.write(me.org_id, noise(ids, TRAIN, 2 * HOUR, rng))  # training + calibration
        spec = TrainSpec(
            task="anomaly", name="mix", equipment="p/l/mixer", start=TRAIN, end=CALIB,
            time_budget_s=2, options={"detector": "pca", "lags": 0, "smoothing": 1},
        )  # fmt: skip
        result = platform.ml.train(me, spec)
        platform.models.set_stage(me, "mix", result.version.version, "production")
        yield platform, ids, rng


def batches(table: pa.Table, size: int) -> Iterator[pa.Table]:
    order = np.argsort(table["ts"].to_numpy(), kind="stable")  # time order, signals mixed
    table = table.take(pa.array(order))
    for at in range(0, table.num_rows, size):
        yield table.slice(at, size)


def model_alerts(platform: Platform) -> list[dict[str, Any]]:
    return [
        a
        for a in platform.alerts.list(platform.principal(), history=True, limit=1000)
        if a["source"] == "model"
    ]


def clean(platform: Platform) -> None:
    me = platform.principal()
    for a in platform.alerts.list(me, history=True, limit=10_000):
        platform.meta.delete(me.org_id, "alert", a["id"])
    for r in platform.alert_rules.list(me):
        platform.alert_rules.delete(me, r["id"])


def test_a_fault_in_one_signal_raises_one_alert_naming_it(kamp: Any) -> None:
    platform, ids, rng = kamp
    clean(platform)
    engine = AlertEngine(
        platform.meta, platform.alerts, OnlineScoring(platform.ml, hold_s=5), tick_s=3600
    )
    start = TEST + timedelta(hours=10)
    table = noise(ids, start, 600, rng)
    values = table["value"].to_numpy().copy()
    sig = table["signal_id"].to_numpy()
    secs = (table["ts"].to_numpy() - np.datetime64(start.replace(tzinfo=None))) / np.timedelta64(
        1, "s"
    )
    fault = (sig == ids[1]) & (secs >= 300) & (secs < 360)  # "b" drifts far for a minute
    values[fault] += 12.0
    table = table.set_column(2, "value", pa.array(values))
    for piece in batches(table, 97):
        engine.process(platform.default_org_id, piece)
    found = model_alerts(platform)
    # the noise itself may raise the odd short alarm (1 % of readings by design); the fault is
    # the one alert that spans it, and it names signal b first
    during = [a for a in found if a["first_at"] <= start + timedelta(seconds=359)
              and (a["last_at"] >= start + timedelta(seconds=300))]  # fmt: skip
    assert len(during) == 1
    alert = during[0]
    assert alert["detail"]["signals"][0] == "b"
    # from the fault's start, or from a noise alarm less than the episode's clear time (60 s)
    # before it, which the fault then continues
    assert start + timedelta(seconds=240) <= alert["first_at"] <= start + timedelta(seconds=300)
    assert alert["count"] >= 55  # nearly every faulty reading alarmed, in one episode
    assert alert["equipment_id"] is not None and alert["model_id"] is not None
    assert "b" in alert["title"]


def test_a_score_rule_on_noise_fires_at_the_promised_rate(kamp: Any) -> None:
    platform, ids, rng = kamp
    clean(platform)
    me = platform.principal()
    calib = platform.ml.score_period(me, "mix", start=CALIB, end=TEST, limit=None).head
    p = 0.01
    threshold = float(np.quantile(calib["score"].to_numpy(), 1 - p))
    mv = platform.models.get(me, "mix", stage="production")
    platform.alert_rules.create(
        me, name="noise", kind="score", model_id=mv.id, severity="info",
        config={"output": "score", "high": threshold},
    )  # fmt: skip
    scoring = OnlineScoring(platform.ml, hold_s=5)
    engine = AlertEngine(platform.meta, platform.alerts, scoring, tick_s=3600)
    table = noise(ids, TEST, TEST_ROWS, rng)
    scores = []
    (om,) = scoring.models(platform.default_org_id)
    original = om.add

    def spy(points: Any) -> Any:
        out = original(points)
        scores.append(out)
        return out

    om.add = spy  # type: ignore[method-assign]
    for piece in batches(table, 1000):
        engine.process(platform.default_org_id, piece)
    online = np.concatenate([s["score"].to_numpy() for s in scores if len(s)])
    assert len(online) >= TEST_ROWS - 10  # every row but the last few (held) was scored
    above = online > threshold
    runs = int(np.sum(above[1:] & ~above[:-1]) + above[0])
    rules = [a for a in platform.alerts.list(me, history=True, limit=10_000) if a["rule_id"]]
    # exactly one alert per run of exceedances (an episode), never more
    assert len(rules) == runs
    # and they come at the rate the calibration promised: exceedances a Bernoulli(p) sequence
    # (p known up to the calibration sample's own error), runs of them about n p (1 - p); 4
    # standard deviations beyond is a failure
    n, m = len(online), len(calib)
    sigma = float(np.sqrt(p * (1 - p) * (1 / n + 1 / m)))
    assert above.mean() <= p + 4 * sigma
    assert runs <= n * (p + 4 * sigma)
    assert runs >= n * (p - 4 * sigma) * (1 - p - 4 * sigma)  # and the rule does fire
