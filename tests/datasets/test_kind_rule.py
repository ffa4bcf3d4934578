"""The one rule that says whether a file is a time series or a table of records
(openkamp.datasets.records.detect_kind), on samples: the shape of the rows decides, not the
spelling of the headers. The corpus test (tests/ingest/test_corpus.py) checks that the preview,
the import and the scoring of real files all follow it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from openkamp.datasets.records import _text, detect_kind, row_ids
from openkamp.ingest.plan import build_plan

T0 = datetime(2026, 3, 2, 8, 0, 0)


def _kind(columns: list[str], rows: list[list[Any]], **kw: Any) -> tuple[str, list[str]]:
    sample = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    plan = build_plan(columns, sample, require_time=False)
    decision = detect_kind(plan, sample, tz="Asia/Seoul", **kw)
    return decision.kind, [r.code for r in decision.reasons]


def _times(n: int, step_s: int = 30) -> list[str]:
    return [(T0 + timedelta(seconds=step_s * i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(n)]


@pytest.mark.parametrize("lot", ["lot", "lot_id", "LOT", "로트번호", "자재로트"])
def test_a_lot_beside_an_increasing_time_is_a_time_series_whatever_its_header(lot: str) -> None:
    rows = [[t, f"L260302-{i // 20 + 1:03d}", 1200 + i % 7, "OK" if i % 5 else "NG"]
            for i, t in enumerate(_times(60))]  # fmt: skip
    assert _kind(["일시", lot, "사출압력", "판정"], rows) == ("timeseries", ["increasing_time"])


def test_a_judgement_in_words_or_units_in_cells_keep_a_time_series() -> None:
    """The reported cases: a judgement with a word besides OK / NG, numbers written with their
    unit (in two spellings): one row per time is a time series, as the ingest plan reads it."""
    words = ["OK", "NG", "재검"]
    rows = [[t, f"{570 + i % 5} bar" if i % 2 else f"{570 + i % 5}bar", words[i % 3]]
            for i, t in enumerate(_times(40))]  # fmt: skip
    assert _kind(["일시", "사출압력", "최종 판정"], rows) == ("timeseries", ["increasing_time"])


def test_a_serial_on_every_row_makes_a_table_of_parts() -> None:
    rows = [[t, f"SN{i:05d}", 10.0 + i % 5 / 100] for i, t in enumerate(_times(40))]
    assert _kind(["검사일시", "시리얼", "치수A"], rows) == ("records", ["id_columns"])
    # The same column with values the rows share (a product code) is a label of a time series.
    shared = [[t, "P-1001", v] for t, _, v in rows]
    assert _kind(["검사일시", "시리얼", "치수A"], shared)[0] == "timeseries"


def test_row_ids_need_a_value_on_nearly_every_row() -> None:
    columns = ["일시", "바코드", "두께"]
    rows = [[t, f"B{i}" if i % 3 == 0 else "", 1.0] for i, t in enumerate(_times(30))]
    sample = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    plan = build_plan(columns, sample, require_time=False)
    assert row_ids(plan, sample) == []
    full = {**sample, "바코드": [f"B{i}" for i in range(30)]}
    assert row_ids(build_plan(columns, full, require_time=False), full) == ["바코드"]


def test_one_repeated_time_is_an_error_of_a_time_series_many_make_records() -> None:
    times = _times(100)
    once = [[t, 1200 + i % 7] for i, t in enumerate(times[:50] + times[49:99])]
    assert _kind(["일시", "사출압력"], once) == ("timeseries", ["time_series"])
    cavities = [[t, cav, 41.5] for t in times[:50] for cav in ("LH", "RH")]
    assert _kind(["일시", "캐비티", "중량"], cavities) == ("records", ["repeated_time"])


def test_no_time_is_records_and_the_users_choice_wins() -> None:
    rows = [[f"P-{i:04d}", 10.0 + i % 5] for i in range(20)]
    assert _kind(["품번", "치수"], rows) == ("records", ["no_time"])
    rows = [[t, 1200 + i] for i, t in enumerate(_times(20))]
    assert _kind(["일시", "사출압력"], rows, requested="records") == (
        "records",
        ["increasing_time", "chosen"],
    )


def test_typed_excel_cells_read_as_text() -> None:
    """A typed time cell has no ``isoformat(sep=...)``: it once raised TypeError here."""
    cells = [datetime(2026, 3, 2, 8, 0, 30), date(2026, 3, 2), time(8, 0, 30), None, 1.5, "LH"]
    assert _text(cells) == ["2026-03-02 08:00:30", "2026-03-02", "08:00:30", "", "1.5", "LH"]
    rows = [[d.date(), d.time(), "LH", 41.5] for d in (T0 + timedelta(seconds=30 * i)
                                                       for i in range(20))]  # fmt: skip
    assert _kind(["생산일자", "시간", "캐비티", "중량"], rows) == (
        "timeseries",
        ["increasing_time"],
    )
