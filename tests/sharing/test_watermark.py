"""Governed export, the watermark (issue 11, item 4): five contracts get exports of the same
20,000-shot table (pseudonymised part numbers, shifted times, each with its own key); one leaks a
copy subsampled, re-rounded to a decimal less, reordered, two columns dropped and passed through
a CSV; ``trace`` names exactly that contract. Unmarked copies and copies of other data name no
one over 200 random keys; the distortion stays within the stated bound."""

from __future__ import annotations

import io
import json
import os
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.i18n import error_text
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.export import governed_export
from openkamp.sharing.transforms import TransformSpec, apply, column_decimals
from openkamp.sharing.watermark import (
    WatermarkParams,
    embed,
    plan,
    score,
    trace,
    watermark,
)

from .shot_data import OPERATOR, PART, PROCESS, TIME, shot_table

SECRET = b"platform-secret-for-tests-0123456789"
CONTRACTS = {f"contract-{i}": ContractKey.derive(SECRET, f"secret-{i}") for i in range(1, 6)}
LEAKER = "contract-3"
RANDOM_KEYS = 200
SPEC = TransformSpec.from_json(
    {
        "version": 1,
        "transforms": [
            {"op": "drop", "columns": [OPERATOR]},
            {"op": "pseudonymise", "columns": [PART]},
            {"op": "time_shift", "columns": [TIME], "keep": "time_of_day"},
        ],
    }
)
ROW_KEY = [PART, TIME]
DROPPED = ["사출압력[bar]", "쿠션량[mm]"]
MARKED = [c for c in PROCESS if c != "금형온도[°C]"]


@pytest.fixture(scope="module")
def shots() -> pd.DataFrame:
    return shot_table(20_000)


@pytest.fixture(scope="module")
def exports(shots: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, Any]]:
    """contract -> (its marked export, the watermark report)."""
    out = {}
    for contract, key in CONTRACTS.items():
        data, _ = apply(shots, SPEC, key)
        out[contract] = watermark(data, key, ROW_KEY)
    return out


@pytest.fixture(scope="module")
def params(exports: dict[str, tuple[pd.DataFrame, Any]]) -> WatermarkParams:
    """What a delivery record keeps, read back from its JSON."""
    return WatermarkParams.from_json(exports[LEAKER][1].to_json())


@pytest.fixture(scope="module")
def candidates() -> dict[str, Any]:
    rng = np.random.default_rng(2026)
    others = {f"random-{i}": rng.bytes(32) for i in range(RANDOM_KEYS)}
    return {**CONTRACTS, **others}


def leak(frame: pd.DataFrame, fraction: float, *, rounded: bool, seed: int = 1) -> pd.DataFrame:
    """What a careless (or careful) recipient passes on: a sample, fewer decimals, shuffled, two
    columns dropped, through a CSV file."""
    copy = frame.sample(frac=fraction, random_state=seed).drop(columns=DROPPED)
    if rounded:
        for column, (_, _, decimals) in PROCESS.items():
            if column in copy:
                copy[column] = copy[column].round(decimals - 1)
    return pd.read_csv(io.StringIO(copy.to_csv(index=False)))


# --- tracing ----------------------------------------------------------------------------------


