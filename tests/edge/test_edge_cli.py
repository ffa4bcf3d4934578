"""``openkamp edge status`` and ``edge run``'s refusals, in Korean and English."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from openkamp.connectors.base import points_table
from openkamp.edge.queue import DiskQueue


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openkamp.cli.main", "-d", str(data), *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def test_status_shows_the_queue_rate_and_last_error(tmp_path: Path) -> None:
    data = tmp_path / "edge"
    idle = cli(data, "--lang", "ko", "edge", "status")
    assert idle.returncode == 0, idle.stderr
    assert "멈춤" in idle.stdout and "포인트 0개" in idle.stdout
    q = DiskQueue(data / "edge" / "queue.sqlite3")
    for i in range(3):
        k = np.arange(i * 1000, (i + 1) * 1000)
        q.append(1, points_table(np.ones(1000), 1_780_000_000_000_000 + k, k.astype(float)))
    q.close()

    def running_edge() -> None:  # as the edge writes it every second (fresh, its pid alive)
        (data / "edge" / "status.json").write_text(json.dumps({
            "remote": "http://kamp.example:8000", "pid": os.getpid(), "updated_at": time.time(),
            "forward": {"points_per_s": 1234.0, "sent_points": 5000,
                        "last_error": "ConnectionRefusedError: [Errno 111] Connection refused"},
        }))  # fmt: skip

    running_edge()
    ko = cli(data, "--lang", "ko", "edge", "status")
    assert ko.returncode == 0, ko.stderr
    assert "실행 중" in ko.stdout and "포인트 3,000개" in ko.stdout
    assert "초당 1,234 포인트" in ko.stdout and "Connection refused" in ko.stdout
    running_edge()
    en = cli(data, "--lang", "en", "edge", "status")
    assert "running" in en.stdout and "Queue: 3,000 points" in en.stdout
    js = cli(data, "edge", "status", "--json")
    assert json.loads(js.stdout)["queue"]["points"] == 3000


def test_a_bad_connections_file_is_refused_in_words(tmp_path: Path) -> None:
    bad = tmp_path / "c.json"
    bad.write_text('{"name": "x"}')
    out = cli(tmp_path / "edge", "--lang", "ko", "edge", "run", "--remote", "http://127.0.0.1:9",
              "--token", "t", "--connections", str(bad))  # fmt: skip
    assert out.returncode == 2
    text = out.stdout + out.stderr
    assert "연결 파일" in text and "Traceback" not in text
