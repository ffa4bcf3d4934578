"""Quality indices on simulator data with a known number of injected problems.

The simulator's hydraulic press logs every 10 s. Two days of seed 1 hold no simulated sensor
fault that touches data quality (no stuck sensor in that window: asserted), so clean data must
score near 1 and every injected problem must move its index by exactly the expected amount. The
outlier rule is statistical: there the test allows a stated tolerance of a few cells.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from openkamp.i18n import MESSAGES
from openkamp.quality import INDICES, PROBLEMS, ColumnSpec, column_specs, profile
from openkamp.sim import Factory

START, END = "2026-03-02", "2026-03-04"


@pytest.fixture(scope="module")
def press() -> tuple[pd.DataFrame, dict[str, ColumnSpec]]:
    factory = Factory(seed=1)
    sim = factory.simulate(START, END)
    assert "stuck_sensor" not in set(sim.truth["press01"]["fault_kind"])
    equipment = {e.name: e for line in factory.asset_model().lines for e in line.equipment}
    return sim.data["press01"], column_specs(equipment["press01"])


def test_clean_simulator_data_scores_near_one(press: tuple) -> None:
    data, specs = press
    rep = profile(data, specs=specs)
    assert rep.rows == len(data) and rep.period_s == 10.0 and rep.expected_rows == len(data)
    assert rep.indices["completeness"] == 1.0
    assert rep.indices["uniqueness"] == 1.0
    assert rep.indices["validity"] == 1.0  # every reading within the asset model's ranges
    assert rep.indices["consistency"] == 1.0
    assert rep.indices["accuracy"] >= 0.998  # measured 0.9998: start-up transients
    assert rep.overall >= 0.999
    assert {f.problem for f in rep.findings} <= {"outlier"}
    col = rep.column("pressure")
    assert col.kind == "number" and col.missing == 0 and col.count == len(data)
    assert col.min == data["pressure"].min() and col.max == data["pressure"].max()
    assert col.mean == pytest.approx(data["pressure"].mean())


def _inject(data: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Known problems at disjoint positions of the clean data."""
    df = data.copy().reset_index(drop=True)
    df.loc[[100 + 37 * i for i in range(50)], "flow"] = np.nan  # 50 missing cells
    df.loc[[3000 + 11 * i for i in range(20)], "fault_kind"] = None  # 20 missing labels
    df.loc[[7000 + 53 * i for i in range(10)], "pressure"] = 400.0  # above max 250: 10
    df.loc[[9000 + 7 * i for i in range(5)], "motor_current"] = -5.0  # below min 0: 5
    frozen = df.at[12000, "oil_temp"]
    df.loc[12000:12199, "oil_temp"] = frozen  # a frozen sensor, 200 readings
    spikes = [14000 + 97 * i for i in range(8)]
    df.loc[spikes, "pressure_ripple"] = 30.0  # within 0..40, far from its neighbours (~1.5)
    # Swap two timestamps: the second row of the pair goes back in time.
    a, b = df.at[15000, "timestamp"], df.at[15001, "timestamp"]
    df.loc[15000, "timestamp"], df.loc[15001, "timestamp"] = b, a
    # Four exact copies and three conflicting readings, each right after its original.
    copies = df.loc[[16000, 16100, 16200, 16300]]
    conflicts = df.loc[[16500, 16600, 16700]].assign(pressure=lambda d: d["pressure"] + 1.0)
    df = pd.concat([df, copies, conflicts]).sort_index(kind="stable").reset_index(drop=True)
    df = df.drop(index=range(5000, 5030)).reset_index(drop=True)  # 30 readings never logged
    return df, {"spikes": spikes}


