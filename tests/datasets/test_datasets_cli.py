"""``openkamp datasets list | show | export``: thin wiring of the dataset service."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from openkamp.platform import Platform
from openkamp.storage.testing.postgres import subprocess_env


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**subprocess_env(data), "COLUMNS": "160", "OPENKAMP_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "openkamp.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_list_show_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Platform.at(data) as kamp:
        frame = pd.DataFrame(
            {
                "시리얼": ["SN1", "SN2", "SN3"],
                "두께": [2.01, 2.02, 1.99],
                "비고": ["=1+1", "", "ok"],
            }
        )
        cols = [
            {"name": "시리얼", "kind": "text", "role": "id"},
            {"name": "두께", "kind": "number", "role": "input", "header": "두께(mm)", "unit": "mm"},
            {"name": "비고", "kind": "text", "role": "input"},
        ]
        kamp.datasets.create(kamp.principal(), "검사", frame, cols)
    listed = run(data, "--lang", "ko", "datasets", "list")
    assert listed.returncode == 0, listed.stderr
    assert "검사" in listed.stdout and "기록 표" in listed.stdout
    shown = run(data, "--lang", "ko", "datasets", "show", "검사@1")
    assert shown.returncode == 0, shown.stderr
    assert "식별자" in shown.stdout and "SN2" in shown.stdout and "mm" in shown.stdout
    out = tmp_path / "검사.csv"
    exported = run(data, "datasets", "export", "검사", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "시리얼,두께(mm),비고",
        "SN1,2.01,'=1+1",
        "SN2,2.02,",
        "SN3,1.99,ok",
    ]
    missing = run(data, "--lang", "ko", "datasets", "show", "없는것")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "데이터셋 없는것이(가) 없습니다" in missing.stderr
    bad = run(data, "datasets", "export", "검사", "-o", str(tmp_path / "x.json"))
    assert bad.returncode == 2 and not (tmp_path / "x.json").exists()


def test_import_a_record_table_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = tmp_path / "검사.csv"
    path.write_text(
        "시리얼,두께(mm),판정\n" + "".join(f"SN{i},{2 + i / 100:.2f},OK\n" for i in range(20)),
        encoding="utf-8",
    )
    out = run(data, "--lang", "ko", "import", str(path), "--dataset", "두께검사")
    assert out.returncode == 0, out.stderr
    assert "두께검사@1" in out.stdout and "데이터셋" in out.stdout
    shown = run(data, "datasets", "show", "두께검사")
    assert shown.returncode == 0 and "SN0" in shown.stdout
    bad = run(data, "--lang", "ko", "import", str(path), "--kind", "sideways")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "sideways" in bad.stderr
