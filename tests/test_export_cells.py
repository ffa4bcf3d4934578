"""Issue 9, finding 4: no download a person opens in a spreadsheet carries a formula.

Every route that writes CSV or Excel is downloaded with a malicious text cell (and a malicious
column title) in it; no cell may begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, and real numbers (negative ones included) stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from openkamp.api import create_app
from openkamp.core.cells import FORMULA_START, neutralise_csv
from openkamp.platform import Platform
from openkamp.web import scoring

PASSWORD = "correct horse battery"
EVIL = '=HYPERLINK("http://x","y")'
BAD_LINE = "=1+1,oops,-3"
OPTIONS = {"equipment": "plant1/line1/press01", "kind": "timeseries", "time_columns": ["timestamp"]}
COLUMNS = [
    {"name": "일시", "kind": "time", "role": "time", "header": "일시"},
    {"name": "압력", "kind": "number", "role": "input", "header": "=압력"},
    {"name": "비고", "kind": "text", "role": "input", "header": "비고"},
]


@dataclass
class World:
    kamp: Platform
    client: TestClient
    import_id: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("export-cells")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    token = kamp.accounts.create_token(kamp.accounts.principal_of(kim), "t", ["admin"])[1]
    me = kamp.principal()
    t = pd.date_range("2026-03-02 08:00", periods=6, freq="40s", tz="Asia/Seoul")
    frame = pd.DataFrame(
        {
            "일시": t.tz_convert("UTC"),
            "압력": np.array([-1.5, 2.0, -3.25, 4.0, -5.0, 6.0]),
            "비고": [EVIL, "+1", "-2", "@SUM(A1)", "\tx", "정상"],
        }
    )
    kamp.datasets.create(me, "샷", frame, COLUMNS)
    site = kamp.assets.create_node(me, "site", "plant1")
    line = kamp.assets.create_node(me, "line", "line1", site.id)
    kamp.assets.create_node(me, "equipment", "press01", line.id)
    with TestClient(create_app(platform=kamp)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        good = [f"2026-03-06 00:00:{i:02d},{-1.5 * i},{20 + i}" for i in range(1, 20)]
        body = "\n".join(["timestamp,=press,temp", *good[:9], BAD_LINE, *good[9:]]) + "\n"
        sent = client.post(
            "/api/v1/imports",
            params={"wait": True},
            data={"options": json.dumps(OPTIONS)},
            files={"file": ("p.csv", body.encode(), "text/csv")},
        )
        assert sent.status_code == 201, sent.text
        report = sent.json()["report"]
        assert report["rows_quarantined"] == 1
        yield World(kamp, client, report["import_id"])
    kamp.close()


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv(content: bytes) -> list[list[Any]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(content: bytes) -> list[list[Any]]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def _signals(world: World) -> list[str]:
    me = world.kamp.principal()
    sigs = world.kamp.assets.list_signals(me)
    assert sigs, world.kamp.imports.get(me, world.import_id)["report"]
    return [str(s.id) for s in sigs]


def _download(world: World, what: str) -> list[list[Any]]:
    api = world.client
    if what == "quarantine":
        resp = api.get(f"/api/v1/imports/{world.import_id}/quarantine")
    elif what in ("dataset.csv", "dataset.xlsx"):
        resp = api.get("/api/v1/datasets/샷/export", params={"format": what.split(".")[1]})
    elif what == "explorer.csv":
        resp = api.get(
            "/api/v1/data/export",
            params={
                "signal": _signals(world),
                "start": "2026-03-05T00:00:00+09:00",
                "end": "2026-03-07T00:00:00+09:00",
                "lang": "en",
            },
        )
    else:  # the scored-file downloads (page and API share scoring.to_csv / to_excel)
        frame = pd.DataFrame({"=부품": [EVIL, "-2", "ok"], "score": [-0.5, 1.0, -2.0]})
        content = scoring.to_csv(frame) if what == "scores.csv" else scoring.to_excel(frame, "s")
        return _csv(content) if what == "scores.csv" else _xlsx(content)
    assert resp.status_code == 200, resp.text
    return _xlsx(resp.content) if what.endswith(".xlsx") else _csv(resp.content)


@pytest.mark.parametrize(
    "what",
    ["quarantine", "dataset.csv", "dataset.xlsx", "explorer.csv", "scores.csv", "scores.xlsx"],
)
def test_no_download_carries_a_formula(world: World, what: str) -> None:
    rows = _download(world, what)
    assert len(rows) > 1
    cells = [c for r in rows for c in r]
    texts = [c for c in cells if isinstance(c, str)]
    assert not [c for c in texts if c.startswith(FORMULA_START) and not _number(c)], rows
    flat = "\n".join(map(str, cells))
    if what.startswith("dataset") or what.startswith("scores"):
        assert f"'{EVIL}" in flat  # neutralised, not dropped
    if what.endswith(".xlsx"):  # numbers stay numbers, negative ones too
        assert any(isinstance(c, (int, float)) and c < 0 for c in cells), rows
    elif what != "quarantine":  # in CSV: written as plain numbers, without the apostrophe
        assert any(c.startswith("-") and _number(c) for c in texts), rows
        assert "'-1.5" not in flat and "'-0.5" not in flat and "'-3.25" not in flat


def test_the_quarantine_keeps_the_raw_line_recoverable(world: World) -> None:
    rows = _download(world, "quarantine")
    content = rows[0].index("content")
    assert [r[content] for r in rows[1:]] == ["'" + BAD_LINE]
    # The rule: one leading apostrophe removed gives the raw cell back, whatever it was.
    raw = [["a", "'=x", "=y", "'", "-1", "ok"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(raw)
    back = _csv(b"".join(neutralise_csv([buf.getvalue().encode("utf-8-sig")])))
    assert [[c[1:] if c.startswith("'") else c for c in r] for r in back] == raw


def test_the_command_line_exports_carry_no_formula(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from openkamp.ingest.importer import ImportOptions

    data = tmp_path / "data"
    kamp = Platform.at(data)
    me = kamp.principal()
    site = kamp.assets.create_node(me, "site", "plant1")
    line = kamp.assets.create_node(me, "line", "line1", site.id)
    kamp.assets.create_node(me, "equipment", "press01", line.id)
    src = tmp_path / "p.csv"
    good = [f"2026-03-06 00:00:{i:02d},{-1.5 * i}" for i in range(1, 20)]
    src.write_text("\n".join(["timestamp,press", *good[:9], BAD_LINE, *good[9:]]) + "\n")
    report = kamp.imports.import_file(me, src, ImportOptions(**OPTIONS))  # type: ignore[arg-type]
    kamp.close()
    env = {**os.environ, "OPENKAMP_DATA_DIR": str(data)}

    def cli(*args: str) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "openkamp.cli.main", *args],
            capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr

    cli("imports", "show", str(report.import_id), "--quarantine", str(tmp_path / "q.csv"))
    cli("export", "plant1/line1/press01/press", "-o", str(tmp_path / "x.csv"))
    quarantined = _csv((tmp_path / "q.csv").read_bytes())
    assert [r[quarantined[0].index("content")] for r in quarantined[1:]] == ["'" + BAD_LINE]
    exported = _csv((tmp_path / "x.csv").read_bytes())
    cells = [c for r in exported for c in r]
    assert not [c for c in cells if c.startswith(FORMULA_START) and not _number(c)], exported
    assert any(c.startswith("-") and _number(c) for c in cells)
