"""``openkamp demo --serve`` stopped the ways a user stops it: Ctrl+C ends its Mosquitto with it;
killed outright (SIGKILL: no clean-up runs) its broker ends too, and the next start on the same
data folder serves live data again, keeping the rules it made the first time."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
from tests.sim_live.demo_process import listening, start_demo

from openkamp.sim.live.mosquitto import broker_or_skip


def wait_for(cond: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_killed_then_started_again_then_stopped_with_ctrl_c(tmp_path: Path) -> None:
    broker_or_skip()
    data = tmp_path / "data"
    first = start_demo(data)
    port = first.broker_port
    assert listening(port)
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    wait_for(lambda: not listening(port), 10, "the killed demo's broker to end")

    again = start_demo(data, "--no-models")  # the stored demo is kept; the rules too
    try:
        assert "Traceback" not in again.text
        assert "기본 알림 규칙" not in again.text  # made the first time only
        assert again.broker_port != port
        client = httpx.Client(base_url=again.url, timeout=30)
        assert client.get("/api/v1/health").status_code == 200
    finally:
        code = again.stop(signal.SIGINT)  # Ctrl+C
    print(f"exit status after Ctrl+C: {code}")
    assert code in (0, 1, -signal.SIGINT, 130), again.text
    assert "Traceback" not in again.text, again.text
    wait_for(lambda: not listening(again.broker_port), 10, "the broker to stop with the demo")
