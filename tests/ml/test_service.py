"""Standard models end to end on stored data: train → evaluate → explain → register → score.

Eight days of the demo factory (seed 5) go through the real import path into a platform on
embedded storage; each test trains a template on the first part, registers it, and scores the
later part, which it never saw, against the simulator's hidden truth.

Known answers in this realisation: the injection machine's shots draw NG from ``defect_prob``
(an oracle ranks the last two days' shots at ROC-AUC 0.787); the press runs Monday to Friday and
develops bearing wear on Monday 9 March (7,655 of 69,120 readings); the CNC cell wears out 20 tools, each changed or broken
after 100–200 minutes of cutting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.ingest.importer import ImportOptions
from openkamp.ml.service import TrainSpec
from openkamp.ml.tables import read_table
from openkamp.platform import Platform
from openkamp.sim import Factory

SEED = 5
START = datetime.fromisoformat("2026-03-02T00:00:00+09:00")
END = START + timedelta(days=8)
SPLIT = START + timedelta(days=6)


@pytest.fixture(scope="module")
def factory() -> Factory:
    return Factory(seed=SEED)


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory, factory: Factory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("ml-service")
    platform = Platform.at(root / "data")
    me = platform.principal()
    site = factory.asset_model()
    platform.assets.apply_tree(me, [site])
    paths = {e.name: f"{site.name}/{ln.name}/{e.name}" for ln in site.lines for e in ln.equipment}
    for file in factory.write_files(root / "files", START, END):
        report = platform.imports.import_file(me, file, ImportOptions(equipment=paths[file.stem]))
        assert report.rows_quarantined == 0
    yield platform
    platform.close()


@pytest.fixture(scope="module")
def truth(factory: Factory) -> dict[str, pd.DataFrame]:
    sim = factory.simulate(START, END)
    out = {}
    for name, frame in sim.truth.items():
        t = frame.copy()
        idx = pd.DatetimeIndex(sim.data[name]["timestamp"])
        t.index = (idx if idx.tz else idx.tz_localize("Asia/Seoul")).tz_convert("UTC")
        out[name] = t
    return out


def test_defect_model_end_to_end(kamp: Platform, truth: dict[str, pd.DataFrame]) -> None:
    me = kamp.principal()
    spec = TrainSpec(
        task="classify",
        name="inj01_defect",
        equipment="plant1/line1/inj01",
        target="pass_fail",
        groups="lot_id",
        start=START,
        end=SPLIT,
        time_budget_s=8,
    )
    result = kamp.ml.train(me, spec)
    mv = result.version
    assert (mv.version, mv.stage, mv.task) == (1, "candidate", "classify")
    # Provenance: what data, which columns, how it was read; the quality of that data.
    assert mv.provenance["dataset_id"].startswith("plant1/line1/inj01@")
    assert mv.provenance["schema_hash"] == result.table.schema_hash
    training = mv.provenance["training"]
    assert training["spec"]["target"] == "pass_fail" and training["data"]["rows"] > 8000
    assert "injection_pressure" in training["inputs"] and "lot_id" not in training["inputs"]
    assert 0.9 <= training["quality"]["overall"] <= 1.0
    # Evaluated by lot (never a random split), with intervals; explained.
    card = result.card
    assert "group" in card.protocol and card.metric_ci["roc_auc"][0] < card.metrics["roc_auc"]
    assert card.importance is not None and card.importance.index[0] in {
        "injection_pressure", "cushion", "hold_pressure",
    }  # fmt: skip
    assert mv.metrics["roc_auc"] == pytest.approx(card.metrics["roc_auc"])

    kamp.models.set_stage(me, "inj01_defect", mv.version, "production")
    scored = kamp.ml.score(me, "inj01_defect", start=SPLIT, end=END)
    assert {"actual", "prediction", "probability"} <= set(scored.columns)
    assert len(scored) > 1500 and scored["probability"].between(0, 1).all()
    ng = (scored["actual"] == "NG").to_numpy()
    auc = roc_auc_score(ng, scored["probability"])
    oracle = roc_auc_score(ng, truth["inj01"].loc[scored.index, "defect_prob"])
    # Measured 0.746 against the oracle's 0.787 on shots of lots never trained on.
    assert auc >= 0.9 * oracle, (auc, oracle)

    # Single records score like the same rows in a batch.
    first = scored.index[0].to_pydatetime()
    hour = (first, first + timedelta(hours=1))
    stored = kamp.ml.score(me, "inj01_defect", start=hour[0], end=hour[1])
    table = read_table(kamp.query, kamp.assets, me, "plant1/line1/inj01", *hour)
    records = table.frame[training["inputs"]].to_dict("records")
    single = kamp.ml.score_records(me, "inj01_defect", records)
    assert np.allclose(single["probability"].to_numpy(), stored["probability"].to_numpy())
    with pytest.raises(InvalidInput, match="lack inputs"):
        kamp.ml.score_records(me, "inj01_defect", [{"cushion": 5.0}])

    # The report speaks in words: the target, display names, the period in local time, the
    # protocol and the verdict in Korean; no raw dictionaries in its main part.
    html = kamp.ml.report(me, "inj01_defect", lang="ko")
    main = html.split('id="details"')[0]
    shown = kamp.ml.display_names(me, mv, "ko")
    assert "별도 예측 대상 없음" not in main and shown.get("pass_fail", "pass_fail") in main
    assert "보압" in main and "hold_pressure" not in main
    assert "Asia/Seoul 기준" in main and "{'" not in main and "'rows'" not in main
    assert "시간 순서대로" in main and "단순 기준" in main


def test_anomaly_model_finds_the_bearing_fault(
    kamp: Platform, truth: dict[str, pd.DataFrame]
) -> None:
    me = kamp.principal()
    spec = TrainSpec(
        task="anomaly",
        name="press01_health",
        equipment="plant1/line2/press01",
        start=START,
        end=START + timedelta(days=4),  # Monday to Thursday: normal operation only
        time_budget_s=10,
    )
    result = kamp.ml.train(me, spec)
    assert result.version.task == "anomaly" and result.card.metrics["far"] <= 0.05
    # Friday (normal; the press stands still at the weekend) to Monday, when the bearing wears.
    scored = kamp.ml.score(me, "press01_health", start=START + timedelta(days=4), end=END)
    t = truth["press01"].reindex(scored.index)
    fault = (t["fault_kind"] != "none").to_numpy()
    running = t["running"].astype(bool).to_numpy()
    assert fault.sum() > 1000
    assert roc_auc_score(fault[running], scored["score"].to_numpy()[running]) >= 0.9
    alarm = scored["alarm"].to_numpy().astype(bool)
    assert alarm[running & ~fault].mean() <= 0.05  # false alarms on the normal readings
    assert alarm[running & fault].mean() >= 0.5
    # Alarms during bearing wear are explained by the vibration signals first.
    top = scored.loc[alarm & fault, "top_signal"].value_counts()
    assert top.index[0].startswith("vib"), top


def test_remaining_life_of_tools(kamp: Platform) -> None:
    me = kamp.principal()
    spec = TrainSpec(
        task="rul",
        name="cnc01_tool_life",
        equipment="plant1/line2/cnc01",
        unit="tool_id",
        usage="feed_rate",
        features=["spindle_speed", "spindle_load", "feed_rate", "vibration_rms", "coolant_temp"],
        start=START,
        end=START + timedelta(days=4),  # Monday to Thursday
        time_budget_s=15,
        options={"settings": ["spindle_speed", "feed_rate"]},
    )
    result = kamp.ml.train(me, spec)
    assert result.card.metrics["units"] >= 10
    scored = kamp.ml.score(me, "cnc01_tool_life", start=START + timedelta(days=4), end=END)
    assert {"unit", "minutes_in_use", "rul"} <= set(scored.columns)
    # Tools that were put in and taken out within the scored period: their true remaining use
    # at every reading is known from when they came out.
    complete = [u for u, g in scored.groupby("unit") if g.index.min() > scored.index.min()
                and g.index.max() < scored.index.max()]  # fmt: skip
    assert len(complete) >= 3
    sub = scored[scored["unit"].isin(complete)]
    actual = sub.groupby("unit")["minutes_in_use"].transform("max") - sub["minutes_in_use"]
    rmse = float(np.sqrt(np.mean((sub["rul"] - actual) ** 2)))
    base = float(np.sqrt(np.mean((actual - actual.mean()) ** 2)))
    assert rmse <= 0.6 * base, (rmse, base)


def test_models_are_scoped_to_their_organisation(kamp: Platform) -> None:
    me = kamp.principal()
    spec = TrainSpec(
        task="anomaly",
        name="tank01_health",
        equipment="plant1/line1/tank01",
        start=START,
        end=START + timedelta(days=1),
        time_budget_s=5,
    )
    kamp.ml.train(me, spec)
    other = kamp.principal("other-factory")
    with pytest.raises(NotFound):
        kamp.ml.score(other, "tank01_health", start=START, end=END)
    with pytest.raises(NotFound):
        kamp.ml.train(other, spec)  # their asset tree has no such equipment


def test_clear_errors(kamp: Platform) -> None:
    me = kamp.principal()
    eq = "plant1/line1/inj01"
    with pytest.raises(InvalidInput, match="Unknown task"):
        kamp.ml.train(me, TrainSpec(task="magic", name="x", equipment=eq))
    with pytest.raises(InvalidInput, match="target"):
        kamp.ml.train(me, TrainSpec(task="classify", name="x", equipment=eq))
    with pytest.raises(InvalidInput, match="no signal or label column"):
        kamp.ml.train(me, TrainSpec(task="classify", name="x", equipment=eq, target="nope"))
    with pytest.raises(InvalidInput, match="No stored data"):
        kamp.ml.train(
            me,
            TrainSpec(
                task="anomaly", name="x", equipment=eq, start=END, end=END + timedelta(days=1)
            ),
        )
    with pytest.raises(InvalidInput, match="unit"):
        kamp.ml.train(me, TrainSpec(task="rul", name="x", equipment=eq))
    # A name the registry cannot take is refused before any data is read or model fitted.
    read: list[str] = []
    with pytest.raises(InvalidInput, match="model name"):
        kamp.ml.train(
            me,
            TrainSpec(task="classify", name="../bad name", equipment=eq, target="pass_fail"),
            progress=read.append,
        )
    assert read == []  # no stage started: nothing was read or fitted


def test_forecast_of_hourly_output(kamp: Platform, truth: dict[str, pd.DataFrame]) -> None:
    """Shots per hour of the injection machine: Saturday, from Monday to Friday."""
    me = kamp.principal()
    saturday = START + timedelta(days=5)
    spec = TrainSpec(
        task="forecast",
        name="inj01_output",
        equipment="plant1/line1/inj01",
        target="cycle_time",  # any per-shot signal: counting its readings counts shots
        agg="count",
        freq="1h",
        horizon=24,
        start=START,
        end=saturday,
        time_budget_s=15,
        options={"n_backtests": 2},  # five days of history: two day-long backtests
    )
    result = kamp.ml.train(me, spec)
    assert result.card.metrics["mase"] < 1.0  # better than the seasonal-naive baseline
    forecast = kamp.ml.score(me, "inj01_output", start=START, end=saturday)
    assert len(forecast) == 24 and {"forecast", "lo", "hi"} <= set(forecast.columns)
    shots = truth["inj01"].loc[saturday : saturday + timedelta(days=1)]
    actual = shots.groupby(shots.index.floor("1h")).size().reindex(forecast.index, fill_value=0)
    mae = float(np.mean(np.abs(forecast["forecast"] - actual)))
    # Measured: MAE 8.2 shots against 75 per hour (the machine runs around the clock at about
    # 80 shots an hour, less in hours with stops and maintenance).
    assert mae <= 0.15 * float(actual.mean()), (mae, actual.mean())
    assert abs(forecast["forecast"].mean() - actual.mean()) <= 0.1 * actual.mean()
    inside = (actual >= forecast["lo"]) & (actual <= forecast["hi"])
    assert inside.mean() >= 0.7


def test_quality_value_regression(
    kamp: Platform, factory: Factory, truth: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """Tool wear (VB) as a measured quality value: imported from a file, predicted from signals."""
    me = kamp.principal()
    sim = factory.simulate(START, END)
    # The wear measurements, as a lab would hand them over: one file, timestamp and VB in mm.
    cnc, wear = sim.data["cnc01"], sim.truth["cnc01"]["tool_wear"]
    cutting = (cnc["feed_rate"] > 0).to_numpy()
    sheet = pd.DataFrame({"timestamp": cnc["timestamp"][cutting], "tool_wear": wear[cutting]})
    path = tmp_path / "cnc01_wear.csv"
    sheet.iloc[::6].to_csv(path, index=False)  # one measurement a minute while cutting
    report = kamp.imports.import_file(me, path, ImportOptions(equipment="plant1/line2/cnc01"))
    assert report.rows_stored == report.rows_read
    spec = TrainSpec(
        task="regress",
        name="cnc01_wear",
        equipment="plant1/line2/cnc01",
        target="tool_wear",
        features=["spindle_speed", "spindle_load", "feed_rate", "vibration_rms", "coolant_temp"],
        groups="tool_id",
        start=START,
        end=SPLIT,
        time_budget_s=10,
    )
    result = kamp.ml.train(me, spec)
    assert "group" in result.card.protocol and result.card.metrics["r2"] >= 0.5
    scored = kamp.ml.score(me, "cnc01_wear", start=SPLIT, end=END).dropna(subset=["actual"])
    assert {"prediction", "lo", "hi"} <= set(scored.columns) and len(scored) > 300
    actual = truth["cnc01"].loc[scored.index, "tool_wear"].to_numpy()
    r2 = 1 - np.sum((scored["prediction"] - actual) ** 2) / np.sum((actual - actual.mean()) ** 2)
    assert r2 >= 0.75, r2  # measured 0.87 on the tools of the following days
    inside = ((actual >= scored["lo"]) & (actual <= scored["hi"])).mean()
    assert inside >= 0.75, inside


def test_setting_recommendations_lower_the_true_defect_rate(
    kamp: Platform, truth: dict[str, pd.DataFrame]
) -> None:
    from openkamp.sim.injection import what_if_defect_prob

    me = kamp.principal()
    controls = ["hold_pressure", "mould_temp"]
    spec = TrainSpec(
        task="optimise",
        name="inj01_settings",
        equipment="plant1/line1/inj01",
        target="pass_fail",
        controls=controls,
        start=START,
        end=SPLIT,
        time_budget_s=10,
    )
    result = kamp.ml.train(me, spec)
    assert result.version.task == "optimise"
    scored = kamp.ml.score(me, "inj01_settings", start=SPLIT, end=END)
    assert {"predicted_before", "predicted_after", "improvement", "changed"} <= set(scored.columns)
    shots = truth["inj01"].loc[scored.index]
    after = what_if_defect_prob(
        shots,
        hold=scored["hold_pressure_change"].to_numpy(),
        mould=scored["mould_temp_change"].to_numpy(),
    )
    before = shots["defect_prob"].to_numpy()
    # Measured 0.090 -> 0.073 (-19 %); the template's own test, which also gives the model the
    # shots since the last pause (a cold mould), reaches -40 %.
    assert after.mean() <= 0.9 * before.mean(), (before.mean(), after.mean())
    assert np.mean(after > before + 0.01) < 0.15  # few shots made worse by a point or more
