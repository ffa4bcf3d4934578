"""Governed export, the transforms (issue 11, item 4): each transform's effect on a generated
injection-moulding shot table with Korean column names, keyed by contract (stable within one,
unlinkable across two), the spec as JSON both ways, and every refusal with its code in Korean and
English."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.i18n import MESSAGES, error_text
from openkamp.sharing import contract_keys, watermark
from openkamp.sharing import transforms as T
from openkamp.sharing.contract_keys import ContractKey, derive_key
from openkamp.sharing.transforms import (
    Drop,
    GeneraliseTime,
    TimeShift,
    TransformSpec,
    apply,
    column_decimals,
    pseudonym,
    time_offset,
)

from .shot_data import MACHINE, OPERATOR, PART, PROCESS, TIME, shot_table

SECRET = b"platform-secret-for-tests-0123456789"
A = ContractKey.derive(SECRET, "contract-a")
B = ContractKey.derive(SECRET, "contract-b")
PRESSURE, SPEED, CUSHION = "사출압력[bar]", "사출속도[mm/s]", "쿠션량[mm]"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def shots() -> pd.DataFrame:
    return shot_table(5_000)


def spec(*transforms: dict[str, Any]) -> TransformSpec:
    return TransformSpec.from_json({"version": 1, "transforms": list(transforms)})


def run(frame: pd.DataFrame, *transforms: dict[str, Any], key: ContractKey = A) -> Any:
    out, report = apply(frame, spec(*transforms), key)
    assert isinstance(out, pd.DataFrame)
    return out, report


# --- keys -------------------------------------------------------------------------------------


def test_contract_keys_are_derived_per_contract_and_purpose() -> None:
    again = ContractKey.derive(SECRET, "contract-a")
    assert again == A and A != B
    keys = [A.pseudonym, A.time_shift, A.noise, A.watermark, B.pseudonym, B.watermark]
    assert len(set(keys)) == len(keys) and all(len(k) == 32 for k in keys)
    assert ContractKey.derive(SECRET + b"!", "contract-a").watermark != A.watermark
    assert SECRET.hex() not in repr(A) and A.watermark.hex() not in repr(A)
    for bad in [(b"short", "c", "noise"), (SECRET, "", "noise"), (SECRET, "c", "colour")]:
        with pytest.raises(InvalidInput) as info:
            derive_key(*bad)
        assert info.value.code and info.value.code.startswith("sharing.key.")
        assert "{" not in error_text(info.value, "ko")[0]


# --- each transform ---------------------------------------------------------------------------


def test_drop(shots: pd.DataFrame) -> None:
    out, report = run(shots, {"op": "drop", "columns": [OPERATOR, MACHINE]})
    assert OPERATOR not in out and MACHINE not in out and PRESSURE in out
    assert report.steps[0].to_json() == {"op": "drop", "columns": [OPERATOR, MACHINE]}
    assert report.columns == tuple(c for c in shots.columns if c not in (OPERATOR, MACHINE))
    assert OPERATOR in shots  # the input is not changed


def test_pseudonyms_are_stable_within_a_contract_and_unlinkable_across(shots: pd.DataFrame) -> None:
    step = {"op": "pseudonymise", "columns": [PART, MACHINE]}
    a1, report = run(shots, step)
    a2, _ = run(shots.iloc[::-1], step)
    b, _ = run(shots, step, key=B)
    # stable: the same value gets the same pseudonym in any export of the contract
    assert (a1[PART] == a2[PART].iloc[::-1].to_numpy()).all()
    assert a1[PART].str.fullmatch(r"[0-9a-f]{16}").all()
    # the grouping survives (one pseudonym per part), no raw value does
    assert a1.groupby(PART).size().sort_values().tolist() == (
        shots.groupby(PART).size().sort_values().tolist()
    )
    assert not set(a1[PART]) & set(shots[PART]) and not set(a1[MACHINE]) & set(shots[MACHINE])
    # unlinkable: another contract's pseudonyms share nothing with these
    assert not set(a1[PART]) & set(b[PART])
    assert report.steps[0].details["distinct"] == {PART: 5, MACHINE: 4}
    # the value's text, not its type: an id read back from a CSV as a number keeps its pseudonym
    assert pseudonym(A.pseudonym, 1021) == pseudonym(A.pseudonym, "1021")
    assert pseudonym(A.pseudonym, 1021.0) == pseudonym(A.pseudonym, "1021")


def test_pseudonymise_keeps_missing_and_length(shots: pd.DataFrame) -> None:
    frame = shots.head(100).copy()
    frame.loc[frame.index[:7], PART] = None
    out, _ = run(frame, {"op": "pseudonymise", "columns": [PART], "length": 32})
    assert out[PART].isna().sum() == 7
    assert out[PART].dropna().str.len().eq(32).all()


def test_time_shift_one_offset_per_contract_order_and_gaps_kept(shots: pd.DataFrame) -> None:
    frame = shots.head(2_000).copy()
    frame["금형교체"] = frame[TIME] - pd.Timedelta(hours=5)
    out, report = run(frame, {"op": "time_shift", "max_days": 90})  # every timestamp column
    assert set(report.steps[0].columns) == {TIME, "금형교체"}
    offsets = {c: (out[c] - frame[c]).unique() for c in (TIME, "금형교체")}
    assert all(len(v) == 1 for v in offsets.values())
    offset = offsets[TIME][0]
    assert offset == offsets["금형교체"][0] == time_offset(A.time_shift, 90)
    assert pd.Timedelta(days=1) <= abs(offset) <= pd.Timedelta(days=90)
    assert (out[TIME].diff().iloc[1:] == frame[TIME].diff().iloc[1:]).all()  # gaps (and order)
    assert "offset" not in str(report.to_json()).replace("same_offset", "")
    other, _ = run(frame, {"op": "time_shift", "max_days": 90}, key=B)
    assert (other[TIME] - frame[TIME]).iloc[0] != offset


@pytest.mark.parametrize(("keep", "unit"), [("time_of_day", "1D"), ("weekday", "7D")])
def test_time_shift_keeps_time_of_day_or_weekday(shots: pd.DataFrame, keep: str, unit: str) -> None:
    out, _ = run(shots.head(500), {"op": "time_shift", "columns": [TIME], "keep": keep})
    offset = (out[TIME] - shots[TIME].head(500)).iloc[0]
    assert offset % pd.Timedelta(unit) == pd.Timedelta(0) and offset != pd.Timedelta(0)
    assert (out[TIME].dt.time == shots[TIME].head(500).dt.time).all()
    if keep == "weekday":
        assert (out[TIME].dt.day_of_week == shots[TIME].head(500).dt.day_of_week).all()


def test_generalise_numbers_to_bins(shots: pd.DataFrame) -> None:
    mid, report = run(shots, {"op": "generalise", "column": PRESSURE, "bin_width": 10})
    assert (mid[PRESSURE] % 10 == 5).all()
    assert (abs(mid[PRESSURE] - shots[PRESSURE]) <= 5).all()
    details = report.steps[0].details
    assert details["distinct_after"] < details["distinct_before"] / 10
    low, _ = run(
        shots,
        {"op": "generalise", "column": SPEED, "bin_width": 2.5, "origin": 0.5, "output": "low"},
    )
    assert ((low[SPEED] <= shots[SPEED]) & (shots[SPEED] < low[SPEED] + 2.5)).all()
    assert np.allclose((low[SPEED] - 0.5) / 2.5, np.round((low[SPEED] - 0.5) / 2.5))
    text, _ = run(
        shots, {"op": "generalise", "column": PRESSURE, "bin_width": 50, "output": "interval"}
    )
    first = text[PRESSURE].iloc[0]
    lo, hi = (float(x) for x in re.fullmatch(r"\[(.+), (.+)\)", first).groups())  # type: ignore[union-attr]
    assert hi - lo == 50 and lo <= shots[PRESSURE].iloc[0] < hi


@pytest.mark.parametrize(("unit", "freq"), [("hour", "h"), ("day", "D"), ("minute", "min")])
def test_generalise_timestamps(shots: pd.DataFrame, unit: str, freq: str) -> None:
    out, _ = run(shots, {"op": "generalise", "column": TIME, "truncate": unit})
    assert (out[TIME] == shots[TIME].dt.floor(freq)).all()
    assert out[TIME].dt.tz == shots[TIME].dt.tz


def test_time_shift_then_truncate(shots: pd.DataFrame) -> None:
    s = spec(
        {"op": "generalise", "column": TIME, "truncate": "hour"},
        {"op": "time_shift", "columns": [TIME]},
    )
    assert s.ops == ("time_shift", "generalise")  # run in the fixed order, whatever was written
    out, _ = apply(shots, s, A)
    offset = time_offset(A.time_shift, 365)
    assert (out[TIME] == (shots[TIME] + offset).dt.floor("h")).all()


def test_generalise_categories(shots: pd.DataFrame) -> None:
    mapping = {"M01": "A동", "M02": "A동", "M03": "B동"}
    out, report = run(
        shots, {"op": "generalise", "column": MACHINE, "mapping": mapping, "other": "기타"}
    )
    assert set(out[MACHINE]) == {"A동", "B동", "기타"}
    assert (out[MACHINE][shots[MACHINE] == "M04"] == "기타").all()
    assert report.steps[0].details["to_other"] == 1
    with pytest.raises(InvalidInput) as info:
        run(shots, {"op": "generalise", "column": MACHINE, "mapping": mapping})
    assert info.value.code == "sharing.transform.unmapped"
    assert "'M04'" in error_text(info.value, "ko")[0]


@pytest.mark.parametrize("distribution", ["gaussian", "laplace"])
def test_noise_has_the_stated_scale_and_is_keyed(shots: pd.DataFrame, distribution: str) -> None:
    step = {"op": "noise", "columns": [PRESSURE, CUSHION], "distribution": distribution}
    out, report = run(shots, {**step, "scale": 0.1})
    again, _ = run(shots, {**step, "scale": 0.1})
    other, _ = run(shots, {**step, "scale": 0.1}, key=B)
    for column in (PRESSURE, CUSHION):
        change = out[column] - shots[column]
        std = shots[column].std()
        # the stated scale (rounding back to the column's decimals adds a little)
        assert 0.09 * std < change.std() < 0.11 * std
        assert abs(change.mean()) < 0.01 * std
        assert column_decimals(out[column]) == PROCESS[column][2]
        assert (again[column] == out[column]).all()  # seeded by the contract's key
        assert not np.allclose(other[column], out[column])
    kurtosis = (out[PRESSURE] - shots[PRESSURE]).kurt()
    assert (kurtosis > 1.5) if distribution == "laplace" else (abs(kurtosis) < 0.5)
    figures = report.steps[0].details["columns"][PRESSURE]
    assert figures["noise_sd"] == pytest.approx(0.1 * shots[PRESSURE].std())


@pytest.mark.parametrize("distribution", ["gaussian", "laplace"])
def test_noise_keyed_by_row_is_the_same_in_every_export(
    shots: pd.DataFrame, distribution: str
) -> None:
    s = spec({"op": "noise", "columns": [PRESSURE], "distribution": distribution, "scale": 0.1})
    full, report = apply(shots, s, A, row_key=[TIME, PART])
    shuffled, _ = apply(shots.sample(frac=1.0, random_state=3), s, A, row_key=[TIME, PART])
    part, _ = apply(shots.sample(frac=0.3, random_state=4), s, A, row_key=[TIME, PART])
    other, _ = apply(shots, s, B, row_key=[TIME, PART])
    assert report.steps[0].details["seeded_by"] == "row_key"
    assert (shuffled[PRESSURE].sort_index() == full[PRESSURE]).all()  # order does not matter
    noise = full[PRESSURE] - shots[PRESSURE]
    # another selection of rows: the same draws (scaled by that selection's std)
    same = (part[PRESSURE] - shots[PRESSURE][part.index]).corr(noise[part.index])
    assert same > 0.99
    assert noise.corr(other[PRESSURE] - shots[PRESSURE]) < 0.05  # another contract's noise
    std = shots[PRESSURE].std()
    assert 0.09 * std < noise.std() < 0.11 * std and abs(noise.mean()) < 0.01 * std
    assert (noise.kurt() > 1.5) if distribution == "laplace" else (abs(noise.kurt()) < 0.5)
    with pytest.raises(InvalidInput) as info:
        apply(shots, s, A, row_key=["없는열"])
    assert_refusal(info.value, "column")


def test_noise_skips_a_constant_column(shots: pd.DataFrame) -> None:
    frame = shots.head(50).assign(**{"설정온도[°C]": 230.0})
    out, report = run(frame, {"op": "noise", "columns": ["설정온도[°C]"]})
    assert (out["설정온도[°C]"] == 230.0).all()
    assert report.steps[0].details["columns"]["설정온도[°C]"]["skipped"] == "constant"


def test_a_full_policy_on_an_arrow_table_with_a_report(shots: pd.DataFrame) -> None:
    s = spec(
        {"op": "drop", "columns": [OPERATOR]},
        {"op": "pseudonymise", "columns": [PART]},
        {"op": "time_shift", "columns": [TIME], "keep": "time_of_day"},
        {"op": "generalise", "column": MACHINE, "mapping": {"M01": "A"}, "other": "B"},
        {"op": "noise", "columns": [CUSHION], "distribution": "laplace", "scale": 0.05},
    )
    table = pa.Table.from_pandas(shots, preserve_index=False)
    out, report = apply(table, s, A)
    assert isinstance(out, pa.Table)
    assert out.num_rows == len(shots) and OPERATOR not in out.column_names
    document = report.to_json()
    assert [step["op"] for step in document["steps"]] == [
        "drop",
        "pseudonymise",
        "time_shift",
        "generalise",
        "noise",
    ]
    assert document["spec"] == s.to_json() and document["rows"] == len(shots)
    assert TransformSpec.from_json(s.to_json()) == s
    assert report.columns_of("generalise") == (MACHINE,)
    # nothing secret in the record: no key, no offset, no pseudonym table
    text = str(document)
    assert A.pseudonym.hex() not in text and str(time_offset(A.time_shift, 365)) not in text
    assert "AX-1021" not in text


def test_a_csv_round_trip_keeps_pseudonyms(shots: pd.DataFrame) -> None:
    frame = shots.head(200).assign(**{"제품번호": range(1000, 1200)})
    out, _ = run(frame, {"op": "pseudonymise", "columns": ["제품번호"]})
    back = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
    out2, _ = run(back, {"op": "pseudonymise", "columns": ["제품번호"]})
    assert (out["제품번호"] == out2["제품번호"]).all()


def test_dataclasses_are_ordered_canonically() -> None:
    s = TransformSpec((GeneraliseTime(TIME, "day"), TimeShift((TIME,)), Drop((OPERATOR,))))
    assert s.ops == ("drop", "time_shift", "generalise")


# --- refusals ---------------------------------------------------------------------------------

REFUSALS: list[tuple[str, Any]] = [
    ("spec", {"version": 2, "transforms": []}),
    ("spec", ["drop"]),
    ("op", {"op": "shuffle"}),
    ("field", "not an object"),
    ("field", {"op": "drop", "columns": "작업자"}),
    ("columns", {"op": "drop", "columns": []}),
    ("columns", {"op": "drop", "columns": [PART, PART]}),
    ("unknown_field", {"op": "drop", "columns": [PART], "length": 3}),
    ("length", {"op": "pseudonymise", "columns": [PART], "length": 4}),
    ("field", {"op": "pseudonymise", "columns": [PART], "length": "16"}),
    ("max_days", {"op": "time_shift", "max_days": 0}),
    ("max_days", {"op": "time_shift", "max_days": 5, "keep": "weekday"}),
    ("keep", {"op": "time_shift", "keep": "month"}),
    ("generalise", {"op": "generalise", "column": PRESSURE}),
    ("generalise", {"op": "generalise", "column": TIME, "truncate": "day", "bin_width": 1}),
    ("bin_width", {"op": "generalise", "column": PRESSURE, "bin_width": 0}),
    ("bin_width", {"op": "generalise", "column": PRESSURE, "bin_width": float("inf")}),
    ("output", {"op": "generalise", "column": PRESSURE, "bin_width": 5, "output": "median"}),
    ("unknown_field", {"op": "generalise", "column": TIME, "truncate": "day", "origin": 0}),
    ("unit", {"op": "generalise", "column": TIME, "truncate": "week"}),
    ("mapping", {"op": "generalise", "column": MACHINE, "mapping": {}}),
    ("mapping", {"op": "generalise", "column": MACHINE, "mapping": {"M01": 1}}),
    ("distribution", {"op": "noise", "columns": [PRESSURE], "distribution": "uniform"}),
    ("scale", {"op": "noise", "columns": [PRESSURE], "scale": 0}),
    ("scale", {"op": "noise", "columns": [PRESSURE], "scale": 3}),
    ("field", {"op": "noise", "columns": [PRESSURE], "scale": True}),
]


@pytest.mark.parametrize(("reason", "item"), REFUSALS)
def test_a_wrong_spec_is_refused_naming_the_field(reason: str, item: Any) -> None:
    document = item if reason == "spec" else {"version": 1, "transforms": [item]}
    with pytest.raises(InvalidInput) as info:
        TransformSpec.from_json(document)
    assert_refusal(info.value, reason)


@pytest.mark.parametrize(
    ("reason", "transforms"),
    [
        (
            "conflict",
            [{"op": "drop", "columns": [PART]}, {"op": "pseudonymise", "columns": [PART]}],
        ),
        (
            "conflict",
            [
                {"op": "noise", "columns": [PRESSURE]},
                {"op": "generalise", "column": PRESSURE, "bin_width": 5},
            ],
        ),
        ("column", [{"op": "drop", "columns": ["없는열"]}]),
        ("not_numeric", [{"op": "noise", "columns": [PART]}]),
        ("not_numeric", [{"op": "generalise", "column": MACHINE, "bin_width": 5}]),
        ("not_time", [{"op": "generalise", "column": PRESSURE, "truncate": "hour"}]),
        ("not_time", [{"op": "time_shift", "columns": [PART]}]),
    ],
)
def test_a_spec_that_does_not_fit_the_data_is_refused(
    shots: pd.DataFrame, reason: str, transforms: list[dict[str, Any]]
) -> None:
    with pytest.raises(InvalidInput) as info:
        apply(shots, spec(*transforms), A)
    assert_refusal(info.value, reason)


def test_a_pseudonym_collision_is_refused(
    shots: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(T, "pseudonym", lambda key, value, length=16: "0" * length)
    frame = shots.head(50).assign(**{PART: ["A", 17, "17"] + ["B"] * 47})
    with pytest.raises(InvalidInput) as info:
        run(frame, {"op": "pseudonymise", "columns": [PART]})
    assert_refusal(info.value, "collision")
    monkeypatch.undo()
    out, report = run(frame.head(3), {"op": "pseudonymise", "columns": [PART]})
    assert out[PART].iloc[1] == out[PART].iloc[2]  # 17 and "17": one id, not a collision
    assert report.steps[0].details["distinct"][PART] == 2


def test_only_tables_are_transformed() -> None:
    with pytest.raises(InvalidInput) as info:
        apply([[1, 2]], spec(), A)
    assert_refusal(info.value, "frame")


def assert_refusal(error: InvalidInput, reason: str) -> None:
    assert error.code == f"sharing.transform.{reason}"
    ko, _ = error_text(error, "ko")
    en, _ = error_text(error, "en")
    assert ko != en and re.search("[가-힣]", ko)
    assert not PLACEHOLDER.search(ko) and not PLACEHOLDER.search(en)


def test_every_code_reads_in_both_languages_with_the_same_fields() -> None:
    used = set()
    for module, area in [(T, "transform"), (watermark, "watermark"), (contract_keys, "key")]:
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        used |= {f"err.sharing.{area}.{r}" for r in re.findall(r'_invalid\(\s*"([a-z_]+)"', source)}
    defined = {k for k in MESSAGES if re.match(r"err\.sharing\.(transform|watermark|key)\.", k)}
    assert used == defined and len(used) > 30
    for key in defined:
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(MESSAGES[key][lang]) if f}
            for lang in ("ko", "en")
        ]
        assert fields[0] == fields[1], key
