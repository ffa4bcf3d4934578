"""Scoring a period piece by piece gives the scores of the whole table scored at once (issue 9,
finding 1), for every kind of model that scores stored data.

Three days of the demo factory (seed 5) are imported; each model learns from the first two, and
the whole period is scored twice: at once (``_score_table`` on ``read_table``'s table, what
``score`` did before) and through :meth:`ModelService.score_period` with pieces of a few hundred
points, cut at odd places. Models that look back are set to look back far: an anomaly model with
a lag window, smoothing and an alarm filter; remaining life with window features per tool, with
and without minutes in use; forecasts of a count and of a mean.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from tests.ml.factory_models import END, INJ, LEARN, PRESS, START, platform_with_models, specs

from openkamp.ml.service import TrainSpec, _score_table, _spec_from
from openkamp.ml.tables import read_table
from openkamp.platform import Platform

SPECS = {
    **specs(budget_s=3),
    "shots": TrainSpec(task="forecast", name="shots", equipment=INJ, target="cycle_time",
                       agg="count", freq="30min", horizon=6, start=START, end=LEARN,
                       time_budget_s=3, options={"n_backtests": 2}),
    "temp": TrainSpec(task="forecast", name="temp", equipment=INJ, target="mould_temp",
                      agg="mean", freq="15min", horizon=8, start=START, end=LEARN,
                      time_budget_s=3, options={"n_backtests": 2}),
}  # fmt: skip


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    platform = platform_with_models(tmp_path_factory.mktemp("scoring-pieces"), SPECS.values())
    yield platform
    platform.close()


def _whole(kamp: Platform, name: str, start: datetime, end: datetime) -> pd.DataFrame:
    """The scores of the whole table at once (how ``score`` scored before it read pieces)."""
    me = kamp.principal()
    mv = kamp.models.get(me, name)
    spec = _spec_from(mv)
    spec.start, spec.end = start, end
    model = kamp.models.load(me, name, mv.version)
    return _score_table(mv.task, model, spec, kamp.ml._table(me, spec))


def _equal(pieces: pd.DataFrame, whole: pd.DataFrame) -> None:
    assert list(pieces.columns) == list(whole.columns)
    assert pieces.index.equals(whole.index)
    for col in whole.columns:
        a, b = pieces[col], whole[col]
        if pd.api.types.is_float_dtype(b.dtype):
            np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-9)
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), col


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("piece_points", [397, 5_000])
def test_pieces_score_like_the_whole_table(kamp: Platform, name: str, piece_points: int) -> None:
    me = kamp.principal()
    whole = _whole(kamp, name, START, END)
    sizes: list[int] = []
    out = kamp.ml.score_period(
        me, name, start=START, end=END, limit=None, piece_points=piece_points,
        sink=lambda frame: sizes.append(len(frame)),
    )  # fmt: skip
    _equal(out.head, whole)
    assert out.summary.rows == len(whole) == sum(sizes)
    if SPECS[name].task not in ("forecast",):
        assert len(sizes) > 5  # it really was scored in pieces
    if "alarm" in whole:
        assert out.summary.alarms == int(whole["alarm"].sum())


def test_the_anomaly_model_looks_back_across_pieces(kamp: Platform) -> None:
    """The lag window, the smoothing and the alarm filter all reach across a cut: scores and
    alarms near every cut of tiny pieces are still those of the whole."""
    me = kamp.principal()
    model = kamp.models.load(me, "watch", 1)
    assert model.params_["lags"] == 3 and model.alarm_filter == 5
    assert model.params_["smoothing"] == 7
    day = (START + timedelta(days=2), START + timedelta(days=2, hours=6))
    whole = _whole(kamp, "watch", *day)
    out = kamp.ml.score_period(me, "watch", start=day[0], end=day[1], limit=None, piece_points=41)
    _equal(out.head, whole)


def test_the_answer_keeps_the_first_rows_and_counts_them_all(kamp: Platform) -> None:
    me = kamp.principal()
    whole = _whole(kamp, "defect", START, END)
    out = kamp.ml.score_period(me, "defect", start=START, end=END, limit=50, piece_points=997)
    _equal(out.head, whole.head(50))
    assert out.summary.rows == len(whole)
    assert out.summary.first == whole.index[0] and out.summary.last == whole.index[-1]
    from openkamp.alerts.service import is_defect

    assert out.summary.predicted_defects == int(whole["prediction"].map(is_defect).sum())


def test_a_records_file_scored_in_pieces_scores_like_all_records(kamp: Platform) -> None:
    """The anomaly model over records (a file's rows) in pieces: the same as all at once."""
    from openkamp.ml.scoring import records_scorer
    from openkamp.ml.service import _predict

    me = kamp.principal()
    model = kamp.models.load(me, "watch", 1)
    X = (
        read_table(kamp.query, kamp.assets, me, PRESS, LEARN, END)
        .frame[list(model.feature_names_in_)]
        .dropna()
    )
    X = X.reset_index(drop=True)
    whole = _predict("anomaly", model, X)
    scorer = records_scorer("anomaly", model)
    cuts = [0, 3, 4, 500, 1_777, 1_780, len(X)]
    parts = [scorer.feed(X.iloc[a:b]) for a, b in itertools.pairwise(cuts)]
    parts.append(scorer.finish())
    _equal(pd.concat([p for p in parts if len(p)]), whole)
