"""Helpers shared by the benchmark scripts: result tables, JSON output, timing, memory."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

OUT = Path(os.environ.get("OPENKAMP_BENCH_DIR", Path(__file__).parent / "out"))


def machine() -> dict[str, Any]:
    import duckdb
    import pyarrow

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        "platform": platform.platform(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> tuple[float, Any]:
    """Median wall time in seconds over ``repeat`` runs, after ``warmup`` runs; and a result."""
    result = None
    for _ in range(warmup):
        result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def emit_json(enabled: bool, payload: dict[str, Any]) -> None:
    """With --json, the last line printed is one JSON object."""
    if enabled:
        print(json.dumps(payload, default=str))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def platform_server(data_dir: Path) -> Iterator[tuple[str, int]]:
    """``uvicorn openkamp.api:create_app`` on ``data_dir`` in its own process (one worker, as
    ``openkamp serve`` runs it) on a free loopback port, once it answers ``/api/v1/health``;
    yields its base address and process id, and stops it on leaving."""
    import subprocess
    import sys

    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "openkamp.api:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-server-header"],
        env={**os.environ, "OPENKAMP_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
