"""Compute-to-data (issue 11 item 4): the consumer's model is trained in the owner's space on the
owner's dataset version; only the model, its metrics and its report leave, never a row.

Generated data with Korean column names: a shot table (defect label, a measured strength), a
machine's signals for anomaly detection, tool lives for remaining life, an hourly count for a
forecast. For each kind that may leave: the consumer's registry holds the model, it scores the
consumer's own file, the metrics are those of a normal training, and the leak checker finds no
row in the artefact, metrics, reports, job record or log. Positive controls show the checker
finds rows where they are. Refused kinds say why; a revoked contract stops the job with nothing
registered on the consumer's side.
"""

from __future__ import annotations

import io
import json
import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import Forbidden, InvalidInput
from openkamp.core.tenancy import Principal
from openkamp.i18n import error_text
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.sharing.compute import (
    K_MIN,
    ComputedModel,
    ComputeToData,
    aggregate_card,
    parts_of,
)
from openkamp.sharing.row_leaks import find_rows

START = pd.Timestamp("2026-03-02T00:00:00Z")


# -- data -----------------------------------------------------------------------------------------


def shots(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Injection shots: process values with many digits, a defect label, a measured strength."""
    rng = np.random.default_rng(seed)
    pressure = rng.normal(120.0, 8.0, n)
    mould = rng.normal(45.0, 3.0, n)
    hold = rng.normal(3.2, 0.4, n)
    cycle = rng.normal(32.0, 1.5, n)
    risk = 0.35 * (pressure - 120) / 8 - 0.9 * (mould - 45) / 3 + rng.normal(0, 0.6, n)
    return pd.DataFrame(
        {
            "시각": START + pd.to_timedelta(np.arange(n) * 37, unit="s"),
            "사출압력": pressure,
            "금형온도": mould,
            "보압시간": hold,
            "사이클타임": cycle,
            "불량": np.where(risk > 0.8, "NG", "OK"),
            "인장강도": 50 + 0.4 * pressure - 0.8 * mould + 3 * hold + rng.normal(0, 1.0, n),
        }
    )


SHOT_COLUMNS = [
    {"name": "시각", "kind": "time", "role": "time"},
    {
        "name": "사출압력",
        "kind": "number",
        "role": "input",
        "display": {"ko": "사출 압력", "en": "Injection pressure"},
    },
    {"name": "금형온도", "kind": "number", "role": "input"},
    {"name": "보압시간", "kind": "number", "role": "input"},
    {"name": "사이클타임", "kind": "number", "role": "input"},
    {"name": "불량", "kind": "text", "role": "label"},
    {"name": "인장강도", "kind": "number", "role": "label"},
]


def signals(n: int = 900, seed: int = 2) -> pd.DataFrame:
    """A machine's correlated signals, one reading a minute."""
    rng = np.random.default_rng(seed)
    load = np.sin(np.arange(n) / 40) + rng.normal(0, 0.2, n)
    return pd.DataFrame(
        {
            "시각": START + pd.to_timedelta(np.arange(n), unit="min"),
            "진동": 2.5 + 0.6 * load + rng.normal(0, 0.05, n),
            "온도": 61.0 + 4.0 * load + rng.normal(0, 0.3, n),
            "전류": 12.0 + 1.5 * load + rng.normal(0, 0.1, n),
        }
    )


SIGNAL_COLUMNS = [
    {"name": "시각", "kind": "time", "role": "time"},
    {"name": "진동", "kind": "number", "role": "input"},
    {"name": "온도", "kind": "number", "role": "input"},
    {"name": "전류", "kind": "number", "role": "input"},
]


def tools(units: int = 14, seed: int = 3) -> pd.DataFrame:
    """Tools run to their end: wear grows with use; one reading every 10 minutes."""
    rng = np.random.default_rng(seed)
    parts = []
    t0 = START
    for u in range(units):
        life = int(rng.integers(50, 90))
        k = np.arange(life)
        wear = (k / life) ** 2
        parts.append(
            pd.DataFrame(
                {
                    "시각": t0 + pd.to_timedelta(k * 10, unit="min"),
                    "공구": f"T-{u:03d}",
                    "스핀들부하": 30 + 25 * wear + rng.normal(0, 1.0, life),
                    "진동": 1.2 + 2.0 * wear + rng.normal(0, 0.1, life),
                    "온도": 40 + 8 * wear + rng.normal(0, 0.5, life),
                }
            )
        )
        t0 = t0 + pd.Timedelta(minutes=10 * life + 30)
    return pd.concat(parts, ignore_index=True)


TOOL_COLUMNS = [
    {"name": "시각", "kind": "time", "role": "time"},
    {"name": "공구", "kind": "text", "role": "label"},
    {"name": "스핀들부하", "kind": "number", "role": "input"},
    {"name": "진동", "kind": "number", "role": "input"},
    {"name": "온도", "kind": "number", "role": "input"},
]


def hourly(days: int = 42, seed: int = 4) -> pd.DataFrame:
    """Parts per hour with a daily pattern."""
    rng = np.random.default_rng(seed)
    n = days * 24
    hours = np.arange(n)
    level = 100 + 30 * np.sin(2 * np.pi * (hours % 24) / 24) + rng.normal(0, 4.0, n)
    return pd.DataFrame(
        {
            "시각": START + pd.to_timedelta(hours, unit="h"),
            "생산량": level + rng.normal(0, 1e-3, n),  # many digits, as a measured rate has
        }
    )


HOURLY_COLUMNS = [
    {"name": "시각", "kind": "time", "role": "time"},
    {"name": "생산량", "kind": "number", "role": "input"},
]


# -- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def owner(kamp: Platform) -> Principal:
    return kamp.principal("factory-a")


@pytest.fixture
def consumer(kamp: Platform) -> Principal:
    return kamp.principal("supplier-b")


@pytest.fixture
def c2d(kamp: Platform) -> ComputeToData:
    return ComputeToData(kamp.datasets, kamp.models, kamp.jobs)


def _open(kamp: Platform, owner: Principal) -> None:
    kamp.datasets.create(owner, "shots", shots(), SHOT_COLUMNS)
    kamp.datasets.create(owner, "signals", signals(), SIGNAL_COLUMNS)
    kamp.datasets.create(owner, "tools", tools(), TOOL_COLUMNS)
    kamp.datasets.create(owner, "hourly", hourly(), HOURLY_COLUMNS)


def allowed() -> None:
    return None


# -- the kinds that leave ---------------------------------------------------------------------------

KINDS: dict[str, dict[str, Any]] = {
    "classify": {
        "dataset": "shots",
        "spec": {"task": "classify", "target": "불량", "options": {"learners": "lgbm_base"}},
    },
    "regress": {
        "dataset": "shots",
        "spec": {"task": "regress", "target": "인장강도", "options": {"learners": "ridge"}},
    },
    "anomaly": {"dataset": "signals", "spec": {"task": "anomaly"}},
    "rul": {
        "dataset": "tools",
        "spec": {"task": "rul", "unit": "공구", "options": {"learners": ["ridge"], "n_splits": 3}},
    },
    "forecast": {
        "dataset": "hourly",
        "spec": {
            "task": "forecast",
            "target": "생산량",
            "horizon": 24,
            "options": {"learners": ["ridge"]},
        },
    },
}


def _spec(kind: str, name: str) -> TrainSpec:
    conf = KINDS[kind]
    return TrainSpec(name=name, dataset=conf["dataset"], time_budget_s=20, **conf["spec"])


def _normal_metrics(kamp: Platform, owner: Principal, kind: str) -> dict[str, float]:
    """The same model trained the normal way on the owner's own data."""
    if kind in ("classify", "regress"):
        result = kamp.ml.train(owner, _spec(kind, f"normal_{kind}"))
        return dict(result.version.metrics)
    frame = {"anomaly": signals, "rul": tools, "forecast": hourly}[kind]().set_index("시각")
    if kind == "anomaly":
        from openkamp.ml.templates.anomaly import AnomalyModel

        model: Any = AnomalyModel(detector="pca", time_budget_s=20, random_state=0).fit(frame)
    elif kind == "rul":
        from openkamp.ml.templates.rul import RULModel

        unit = frame["공구"].to_numpy()
        minutes = frame.index.to_series().groupby(unit).transform(lambda t: t - t.min())
        X = frame.drop(columns="공구").assign(
            _unit=unit, _minutes=(minutes.dt.total_seconds() / 60).to_numpy()
        )
        running = unit[-1]  # still running at the end of the data: left out, as the service does
        X = X[unit != running]
        model = RULModel(learners=["ridge"], n_splits=3, time_budget_s=20, max_rul=None,
                         random_state=0).fit(X, unit="_unit", time="_minutes")  # fmt: skip
    else:
        from openkamp.ml.templates.forecast import ForecastModel

        model = ForecastModel(horizon=24, learners=["ridge"], time_budget_s=20,
                              random_state=0).fit(frame["생산량"])  # fmt: skip
    return model.card().headline()


def _consumer_scores(kamp: Platform, consumer: Principal, kind: str, name: str) -> pd.DataFrame:
    """The consumer scores its own file (other rows, drawn with another seed)."""
    if kind in ("classify", "regress", "anomaly"):
        own = {"classify": shots, "regress": shots, "anomaly": signals}[kind](seed=99)
        records = own.drop(columns=["불량", "인장강도"], errors="ignore").to_dict("records")
        return kamp.ml.score_records(consumer, name, records)
    model = kamp.models.load(consumer, name)
    if kind == "rul":
        own = tools(units=3, seed=98)
        minutes = (
            own["시각"] - own.groupby("공구")["시각"].transform("min")
        ).dt.total_seconds() / 60
        pred = model.predict(own.drop(columns=["시각"]).assign(_m=minutes), unit="공구", time="_m")
        return pd.DataFrame({"rul": pred})
    own = hourly(days=10, seed=97).set_index("시각")["생산량"]
    return pd.DataFrame(model.predict(history=own))


def _outputs(kamp: Platform, consumer: Principal, result: Any, job: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    mv = result.version
    with kamp.files.open(consumer.org_id, mv.artefact_sha256) as fh:
        stored = fh.read()
    record = kamp.models.get(consumer, mv.name, mv.version)
    return {
        "artefact (result)": result.artefact,
        "artefact (consumer's registry)": stored,
        "model record": json.dumps(
            {"metrics": record.metrics, "params": record.params, "provenance": record.provenance},
            ensure_ascii=False,
        ),
        "metrics.json": json.dumps(result.metrics),
        "report.json": json.dumps(result.report_json, ensure_ascii=False),
        "report.html": result.report_html,
        "report.html (consumer, en)": kamp.ml.report(consumer, mv.name, lang="en"),
        "job record": json.dumps(job, ensure_ascii=False, default=str),
        "job log": str(job.get("log") or ""),
    }


@pytest.mark.parametrize("kind", list(KINDS))
def test_compute_to_data_leaves_model_metrics_report_and_no_row(
    kamp: Platform, owner: Principal, consumer: Principal, c2d: ComputeToData, kind: str
) -> None:
    _open(kamp, owner)
    name = f"b_{kind}"
    # As a job of the owner's organisation; the consumer never reads the dataset.
    job = c2d.submit(owner, KINDS[kind]["dataset"], _spec(kind, name), consumer, allowed)
    rec = kamp.jobs.wait(owner, job["id"], timeout=300)
    assert rec["status"] == "done", rec.get("error")
    assert rec["result"]["model"] == name and rec["result"]["org_id"] == consumer.org_id

    # The consumer's registry holds the model (the owner's does not), wrapped and stripped.
    mv = kamp.models.get(consumer, name)
    assert mv.task == kind and mv.stage == "candidate"
    assert [v.name for v in kamp.models.list(owner)] == []
    model = kamp.models.load(consumer, name)
    assert isinstance(model, ComputedModel)
    assert model.origin_["compute_to_data"] is True

    # Nothing inside it holds one value per training row (the rows, scores, targets).
    rows = kamp.datasets.get(owner, KINDS[kind]["dataset"]).rows
    for obj in parts_of(model.template_):
        for attr, value in vars(obj).items():
            if isinstance(value, np.ndarray | pd.Series | pd.DataFrame) and value.ndim:
                assert len(value) < rows // 2, (type(obj).__name__, attr, len(value))

    if kind == "classify":
        # The threshold trade-off leaves as counts, and follows a threshold chosen later.
        from openkamp.ml.tradeoff import tradeoff

        own = tradeoff(model, mv.provenance, kamp.ml.card(consumer, name)[1])
        normal_mv = kamp.ml.train(owner, _spec(kind, "normal_trade")).version
        normal = tradeoff(kamp.models.load(owner, normal_mv.name), normal_mv.provenance)
        assert own is not None and normal is not None and own["rows"] == normal["rows"]
        kamp.ml.set_threshold(consumer, name, mv.version, 0.3)
        later = tradeoff(None, mv.provenance, kamp.ml.card(consumer, name)[1])
        assert later is not None and later["current"] == 0.3

    # It scores the consumer's own file.
    scores = _consumer_scores(kamp, consumer, kind, name)
    assert len(scores) > 0
    assert np.isfinite(scores.select_dtypes("number").to_numpy(dtype=float)).all()

    # Metrics: those of a normal training on the same data.
    normal = _normal_metrics(kamp, owner, kind)
    assert set(mv.metrics) == set(normal)
    for key, value in normal.items():
        assert mv.metrics[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key

    # No row in anything that left: rerun synchronously to hold the result's bytes too.
    result = c2d.run_compute(owner, KINDS[kind]["dataset"], _spec(kind, f"{name}_2"), consumer, allowed)  # fmt: skip
    frame = kamp.datasets.read(owner, KINDS[kind]["dataset"])
    outputs = _outputs(kamp, consumer, result, kamp.jobs.get(owner, job["id"]))
    min_cells = 3 if frame.shape[1] > 2 else 2
    assert find_rows(outputs, frame, min_cells=min_cells) == []
    # Not even one training cell (e.g. a feature's minimum in a LightGBM model's text).
    model_and_report = {k: v for k, v in outputs.items() if not k.startswith("job")}
    assert find_rows(model_and_report, frame, min_cells=1) == []
    # Every chart that left has at least K_MIN rows behind each of its points.
    for plot in result.report_json["plots"]:
        for point in plot["data"]:
            if "rows" in point:
                assert point["rows"] >= K_MIN, (plot["title"], point)


def test_positive_controls_the_checker_finds_rows(
    kamp: Platform, owner: Principal, consumer: Principal
) -> None:
    frame = shots(60)
    buf = io.BytesIO()
    frame.to_parquet(buf)
    outputs = {
        "pickle": pickle.dumps(frame),
        "parquet": buf.getvalue(),
        "json": frame.to_json(orient="records", force_ascii=False, date_format="iso"),
        "html": frame.to_html(),
        "csv": frame.to_csv(index=False),
        "float32 rows": frame[["사출압력", "금형온도", "보압시간"]].to_numpy(np.float32).tobytes(),
        "numpy text": pickle.dumps(frame.astype(str).to_numpy().astype(str)),
    }
    for name, value in outputs.items():
        rows = {leak.row for leak in find_rows({name: value}, frame) if leak.output == name}
        assert len(rows) >= 50, (name, len(rows))
    # A larger frame pickled: a row's cells lie a column length apart (pandas' column-major
    # blocks), found by the lattice rule.
    big = shots(2000)
    leaks = find_rows({"pickle": pickle.dumps(big)}, big)
    assert len(leaks) == 2000 and {leak.layout for leak in leaks} == {"columnar"}
    assert set(leaks[0].columns) <= set(big.columns)
    # A missing time or value is no evidence, and does not stop the rest of its row counting.
    gaps = frame.copy()
    gaps.loc[3, "시각"] = pd.NaT
    gaps.loc[4, "사출압력"] = np.nan
    text = gaps.to_json(orient="records", force_ascii=False, date_format="iso")
    assert {3, 4} <= {leak.row for leak in find_rows({"gaps": text}, gaps)}
    one = frame.iloc[[17]]
    leaks = find_rows(
        {"one row": one.to_json(orient="records", force_ascii=False, date_format="iso")}, frame
    )
    assert [leak.row for leak in leaks] == [17]
    # Two cells of a row are not a row at min_cells=3 (and the same row with three is).
    two = frame.iloc[17][["사출압력", "금형온도"]].to_dict()
    assert find_rows({"two": json.dumps(two)}, frame) == []
    # Rounded the way pandas shows a table (6 decimals: 9 digits here) still counts; a rendering
    # with 6 or fewer significant digits (a chart's label, LightGBM's leaf values) is too coarse
    # to tell a row from chance and does not.
    cells = frame.iloc[5][["사출압력", "금형온도", "사이클타임"]]
    shown = " ".join(f"{v:.6f}" for v in cells)
    assert [leak.row for leak in find_rows({"shown": shown}, frame)] == [5]
    for coarse in ("{:.6g}", "{:.4g}"):
        assert find_rows({"coarse": " ".join(coarse.format(v) for v in cells)}, frame) == []
    # The same cells far apart in one text are not a row.
    far = (" " * 5000).join(f"{v!r}" for v in frame.iloc[5][["사출압력", "금형온도", "사이클타임"]])
    assert find_rows({"far": far}, frame) == []

    # A normal (not compute-to-data) forecast model keeps the owner's recent history: the
    # checker finds those rows in its artefact; the compute-to-data one holds none.
    kamp.datasets.create(owner, "hourly", hourly(), HOURLY_COLUMNS)
    series = kamp.datasets.read(owner, "hourly")
    from openkamp.ml.templates.forecast import ForecastModel

    normal = ForecastModel(horizon=24, learners=["ridge"], time_budget_s=20).fit(
        series.set_index("시각")["생산량"]
    )
    assert len(find_rows({"normal": pickle.dumps(normal)}, series, min_cells=2)) >= 24
    c2d = ComputeToData(kamp.datasets, kamp.models)
    result = c2d.run_compute(owner, "hourly", _spec("forecast", "b_fc"), consumer, allowed)
    assert find_rows({"c2d": result.artefact}, series, min_cells=2) == []
    # The normal report's backtest chart is drawn from rows; the aggregated card's is not.
    normal_card = normal.card()
    assert len(normal_card.plots[0].data) == 48
    binned = aggregate_card(normal_card).plots[0].data
    assert len(binned) == 48 // K_MIN and (binned["rows"] >= K_MIN).all()


@pytest.mark.parametrize(
    ("kind", "options", "code"),
    [
        ("anomaly", {"detector": "knn"}, "sharing.compute.refused.knn"),
        ("anomaly", {"detector": "mset"}, "sharing.compute.refused.mset"),
        ("anomaly", {"detector": "iforest"}, "sharing.compute.refused.iforest"),
        ("classify", {"learners": "rf"}, "sharing.compute.refused.small_leaves"),
        ("regress", {"learners": ["ridge", "extra_trees"]}, "sharing.compute.refused.small_leaves"),
    ],
)
def test_refused_kinds_give_their_reason(
    kamp: Platform,
    owner: Principal,
    consumer: Principal,
    c2d: ComputeToData,
    kind: str,
    options: dict[str, Any],
    code: str,
) -> None:
    _open(kamp, owner)
    spec = _spec(kind, f"b_{kind}")
    spec.options = options
    read: list[str] = []
    with pytest.raises(InvalidInput) as info:
        c2d.run_compute(owner, spec.dataset or "", spec, consumer, allowed, progress=read.append)
    assert info.value.code == code
    assert read == []  # refused before anything is read
    ko, _ = error_text(info.value, "ko")
    en, _ = error_text(info.value, "en")
    assert "compute-to-data" in en and ("학습" in ko or "데이터" in ko)
    assert ko != en and not ko.startswith("sharing.")
    assert kamp.models.list(consumer) == []


def test_optimise_is_not_offered(
    kamp: Platform, owner: Principal, consumer: Principal, c2d: ComputeToData
) -> None:
    _open(kamp, owner)
    spec = TrainSpec(task="optimise", name="b_opt", dataset="shots", target="인장강도",
                     controls=["사출압력"])  # fmt: skip
    with pytest.raises(InvalidInput) as info:
        c2d.run_compute(owner, "shots", spec, consumer, allowed)
    assert info.value.code == "sharing.compute.refused.task"
    assert "optimise" in error_text(info.value, "ko")[0]


def test_auto_choices_only_try_kinds_that_may_leave(
    kamp: Platform, owner: Principal, consumer: Principal, c2d: ComputeToData
) -> None:
    _open(kamp, owner)
    spec = TrainSpec(task="classify", name="b_auto", dataset="shots", target="불량",
                     time_budget_s=5)  # fmt: skip
    result = c2d.run_compute(owner, "shots", spec, consumer, allowed)
    tried = {r["learner"] for r in result.report_json["leaderboard"]}
    assert tried <= {"lgbm", "logreg"} and "rf" not in tried


def test_revoked_contract_stops_the_job_and_nothing_is_registered(
    kamp: Platform, owner: Principal, consumer: Principal, c2d: ComputeToData
) -> None:
    _open(kamp, owner)
    calls: list[int] = []

    def revoked_after_fit() -> None:
        calls.append(1)
        if len(calls) >= 3:  # before the read, after it, after the fit: revoked by then
            raise Forbidden("The contract was revoked.", code="sharing.contract.revoked")

    steps: list[str] = []
    with pytest.raises(Forbidden):
        c2d.run_compute(owner, "shots", _spec("classify", "b_cut"), consumer, revoked_after_fit,
                        progress=steps.append)  # fmt: skip
    assert steps == ["read", "fit"]
    assert kamp.models.list(consumer) == []

    # As a job: it ends failed at its next step, with nothing registered either.
    calls.clear()
    job = c2d.submit(owner, "shots", _spec("classify", "b_cut"), consumer, revoked_after_fit)
    rec = kamp.jobs.wait(owner, job["id"], timeout=120)
    assert rec["status"] == "failed"
    assert "register" not in str(rec.get("log"))
    assert kamp.models.list(consumer) == []


def test_same_organisation_is_refused(kamp: Platform, owner: Principal, c2d: ComputeToData) -> None:
    _open(kamp, owner)
    with pytest.raises(InvalidInput) as info:
        c2d.run_compute(owner, "shots", _spec("classify", "mine"), owner, allowed)
    assert info.value.code == "sharing.compute.same_org"


def test_a_row_in_an_output_refuses_the_job(
    kamp: Platform,
    owner: Principal,
    consumer: Principal,
    c2d: ComputeToData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fail closed: were the rows not removed (a forecast keeps its recent history), the check
    before registering finds them and nothing leaves."""
    from openkamp.sharing import compute

    _open(kamp, owner)
    monkeypatch.setattr(compute, "strip_rows", lambda template, k=K_MIN: template)
    with pytest.raises(InvalidInput) as info:
        c2d.run_compute(owner, "hourly", _spec("forecast", "b_leaky"), consumer, allowed)
    assert info.value.code == "sharing.compute.leak"
    assert "model.pkl" in error_text(info.value, "ko")[0]
    assert kamp.models.list(consumer) == []


def test_a_cancelled_job_stops_at_its_next_step(
    kamp: Platform, owner: Principal, consumer: Principal, c2d: ComputeToData
) -> None:
    """Cancelling the job (what revoking the contract does to its running jobs) stops it at the
    next step; the guard's own cancellation (contract_guard raises Cancelled) ends it the same."""
    import threading

    from openkamp.jobs.context import Cancelled

    _open(kamp, owner)
    read = threading.Event()
    go = threading.Event()
    calls: list[int] = []

    def held_after_read() -> None:
        calls.append(1)
        if len(calls) == 2:  # after the read: let the test cancel the job here
            read.set()
            assert go.wait(60)

    job = c2d.submit(owner, "shots", _spec("classify", "b_cancel"), consumer, held_after_read)
    assert read.wait(60)
    kamp.jobs.cancel(owner, job["id"])
    go.set()
    rec = kamp.jobs.wait(owner, job["id"], timeout=120)
    assert rec["status"] == "cancelled"
    assert kamp.models.list(consumer) == []

    def ended() -> None:
        raise Cancelled("계약이 해지되었습니다 / the contract was revoked")

    job = c2d.submit(owner, "shots", _spec("classify", "b_cancel"), consumer, ended)
    assert kamp.jobs.wait(owner, job["id"], timeout=120)["status"] == "cancelled"
    assert kamp.models.list(consumer) == []


def test_every_compute_error_has_korean_and_english_text() -> None:
    """Every code compute.py raises has both texts, with the same placeholders."""
    import re
    import string
    from pathlib import Path

    from openkamp.i18n import MESSAGES
    from openkamp.i18n.sharing_compute import MESSAGES as OWN
    from openkamp.sharing import compute

    source = Path(compute.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'code="(sharing\.compute\.[a-z_.]+)"', source))
    codes |= {f"sharing.compute.refused.{d}" for d in compute.DETECTORS_REFUSED}
    assert codes and {f"err.{c}" for c in codes} == set(OWN)
    for key, texts in OWN.items():
        assert MESSAGES[key] == texts
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("ko", "en")]  # fmt: skip
        assert fields[0] == fields[1], key
        assert re.search(r"[가-힣]", texts["ko"]) and not re.search(r"[가-힣]", texts["en"])
