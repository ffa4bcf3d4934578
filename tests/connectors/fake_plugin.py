"""A third-party connector plugin for the tests, registered through the ``openkamp_connectors``
hook like any installed plugin: it produces points, can crash, and reports what it got acked."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

from openkamp.connectors import Connector, ConnectorConfig, ConnectorContext, Secret
from openkamp.connectors.base import points_table
from openkamp.plugins import hookimpl

#: What producers saw, by connection name: acked point count, run start times, errors.
LOG: dict[str, dict[str, Any]] = {}
LOCK = threading.Lock()


def log_of(name: str) -> dict[str, Any]:
    with LOCK:
        return LOG.setdefault(name, {"acked": 0, "acked_ts": [], "starts": [], "runs": 0})


class Producer(Connector):
    """Writes ``batches`` batches of ``batch`` points of one signal, one microsecond apart from
    ``start_us`` (then waits to be stopped); crashes on its first ``crash_runs`` runs."""

    kind: ClassVar[str] = "test_producer"
    title: ClassVar[dict[str, str]] = {"ko": "시험 생산기", "en": "Test producer"}

    class Config(ConnectorConfig):
        equipment: str
        signal: str
        start_us: int = 1_780_000_000_000_000
        batch: int = 100
        batches: int = 10
        crash_runs: int = 0
        bad_per_batch: int = 0  # NaN values written with each batch (rejected, counted)
        password: Secret = ""

    async def run(self, ctx: ConnectorContext) -> None:
        cfg = self.config
        assert isinstance(cfg, Producer.Config)
        log = log_of(ctx.name)
        with LOCK:
            log["starts"].append(time.monotonic())
            log["runs"] += 1
            run = log["runs"]
        if run <= cfg.crash_runs:
            raise RuntimeError(f"crash {run} (password {cfg.password})")
        eq = await ctx.equipment(cfg.equipment)
        sid = await ctx.signal(eq, cfg.signal)
        assert sid is not None
        for b in range(cfg.batches):
            if ctx.stopping.is_set():
                return
            t0 = cfg.start_us + b * cfg.batch
            ts = list(range(t0, t0 + cfg.batch))
            values = [float(t % 1000) for t in ts]
            ids = [sid] * cfg.batch
            if cfg.bad_per_batch:
                ids += [sid] * cfg.bad_per_batch
                ts += [t0 + cfg.batch + 10**9 + i for i in range(cfg.bad_per_batch)]
                values += [float("nan")] * cfg.bad_per_batch
            stored = await ctx.write(points_table(ids, ts, values))
            with LOCK:
                log["acked"] += stored
                log["acked_ts"].extend(ts[: cfg.batch])
        await ctx.stopping.wait()


class Broken(Connector):
    """Always fails at once (restarts with backoff, counted)."""

    kind: ClassVar[str] = "test_broken"

    async def run(self, ctx: ConnectorContext) -> None:
        log = log_of(ctx.name)
        with LOCK:
            log["starts"].append(time.monotonic())
        raise ConnectionRefusedError("no server")


@hookimpl
def openkamp_connectors() -> list[Any]:
    return [Producer, Broken]
