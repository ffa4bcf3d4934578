"""The bulk CSV writer: exact row counts, header, determinism, bounded chunks."""

from __future__ import annotations

import pathlib

import pandas as pd
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.sim import signal_names, write_wide_csv


def test_signal_names() -> None:
    assert signal_names(3) == ["sig_00", "sig_01", "sig_02"]
    assert signal_names(20)[-1] == "sig_19"
    assert signal_names(150)[0] == "sig_000"


def test_writes_exactly_the_rows_asked_for(tmp_path: pathlib.Path) -> None:
    seen: list[tuple[int, int]] = []
    path = write_wide_csv(tmp_path / "b.csv", rows=50_001, signals=5, chunk_rows=20_000,
                          progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a newline
    assert lines[0] == b"timestamp,sig_00,sig_01,sig_02,sig_03,sig_04"
    assert len(lines) - 2 == 50_001
    assert lines[1].startswith(b"2024-01-01 00:00:00,")
    assert seen[-1] == (50_001, 50_001)
    df = pd.read_csv(path, parse_dates=["timestamp"])
    assert len(df) == 50_001 and df["timestamp"].is_monotonic_increasing
    assert (df["timestamp"].diff().dropna() == pd.Timedelta(seconds=1)).all()
    assert df[signal_names(5)].notna().all().all()
    # Smooth: consecutive readings differ by far less than the signal's spread.
    for name in signal_names(5):
        assert df[name].diff().abs().median() < 0.1 * df[name].std()


def test_same_seed_same_file_whatever_the_chunk_size(tmp_path: pathlib.Path) -> None:
    a = write_wide_csv(tmp_path / "a.csv", rows=40_000, signals=4, seed=7, chunk_rows=40_000)
    b = write_wide_csv(tmp_path / "b.csv", rows=40_000, signals=4, seed=7, chunk_rows=1_000)
    c = write_wide_csv(tmp_path / "c.csv", rows=40_000, signals=4, seed=8)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_header_only_subsecond_period_and_bom(tmp_path: pathlib.Path) -> None:
    empty = write_wide_csv(tmp_path / "e.csv", rows=0, signals=2)
    assert empty.read_bytes() == b"timestamp,sig_00,sig_01\n"
    fast = write_wide_csv(tmp_path / "f.csv", rows=3, signals=1, period_s=0.1,
                          encoding="utf-8-sig")  # fmt: skip
    text = fast.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert b"2024-01-01 00:00:00.100," in text


def test_bad_arguments_are_rejected(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidInput):
        write_wide_csv(tmp_path / "x.csv", rows=-1)
    with pytest.raises(InvalidInput):
        write_wide_csv(tmp_path / "x.csv", rows=10, encoding="nope")