def test_injected_problems_move_each_index_by_the_expected_amount(press: tuple) -> None:
    data, specs = press
    clean = profile(data, specs=specs)
    df, known = _inject(data)
    rep = profile(df, specs=specs, examples=1000)
    N, n, C = len(data), len(df), data.shape[1]
    assert n == N - 30 + 7
    assert rep.expected_rows == n + 30

    # completeness: 70 empty cells, 30 absent rows (all of their cells) over (rows + 30) × C.
    assert rep.indices["completeness"] == pytest.approx((n * C - 70) / ((n + 30) * C), abs=1e-12)
    # uniqueness: 7 rows repeat an earlier timestamp.
    assert rep.indices["uniqueness"] == pytest.approx(1 - 7 / n, abs=1e-12)
    # validity: 15 out-of-range cells among the non-missing ones.
    assert rep.indices["validity"] == pytest.approx(1 - 15 / (n * C - 70), abs=1e-12)
    # consistency: one row out of order (its C - 1 value cells) and 200 stuck cells.
    assert rep.indices["consistency"] == pytest.approx(1 - (C - 1 + 200) / (n * (C - 1)), abs=1e-12)

    by = {(f.column, f.problem): f for f in rep.findings}
    assert by[("flow", "missing")].count == 50
    assert by[("fault_kind", "missing")].count == 20
    assert by[("timestamp", "missing_steps")].count == 30
    assert by[("timestamp", "missing_steps")].rows == [4999]  # the reading before the gap
    assert by[("timestamp", "duplicate_records")].count == 4
    assert by[("timestamp", "duplicate_timestamps")].count == 3
    assert by[("pressure", "above_max")].count == 10
    assert by[("motor_current", "below_min")].count == 5
    assert by[("oil_temp", "stuck")].count == 200
    assert by[("timestamp", "out_of_order")].count == 1
    assert by[("timestamp", "out_of_order")].rows == [14971]  # 15001 before the 30 dropped
    # Each finding lists example rows that really have the problem.
    pos = by[("pressure", "above_max")].rows
    assert (df.loc[pos, "pressure"] == 400.0).all() and len(pos) == 10
    assert len(profile(df, specs=specs).findings[0].rows) == 5  # five examples by default
    assert by[("pressure", "above_max")].times[0] == str(df.at[pos[0], "timestamp"])

    # accuracy (statistical): every spike is found; the outlier count may move by a few more
    # cells (stated tolerance: 5) as gaps and removed invalid values shift the local scale.
    flagged = set(by[("pressure_ripple", "outlier")].rows)
    assert {p - 30 for p in known["spikes"]} <= flagged  # 30 rows before them were dropped
    spikes = rep.column("pressure_ripple").outliers - clean.column("pressure_ripple").outliers
    assert len(known["spikes"]) <= spikes <= len(known["spikes"]) + 5
    out_clean = sum(c.outliers for c in clean.columns)
    out_dirty = sum(c.outliers for c in rep.columns)
    assert abs(out_dirty - (out_clean + len(known["spikes"]))) <= 5
    checked = sum(
        c.count - c.invalid for c in rep.columns if c.kind == "number" and c.distinct >= 10
    )
    assert rep.indices["accuracy"] == pytest.approx(1 - out_dirty / checked, abs=1e-12)
    assert rep.overall == pytest.approx(np.mean([rep.indices[k] for k in INDICES]))
    # Findings are ordered by index, and every one reads in both languages.
    ranks = [INDICES.index(f.index) for f in rep.findings]
    assert ranks == sorted(ranks)
    assert "oil_temp" in by[("oil_temp", "stuck")].text("ko")
    assert "고착" in by[("oil_temp", "stuck")].text("ko")
    assert "stuck" in by[("oil_temp", "stuck")].text("en")


def test_stuck_at_zero_and_setpoints_are_not_stuck() -> None:
    """A stopped machine reads 0 for hours, a setpoint holds its value: neither is a fault."""
    n = 2000
    rng = np.random.default_rng(0)
    flow = np.round(50 + rng.normal(0, 1, n), 1)
    flow[500:1500] = 0.0  # the pump is off
    setpoint = np.repeat(
        [200.0, 210.0, 220.0, 230.0, 240.0, 250.0, 260.0, 270.0, 280.0, 290.0], 200
    )
    df = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-03-02", periods=n, freq="1s"),
            "flow": flow,
            "setpoint": setpoint,
        }
    )
    assert profile(df).indices["consistency"] == 1.0
    # Undeclared, the setpoint is not stuck either: all of its runs are long, none stands out.
    # A noisy signal that freezes is, unless declared constant_ok.
    df.loc[100:399, "flow"] = 49.95
    assert profile(df).column("flow").stuck == 300
    assert profile(df, specs={"flow": ColumnSpec(constant_ok=True)}).column("flow").stuck == 0


