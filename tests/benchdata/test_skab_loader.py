"""SKAB: the 400-row training part of every labelled file, labels aligned with the test part."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openkamp.benchdata import DatasetWarning, available, load_skab
from openkamp.benchdata.skab import SENSORS, TRAIN_ROWS
from openkamp.core.errors import ImportRejected

# The tiny copies have fewer runs than the published 34; tests that care use pytest.warns.
pytestmark = pytest.mark.filterwarnings("ignore::openkamp.benchdata.DatasetWarning")


def write_run(
    path: Path, rows: int, *, anomaly: slice | None = None, labelled: bool = True
) -> None:
    """A SKAB-format file: ';'-separated, 'datetime' first, 1-second sampling."""
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame(rng.normal(size=(rows, len(SENSORS))), columns=list(SENSORS))
    frame.insert(0, "datetime", pd.date_range("2020-03-09 10:14:33", periods=rows, freq="s"))
    frame["Volume Flow RateRMS"] = np.arange(rows, dtype=float)  # row number, to check the cut
    if labelled:
        labels, changes = np.zeros(rows), np.zeros(rows)
        if anomaly is not None:  # positional, end excluded
            labels[anomaly] = 1.0
            changes[anomaly.start] = 1.0
        frame["anomaly"], frame["changepoint"] = labels, changes
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=";", index=False)


@pytest.fixture
def skab(root: Path) -> Path:
    folder = root / "skab"
    write_run(folder / "valve1" / "10.csv", 450, anomaly=slice(420, 430))
    write_run(folder / "valve1" / "2.csv", 460, anomaly=slice(430, 440))
    write_run(folder / "valve2" / "0.csv", 450)
    write_run(folder / "other" / "1.csv", 450)
    write_run(folder / "anomaly-free" / "anomaly-free.csv", 500, labelled=False)
    return folder


def test_first_400_rows_train_the_rest_test(skab: Path) -> None:
    data = load_skab()
    assert [run.name for run in data] == [
        "valve1/2",
        "valve1/10",
        "valve2/0",
        "other/1",
    ]  # numeric order
    run = data[1]
    assert list(run.train.columns) == list(SENSORS) and list(run.test.columns) == list(SENSORS)
    assert run.train.shape == (TRAIN_ROWS, 8) and run.test.shape == (50, 8)
    # The cut is exactly at row 400, and the two parts neither overlap nor skip a row.
    assert run.train["Volume Flow RateRMS"].tolist() == list(range(400))
    assert run.test["Volume Flow RateRMS"].tolist() == list(range(400, 450))
    assert isinstance(run.train.index, pd.DatetimeIndex) and run.train.index.name == "datetime"
    assert run.train.index[-1] < run.test.index[0]
    # Labels are aligned with the test rows: anomaly at file rows 420..429, changepoint at 420.
    assert run.test_anomaly.dtype == np.int64 and len(run.test_anomaly) == 50
    assert np.flatnonzero(run.test_anomaly).tolist() == list(range(20, 30))
    assert np.flatnonzero(run.test_changepoint).tolist() == [20]
    assert data.anomaly_free.shape == (500, 8)


def test_sizes_differing_from_the_published_ones_warn(skab: Path) -> None:
    with pytest.warns(DatasetWarning, match="34"):
        load_skab()


def test_anomalies_in_a_training_part_warn_and_are_kept(skab: Path) -> None:
    write_run(skab / "valve2" / "1.csv", 450, anomaly=slice(390, 420))
    with pytest.warns(DatasetWarning, match=r"valve2/1: 10 of the 400 training rows"):
        data = load_skab()
    run = next(r for r in data if r.name == "valve2/1")
    assert len(run.train) == 400 and run.test_anomaly[:20].all() and not run.test_anomaly[20:].any()


def test_a_file_too_short_for_a_test_part_is_rejected(skab: Path) -> None:
    write_run(skab / "other" / "2.csv", 400)
    with pytest.raises(ImportRejected, match="400 rows"):
        load_skab()


def test_a_file_without_labels_is_rejected(skab: Path) -> None:
    write_run(skab / "other" / "3.csv", 450, labelled=False)
    with pytest.raises(ImportRejected, match="anomaly"):
        load_skab()


@pytest.mark.skipif(not available("skab"), reason="real skab data not present")
def test_real_skab(real: Path) -> None:
    with pytest.warns(DatasetWarning, match="other/2") as caught:
        data = load_skab()
    assert len(caught) == 1  # only the known anomalous training part; the sizes are as published
    assert len(data) == 34 and len(data.anomaly_free) == 9405
    assert sum(len(run.train) + len(run.test) for run in data) == 37401
    assert all(len(run.train) == 400 and len(run.test_anomaly) == len(run.test) for run in data)
    assert {run.name.split("/")[0] for run in data} == {"valve1", "valve2", "other"}
