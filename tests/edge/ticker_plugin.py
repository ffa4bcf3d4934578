"""A test connector for the edge: counts 0, 1, 2 … as points of one signal (value k at time
T0 + k ms), and after every write that returned (the points are in the edge's queue: the
moment a source may be told they arrived) saves how far it got, fsync'd. Started again, it
goes on from there, as a source re-sends what was not acknowledged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from openkamp.connectors.base import Connector, ConnectorConfig, ConnectorContext, points_table
from openkamp.plugins import hookimpl

T0 = 1_780_000_000_000_000  # 2026-05-28, µs


class TickerConfig(ConnectorConfig):
    signal: str  # site/line/equipment/signal
    total: int
    batch: int = 1000
    period_s: float = 0.005
    state_file: str


def acked(path: str | Path) -> int:
    try:
        return int(Path(path).read_text() or 0)
    except (OSError, ValueError):
        return 0


class Ticker(Connector):
    kind: ClassVar[str] = "edge_ticker"
    Config: ClassVar[type[ConnectorConfig]] = TickerConfig

    async def run(self, ctx: ConnectorContext) -> None:
        cfg: Any = self.config
        eq, _, key = cfg.signal.rpartition("/")
        sid = await ctx.signal(await ctx.equipment(eq), key)
        assert sid is not None
        k = acked(cfg.state_file)
        while k < cfg.total and await ctx.sleep(cfg.period_s):
            n = min(cfg.batch, cfg.total - k)
            ks = np.arange(k, k + n, dtype=np.int64)
            await ctx.write(points_table(np.full(n, sid), T0 + ks * 1000, ks.astype(float)))
            k += n
            tmp = f"{cfg.state_file}.tmp"
            with open(tmp, "w") as f:
                f.write(str(k))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, cfg.state_file)
        await ctx.stopping.wait()


@hookimpl
def openkamp_connectors() -> list[Any]:
    return [Ticker]
