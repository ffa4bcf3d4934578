"""The import wizard shows what it detected and lets the user fix it before anything is
written: header row, split date and time columns, id / label / excluded columns, the kind of
data with its reasons; a new machine is made on the spot; wide files take bulk choices."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

from .flows_support import log_in
from .support import Site


def _mes_export(tmp: Path) -> Path:
    """A CP949 MES export: a title block, then 일자 and 시간 in two columns, units in headers."""
    rng = np.random.default_rng(3)
    n = 50
    times = pd.date_range("2026-03-10 08:00", periods=n, freq="90s")
    table = pd.DataFrame(
        {
            "일자": times.strftime("%Y-%m-%d"),
            "시간": times.strftime("%H:%M:%S"),
            "사출압력(bar)": rng.normal(1080, 10, n).round(1),
            "금형온도(℃)": rng.normal(35, 1, n).round(1),
            "판정": np.where(rng.random(n) < 0.1, "NG", "OK"),
        }
    )
    title = "사출기 생산 실적\n기간: 2026-03-10 ~ 2026-03-10\n작성자: 김반장\n\n"
    path = tmp / "mes_export.csv"
    path.write_bytes((title + table.to_csv(index=False)).encode("cp949"))
    return path


def _stage(c: TestClient, h: dict[str, str], path: Path) -> dict:  # type: ignore[type-arg]
    staged = c.post("/import/stage", headers=h, files={"file": (path.name, path.read_bytes())})
    assert staged.status_code == 200, staged.text
    return staged.json()  # type: ignore[no-any-return]


def _again(c: TestClient, h: dict[str, str], token: str, options: dict) -> dict:  # type: ignore[type-arg]
    out = c.post("/import/preview", headers=h, json={"token": token, "options": options})
    assert out.status_code == 200, out.text
    return out.json()  # type: ignore[no-any-return]


def test_a_messy_export_into_a_machine_made_on_the_spot(site: Site, tmp_path: Path) -> None:
    kamp = site.kamp
    me = kamp.principal()
    with site.client() as c:
        h = {"X-CSRF-Token": log_in(c)}
        p = _stage(c, h, _mes_export(tmp_path))
        # What was found, with the reasons, before anything is written.
        assert p["header_row"] == 4 and p["title"][0] == "사출기 생산 실적"
        assert any("제목" in n for n in p["notes"])  # the title block, in words
        assert p["kind_reasons"]  # the kind it chose, and why
        # The user says it is a machine's time series: date and time are read together.
        p = {**_again(c, h, p["token"], {"kind": "timeseries"}), "token": p["token"]}
        assert p["kind"] == "timeseries" and p["time_columns"] == ["일자", "시간"]
        # The header row chosen by hand: one line too early reads the blank line's neighbour.
        wrong = _again(c, h, p["token"], {"header_row": 2, "header_rows": 1})
        assert wrong["header_row"] == 2 and wrong["header"] != p["header"]
        # A new machine on the spot: a new line of a new site.
        made = c.post("/import/equipment", headers=h,
                      json={"new_site": "평택 3공장", "new_line": "사출 1라인", "label": "사출기 7호기"})  # fmt: skip
        assert made.status_code == 200, made.text
        path = made.json()["path"]
        assert (
            path == "평택_3공장/사출_1라인/사출기_7호기" and made.json()["label"] == "사출기 7호기"
        )
        opts = {"equipment": path, "kind": "timeseries", "label_columns": ["판정"]}
        ready = _again(c, h, p["token"], opts)
        cols = {col["column"]: col for col in ready["columns"]}
        assert ready["equipment"] == path and cols["판정"]["kind"] == "label"
        run = c.post("/import/run", headers=h, json={"token": p["token"], "options": opts})
        assert run.status_code == 200, run.text
        job = kamp.jobs.wait(me, run.json()["job"]["id"], timeout=60)
        assert job["status"] == "done", job
        report = job["result"]["report"]
        # Every row of the split date + time file is kept (once 49 of 50 were lost).
        assert report["rows_read"] == 50 and report["rows_stored"] == 50
        node = kamp.assets.resolve(me, path)
        names = {s.name_ko or s.name for s in kamp.assets.list_signals(me, node.id)}
        assert {"사출압력", "금형온도"} <= names


def test_a_table_of_records_with_its_reasons_and_roles(site: Site, tmp_path: Path) -> None:
    kamp = site.kamp
    me = kamp.principal()
    rng = np.random.default_rng(5)
    n = 40
    table = pd.DataFrame(
        {
            "샷번호": np.repeat(np.arange(1, n // 2 + 1), 2),
            "캐비티": ["LH", "RH"] * (n // 2),
            "보압": rng.normal(600, 5, n).round(1),
            "중량(g)": rng.normal(52, 0.3, n).round(2),
            "판정": np.where(rng.random(n) < 0.2, "NG", "OK"),
            "비고": ["" for _ in range(n)],
        }
    )
    path = tmp_path / "shots.csv"
    table.to_csv(path, index=False)
    with site.client() as c:
        h = {"X-CSRF-Token": log_in(c)}
        p = _stage(c, h, path)
        assert p["kind"] == "records" and p["time_columns"] == []
        assert p["kind_reasons"] and all(isinstance(r, str) for r in p["kind_reasons"])
        roles = {col["column"]: col["kind"] for col in p["columns"]}
        assert roles["판정"] == "label" and roles["샷번호"] == "id"
        # The user's roles: cavity is an id, the remark column is left out.
        opts = {"kind": "records", "dataset": "shots_march",
                "roles": {**roles, "캐비티": "id", "비고": "ignore"}}  # fmt: skip
        ready = _again(c, h, p["token"], opts)
        roles = {col["column"]: col["kind"] for col in ready["columns"]}
        assert roles["캐비티"] == "id" and roles["비고"] == "ignore"
        run = c.post("/import/run", headers=h, json={"token": p["token"], "options": opts})
        job = kamp.jobs.wait(me, run.json()["job"]["id"], timeout=60)
        assert job["status"] == "done", job
        assert job["result"]["report"]["rows_stored"] == n  # both cavities of every shot
        report = c.get(f"/import/{job['result']['report']['import_id']}")
        assert report.status_code == 200 and "기록 표" in report.text
        assert (
            'data-testid="train-on-dataset"' in report.text and "dataset=shots_march" in report.text
        )
        stored = kamp.datasets.get(me, "shots_march")
        assert stored.column("비고").role == "ignore" and "캐비티" in stored.id_columns


def test_a_wide_file_takes_choices_for_hundreds_of_columns(site: Site, tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    n, width = 30, 300
    wide = pd.DataFrame(rng.normal(size=(n, width)).round(3),
                        columns=[f"PLC_{i:03d}" for i in range(width)])  # fmt: skip
    wide.insert(0, "timestamp", pd.date_range("2026-03-11", periods=n, freq="1s").astype(str))
    path = tmp_path / "plc_wide.csv"
    wide.to_csv(path, index=False)
    with site.client() as c:
        h = {"X-CSRF-Token": log_in(c)}
        p = _stage(c, h, path)
        assert len([col for col in p["columns"] if col["kind"] != "time"]) == width
        # "All matching PLC_0 → ignore", as the bulk action sends it.
        drop = [f"PLC_{i:03d}" for i in range(100)]
        ready = _again(c, h, p["token"], {"kind": "timeseries", "ignore_columns": drop})
        kinds = {col["column"]: col["kind"] for col in ready["columns"]}
        assert sum(k == "ignore" for k in kinds.values()) == 100
        assert kinds["PLC_099"] == "ignore" and kinds["PLC_100"] == "signal"


def test_the_wizard_page_offers_the_fixes(site: Site) -> None:
    with site.client() as c:
        log_in(c)
        page = c.get("/import")
        for what in ('id="kind"', 'id="header-row"', 'id="time-col2"', 'id="bulk-apply"',
                     'id="nm-create"', "새 설비 만들기"):  # fmt: skip
            assert what in page.text, what


def test_a_table_of_records_without_its_time(site: Site, tmp_path: Path) -> None:
    """ "No time" in the wizard keeps the time column as a column of the table (the rows are
    independent parts), as the page sends it: the role of the found time column."""
    n = 30
    table = pd.DataFrame(
        {
            "측정일시": pd.date_range("2026-03-12 08:00", periods=n, freq="1min").astype(str),
            "로트": [f"L{i // 10}" for i in range(n)],
            "두께": np.linspace(1.0, 1.2, n).round(3),
            "판정": ["OK"] * (n - 3) + ["NG"] * 3,
        }
    )
    path = tmp_path / "lots.csv"
    table.to_csv(path, index=False)
    with site.client() as c:
        h = {"X-CSRF-Token": log_in(c)}
        p = _stage(c, h, path)
        found = _again(c, h, p["token"], {"kind": "records"})
        assert found["time_columns"] == ["측정일시"]
        untimed = _again(c, h, p["token"], {"kind": "records", "roles": {"측정일시": "id"}})
        assert untimed["time_columns"] == []
        roles = {col["column"]: col["kind"] for col in untimed["columns"]}
        assert roles["측정일시"] == "id"


def test_a_workbook_with_several_sheets(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame({"메모": ["표지"]}).to_excel(book, sheet_name="표지", index=False)
        pd.DataFrame(
            {"timestamp": pd.date_range("2026-03-13", periods=40, freq="1min").astype(str),
             "압력": np.linspace(1, 2, 40), "온도": np.linspace(30, 31, 40)}
        ).to_excel(book, sheet_name="데이터", index=False)  # fmt: skip
    with site.client() as c:
        h = {"X-CSRF-Token": log_in(c)}
        p = _stage(c, h, path)
        assert p["sheets"] == ["표지", "데이터"] and p["sheet"] == "데이터"  # the fullest sheet
        other = c.post("/import/preview", headers=h,
                       json={"token": p["token"], "options": {"sheet": "표지"}})  # fmt: skip
        # The cover sheet has no table to import: said in words, nothing written.
        assert other.status_code in (200, 422)
        if other.status_code == 200:
            assert other.json()["sheet"] == "표지" and other.json()["header"] == ["메모"]
        else:
            assert re.search(r"[가-힣]", other.json()["error"]["message"])
