"""Anomaly models state their false-alarm rate as alarms per day per machine."""

from __future__ import annotations

import numpy as np
import pandas as pd

from openkamp.ml.templates.anomaly import AnomalyModel, readings_per_day


def test_alarms_per_day_follow_the_reading_rate() -> None:
    rng = np.random.default_rng(0)
    index = pd.date_range("2026-03-02", periods=2880, freq="min")  # two days, one a minute
    X = pd.DataFrame(rng.normal(size=(2880, 3)), columns=["a", "b", "c"], index=index)
    assert readings_per_day(index) == 2880 / (2879 / 1440)
    card = AnomalyModel(time_budget_s=5).fit(X).card()
    far = card.metrics["far"]
    assert 0 < far < 0.2
    assert card.metrics["alarms_per_day"] == far * readings_per_day(index)
    # Without times there is no day to count in.
    assert "alarms_per_day" not in AnomalyModel(time_budget_s=5).fit(X.to_numpy()).card().metrics