def test_jumps_text_in_numbers_and_categories() -> None:
    n = 1000
    rng = np.random.default_rng(1)
    temp = np.round(60 + np.cumsum(rng.normal(0, 0.05, n)), 2)
    temp[[200, 600]] += [8.0, -9.0]  # two single-reading jumps: 4 steps above max_step 3
    level = pd.Series(np.round(rng.uniform(10, 20, n), 2)).astype(object)
    level[[10, 20, 30]] = ["ERR", "-", "#N/A"]
    kind = pd.Series(rng.choice(["A", "B"], n))
    kind[[5, 6]] = "C"
    df = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-03-02", periods=n, freq="1min"),
            "temp": temp,
            "level": level,
            "kind": kind,
            "count": np.arange(n, dtype=float),
        }
    )
    df.loc[3, "count"] = 2.5
    specs = {
        "temp": ColumnSpec(max_step=3.0),
        "kind": ColumnSpec(kind="category", categories=("A", "B")),
        "count": {"kind": "integer"},
    }
    rep = profile(df, specs=specs)
    by = {(f.column, f.problem): f.count for f in rep.findings}
    assert by[("temp", "jump")] == 4
    assert by[("level", "not_a_number")] == 3 and rep.column("level").kind == "number"
    assert by[("kind", "unknown_category")] == 2
    assert by[("count", "not_integer")] == 1
    cells = n * 5
    assert rep.indices["validity"] == pytest.approx(1 - 6 / cells, abs=1e-12)
    assert rep.indices["consistency"] == pytest.approx(1 - 4 / (n * 4), abs=1e-12)
    assert rep.column("temp").outliers >= 2  # the two jumped readings are outliers too


def test_irregular_series_records_and_sparse_labels() -> None:
    factory = Factory(seed=1)
    sim = factory.simulate(START, END)
    shots = sim.data["inj01"]  # one row per shot, 41-43 s apart, pauses: not a regular series
    rep = profile(shots)
    assert rep.period_s is None and rep.indices["completeness"] == 1.0
    tank = sim.data["tank01"]  # batch labels are written once per batch
    assert profile(tank).indices["completeness"] < 0.9
    sparse = {c: ColumnSpec(sparse=True) for c in ("pass_fail", "batch_id")}
    assert profile(tank, specs=sparse).indices["completeness"] == 1.0
    # Records without time: uniqueness counts repeated rows.
    records = pd.concat([shots.drop(columns="timestamp"), shots.drop(columns="timestamp").head(5)])
    rep = profile(records, time=None)
    assert rep.indices["uniqueness"] == pytest.approx(1 - 5 / len(records))
    with pytest.raises(ValueError, match="time=None"):
        profile(records)


def test_empty_and_degenerate_tables() -> None:
    empty = pd.DataFrame({"timestamp": pd.to_datetime([]), "x": []})
    rep = profile(empty)
    assert rep.rows == 0 and all(v == 1.0 for v in rep.indices.values())
    const = pd.DataFrame({"timestamp": ["2026-03-02 00:00", "garbage", None], "x": [1.0] * 3})
    rep = profile(const)
    by = {(f.column, f.problem): f.count for f in rep.findings}
    assert by[("timestamp", "bad_time")] == 1 and by[("timestamp", "missing")] == 1
    assert rep.to_frame().shape[0] == 2 and rep.to_dict()["rows"] == 3


def test_every_problem_has_text_in_both_languages() -> None:
    for key in ["quality.finding", *(f"quality.index.{i}" for i in INDICES)] + [
        f"quality.{part}.{p}" for p in PROBLEMS for part in ("problem", "advice")
    ]:
        assert MESSAGES[key]["ko"] and MESSAGES[key]["en"], key


def test_a_million_rows_in_seconds() -> None:
    n = 1_000_000
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {"timestamp": pd.date_range("2026-01-01", periods=n, freq="1s")}
        | {f"s{i}": np.round(rng.normal(50, 5, n), 2) for i in range(5)}
        | {"state": rng.choice(["run", "idle"], n)}
    )
    started = time.perf_counter()
    rep = profile(df)
    elapsed = time.perf_counter() - started
    assert rep.rows == n and rep.indices["completeness"] == 1.0
    assert rep.indices["accuracy"] >= 0.999  # Gaussian noise: no reading is 8 scales away
    assert elapsed < 30.0, elapsed  # measured 7-8 s on a shared core (rolling medians dominate)