def test_a_leaked_copy_is_traced_to_its_contract(
    exports: dict[str, tuple[pd.DataFrame, Any]], params: WatermarkParams, candidates: dict
) -> None:
    leaked = leak(exports[LEAKER][0], 0.2, rounded=True)
    assert column_decimals(leaked["보압[bar]"]) == 0  # re-rounded, and read back from text
    result = trace(leaked, candidates, params)
    assert result.identified == LEAKER and result.matched == (LEAKER,)
    evidence = result.scores[LEAKER]
    assert evidence.p_value < 1e-6 and evidence.matches == evidence.values
    assert result.rows == len(leaked)
    assert set(result.columns) == set(MARKED) - set(DROPPED)
    innocent = [e for c, e in result.scores.items() if c != LEAKER]
    assert len(innocent) == len(candidates) - 1
    assert max(e.z for e in innocent) < 4.0 and min(e.p_value for e in innocent) > 1e-4


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.3])
@pytest.mark.parametrize("rounded", [False, True])
def test_robust_to_subsampling_and_rounding(
    exports: dict[str, tuple[pd.DataFrame, Any]],
    params: WatermarkParams,
    fraction: float,
    rounded: bool,
) -> None:
    leaked = leak(exports[LEAKER][0], fraction, rounded=rounded, seed=int(fraction * 100))
    result = trace(leaked, CONTRACTS, params)
    assert result.identified == LEAKER and result.matched == (LEAKER,)
    evidence = result.scores[LEAKER]
    # every mark decodes after rounding away one decimal (the step is built for it)
    assert evidence.matches == evidence.values
    # one value in 32 of the four marked columns left: z = sqrt(values)
    expected = fraction * len(exports[LEAKER][0]) * 3 / params.gamma
    assert 0.8 * expected < evidence.values < 1.2 * expected
    if os.environ.get("OPENKAMP_PRINT_ROBUSTNESS"):
        print(f"\n{fraction:.0%} rounded={rounded}: n={evidence.values} z={evidence.z:.1f}"
              f" log10 p={evidence.log10_p:.1f}")  # fmt: skip


def test_unmarked_copies_and_other_data_name_no_one(
    shots: pd.DataFrame, params: WatermarkParams, candidates: dict
) -> None:
    unmarked, _ = apply(shots, SPEC, CONTRACTS[LEAKER])  # the leaker's rows, without a mark
    other_data, _ = apply(shot_table(20_000, seed=99), SPEC, CONTRACTS[LEAKER])
    outsider = ContractKey.derive(SECRET, "not-a-candidate")
    marked_elsewhere, _ = watermark(other_data, outsider, ROW_KEY)
    copies = {
        "unmarked": leak(unmarked, 0.3, rounded=False),
        "unmarked, rounded": leak(unmarked, 0.3, rounded=True),
        "the owner's original": shots.sample(frac=0.3, random_state=4),
        "other data, marked by an outsider": leak(marked_elsewhere, 0.3, rounded=True),
    }
    zs = []
    for name, copy in copies.items():
        result = trace(copy, candidates, params)
        assert result.identified is None and result.matched == (), name
        zs += [e.z for e in result.scores.values() if e.values]
    # the null is exact (fair coins): the z-scores of 4 x 205 innocent keys look standard normal
    assert len(zs) >= 3 * len(candidates)
    assert max(abs(z) for z in zs) < 4.0
    assert abs(np.mean(zs)) < 0.15 and 0.85 < np.std(zs) < 1.15
    # the outsider itself would be found in its copy: the mark is there, just not a candidate's
    found = trace(copies["other data, marked by an outsider"], {"outsider": outsider}, params)
    assert found.identified == "outsider"


def test_without_the_key_columns_there_is_no_evidence(
    exports: dict[str, tuple[pd.DataFrame, Any]], params: WatermarkParams
) -> None:
    without_part = leak(exports[LEAKER][0], 0.1, rounded=True).drop(columns=[PART])
    assert trace(without_part, CONTRACTS, params).identified == LEAKER
    leaked = leak(exports[LEAKER][0], 0.3, rounded=False).drop(columns=[TIME])
    result = trace(leaked, CONTRACTS, params)
    assert result.identified is None and result.missing_key_columns == (TIME,)
    assert all(e.values == 0 and e.p_value == 1.0 for e in result.scores.values())


def test_a_copy_that_lost_its_time_zone_is_still_traced(
    exports: dict[str, tuple[pd.DataFrame, Any]], params: WatermarkParams
) -> None:
    copy = exports[LEAKER][0].sample(frac=0.1, random_state=3)
    # the wall time in Korea, as a spreadsheet shows it: no offset
    copy[TIME] = copy[TIME].dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M:%S.%f")
    assert params.key_columns[0].tz == "Asia/Seoul"
    assert trace(copy, CONTRACTS, params).identified == LEAKER


