"""The governed export streamed batch by batch (:mod:`openkamp.sharing.export_stream`) gives the
file the whole-frame path gives (:func:`openkamp.sharing.export.governed_export`, then the CSV),
byte for byte, whatever the row groups and batches: the default export and one with every kind
of transform (noise keyed by the row included), the watermark's parameters and figures, the
transforms' report; noise that follows the row order carries on across batches; a 20 % leak of
the streamed file, rounded to one decimal fewer, is still traced to its contract."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import system_principal
from openkamp.datasets import service as dataset_service
from openkamp.platform import Platform
from openkamp.sharing import delivery as D
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.export import governed_export
from openkamp.sharing.export_stream import stream_export
from openkamp.sharing.transforms import TransformSpec

from .shot_data import PART, TIME, shot_table
from .test_delivery import COLUMNS, PRICE

ROWS = 20_000
_COUNTER = itertools.count()
FULL_SPEC = {"version": 1, "transforms": [
    {"op": "drop", "columns": ["작업자"]},
    {"op": "pseudonymise", "columns": [PART]},
    {"op": "time_shift", "max_days": 30},
    {"op": "generalise", "column": "설비", "mapping": {"M01": "A동", "M02": "A동"},
     "other": "B동"},
    {"op": "generalise", "column": "금형온도[°C]", "bin_width": 0.5},
    {"op": "noise", "columns": ["사출속도[mm/s]", "쿠션량[mm]"], "scale": 0.1},
]}  # fmt: skip


def _world(tmp: Path, row_group: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(dataset_service, "ROW_GROUP_ROWS", row_group)
    kamp = Platform.at(tmp / "data", duckdb_memory_limit="256MB")
    acme, beta = (system_principal(kamp.principal(n).org_id) for n in ("acme", "beta"))
    data = shot_table(ROWS, seed=7)
    data.loc[data.index % 997 == 5, "보압[bar]"] = np.nan  # missing values in some batches
    kamp.datasets.create(acme, "shots", data, COLUMNS)
    return kamp, acme, beta, data


def _contract(kamp: Platform, acme: Any, beta: Any, transforms: Any = None) -> tuple[int, int]:
    cat = kamp.sharing.catalog
    rec = cat.create(
        acme, f"offer{next(_COUNTER)}", "shots", title_ko="샷", title_en="Shots",
        description_ko="샷", description_en="Shots", equipment_type="injection",
        industry="C22", problem="defect", price=PRICE, policy={"purposes": ["quality"]},
        transforms=transforms,
    )  # fmt: skip
    cat.publish(acme, rec["id"])
    c = kamp.sharing.contracts.request(beta, rec["id"], "quality")
    return int(rec["id"]), kamp.sharing.contracts.approve(acme, c.id).id


def _whole_frame(kamp: Platform, acme: Any, cid: int) -> tuple[bytes, dict[str, Any]]:
    """What the delivery wrote before it streamed: the whole version in memory."""
    svc = kamp.sharing.delivery
    contract = kamp.sharing.contracts.get(acme, cid)
    offer = svc._offer(contract)
    owner = svc._owner(contract)
    version = kamp.datasets.get(owner, int(offer["dataset_id"]))
    spec = svc._spec(offer, version)
    frame = kamp.datasets.read(owner, version.id)
    key = ContractKey.derive(svc._secret(), contract.secret_id)
    export = D._export(frame, spec, key, D._row_key(version, spec))
    path, _ = svc._write_csv(export.frame, contract.id)
    try:
        return path.read_bytes(), export.record()
    finally:
        path.unlink()


def _same_figures(a: Any, b: Any, path: str = "") -> None:
    """Equal, floats to 1e-9 relative (sums in another order)."""
    if isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12), (
            path, a, b)  # fmt: skip
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), (path, a, b)
        for k in a:
            _same_figures(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_figures(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


@pytest.mark.parametrize(
    ("row_group", "batches"), [(20_000, [16_384]), (4096, [1000, 4096]), (1500, [7777, 25_000])]
)
def test_the_streamed_export_is_the_whole_frame_s_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row_group: int, batches: list[int]
) -> None:
    kamp, acme, beta, _ = _world(tmp_path, row_group, monkeypatch)
    try:
        for transforms in (None, FULL_SPEC):
            _, cid = _contract(kamp, acme, beta, transforms)
            expected, record = _whole_frame(kamp, acme, cid)
            assert record["watermark"]["marked"] > 1000  # the table carries marks
            for rows in batches:
                kamp.sharing.delivery.batch_rows = rows
                d = kamp.sharing.deliver(beta, cid)
                got = d.read_bytes()
                assert got == expected, (transforms is not None, rows)
                assert d.sha256 == hashlib.sha256(expected).hexdigest()
                assert d.rows == ROWS
                # the watermark's parameters (tracing reads them) are the same, figures too
                _same_figures(d.watermark, record["watermark"])
                entry = kamp.sharing.ledger.entry(d.ledger_index)  # type: ignore[arg-type]
                _same_figures(_parsed(entry.details["transforms"]),
                              _parsed(D._decimal_texts(record["transforms"])))  # fmt: skip
    finally:
        kamp.close()


def _num(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def _parsed(v: Any) -> Any:
    """The ledger's decimal texts back as floats (``"nan"`` included)."""
    if isinstance(v, dict):
        return {k: _parsed(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_parsed(x) for x in v]
    if isinstance(v, str) and _num(v) and ("." in v or "e" in v or v in ("nan", "inf")):
        return float(v)
    return v


def test_a_columns_choice_and_a_limit_stream_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kamp, acme, beta, _ = _world(tmp_path, 4096, monkeypatch)
    try:
        _, cid = _contract(kamp, acme, beta, FULL_SPEC)
        kamp.sharing.delivery.batch_rows = 3000
        d = kamp.sharing.deliver(beta, cid, columns=["쿠션량[mm]"], limit=7500)
        out = pd.read_csv(d.path, encoding="utf-8-sig")  # type: ignore[arg-type]
        assert list(out.columns) == [TIME, "쿠션량[mm]"] and len(out) == d.rows == 7500
        full = pd.read_csv(kamp.sharing.deliver(beta, cid).path, encoding="utf-8-sig")  # type: ignore[arg-type]
        # the same rows keep their noise; the first 7,500 rows' watermark plan is their own
        assert (out[TIME] == full[TIME][:7500]).all()
        with pytest.raises(InvalidInput) as info:
            kamp.sharing.deliver(beta, cid, columns=["작업자"])
        assert info.value.code == "sharing.delivery.columns"
    finally:
        kamp.close()


def _batches(frame: pd.DataFrame, rows: int) -> Any:
    def source() -> Iterator[pd.DataFrame]:
        for start in range(0, len(frame), rows):
            yield frame.iloc[start : start + rows].reset_index(drop=True)

    return source


@pytest.mark.parametrize("distribution", ["gaussian", "laplace"])
def test_noise_in_row_order_carries_on_across_batches(distribution: str) -> None:
    frame = shot_table(5000, seed=1)
    spec = TransformSpec.from_json({"version": 1, "transforms": [
        {"op": "noise", "columns": ["사출압력[bar]"], "distribution": distribution}]})  # fmt: skip
    key = ContractKey.derive(b"k" * 32, "contract-1")
    whole = governed_export(frame, spec, key, row_key=[], mark=False)
    parts: list[pd.DataFrame] = []
    streamed = stream_export(_batches(frame, 777), spec, key, row_key=[], sink=parts.append,
                             mark=False)  # fmt: skip
    got = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(got, whole.frame)
    assert streamed.watermark is None and streamed.rows == 5000
    _same_figures(streamed.record()["transforms"], whole.record()["transforms"])


def test_an_unmapped_category_is_refused_with_the_whole_column_s_count() -> None:
    frame = shot_table(3000, seed=2)
    spec = TransformSpec.from_json({"version": 1, "transforms": [
        {"op": "generalise", "column": "설비", "mapping": {"M01": "A"}}]})  # fmt: skip
    key = ContractKey.derive(b"k" * 32, "contract-1")
    with pytest.raises(InvalidInput) as whole:
        governed_export(frame, spec, key, row_key=[TIME])
    written: list[pd.DataFrame] = []
    with pytest.raises(InvalidInput) as streamed:
        stream_export(_batches(frame, 500), spec, key, row_key=[TIME], sink=written.append)
    assert streamed.value.params == whole.value.params and not written


def test_a_20_percent_leak_of_the_streamed_export_is_traced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kamp, acme, beta, _ = _world(tmp_path, 4096, monkeypatch)
    try:
        gamma = system_principal(kamp.principal("gamma").org_id)
        offer, cid = _contract(kamp, acme, beta)
        cat = kamp.sharing.contracts
        other = cat.approve(acme, cat.request(gamma, offer, "quality").id).id
        kamp.sharing.delivery.batch_rows = 3000
        kamp.sharing.deliver(gamma, other)
        d = kamp.sharing.deliver(beta, cid)
        leaked = pd.read_csv(d.path, encoding="utf-8-sig").sample(frac=0.2, random_state=4)  # type: ignore[arg-type]
        for name, decimals in (("사출압력[bar]", 0), ("사출속도[mm/s]", 1), ("계량시간[s]", 2)):
            leaked[name] = leaked[name].round(decimals)  # re-rounded: one decimal fewer
        found = kamp.sharing.trace_leak(acme, offer, leaked.to_csv(index=False).encode())
        assert found.identified == cid and found.consumer == "beta"
        assert [c["contract_id"] for c in found.candidates if c["matched"]] == [cid]
    finally:
        kamp.close()
