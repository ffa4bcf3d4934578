"""A table read piece by piece is the table read at once (issue 9, finding 1).

Bounded-memory reads walk an equipment's data in consecutive time windows counted in the engine
(``time_windows``); the pieces, the summary (rows, first and last time, first rows, schema and
content hashes) and the newest part must describe exactly the table :func:`read_table` returns,
whatever the cut: irregular times, signals recorded at different times, labels on some rows only,
a label column without any value, bursts of many points at close times.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openkamp.core.assets import EquipmentSpec, LabelSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.ml.tables import iter_table, newest_part, read_table, summarise_table
from openkamp.platform import Platform
from openkamp.storage.timeseries.base import TS_TYPE, time_windows

T0 = datetime(2026, 3, 2, tzinfo=UTC)
EQ = "p1/l1/m1"


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root: Path = tmp_path_factory.mktemp("pieces")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    me = kamp.principal()
    eq = EquipmentSpec(
        "m1",
        signals=[SignalSpec("a"), SignalSpec("b"), SignalSpec("c")],
        labels=[LabelSpec("judge"), LabelSpec("lot"), LabelSpec("never")],
    )
    kamp.assets.apply_tree(me, [SiteSpec("p1", lines=[LineSpec("l1", equipment=[eq])])])
    sigs = {s.name: s.id for s in kamp.query.signals(me, [f"{EQ}/a", f"{EQ}/b", f"{EQ}/c"])}
    cols = {c.name: c.id for c in kamp.assets.list_label_columns(me)}
    rng = np.random.default_rng(7)
    # Irregular times with bursts: 800 readings, gaps from 1 µs to 10 minutes.
    steps = rng.choice([1, 1_000, 1_000_000, 600_000_000], size=800, p=[0.05, 0.15, 0.7, 0.1])
    times = [T0 + timedelta(microseconds=int(u)) for u in np.cumsum(steps)]
    ids, ts, values = [], [], []
    for name, share in (("a", 1.0), ("b", 0.6), ("c", 0.3)):  # signals at different times
        for t in times:
            if rng.random() < share:
                ids.append(sigs[name])
                ts.append(t)
                values.append(float(rng.normal()))
    kamp.ts.write(
        me.org_id,
        pa.table({"signal_id": ids, "ts": pa.array(ts, TS_TYPE), "value": values}),
    )
    lab_ids, lab_ts, lab_values = [], [], []
    for t in times[::7]:
        lab_ids.append(cols["judge"])
        lab_ts.append(t)
        lab_values.append(str(rng.choice(["OK", "NG"])))
    for t in times[::50]:
        lab_ids.append(cols["lot"])
        lab_ts.append(t)
        lab_values.append(f"LOT-{t.minute}")
    kamp.ts.write_labels(
        me.org_id,
        pa.table({"column_id": lab_ids, "ts": pa.array(lab_ts, TS_TYPE), "value": lab_values}),
    )
    yield kamp
    kamp.close()


PERIODS = [
    (None, None),
    (T0 + timedelta(hours=1), T0 + timedelta(hours=3)),
    (T0 + timedelta(minutes=30), None),
]


@pytest.mark.parametrize("piece_points", [25, 120, 100_000])
@pytest.mark.parametrize("period", PERIODS)
def test_pieces_make_up_the_table(
    kamp: Platform, piece_points: int, period: tuple[datetime | None, datetime | None]
) -> None:
    me = kamp.principal()
    start, end = period
    whole = read_table(kamp.query, kamp.assets, me, EQ, start, end)
    pieces = list(
        iter_table(kamp.query, kamp.assets, me, EQ, start, end, piece_points=piece_points)
    )
    if piece_points < 100:
        assert len(pieces) > 10  # it really was cut
    joined = pd.concat([p.frame for p in pieces])
    pd.testing.assert_frame_equal(joined, whole.frame)
    summary = summarise_table(
        kamp.query, kamp.assets, me, EQ, start, end, head=12, piece_points=piece_points
    )
    assert summary.dataset_id == whole.dataset_id
    assert summary.schema_hash == whole.schema_hash
    assert summary.describe() == whole.describe()
    pd.testing.assert_frame_equal(summary.head, whole.frame.head(12))


def test_a_label_column_without_values_keeps_its_kind(kamp: Platform) -> None:
    """A period without any label value (first hour: judge only every 7th reading) hashes its
    label columns as text, like a period that has some."""
    me = kamp.principal()
    frame = read_table(kamp.query, kamp.assets, me, EQ, labels=["never", "judge"]).frame
    assert frame["never"].isna().all()
    assert str(frame["never"].dtype) == str(frame["judge"].dtype) == "str"
    assert all(frame[s].dtype == np.float64 for s in ("a", "b", "c"))


@pytest.mark.parametrize("most", [40, 400, 10_000_000])
def test_the_newest_part_is_the_end_of_the_table(kamp: Platform, most: int) -> None:
    me = kamp.principal()
    whole = read_table(kamp.query, kamp.assets, me, EQ).frame
    part = newest_part(kamp.query, kamp.assets, me, EQ, most_points=most)
    got = part.table.frame
    assert len(got) >= 1
    pd.testing.assert_frame_equal(got, whole.iloc[len(whole) - len(got) :])
    assert part.total_points == kamp.ts.count(me.org_id, None)
    stored = int(got[["a", "b", "c"]].notna().to_numpy().sum())
    assert stored == part.points
    assert part.points <= max(most, int(got[["a", "b", "c"]].iloc[-1].notna().sum()))
    assert part.whole == (most >= part.total_points)


def test_nothing_stored_is_the_same_refusal(kamp: Platform) -> None:
    from openkamp.core.errors import InvalidInput, NotFound

    me = kamp.principal()
    later = T0 + timedelta(days=400)
    for call in (
        lambda: read_table(kamp.query, kamp.assets, me, EQ, later),
        lambda: summarise_table(kamp.query, kamp.assets, me, EQ, later),
        lambda: newest_part(kamp.query, kamp.assets, me, EQ, later, most_points=10),
    ):
        with pytest.raises(InvalidInput):
            call()
    with pytest.raises(NotFound):
        summarise_table(kamp.query, kamp.assets, me, EQ, signals=["nope"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(0, 10_000), min_size=0, max_size=300),
    st.integers(1, 50),
    st.integers(-50, 10_100),
    st.integers(1, 10_200),
)
def test_time_windows_cover_everything_within_the_bound(
    stamps: list[int], most: int, lo: int, span: int
) -> None:
    """Windows are consecutive, hold at most ``most`` values (or one microsecond's), and
    together hold every value of the range exactly once."""
    at = [T0 + timedelta(microseconds=u) for u in stamps]
    start, end = T0 + timedelta(microseconds=lo), T0 + timedelta(microseconds=lo + span)

    def count(a: datetime, b: datetime) -> int:
        return sum(1 for t in at if a <= t < b)

    windows = time_windows(count, start, end, most)
    assert sum(n for _, _, n in windows) == count(start, end)
    for i, (a, b, n) in enumerate(windows):
        assert start <= a < b <= end and n == count(a, b) > 0
        assert n <= most or b - a == timedelta(microseconds=1)
        if i + 1 < len(windows):
            assert b <= windows[i + 1][0]