def test_renamed_columns_and_duplicated_rows(
    exports: dict[str, tuple[pd.DataFrame, Any]], params: WatermarkParams
) -> None:
    copy = leak(exports[LEAKER][0], 0.05, rounded=True)
    copy = pd.concat([copy, copy, copy]).rename(columns={"보압[bar]": "holding pressure"})
    single = score(copy.drop_duplicates(), CONTRACTS[LEAKER], params)
    _, report = embed(pd.concat([exports[LEAKER][0].head(100)] * 3), CONTRACTS[LEAKER], params)
    assert report.duplicate_keys == 200
    tripled = score(copy, CONTRACTS[LEAKER], params)
    assert tripled == single  # a row key counts once, however often the row is repeated
    renamed = score(copy, CONTRACTS[LEAKER], params, rename={"holding pressure": "보압[bar]"})
    assert renamed.values > single.values and renamed.matches == renamed.values


# --- embedding and distortion -----------------------------------------------------------------


def test_distortion_within_the_stated_bound(
    shots: pd.DataFrame, exports: dict[str, tuple[pd.DataFrame, Any]]
) -> None:
    original, _ = apply(shots, SPEC, CONTRACTS[LEAKER])
    marked, report = exports[LEAKER]
    assert report.params.skipped == {"금형온도[°C]": "spread"}
    assert [c.name for c in report.params.columns] == MARKED
    assert (marked["금형온도[°C]"] == original["금형온도[°C]"]).all()
    assert (marked[ROW_KEY] == original[ROW_KEY]).all().all()
    for c in report.params.columns:
        before, after = original[c.name], marked[c.name]
        changed = before != after
        std = before.std()
        figures = report.columns[c.name]
        # one value in gamma (32) at most changes, each by at most the bound, half a std at most
        assert changed.mean() < 1.2 / report.params.gamma
        bound = 1.2 * 10.0 ** -(c.decimals - 1)
        assert c.max_change == pytest.approx(bound) == figures["bound"]
        assert (after - before).abs().max() <= bound + 1e-9
        assert figures["max_abs_change"] <= bound + 1e-9 and bound <= std / 2
        assert figures["max_rel_change"] <= bound / before.abs().min() + 1e-12
        # the column's statistics barely move
        assert abs(after.mean() - before.mean()) < 0.005 * std
        assert abs(after.std() - std) < 0.005 * std
        assert figures["mean_change"] == pytest.approx(after.mean() - before.mean(), abs=1e-9)
        # still written with the delivered decimals
        assert column_decimals(after) == PROCESS[c.name][2]
    assert report.marked == sum(int(report.columns[c]["marked"]) for c in MARKED)
    assert report.rows == len(marked)
    assert report.unkeyed_rows == 0 and report.duplicate_keys == 0


def test_marking_is_deterministic_per_key_and_works_on_arrow(shots: pd.DataFrame) -> None:
    data, _ = apply(shots.head(3_000), SPEC, CONTRACTS[LEAKER])
    p = plan(data, ROW_KEY)
    first, _ = embed(data, CONTRACTS[LEAKER], p)
    again, _ = embed(data.sample(frac=1.0, random_state=5), CONTRACTS[LEAKER], p)
    assert first.equals(again.loc[first.index])  # by row key, not by position
    table, _ = embed(pa.Table.from_pandas(data, preserve_index=False), CONTRACTS[LEAKER], p)
    assert isinstance(table, pa.Table)
    assert table.to_pandas()[MARKED].equals(first[MARKED].reset_index(drop=True))
    assert trace(table, CONTRACTS, p).identified == LEAKER


