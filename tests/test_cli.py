"""The command line, run as a user runs it: a real process, real files, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def run(data: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160", "OPENKAMP_DATA_DIR": str(data)}
    proc = subprocess.run(
        [sys.executable, "-m", "openkamp.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_demo_then_explore(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run(data, "demo", "--days", "2").stdout
    assert "데모 완료" in out and "cp949" in out
    tree = run(data, "assets", "tree").stdout
    assert ("press01" in tree and "인젝션" in tree) or "사출" in tree
    listing = run(data, "--lang", "en", "imports", "list").stdout
    assert "Rows read" in listing and "done" in listing
    q = run(data, "query", "plant1/line2/press01/motor_current", "--buckets", "4").stdout
    assert "motor_current" in q and "mean" in q
    latest = run(data, "query", "plant1/line2/press01/motor_current", "--latest").stdout
    assert "2026-03-0" in latest
    run(data, "export", "plant1/line2/press01/motor_current", "-o", str(tmp_path / "x.csv"))
    assert (
        (tmp_path / "x.csv").read_text(encoding="utf-8-sig").startswith("timestamp,motor_current")
    )
    run(data, "assets", "export", str(tmp_path / "plant.aasx"))
    fresh = tmp_path / "fresh"
    imported = run(fresh, "assets", "import", str(tmp_path / "plant.aasx")).stdout
    assert "created" in imported
    assert run(fresh, "assets", "tree").stdout.count("press01") == 1


def test_import_report_and_quarantine(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(data, "assets", "add", "site", "plant1", "--ko", "본사공장")
    run(data, "assets", "add", "line", "plant1/line1")
    run(data, "assets", "add", "equipment", "plant1/line1/m1", "--type", "press")
    csv = tmp_path / "m1.csv"
    csv.write_text(
        "timestamp,pressure\n"
        + "".join(f"2026-03-01 00:00:0{i},{i}\n" for i in range(4))
        + "2026-03-01 00:00:05,oops\n"
    )
    rep = json.loads(
        run(data, "import", str(csv), "-e", "plant1/line1/m1", "--json")
        .stdout.strip()
        .splitlines()[-1]
    )
    assert (rep["rows_read"], rep["rows_stored"], rep["rows_quarantined"]) == (5, 4, 1)
    again = run(data, "import", str(csv), "-e", "plant1/line1/m1").stdout
    assert "이미 가져온 파일" in again
    run(data, "imports", "show", str(rep["import_id"]), "--quarantine", str(tmp_path / "q.csv"))
    assert "oops" in (tmp_path / "q.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "nope.csv", "-e", "x/y/z"], "nope.csv"),  # the message names what is wrong
        (["assets", "delete", "plant9"], "plant9"),
        (["query", "a/b/c/d"], "'a'"),
    ],
)
def test_user_mistakes_give_clear_errors_not_tracebacks(
    tmp_path: Path, args: list[str], message: str
) -> None:
    proc = run(tmp_path / "data", *args, ok=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "오류" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_rejected_file_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(data, "assets", "add", "site", "p")
    run(data, "assets", "add", "line", "p/l")
    run(data, "assets", "add", "equipment", "p/l/m")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    proc = run(data, "import", str(empty), "-e", "p/l/m", ok=False)
    assert proc.returncode == 2 and "비어 있습니다" in proc.stderr and "해결 방법" in proc.stderr


def test_simulator_commands(tmp_path: Path) -> None:
    out = run(
        tmp_path / "data",
        "sim",
        "write",
        str(tmp_path / "sim"),
        "--days",
        "0.25",
        "--encoding",
        "cp949",
        "--korean-headers",
    ).stdout
    files = sorted(p.name for p in (tmp_path / "sim").iterdir())
    assert files == ["cnc01.csv", "inj01.csv", "press01.csv", "tank01.csv"] and "MB" in out
    assert "일시" in (tmp_path / "sim" / "press01.csv").read_bytes().decode("cp949").splitlines()[0]
    stream = run(tmp_path / "data", "sim", "stream", "--seconds", "20").stdout
    assert "press01/" in stream


def test_models_train_score_report(tmp_path: Path) -> None:
    """The no-code flow on the command line: train, read, promote, score, report."""
    data = tmp_path / "data"
    run(data, "demo", "--days", "3", "--no-models")
    eq = "plant1/line1/inj01"
    out = run(
        data, "--lang", "en", "models", "train", "classify", "inj01_defect", "-e", eq,
        "--target", "pass_fail", "--groups", "lot_id", "--budget", "5",
        "--end", "2026-03-03T00:00", "--report", str(tmp_path / "r.html"),
    ).stdout  # fmt: skip
    assert "inj01_defect v1 (candidate)" in out and "ROC-AUC" in out
    assert "group" in out  # the protocol: folds by lot, not a random split
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html and "<svg" in html
    listing = run(data, "models", "list").stdout
    assert "inj01_defect" in listing and "candidate" in listing
    run(data, "models", "stage", "inj01_defect", "1", "production")
    scored = tmp_path / "scores.csv"
    run(data, "models", "score", "inj01_defect", "--start", "2026-03-03T00:00", "-o", str(scored))
    frame = pd.read_csv(scored, encoding="utf-8-sig")
    assert {"actual", "prediction", "probability"} <= set(frame.columns) and len(frame) > 500
    ko = run(data, "models", "report", "inj01_defect", "-o", str(tmp_path / "ko.html")).stdout
    assert '<html lang="ko"' in (tmp_path / "ko.html").read_text(encoding="utf-8") and ko
    bad = run(data, "models", "train", "classify", "x", "-e", eq, ok=False)
    assert bad.returncode == 2 and "target" in bad.stderr and "Traceback" not in bad.stderr


def test_demo_prints_the_login_it_creates_and_one_day_works(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run(data, "demo", "--days", "1", "--no-models").stdout
    found = re.search(r"admin / (\S+)", out)
    assert found, out  # the only time this password exists in clear
    assert "데모 완료" in out and "inj01" in out
    again = run(data, "demo", "--days", "1", "--no-models").stdout
    assert "admin / " not in again and "reset-password" in again
    reset = run(data, "users", "reset-password", "admin").stdout
    new = re.search(r"admin / (\S+)", reset)
    assert new and new.group(1) != found.group(1)
    from openkamp.platform import Platform

    with Platform.at(data) as kamp:
        kamp.accounts.login("admin", new.group(1))  # the printed password signs in
    added = run(data, "--lang", "en", "users", "add", "lee", "--role", "engineer").stdout
    assert re.search(r"lee / \S{16}", added) and "shown only once" in added
    # the demo's data is months old: every machine is stale, each with one alert
    states = run(data, "alerts", "machines").stdout
    assert "plant1/line1/inj01" in states and "확인 필요" in states
    alerts = run(data, "alerts", "list").stdout
    assert alerts.count("데이터 끊김") == 4
    first = re.search(r"│ (\d+) ", alerts)
    assert first
    run(data, "alerts", "ack", first.group(1))
    assert run(data, "alerts", "list").stdout.count("데이터 끊김") == 3
    missing = run(data, "users", "reset-password", "nobody", ok=False)
    assert missing.returncode == 2 and "사용자 'nobody'이(가) 없습니다" in missing.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["importz"],
        ["import", "--nope", "x.csv"],
        ["imports", "show", "abc"],
        ["--data-dir", "/etc/passwd", "assets", "tree"],
    ],
)
def test_usage_mistakes_and_bad_paths_are_short_messages(tmp_path: Path, args: list[str]) -> None:
    proc = run(tmp_path / "data", *args, ok=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "오류" in proc.stderr and "해결 방법" in proc.stderr
