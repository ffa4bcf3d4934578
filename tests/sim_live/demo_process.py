"""``openkamp demo --serve`` as a user runs it (what ``./kamp demo`` runs): a real process on a
data folder, its console collected, its address and first login read from what it prints."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from openkamp.sim.live.mosquitto import free_port


@dataclass
class DemoProcess:
    proc: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    @property
    def password(self) -> str | None:
        found = re.search(r"admin / (\S+)", self.text)
        return found.group(1) if found else None

    @property
    def broker_port(self) -> int:
        found = re.findall(r"mqtt://127\.0\.0\.1:(\d+)", self.text)
        assert found, self.text
        return int(found[-1])

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30.0) -> int:
        """Send ``sig`` (SIGINT: Ctrl+C) and wait for the end; the exit status."""
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def start_demo(data: Path, *args: str, timeout: float = 120.0) -> DemoProcess:
    """Run ``openkamp demo --days 1 --no-models --serve`` (``args`` instead of the defaults) on
    ``data`` and wait until it serves."""
    port = free_port()
    env = {**os.environ, "OPENKAMP_DATA_DIR": str(data), "OPENKAMP_PORT": str(port),
           "OPENKAMP_HOST": "127.0.0.1", "OPENKAMP_PASSWORD_HASH_MEMORY_KIB": "1024",
           "OPENKAMP_PASSWORD_HASH_TIME_COST": "1", "COLUMNS": "400"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "openkamp.cli.main", "demo",
         *(args or ("--days", "1", "--no-models")), "--serve"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=data.parent,
    )  # fmt: skip
    out = DemoProcess(proc, f"http://127.0.0.1:{port}")
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: out.lines.extend(iter(stdout.readline, "")),
                     daemon=True).start()  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(out.url + "/api/v1/health", timeout=1).status_code == 200:
                return out
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"the demo did not start:\n{out.text}")
        time.sleep(0.2)


def listening(port: int) -> bool:
    """Whether something accepts connections on the loopback ``port``."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
