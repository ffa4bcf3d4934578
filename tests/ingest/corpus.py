"""A corpus of realistic factory files, generated (never checked in), each with what it must give.

Korean MES and PLC exports as they arrive: CP949 and UTF-8 (with and without BOM), comma,
semicolon and tab CSV and Excel workbooks, title blocks, two-row headers, merged cells, split date
and time columns, units in headers and cells, summary rows, several sheets, thousands separators,
per-shot tables whose cavities share a time, tables without a time, missing values, 오전/오후
times, spacing and fullwidth variants of names; per-shot logs with a judgement or a lot in text
beside a time that increases (time series: the text becomes labels), parts with their own serial
number beside a time (records).

The kind each case gives is what a factory engineer would expect, and what the preview, the
import and the scoring of a file all decide (openkamp.datasets.records.detect_kind): one row
per moment is a machine's time series, whatever text sits beside the numbers; several rows per
moment (cavities of a shot), no time at all, or a serial number that makes every row its own
part is a table of records.

Other tests reuse it (scoring, the browser journey)::

    from ingest.corpus import cases, write_case  # tests/ is on sys.path
    for case in cases():
        path = write_case(case, tmp_path)

Every expected figure is written out by hand from how the file is built, not computed by the
code under test.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

#: Local time (Asia/Seoul, UTC+9) of the first row of every generated table.
START = datetime(2026, 3, 2, 8, 0, 0)


def utc(t: datetime) -> str:
    """A Seoul wall-clock time as the import report writes it (UTC, ISO 8601)."""
    return (t - timedelta(hours=9)).isoformat() + "+00:00"


@dataclass
class Case:
    """One file and what importing it must give."""

    name: str
    file: str
    write: Callable[[Path], None]
    header_row: int  # 0-based line (CSV) or sheet row (Excel) of the (first) header row
    header_rows: int
    columns: dict[str, str]  # every column after the time column(s): name -> unit ('' = none)
    time_columns: list[str]
    kind: str  # "timeseries" or "records": what the preview shows and the import makes
    rows_read: int
    rows_stored: int
    quarantined: dict[str, int] = field(default_factory=dict)  # reason category -> rows
    first: str | None = None  # first and last stored time (UTC ISO), when the file has times
    last: str | None = None
    notes: set[str] = field(default_factory=set)  # note codes the plan must include
    ignored: list[str] = field(default_factory=list)  # columns the plan ignores (empty ones)
    ids: list[str] = field(default_factory=list)  # id columns the plan finds
    options: dict[str, Any] = field(default_factory=dict)  # ImportOptions overrides
    sheet: str | None = None  # the sheet the reader must pick
    english: dict[str, str] = field(default_factory=dict)  # column -> English name
    existing: dict[str, str] = field(default_factory=dict)  # signals that exist: name -> name_ko
    points: int | None = None  # signal points stored, when it says something


def shots(n: int, step_s: float = 30, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` injection shots from START, every ``step_s`` seconds: values with 1 decimal."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "t": START + timedelta(seconds=step_s * i),
                "p": round(float(1200 + rng.normal(0, 15)), 1),  # 사출압력 bar
                "h": round(float(580 + rng.normal(0, 4)), 1),  # 보압 bar
                "m": round(float(45 + rng.normal(0, 0.8)), 1),  # 금형온도 ℃
                "c": round(float(32 + rng.normal(0, 0.5)), 1),  # 사이클타임 s
                "ok": "OK" if rng.random() > 0.1 else "NG",
            }
        )
    return out


def ampm(t: datetime) -> str:
    """Korean Excel's time of day: ``오후 2:03:05``."""
    return f"{'오전' if t.hour < 12 else '오후'} {t.hour % 12 or 12}:{t.minute:02d}:{t.second:02d}"