def test_params_json_round_trip_and_refusals(shots: pd.DataFrame, params: WatermarkParams) -> None:
    document = params.to_json()
    assert WatermarkParams.from_json(document) == params
    assert document["scheme"] == "openkamp-qim-v1" and "key" not in str(document).replace(
        "key_columns", ""
    )
    # the timestamp alone tells the shots apart: the part number is not needed in the row key
    assert [(k["name"], k["kind"]) for k in document["key_columns"]] == [(TIME, "time")]
    both = plan(shots.assign(**{TIME: shots[TIME].dt.floor("D")}), ROW_KEY)
    assert [k.name for k in both.key_columns] == ROW_KEY  # a day is not unique: both, as given
    cases: list[tuple[str, Any]] = [
        ("key_column", lambda: plan(shots, ["없는열"])),
        ("key_columns", lambda: plan(shots, [])),
        ("column", lambda: plan(shots, ROW_KEY, columns=[PART])),
        ("no_column", lambda: plan(shots, ROW_KEY, columns=["금형온도[°C]"])),
        ("key", lambda: embed(shots, b"short", params)),
        ("params", lambda: WatermarkParams.from_json({**document, "gamma": 0})),
        ("params", lambda: WatermarkParams.from_json({**document, "scheme": "lsb"})),
        ("params", lambda: WatermarkParams.from_json({"scheme": "openkamp-qim-v1"})),
    ]
    for reason, call in cases:
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.code == f"sharing.watermark.{reason}", reason
        ko, _ = error_text(info.value, "ko")
        assert re.search("[가-힣]", ko) and not re.search(r"\{[a-z_]+\}", ko)


def test_governed_export_marks_all_but_the_generalised_columns(shots: pd.DataFrame) -> None:
    document = SPEC.to_json()
    document["transforms"].append(
        {"op": "generalise", "column": "보압[bar]", "bin_width": 10, "output": "low"}
    )
    key = CONTRACTS[LEAKER]
    export = governed_export(shots, TransformSpec.from_json(document), key, row_key=ROW_KEY)
    assert isinstance(export.frame, pd.DataFrame)
    assert (export.frame["보압[bar]"] % 10 == 0).all()  # still bins: not marked
    record = json.loads(json.dumps(export.record()))  # JSON as stored
    assert [c["name"] for c in record["watermark"]["columns"]] == [
        c for c in MARKED if c != "보압[bar]"
    ]
    assert [s["op"] for s in record["transforms"]["steps"]] == [
        "drop",
        "pseudonymise",
        "time_shift",
        "generalise",
    ]
    text = json.dumps(record)
    assert key.watermark.hex() not in text and key.pseudonym.hex() not in text
    params = WatermarkParams.from_json(record["watermark"])
    leaked = leak(export.frame, 0.1, rounded=True)
    assert trace(leaked, CONTRACTS, params).identified == LEAKER
    plain = governed_export(shots, SPEC, key, row_key=ROW_KEY, mark=False)
    assert plain.watermark is None and plain.record()["watermark"] is None


# --- full-precision columns -------------------------------------------------------------------

# name -> (mean, std): process values computed or read as floats, never rounded
FLOATS = {"사출압력[bar]": (1250.0, 18.0), "사출속도[mm/s]": (85.0, 3.5), "계량시간[s]": (4.8, 0.15),
          "쿠션량[mm]": (6.5, 0.4)}  # fmt: skip


def float_shots(rows: int = 20_000, seed: int = 5) -> pd.DataFrame:
    """The shot table with full-precision process values (no fixed decimals), a whole-number
    counter of small spread and a constant computed value."""
    frame = shot_table(rows, seed=seed)[[TIME, PART, OPERATOR]]
    rng = np.random.default_rng(seed)
    for name, (mean, std) in FLOATS.items():
        frame[name] = mean + std * rng.standard_normal(rows)
    frame["불량수"] = rng.integers(0, 4, rows)  # a counter: unmarked, as before
    frame["환산계수"] = np.full(rows, 1 / 3)  # constant: unmarked
    return frame


@pytest.fixture(scope="module")
def float_data() -> pd.DataFrame:
    return float_shots()


@pytest.fixture(scope="module")
def float_exports(float_data: pd.DataFrame) -> dict[str, Any]:
    return {c: governed_export(float_data, SPEC, k, row_key=ROW_KEY) for c, k in CONTRACTS.items()}


