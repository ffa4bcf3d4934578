"""Importing tables of records as datasets: every row kept, rows accounted for, kind detected."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import ImportRejected
from openkamp.core.tenancy import Principal
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform

HEADER = "일시,품번,캐비티,사출압력(bar),보압(bar),금형온도(℃),판정,불량유형\n"


def cavity_rows(shots: int = 300, defects: int = 60, seed: int = 7) -> tuple[str, pd.DataFrame]:
    """A per-shot MES export: two cavities (LH / RH) per shot sharing the shot's timestamp,
    exactly ``defects`` NG rows; returns the CSV body and the rows as written."""
    rng = np.random.default_rng(seed)
    t = pd.date_range("2026-03-02 08:00:00", periods=shots, freq="43s")
    n = 2 * shots
    bad = np.zeros(n, dtype=bool)
    bad[rng.choice(n, defects, replace=False)] = True
    frame = pd.DataFrame(
        {
            "일시": np.repeat(t.strftime("%Y-%m-%d %H:%M:%S"), 2),
            "품번": "P-1001",
            "캐비티": ["LH", "RH"] * shots,
            "사출압력": rng.normal(570, 4, n).round(1),
            "보압": rng.normal(420, 3, n).round(1),
            "금형온도": rng.normal(45, 1, n).round(2),
            "판정": np.where(bad, "불량", "양품"),
            "불량유형": np.where(bad, rng.choice(["미성형", "버", "수축"], n), ""),
        }
    )
    body = "".join(",".join(str(v) for v in row) + "\n" for row in frame.itertuples(index=False))
    return body, frame


def test_cavity_rows_are_all_kept_with_every_defect(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    body, frame = cavity_rows()
    path = tmp_path / "사출_1호기_샷.csv"
    path.write_bytes((HEADER + body).encode("cp949"))
    decision = kamp.imports.preview_kind(me, path)
    assert decision.kind == "records"
    assert [r.code for r in decision.reasons] == ["repeated_time"]
    assert "캐비티" in decision.texts("ko")[0]

    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    assert report.kind == "records" and report.status == "done"
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (600, 600, 0)
    assert report.dataset == "사출_1호기_샷@1"
    v = kamp.datasets.get(me, report.dataset)
    assert v.import_id == report.import_id and v.rows == 600
    assert v.equipment_id == kamp.assets.resolve(me, press).id
    assert v.time_column == "일시" and v.id_columns == ["품번", "캐비티"]
    assert v.label_columns == ["판정", "불량유형"]
    assert v.column("사출압력").unit == "bar" and v.column("사출압력").header == "사출압력(bar)"
    rows = kamp.datasets.read(me, v.ref)
    assert (rows["판정"] == "불량").sum() == 60  # all 60 defects, none lost as "duplicate time"
    assert rows["일시"].nunique() == 300 and len(rows) == 600
    assert rows["캐비티"].tolist() == frame["캐비티"].tolist()  # row for row, in file order
    np.testing.assert_allclose(rows["사출압력"], frame["사출압력"])
    # Nothing went to signals: a record import writes no points.
    assert report.points_inserted == 0 and kamp.ts.count(me.org_id) == 0
    # The import record links to the dataset version.
    assert kamp.imports.get(me, report.import_id)["report"]["dataset_id"] == v.id


def test_reimporting_the_same_file_adds_nothing(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    body, _ = cavity_rows(50, 5)
    path = tmp_path / "shots.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    first = kamp.imports.import_file(me, path)
    again = kamp.imports.import_file(me, path)
    assert again.status == "skipped" and again.dataset == first.dataset == "shots@1"
    forced = kamp.imports.import_file(me, path, ImportOptions(force=True))
    assert forced.dataset == "shots@1"  # identical rows: no new version
    assert [v.version for v in kamp.datasets.versions(me, "shots")] == [1]
    changed = tmp_path / "shots2.csv"
    changed.write_text(HEADER + body + body.splitlines(keepends=True)[0], encoding="utf-8")
    assert (
        kamp.imports.import_file(me, changed, ImportOptions(dataset="shots")).dataset == "shots@2"
    )


def test_table_without_time_is_accepted_as_records(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    lines = ["시리얼,로트,두께(mm),폭(mm),검사결과\n"]
    for i in range(120):
        lines.append(f"SN{i:05d},L{i // 40 + 1},{2 + (i % 7) * 0.01:.2f},{30 + i % 3},OK\n")
    lines[50] = "SN00049,L2,2.03\n"  # a broken line: wrong field count
    lines.append("합계,,,,\n")  # a summary row under the table
    path = tmp_path / "검사.csv"
    path.write_text("".join(lines), encoding="utf-8")
    decision = kamp.imports.preview_kind(me, path)
    assert decision.kind == "records" and decision.reasons[0].code == "no_time"
    assert decision.time_column is None
    report = kamp.imports.import_file(me, path)
    assert report.rows_read == 121
    assert report.rows_stored == 119 and report.rows_quarantined == 2
    assert report.rows_read == report.rows_stored + report.rows_quarantined
    assert report.reasons == {"fields": 1, "summary": 1}
    raw = kamp.imports.quarantined_rows(me, report.import_id).decode("utf-8-sig")
    kept = {row["content"] for row in csv.DictReader(io.StringIO(raw))}
    assert kept == {"SN00049,L2,2.03", "합계,,,,"}  # the raw lines, as the file wrote them
    v = kamp.datasets.get(me, "검사")
    assert v.time_column is None and v.id_columns == ["시리얼", "로트"]
    assert v.label_columns == ["검사결과"]
    assert {c.name: c.kind for c in v.columns}["두께"] == "number"
    assert kamp.datasets.read(me, "검사", limit=2)["시리얼"].tolist() == ["SN00000", "SN00001"]


def test_text_and_bad_numbers_are_quarantined_with_reasons(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    body, _ = cavity_rows(100, 10)
    rows = body.splitlines(keepends=True)
    rows[10] = "2026-03-02 08:07:10,P-1001,LH,측정불가,420.0,45.0,양품,\n"
    rows[20] = "2026-13-45 99:00:00,P-1001,RH,570.0,420.0,45.0,양품,\n"
    path = tmp_path / "shots.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    report = kamp.imports.import_file(me, path)
    assert report.rows_read == 200 and report.rows_quarantined == 2
    assert report.reasons == {"value": 1, "timestamp": 1}
    assert kamp.datasets.get(me, report.dataset).rows == 198
    raw = kamp.imports.quarantined_rows(me, report.import_id).decode("utf-8-sig")
    kept = {(int(r["row"]), r["content"]) for r in csv.DictReader(io.StringIO(raw))}
    assert kept == {(12, rows[10].rstrip("\n")), (22, rows[20].rstrip("\n"))}  # file lines


def test_kind_is_the_users_choice(kamp: Platform, me: Principal, tmp_path: Path) -> None:
    body, _ = cavity_rows(30, 3)
    path = tmp_path / "shots.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    as_series = kamp.imports.preview_kind(me, path, ImportOptions(kind="timeseries"))
    assert as_series.kind == "timeseries" and as_series.detected == "records"
    assert as_series.reasons[-1].code == "chosen"
    assert "시계열 신호" in as_series.texts("ko")[-1]
    # Roles can be set per column: the cavity becomes the evaluation group.
    plan = kamp.imports.preview_records(me, path, ImportOptions(roles={"캐비티": "group"}))
    assert {c.name: c.role for c in plan.columns}["캐비티"] == "group"
    with pytest.raises(ImportRejected):
        kamp.imports.preview_records(me, path, ImportOptions(roles={"없는열": "id"}))


def test_time_series_files_stay_time_series(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    t = pd.date_range("2026-03-01", periods=100, freq="1s")
    lines = ["timestamp,pressure,oil_temp,current,result\n"] + [
        f"{ts:%Y-%m-%d %H:%M:%S},{100 + i % 5},{40 + i % 3},{12.0},{'OK' if i % 9 else 'NG'}\n"
        for i, ts in enumerate(t)
    ]
    path = tmp_path / "press.csv"
    path.write_text("".join(lines))
    decision = kamp.imports.preview_kind(me, path, ImportOptions(equipment=press))
    assert decision.kind == "timeseries"
    # A new file with only numbers and a strictly increasing time is a time series too.
    path2 = tmp_path / "new.csv"
    new_lines = ["시간,유량,진동,전압\n", *lines[1:]]
    path2.write_text("".join(ln.rsplit(",", 1)[0] + "\n" for ln in new_lines))
    decision = kamp.imports.preview_kind(me, path2)
    assert decision.kind == "timeseries" and decision.reasons[0].code == "increasing_time"
    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    assert report.kind == "timeseries" and report.rows_stored == 100
    assert report.points_inserted == 300 and report.dataset is None


def test_linked_dataset_counts_production_and_defects_per_day(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    body, _ = cavity_rows(300, 60)
    path = tmp_path / "shots.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    eq = kamp.assets.resolve(me, press).id
    assert [v.ref for v in kamp.datasets.for_equipment(me, eq)] == [report.dataset]
    counts = kamp.datasets.daily_counts(me, report.dataset, "Asia/Seoul")
    # 300 shots from 08:00 local, 43 s apart: all on 2026-03-02.
    assert counts["day"].astype(str).tolist() == ["2026-03-02"]
    assert counts[["rows", "judged", "defects"]].iloc[0].tolist() == [600, 600, 60]
    assert kamp.datasets.for_equipment(me, eq + 1000) == []


def test_split_date_and_time_become_one_time_column(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    """A per-shot table with the date and the time of day in two columns (and units in cells)
    keeps every row, with one time column joined from both."""
    lines = ["일자,시간,캐비티,사출압력,판정\n"]
    for i in range(40):
        clock = f"08:{i // 2:02d}:00"
        lines.append(f"2026-03-02,{clock},{'LH' if i % 2 == 0 else 'RH'},{570 + i % 5} bar,양품\n")
    path = tmp_path / "split.csv"
    path.write_text("".join(lines), encoding="utf-8")
    report = kamp.imports.import_file(me, path)
    assert report.kind == "records" and (report.rows_read, report.rows_stored) == (40, 40)
    v = kamp.datasets.get(me, report.dataset)
    assert v.time_column == "일자 + 시간" and v.column("일자 + 시간").header == "일자 + 시간"
    assert v.column("사출압력").kind == "number" and v.column("사출압력").unit == "bar"
    rows = kamp.datasets.read(me, v.ref, limit=3)
    assert rows["사출압력"].tolist() == [570.0, 571.0, 572.0]
    # Local 08:00 in Seoul is 23:00 UTC the day before.
    assert str(rows["일자 + 시간"].iloc[2]) == "2026-03-01 23:01:00+00:00"


def test_roles_given_to_a_joined_time_column(kamp: Platform, me: Principal, tmp_path: Path) -> None:
    """The preview shows a split date and time as one column, "일자 + 시간", and sends the
    user's roles under that name: kept as the time, or un-chosen (both columns then text)."""
    lines = ["일자,시간,캐비티,보압,판정\n"]
    lines += [f"2026-03-02,08:{i // 2:02d}:00,{'LH' if i % 2 else 'RH'},{570 + i % 5},양품\n"
              for i in range(30)]  # fmt: skip
    path = tmp_path / "split.csv"
    path.write_text("".join(lines), encoding="utf-8")
    plan = kamp.imports.preview_records(me, path, ImportOptions(roles={"일자 + 시간": "time"}))
    assert plan.time_column == "일자 + 시간"
    report = kamp.imports.import_file(me, path, ImportOptions(roles={"일자 + 시간": "time"}))
    assert (report.rows_read, report.rows_stored) == (30, 30)
    plan = kamp.imports.preview_records(me, path, ImportOptions(roles={"일자 + 시간": "input"}))
    assert plan.time_column is None
    assert {c.name: c.role for c in plan.columns}["일자"] == "input"