def _csv_text(rows: list[list[Any]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _write_text(rows: list[list[Any]], encoding: str, delimiter: str = ",", crlf: bool = False):
    def write(path: Path) -> None:
        text = _csv_text(rows, delimiter)
        if crlf:
            text = text.replace("\n", "\r\n")
        path.write_bytes(text.encode(encoding))

    return write


def _write_xlsx(
    sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None
) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
            for rng in (merges or {}).get(name, []):
                ws.merge_cells(rng)
        wb.save(path)

    return write


TITLE = [["사출기 #3 생산 실적"], ["기간: 2026-03-02 ~ 2026-03-02", "", "작성자: 홍길동"], []]
INJ = {"사출압력": "bar", "보압": "bar", "금형온도": "℃"}


def _cases() -> list[Case]:
    c: list[Case] = []
    s50 = shots(50)
    last50 = utc(START + timedelta(seconds=30 * 49))

    # 1. The MES export: CP949, title block, split date + 오전/오후 time, totals.
    rows = [
        *TITLE,
        ["일자", "시간", "사출압력(bar)", "보압(bar)", "금형온도(℃)", "판정"],
        *[
            [r["t"].strftime("%Y-%m-%d"), ampm(r["t"]), r["p"], r["h"], r["m"], r["ok"]]
            for r in s50
        ],
        ["합계", "", round(sum(r["p"] for r in s50), 1), "", "", ""],
        ["평균", "", 1200.0, 580.0, 45.0, ""],
    ]
    c.append(
        Case(
            "mes_cp949_title_split_time",
            "실적.csv",
            _write_text(rows, "cp949"),
            3,
            1,
            {**INJ, "판정": ""},
            ["일자", "시간"],
            "timeseries",
            52,
            50,
            {"summary": 2},
            utc(START),
            last50,
            {"title", "time_split", "summary_rows"},
        )
    )
    # 2. Same data, UTF-8 with BOM, semicolons, decimal commas (a European line PC).
    rows = [
        ["Zeit", "사출압력 [bar]", "보압 [bar]"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), str(r["p"]).replace(".", ","),
           str(r["h"]).replace(".", ",")] for r in s50],
    ]  # fmt: skip
    c.append(
        Case(
            "utf8_bom_semicolon_decimal_comma",
            "line.csv",
            _write_text(rows, "utf-8-sig", ";"),
            0,
            1,
            {"사출압력": "bar", "보압": "bar"},
            ["Zeit"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"decimal_comma", "time_found"},
            points=100,
        )
    )
    # 3. A PLC log: tab-separated, fractional seconds, device addresses as names.
    plc = shots(60, step_s=0.5, seed=1)
    rows = [["TIMESTAMP", "D100", "D102", "M10"],
            *[[r["t"].strftime("%Y-%m-%d %H:%M:%S") + f".{int(r['t'].microsecond / 1000):03d}",
               r["p"], r["m"], 1 if r["ok"] == "OK" else 0] for r in plc]]  # fmt: skip
    c.append(
        Case(
            "plc_tab_fractional_seconds",
            "plc.tsv",
            _write_text(rows, "utf-8", "\t"),
            0,
            1,
            {"D100": "", "D102": "", "M10": ""},
            ["TIMESTAMP"],
            "timeseries",
            60,
            60,
            {},
            utc(START),
            utc(START + timedelta(seconds=29.5)),
            {"time_named"},
        )
    )
    # 4. Names above units (PLC export), CRLF line ends.
    rows = [
        ["일시", "사출압력", "금형온도", "사출속도"],
        ["", "bar", "℃", "mm/s"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], r["m"], 80] for r in s50],
    ]
    c.append(
        Case(
            "names_above_units_crlf",
            "units.csv",
            _write_text(rows, "utf-8", crlf=True),
            0,
            2,
            {"사출압력": "bar", "금형온도": "℃", "사출속도": "mm/s"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"unit_row"},
        )
    )
    # 5. Korean above English.
    rows = [
        ["일시", "사출압력(bar)", "보압(bar)", "판정"],
        ["Time", "Injection pressure", "Hold pressure", "Result"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], r["h"], r["ok"]] for r in s50],
    ]
    c.append(
        Case(
            "korean_above_english",
            "bilingual.csv",
            _write_text(rows, "utf-8"),
            0,
            2,
            {"사출압력": "bar", "보압": "bar", "판정": ""},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"bilingual_header"},
            english={"사출압력(bar)": "Injection pressure", "판정": "Result"},
        )
    )
    # 6. Excel: merged title, blank row, 일시 merged down two rows, 금형온도 merged over LH / RH.
    rows = [
        ["사출 공정 데이터"],
        [],
        ["일시", "사출압력(bar)", "금형온도(℃)", None],
        [None, None, "LH", "RH"],
        *[[r["t"], r["p"], r["m"], round(r["m"] + 0.7, 1)] for r in s50],
    ]
    c.append(
        Case(
            "xlsx_merged_group_header",
            "merged.xlsx",
            _write_xlsx({"Sheet1": rows}, {"Sheet1": ["A1:D1", "A3:A4", "B3:B4", "C3:D3"]}),
            2,
            2,
            {"사출압력": "bar", "금형온도 LH": "℃", "금형온도 RH": "℃"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"title", "group_header"},
        )
    )
    # 7. Excel, several sheets: a summary, the data, the settings.
    rows = [["일시", "사출압력(bar)", "보압(bar)"], *[[r["t"], r["p"], r["h"]] for r in s50]]
    c.append(
        Case(
            "xlsx_several_sheets",
            "report.xlsx",
            _write_xlsx(
                {
                    "요약": [["항목", "값"], ["생산수량", 50]],
                    "데이터": rows,
                    "설정": [["설정", "값"], ["보압", 580]],
                }
            ),
            0,
            1,
            {"사출압력": "bar", "보압": "bar"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"sheet"},
            sheet="데이터",
        )
    )
    # 8. Excel with a date column and a time column (typed cells).
    rows = [
        ["생산일자", "시간", "사출압력(bar)", "사이클타임(s)"],
        *[[r["t"].date(), r["t"].time(), r["p"], r["c"]] for r in s50],
    ]
    c.append(
        Case(
            "xlsx_typed_date_and_time",
            "split.xlsx",
            _write_xlsx({"data": rows}),
            0,
            1,
            {"사출압력": "bar", "사이클타임": "s"},
            ["생산일자", "시간"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"time_split"},
        )
    )
    # 9. Excel with typed times and subtotal / total / average rows.
    rows = [["일시", "생산수량", "불량수량"]]
    for h in range(3):
        for k in range(10):
            rows.append([START + timedelta(hours=h, minutes=6 * k), 12, (k % 3 == 0 and 1) or 0])
        rows.append(["소계", 120, 4])
    rows += [["합계", 360, 12], ["평균", 12, 0.4]]
    c.append(
        Case(
            "xlsx_subtotals",
            "hourly.xlsx",
            _write_xlsx({"생산": rows}),
            0,
            1,
            {"생산수량": "", "불량수량": ""},
            ["일시"],
            "timeseries",
            35,
            30,
            {"summary": 5},
            utc(START),
            utc(START + timedelta(hours=2, minutes=54)),
            {"summary_rows"},
        )
    )
    # 10. Thousands separators in quoted cells.
    rows = [
        ["측정시간", "사출압력(bar)", "형체력(kN)"],
        *[
            [r["t"].strftime("%Y-%m-%d %H:%M:%S"), f"{r['p']:,.1f}", f"{r['p'] * 2:,.1f}"]
            for r in s50
        ],
    ]
    c.append(
        Case(
            "thousands_separators",
            "thousands.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"사출압력": "bar", "형체력": "kN"},
            ["측정시간"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            set(),
            points=100,
        )
    )
    # 11. Numbers with their unit in every cell.
    rows = [
        ["일시", "사출압력", "금형온도"],
        *[[r["t"].strftime("%Y/%m/%d %H:%M:%S"), f"{r['p']} bar", f"{r['m']}℃"] for r in s50],
    ]
    c.append(
        Case(
            "units_in_cells",
            "cells.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"사출압력": "bar", "금형온도": "℃"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"unit_in_cells"},
            points=100,
        )
    )
    # 12. Per-shot table: the LH and RH cavity of one shot share its time (a record table).
    rows = [["일시", "캐비티", "사출압력(bar)", "중량(g)", "판정"]]
    for r in s50:
        for cav in ("LH", "RH"):
            rows.append([r["t"].strftime("%Y-%m-%d %H:%M:%S"), cav, r["p"], 41.5, r["ok"]])
    c.append(
        Case(
            "per_shot_cavities_share_time",
            "cavity.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"캐비티": "", "사출압력": "bar", "중량": "g", "판정": ""},
            ["일시"],
            "records",
            100,
            100,
            notes={"times_repeat", "id_columns"},
            ids=["캐비티"],
        )
    )
    # 13. Inspection results without any time.
    rows = [
        ["품번", "로트번호", "치수A(mm)", "치수B(mm)", "판정"],
        *[
            [f"P-{i:04d}", f"L{i // 10:03d}", 10.0 + i % 5 / 100, 20.1, "OK" if i % 7 else "NG"]
            for i in range(40)
        ],
    ]
    c.append(
        Case(
            "inspection_without_time",
            "검사.csv",
            _write_text(rows, "utf-8-sig"),
            0,
            1,
            {"품번": "", "로트번호": "", "치수A": "mm", "치수B": "mm", "판정": ""},
            [],
            "records",
            40,
            40,
            notes={"no_time", "id_columns"},
            ids=["품번", "로트번호"],
        )
    )
    # 14. Missing values: empty cells, '-', 'NA' (stored as missing, not errors).
    rows = [["일시", "사출압력(bar)", "보압(bar)"]]
    for i, r in enumerate(s50):
        miss = ["", "-", "NA"][i % 3] if i % 5 == 0 else r["h"]
        rows.append([r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], miss])
    c.append(
        Case(
            "missing_values",
            "missing.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"사출압력": "bar", "보압": "bar"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            points=90,
        )
    )
    # 15. One time column with Korean 오전/오후 (around noon).
    noon = shots(30, step_s=60, seed=2)
    rows = [["일시", "사출압력(bar)"],
            *[[(r["t"] + timedelta(hours=3, minutes=45)).strftime("%Y-%m-%d ") +
               ampm(r["t"] + timedelta(hours=3, minutes=45)), r["p"]] for r in noon]]  # fmt: skip
    c.append(
        Case(
            "korean_am_pm_over_noon",
            "ampm.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"사출압력": "bar"},
            ["일시"],
            "timeseries",
            30,
            30,
            {},
            utc(START + timedelta(hours=3, minutes=45)),
            utc(START + timedelta(hours=3, minutes=45 + 29)),
        )
    )
    # 16. Spacing and fullwidth variants meet the equipment's existing signals.
    rows = [
        ["일시", "사출 압력(bar)", "보_압", "ＡＢＣ"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], r["h"], 1] for r in s50],
    ]
    c.append(
        Case(
            "spacing_fullwidth_variants",
            "variants.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"사출 압력": "bar", "보_압": "", "ABC": ""},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            existing={"injection_pressure": "사출압력", "hold_pressure": "보압", "abc": ""},
        )
    )
    # 17. Fullwidth brackets around a unit.
    rows = [
        ["일시", "금형온도（℃）", "유량［L/min］"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["m"], 12.5] for r in s50],
    ]
    c.append(
        Case(
            "fullwidth_brackets",
            "fullwidth.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"금형온도": "℃", "유량": "L/min"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
        )
    )
    # 18. Every line ends with a delimiter (Excel's CSV of a sheet with a blank column).
    rows = [
        ["일시", "사출압력(bar)", "보압(bar)", ""],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], r["h"], ""] for r in s50],
    ]
    c.append(
        Case(
            "trailing_delimiters",
            "trailing.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"사출압력": "bar", "보압": "bar", "column_4": ""},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"empty_column"},
            ignored=["column_4"],
        )
    )
    # 19. US dates.
    rows = [
        ["Date Time", "Pressure (bar)", "Temp (C)"],
        *[[r["t"].strftime("%m/%d/%Y %H:%M:%S"), r["p"], r["m"]] for r in s50],
    ]
    c.append(
        Case(
            "us_dates",
            "us.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"Pressure": "bar", "Temp": "C"},
            ["Date Time"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
        )
    )
    # 20. Compact timestamps from a controller.
    rows = [["TS", "P1", "T1"], *[[r["t"].strftime("%Y%m%d%H%M%S"), r["p"], r["m"]] for r in s50]]
    c.append(
        Case(
            "compact_timestamps",
            "ctrl.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"P1": "", "T1": ""},
            ["TS"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
        )
    )
    # 21. Epoch milliseconds (a data logger).
    epoch0 = int((START - timedelta(hours=9) - datetime(1970, 1, 1)).total_seconds() * 1000)
    rows = [
        ["time", "pressure", "temperature"],
        *[[epoch0 + 30_000 * i, r["p"], r["m"]] for i, r in enumerate(s50)],
    ]
    c.append(
        Case(
            "epoch_milliseconds",
            "logger.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"pressure": "", "temperature": ""},
            ["time"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
        )
    )
    # 22. Excel with times as text ('2026.03.02 08:00:00') under a title and a period line.
    rows = [
        ["설비별 측정 데이터"],
        ["기간 : 2026.03.02"],
        [],
        ["측정일시", "사출압력(bar)", "보압(bar)"],
        *[[r["t"].strftime("%Y.%m.%d %H:%M:%S"), r["p"], r["h"]] for r in s50],
    ]
    c.append(
        Case(
            "xlsx_text_times_title",
            "측정.xlsx",
            _write_xlsx({"측정": rows}),
            3,
            1,
            {"사출압력": "bar", "보압": "bar"},
            ["측정일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"title"},
        )
    )
    # 23. Long layout (tag, time, value), CP949.
    rows = [["태그", "시간", "값"]]
    for r in s50[:20]:
        for tag, v in (("사출압력", r["p"]), ("보압", r["h"])):
            rows.append([tag, r["t"].strftime("%Y-%m-%d %H:%M:%S"), v])
    c.append(
        Case(
            "long_layout_cp949",
            "long.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"태그": "", "값": ""},
            ["시간"],
            "timeseries",
            40,
            40,
            {},
            utc(START),
            utc(START + timedelta(seconds=30 * 19)),
            points=40,
        )
    )
    # 24. Blank lines between the title, the header and the data.
    rows = [
        ["[일일 생산 보고]"],
        [],
        [],
        ["일시", "사출압력(bar)"],
        [],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"]] for r in s50],
    ]
    c.append(
        Case(
            "blank_lines_around_header",
            "blank.csv",
            _write_text(rows, "utf-8"),
            3,
            1,
            {"사출압력": "bar"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"title"},
        )
    )
    # 25. CSV of a sheet with a merged group header (the group cell, then blanks).
    rows = [
        ["일시", "금형온도", "", "사출압력(bar)"],
        ["", "LH", "RH", ""],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["m"], r["m"] + 1, r["p"]] for r in s50],
    ]
    c.append(
        Case(
            "csv_group_header",
            "group.csv",
            _write_text(rows, "cp949"),
            0,
            2,
            {"금형온도 LH": "", "금형온도 RH": "", "사출압력": "bar"},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"group_header"},
        )
    )
    # 26. A broken row, a bad number and an unreadable time among good rows.
    rows = [
        ["일시", "사출압력(bar)", "보압(bar)"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], r["h"]] for r in s50],
    ]
    rows[10][1] = "#DIV/0!"
    rows[20][0] = "2026-13-45 99:00:00"
    rows[30] = rows[30][:2]
    c.append(
        Case(
            "bad_rows_among_good",
            "bad.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"사출압력": "bar", "보압": "bar"},
            ["일시"],
            "timeseries",
            50,
            47,
            {"value": 1, "timestamp": 1, "fields": 1},
            utc(START),
            last50,
        )
    )
    # 27. Excel per-shot table with a numeric cavity number and a mould id.
    rows = [["일시", "금형", "캐비티", "중량(g)"]]
    for r in s50[:25]:
        for cav in (1, 2):
            rows.append([r["t"], "M-07", cav, 12.1])
    c.append(
        Case(
            "xlsx_per_shot_numeric_cavity",
            "shots.xlsx",
            _write_xlsx({"shots": rows}),
            0,
            1,
            {"금형": "", "캐비티": "", "중량": "g"},
            ["일시"],
            "records",
            50,
            50,
            notes={"times_repeat"},
            ids=["금형", "캐비티"],
        )
    )
    # 28. A daily report: dates only.
    rows = [
        ["일자", "생산수량", "불량수량", "가동률(%)"],
        *[
            [(date(2026, 3, 2) + timedelta(days=i)).isoformat(), 1000 + i, i % 4, 91.5]
            for i in range(14)
        ],
    ]
    c.append(
        Case(
            "daily_dates_only",
            "daily.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"생산수량": "", "불량수량": "", "가동률": "%"},
            ["일자"],
            "timeseries",
            14,
            14,
            {},
            utc(datetime(2026, 3, 2)),
            utc(datetime(2026, 3, 15)),
            {"time_date_only"},
        )
    )
    # 29. A judgement the header does not name as one ('최종 판정') with a word besides OK / NG
    #     ('재검', re-inspect), one row per shot: the machine's time series, the judgement a label.
    verdicts = ["OK", "OK", "NG", "OK", "재검"]
    rows = [
        ["일시", "사출압력(bar)", "보압(bar)", "최종 판정"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), r["p"], r["h"], verdicts[i % 5]]
          for i, r in enumerate(s50)],
    ]  # fmt: skip
    c.append(
        Case(
            "ok_ng_judgement_increasing_time",
            "judged.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"사출압력": "bar", "보압": "bar", "최종 판정": ""},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            points=100,
        )
    )
    # 30. Units written in the cells ('570 bar', '571bar'), a missing value as '-', a judgement.
    rows = [["일시", "사출압력", "보압", "판정"]]
    for i, r in enumerate(s50):
        p = "-" if i % 10 == 0 else (f"{r['p']} bar" if i % 2 else f"{r['p']}bar")
        rows.append([r["t"].strftime("%Y-%m-%d %H:%M:%S"), p, f"{r['h']} bar", r["ok"]])
    c.append(
        Case(
            "units_in_cells_gaps_and_judgement",
            "cells_judged.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            {"사출압력": "bar", "보압": "bar", "판정": ""},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"unit_in_cells"},
            points=95,  # 45 pressures (5 missing) + 50 hold pressures
        )
    )
    # 31. The simulator's per-shot CSV (openkamp sim, wide layout): a shot every 42 s, process
    #     values, pass_fail and defect_type, and the material lot in the hopper (lot_id, a new lot
    #     every 20 shots). One row per shot and time: the machine's time series.
    rows = [["timestamp", "injection_time", "cushion", "mould_temp", "injection_pressure",
             "hold_pressure", "cycle_time", "pass_fail", "defect_type", "lot_id"]]  # fmt: skip
    s42 = shots(50, step_s=42, seed=3)
    for i, r in enumerate(s42):
        rows.append([r["t"].strftime("%Y-%m-%d %H:%M:%S"), 1.2, 5.4, r["m"], r["p"], r["h"],
                     r["c"], r["ok"], "none" if r["ok"] == "OK" else "short_shot",
                     f"L260302-{i // 20 + 1:03d}"])  # fmt: skip
    c.append(
        Case(
            "sim_per_shot_lot_id",
            "inj01.csv",
            _write_text(rows, "utf-8"),
            0,
            1,
            dict.fromkeys(rows[0][1:], ""),  # no units
            ["timestamp"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            utc(START + timedelta(seconds=42 * 49)),
            points=300,
        )
    )
    # 32. The same per-shot log from a Korean MES: the lot under a header that names an id
    #     ('로트번호'). The lot repeats from shot to shot: still the machine's time series.
    rows = [
        ["일시", "로트번호", "사출압력(bar)", "판정"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), f"L260302-{i // 20 + 1:03d}", r["p"], r["ok"]]
          for i, r in enumerate(s50)],
    ]  # fmt: skip
    c.append(
        Case(
            "per_shot_korean_lot_number",
            "lot.csv",
            _write_text(rows, "cp949"),
            0,
            1,
            {"로트번호": "", "사출압력": "bar", "판정": ""},
            ["일시"],
            "timeseries",
            50,
            50,
            {},
            utc(START),
            last50,
            {"id_columns"},
            ids=["로트번호"],
            points=50,
        )
    )
    # 33. An end-of-line inspection: every row a part with its own serial number, and the time
    #     it was measured. One row per part: a table of records.
    rows = [
        ["검사일시", "시리얼", "치수A(mm)", "치수B(mm)", "판정"],
        *[[r["t"].strftime("%Y-%m-%d %H:%M:%S"), f"SN26030{i:04d}", 10.0 + i % 5 / 100, 20.1,
           r["ok"]] for i, r in enumerate(s50[:40])],
    ]  # fmt: skip
    c.append(
        Case(
            "serial_per_part_with_time",
            "eol.csv",
            _write_text(rows, "utf-8-sig"),
            0,
            1,
            {"시리얼": "", "치수A": "mm", "치수B": "mm", "판정": ""},
            ["검사일시"],
            "records",
            40,
            40,
            {},
            utc(START),
            utc(START + timedelta(seconds=30 * 39)),
            {"id_columns"},
            ids=["시리얼"],
        )
    )
    # 34. Excel with typed date and time cells in two columns and the LH / RH cavity of each
    #     shot on its own row: a table of records whose time is joined from typed cells.
    rows = [["생산일자", "시간", "캐비티", "중량(g)", "판정"]]
    for r in s50[:30]:
        for cav in ("LH", "RH"):
            rows.append([r["t"].date(), r["t"].time(), cav, 41.5, r["ok"]])
    c.append(
        Case(
            "xlsx_typed_date_time_cavities",
            "split_cavities.xlsx",
            _write_xlsx({"data": rows}),
            0,
            1,
            {"캐비티": "", "중량": "g", "판정": ""},
            ["생산일자", "시간"],
            "records",
            60,
            60,
            {},
            utc(START),
            utc(START + timedelta(seconds=30 * 29)),
            {"time_split", "times_repeat"},
            ids=["캐비티"],
        )
    )
    return c


def cases() -> list[Case]:
    """Every corpus case (a fresh list; the files are written by :func:`write_case`)."""
    return _cases()


def write_case(case: Case, folder: Path) -> Path:
    """Write ``case``'s file into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.file
    case.write(path)
    return path
