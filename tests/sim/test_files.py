"""write_files: every layout, format and encoding reads back to the generated data."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.sim import Factory, export

START = pd.Timestamp("2024-03-04 11:00", tz="Asia/Seoul")
END = START + pd.Timedelta(hours=2)


@pytest.fixture(scope="module")
def small() -> Factory:
    return Factory(seed=8)


@pytest.fixture(scope="module")
def data(small: Factory) -> dict[str, pd.DataFrame]:
    return small.generate(START, END)


def _read(path: pathlib.Path, encoding: str = "utf-8") -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, encoding=encoding)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, engine="openpyxl")
    return pd.read_parquet(path)


def _local(ts: pd.Series) -> pd.Series:
    """Timestamps as read back, as naive local time (CSV and Excel carry no zone)."""
    ts = pd.to_datetime(ts)
    return ts.dt.tz_convert("Asia/Seoul").dt.tz_localize(None) if ts.dt.tz else ts


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_wide_files_round_trip(
    small: Factory, data: dict[str, pd.DataFrame], tmp_path: pathlib.Path, fmt: str
) -> None:
    paths = small.write_files(tmp_path, START, END, layout="wide", fmt=fmt)
    assert sorted(p.name for p in paths) == sorted(f"{n}.{fmt}" for n in data)
    for path in paths:
        name = path.stem
        expected, got = data[name], _read(path)
        assert list(got.columns) == list(expected.columns)
        assert (_local(got["timestamp"]) == _local(expected["timestamp"])).all()
        m = small.machines[name]
        np.testing.assert_array_equal(got[m.signal_names], expected[m.signal_names])
        for label in m.label_names:
            want = expected[label].astype(object).where(expected[label].notna(), None)
            have = got[label].astype(object).where(got[label].notna(), None)
            assert [str(x) for x in have] == [str(x) for x in want], (name, label)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_long_files_round_trip_with_labels_beside_them(
    small: Factory, data: dict[str, pd.DataFrame], tmp_path: pathlib.Path, fmt: str
) -> None:
    paths = small.write_files(tmp_path, START, END, layout="long", fmt=fmt)
    names = {p.name for p in paths}
    for name, expected in data.items():
        assert {f"{name}.{fmt}", f"{name}_labels.{fmt}"} <= names
        m = small.machines[name]
        long = _read(tmp_path / f"{name}.{fmt}")
        assert list(long.columns) == ["signal", "timestamp", "value"]
        assert len(long) == len(expected) * len(m.signal_names)
        wide = long.pivot(index="timestamp", columns="signal", values="value")
        wide.index = _local(wide.index.to_series()).to_numpy()
        np.testing.assert_array_equal(wide[m.signal_names].to_numpy(),
                                      expected[m.signal_names].to_numpy())  # fmt: skip
        labels = _read(tmp_path / f"{name}_labels.{fmt}")
        assert list(labels.columns) == ["timestamp", *m.label_names]
        assert len(labels) == len(expected)


def test_csv_timestamps_are_plain_local_time(small: Factory, tmp_path: pathlib.Path) -> None:
    (path, *_) = small.write_files(tmp_path, START, END)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("timestamp,")
    assert '"' not in lines[0] + lines[1]
    assert re.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},", lines[1])
    assert lines[1].startswith("2024-03-04 11:")  # Korean local time, not UTC


def test_cp949_with_korean_headers(small: Factory, tmp_path: pathlib.Path) -> None:
    paths = small.write_files(tmp_path, START, END, encoding="cp949", korean_headers=True)
    for path in paths:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        header = raw.decode("cp949").splitlines()[0].split(",")
        m = small.machines[path.stem]
        assert header == ["일시", *(s.name_ko for s in m.signal_defs),
                          *(lab.name_ko for lab in m.label_specs)]  # fmt: skip
        back = pd.read_csv(path, encoding="cp949")
        assert back.columns[0] == "일시" and len(back) > 0


def test_korean_long_layout_names_signals_in_korean(small: Factory, tmp_path: pathlib.Path) -> None:
    small.write_files(tmp_path, START, END, layout="long", encoding="cp949", korean_headers=True)
    long = pd.read_csv(tmp_path / "inj01.csv", encoding="cp949")
    assert list(long.columns) == ["신호", "일시", "값"]
    assert "실린더 온도 1존" in set(long["신호"])


def test_utf8_sig_starts_with_a_bom(small: Factory, tmp_path: pathlib.Path) -> None:
    (path, *_) = small.write_files(tmp_path, START, END, encoding="utf-8-sig", korean_headers=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(path, encoding="utf-8-sig").columns[0] == "일시"


def test_bad_options_are_rejected(small: Factory, tmp_path: pathlib.Path) -> None:
    for kwargs in ({"layout": "tall"}, {"fmt": "json"}, {"encoding": "klingon"}):
        with pytest.raises(InvalidInput):
            small.write_files(tmp_path, START, END, **kwargs)  # type: ignore[arg-type]


def test_too_many_rows_for_excel_is_a_clear_error(
    small: Factory, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 100)
    with pytest.raises(InvalidInput, match="Excel"):
        small.write_files(tmp_path, START, END, fmt="xlsx")