def test_full_precision_columns_are_rounded_by_their_spread_and_marked(
    float_data: pd.DataFrame, float_exports: dict[str, Any], candidates: dict
) -> None:
    export = float_exports[LEAKER]
    record = json.loads(json.dumps(export.record()))
    params = WatermarkParams.from_json(record["watermark"])
    assert [c.name for c in params.columns] == list(FLOATS)
    assert all(c.rounded for c in params.columns)
    assert params.skipped == {"불량수": "spread", "환산계수": "constant"}
    expected = {"사출압력[bar]": 1, "사출속도[mm/s]": 2, "계량시간[s]": 3, "쿠션량[mm]": 3}
    assert {c.name: c.decimals for c in params.columns} == expected
    # the rule: the fewest decimals whose step (24 units) is at most a quarter of a std
    for c in params.columns:
        std = float(float_data[c.name].std())
        assert c.step * 10.0**-c.decimals <= std / 4 < c.step * 10.0 ** -(c.decimals - 1)
    # the rounding is a transform of the record, like the others
    step = record["transforms"]["steps"][-1]
    assert step["op"] == "round" and step["columns"] == list(FLOATS)
    assert step["decimals"] == expected and step["reason"] == "watermark"
    for name, decimals in expected.items():
        assert column_decimals(export.frame[name]) == decimals  # every value, marked or not
    # a 20 % leak, re-rounded to one decimal fewer than delivered, reordered, through a CSV
    copy = export.frame.sample(frac=0.2, random_state=8)
    for name, decimals in expected.items():
        copy[name] = copy[name].round(decimals - 1)
    leaked = pd.read_csv(io.StringIO(copy.to_csv(index=False)))
    result = trace(leaked, CONTRACTS, params)
    assert result.identified == LEAKER and result.matched == (LEAKER,)
    evidence = result.scores[LEAKER]
    assert evidence.matches == evidence.values > 400 and evidence.p_value < 1e-100
    # the same rows without a mark (rounded as delivered): nobody over 200 random keys
    unmarked, _ = apply(float_data, SPEC, CONTRACTS[LEAKER])
    unmarked = unmarked.round(expected).sample(frac=0.2, random_state=8)
    innocent = trace(pd.read_csv(io.StringIO(unmarked.to_csv(index=False))), candidates, params)
    assert innocent.identified is None and innocent.matched == ()
    assert max(abs(e.z) for e in innocent.scores.values()) < 4.5
    assert min(e.p_value for e in innocent.scores.values()) > 1e-5


def test_full_precision_distortion_within_the_stated_bound(
    float_data: pd.DataFrame, float_exports: dict[str, Any]
) -> None:
    original, _ = apply(float_data, SPEC, CONTRACTS[LEAKER])
    export = float_exports[LEAKER]
    report = export.watermark
    assert (export.frame["불량수"] == original["불량수"]).all()
    for c in report.params.columns:
        before, after = original[c.name], export.frame[c.name]
        std = float(before.std())
        change = (after - before).abs()
        figures = report.columns[c.name]
        # every value: half a unit of the last decimal (<= std/192); a marked one: H units
        # (<= std/8) from its exact value
        unit = 10.0**-c.decimals
        assert c.max_change == pytest.approx(12 * unit) and c.max_change <= std / 8
        assert change.max() <= c.max_change + 1e-9
        assert figures["rounding_max_abs_change"] <= unit / 2 + 1e-12 <= std / 192
        moved = change > unit / 2 + 1e-9
        assert moved.mean() < 1.2 / report.params.gamma  # only marks move more than rounding
        assert figures["max_abs_change"] <= figures["bound"] + 1e-12
        assert abs(after.mean() - before.mean()) < 0.002 * std
        assert abs(after.std() - std) < 0.002 * std


def test_a_table_of_whole_numbers_only_has_no_column_to_mark(float_data: pd.DataFrame) -> None:
    counts = float_data[[TIME, "불량수"]].assign(캐비티=float_data["불량수"] % 2 + 1)
    with pytest.raises(InvalidInput) as info:
        plan(counts, [TIME])
    assert info.value.code == "sharing.watermark.no_column"
    assert info.value.params["skipped"] == "불량수: spread, 캐비티: spread"