def test_excel_record_table_with_typed_cells(kamp: Platform, me: Principal, tmp_path: Path) -> None:
    _, frame = cavity_rows(60, 12)
    frame["일시"] = pd.to_datetime(frame["일시"])
    frame["캐비티"] = np.tile([1, 2], 60)  # cavity numbers, typed as numbers by Excel
    path = tmp_path / "샷.xlsx"
    frame.to_excel(path, index=False, sheet_name="실적")
    report = kamp.imports.import_file(me, path)
    assert report.kind == "records" and (report.rows_read, report.rows_stored) == (120, 120)
    rows = kamp.datasets.read(me, report.dataset)
    assert (rows["판정"] == "불량").sum() == 12
    assert rows["일시"].nunique() == 60


def test_a_file_whose_every_row_is_quarantined_makes_no_version(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("시리얼,두께\n합계,1\n소계,2\n", encoding="utf-8")
    report = kamp.imports.import_file(me, path, ImportOptions(kind="records"))
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (2, 0, 2)
    assert report.dataset is None and kamp.datasets.list(me) == []


def test_numeric_ids_are_ids_of_the_records(kamp: Platform, me: Principal, tmp_path: Path) -> None:
    lines = ["샷번호,캐비티,보압,판정\n"] + [
        f"{i // 2 + 1},{i % 2 + 1},{600 + i % 4},{'NG' if i % 9 == 0 else 'OK'}\n"
        for i in range(30)
    ]
    path = tmp_path / "numbered.csv"
    path.write_text("".join(lines), encoding="utf-8")
    plan = kamp.imports.preview_records(me, path)
    roles = {c.name: (c.kind, c.role) for c in plan.columns}
    assert roles["샷번호"] == ("number", "id") and roles["캐비티"] == ("number", "id")
    assert roles["보압"] == ("number", "input") and roles["판정"] == ("text", "label")


def test_summary_row_under_a_timed_table(kamp: Platform, me: Principal, tmp_path: Path) -> None:
    body, frame = cavity_rows(100, 20)
    path = tmp_path / "with_total.csv"
    path.write_text(HEADER + body + "합계,,,,,,20,\n", encoding="utf-8")
    report = kamp.imports.import_file(me, path)
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (201, 200, 1)
    assert report.reasons == {"summary": 1}
    rows = kamp.datasets.read(me, report.dataset, columns=["사출압력"])
    np.testing.assert_allclose(rows["사출압력"], frame["사출압력"])
