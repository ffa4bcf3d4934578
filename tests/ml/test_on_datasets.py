"""Training on datasets (tables of records): the protocol follows the columns' roles, groups are
really used, the very file is scored back, and the no-code result matches an independent
baseline computed here under the same protocol.

Data: two days of the simulator's injection machine (seed 3, 3,614 shots, NG drawn from a known
logit model in which injection pressure carries most of the risk), stored as a dataset with a
time column, a lot column (group), two labels and eleven process values.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from openkamp.core.errors import InvalidInput
from openkamp.i18n import error_text
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.sim import Factory

BUDGET = 4.0


@pytest.fixture(scope="module")
def shots() -> pd.DataFrame:
    data = Factory(seed=3).simulate("2026-03-02", "2026-03-04").data["inj01"]
    return data.assign(timestamp=data["timestamp"].dt.tz_convert("UTC"))


def _columns(frame: pd.DataFrame, roles: dict[str, str]) -> list[dict]:
    out = []
    for c in frame.columns:
        kind = (
            "time"
            if c == "timestamp"
            else "text"
            if frame[c].dtype.kind not in "fiub"
            else "number"
        )
        out.append({"name": c, "kind": kind, "role": roles.get(c, "input")})
    return out


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory, shots: pd.DataFrame) -> Iterator[Platform]:
    platform = Platform.at(tmp_path_factory.mktemp("ml-datasets") / "data")
    me = platform.principal()
    roles = {"timestamp": "time", "lot_id": "group", "pass_fail": "label", "defect_type": "label"}
    platform.datasets.create(me, "shots", shots, _columns(shots, roles))
    untimed = shots.drop(columns=["timestamp", "lot_id"])
    platform.datasets.create(me, "parts", untimed, _columns(untimed, roles))
    yield platform
    platform.close()


def _train(kamp: Platform, **kw: object):
    spec = TrainSpec(task="classify", time_budget_s=BUDGET, target="pass_fail", **kw)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return kamp.ml.train(kamp.principal(), spec)


def test_protocol_follows_the_dataset_roles(kamp: Platform) -> None:
    timed = _train(kamp, name="m_time", dataset="shots")
    card, mv = timed.card, timed.version
    # A time column → forward chaining; the lot column → lots reaching into a test block purged.
    assert card.protocol_kind == "forward-chaining time split" and "purged" in card.protocol
    assert mv.provenance["dataset_id"] == "shots@1"
    dv = kamp.datasets.get(kamp.principal(), "shots@1")
    assert mv.provenance["schema_hash"] == dv.schema_hash
    inputs = mv.provenance["training"]["inputs"]
    assert "defect_type" not in inputs and "lot_id" not in inputs and "timestamp" not in inputs
    assert "injection_pressure" in inputs

    grouped = _train(kamp, name="m_group", dataset="shots", independent=True)
    assert grouped.card.protocol_kind == "group k-fold"  # the lots are still held out whole

    plain = _train(kamp, name="m_parts", dataset="parts@1")
    assert plain.card.protocol_kind == "stratified k-fold"
    assert plain.card.verdict == "better"


def test_the_trained_file_is_scored_back_with_import_headers(
    kamp: Platform, shots: pd.DataFrame
) -> None:
    me = kamp.principal()
    _train(kamp, name="m_score", dataset="parts")
    scored = kamp.ml.score_dataset(me, "m_score", "parts")
    assert len(scored) == len(shots) and scored["probability"].between(0, 1).all()
    # Headers as an export writes them: units, spaces, fullwidth letters.
    rows = shots.drop(columns=["timestamp", "lot_id", "pass_fail", "defect_type"]).head(5)
    rows = rows.rename(
        columns={"injection_pressure": "injection pressure(bar)", "cushion": "ＣＵＳＨＩＯＮ"}
    )
    out = kamp.ml.score_records(me, "m_score", rows.to_dict("records"))
    assert len(out) == 5
    with pytest.raises(InvalidInput) as err:
        kamp.ml.score_records(
            me, "m_score", rows.drop(columns=["hold_pressure"]).to_dict("records")
        )
    message, hint = error_text(err.value, "ko")
    assert hint and "hold_pressure" in hint
    assert "hold_pressure" in message and "cushion" not in message  # only what is missing


def test_no_code_matches_an_independent_baseline(kamp: Platform, shots: pd.DataFrame) -> None:
    """Floor: the no-code model (stratified folds on the untimed record table) against LightGBM
    and a random forest fitted here, out of fold, with the same 5 shuffled stratified folds."""
    result = _train(kamp, name="m_floor", dataset="parts")
    card = result.card
    X = shots.drop(columns=["timestamp", "lot_id", "pass_fail", "defect_type"]).to_numpy()
    y = (shots["pass_fail"] == "NG").to_numpy().astype(int)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y)
    oof = {"lgbm": np.zeros(len(y)), "rf": np.zeros(len(y))}
    for train, test in folds:
        gbm = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.05, num_leaves=15, verbose=-1)
        oof["lgbm"][test] = gbm.fit(X[train], y[train]).predict_proba(X[test])[:, 1]
        rf = RandomForestClassifier(n_estimators=300, min_samples_leaf=3, random_state=0, n_jobs=1)
        oof["rf"][test] = rf.fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    lo, hi = card.metric_ci["roc_auc"]
    best = max(roc_auc_score(y, p) for p in oof.values())
    assert lo <= best <= hi + 0.01, (card.metrics["roc_auc"], (lo, hi), best)
    assert card.metrics["roc_auc"] >= best - 0.03


def test_dataset_mistakes_are_refused_in_words(kamp: Platform) -> None:
    for kw, code in (
        ({"dataset": "parts", "target": "no_such"}, "ml.dataset_no_column"),
        ({"dataset": "parts", "equipment": "a/b/c"}, "ml.data_source"),
    ):
        with pytest.raises(InvalidInput) as err:
            kamp.ml.train(kamp.principal(), TrainSpec(task="classify", name="x", **kw))  # type: ignore[arg-type]
        assert err.value.code == code and "{" not in error_text(err.value, "ko")[0]


def test_threshold_choice_and_two_production_models(kamp: Platform) -> None:
    """A person's threshold is stored with the version and used by scoring; two production
    models for one dataset and problem are warned about on the card (and so in the report)."""
    me = kamp.principal()
    a = _train(kamp, name="m_a", dataset="parts").version
    b = _train(kamp, name="m_b", dataset="parts").version
    rows = kamp.datasets.read(me, "parts", limit=200).to_dict("records")
    before = kamp.ml.score_records(me, "m_a", rows, version=a.version)
    kamp.ml.set_threshold(me, "m_a", a.version, 0.99)
    after = kamp.ml.score_records(me, "m_a", rows, version=a.version)
    assert np.allclose(before["probability"], after["probability"])
    flagged = (after["probability"] >= 0.99).sum()
    assert (after["prediction"] == "NG").sum() == flagged <= (before["prediction"] == "NG").sum()
    kamp.models.set_stage(me, "m_a", a.version, "production")
    assert not kamp.ml.card(me, "m_a", a.version)[1].warnings
    kamp.models.set_stage(me, "m_b", b.version, "production")
    card = kamp.ml.card(me, "m_a", a.version)[1]
    assert [w["key"] for w in card.warnings] == ["ml.warn.two_production"]
    assert "m_b v1" in card.warnings[0]["params"]["others"]
    assert "m_b v1" in kamp.ml.report(me, "m_a", a.version, lang="ko")


def test_only_a_lot_like_id_column_becomes_the_groups_unasked() -> None:
    """Without a group column, an id column is taken as the lots only when it looks like one:
    runs of consecutive rows, at least LOT_MIN_GROUPS values. A mould number with one value,
    a cavity alternating LH / RH, a serial number per row: none of them (training on a day of
    one mould was refused with "only 1 group" although the user chose no groups)."""
    from openkamp.ml.on_datasets import LOT_MIN_GROUPS, lot_column

    n = 120
    frame = pd.DataFrame(
        {
            "mould": ["M-101"] * n,
            "cavity": ["LH", "RH"] * (n // 2),
            "serial": [f"S{i:04d}" for i in range(n)],
            "lot": [f"L{i // 20}" for i in range(n)],  # six lots of 20 consecutive rows
            "few": [f"F{i // 40}" for i in range(n)],  # three lots only
        }
    )
    assert lot_column(frame, ["mould", "cavity", "serial"]) is None
    assert lot_column(frame, ["mould", "cavity", "serial", "lot"]) == "lot"
    assert LOT_MIN_GROUPS > 3 and lot_column(frame, ["few"]) is None
    shuffled = frame.sample(frac=1.0, random_state=0)  # lots scattered over the rows
    assert lot_column(shuffled, ["lot"]) is None
