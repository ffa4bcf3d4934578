"""A coroutine cancelled while its points are being written (a connection stopped, a request
gone) must not stop the platform's one live writer: later writes, from every connection, still
complete, and the cancelled caller's points are stored anyway."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from openkamp.connectors.sink import Sink
from openkamp.storage.timeseries.base import POINT_SCHEMA


class SlowStore:
    """Counts what it is given; the first write takes a while."""

    def __init__(self) -> None:
        self.written: list[int] = []
        self.first = True
        self.lock = threading.Lock()

    def write(self, org_id: int, points: pa.Table) -> Any:
        if self.first:
            self.first = False
            time.sleep(0.3)
        with self.lock:
            self.written.append(points.num_rows)


def _points(n: int, start: int = 0) -> pa.Table:
    t0 = datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1e6
    return pa.table(
        {"signal_id": [1] * n, "ts": [int(t0) + start + i for i in range(n)],
         "value": [float(i) for i in range(n)]},
    ).cast(POINT_SCHEMA, safe=False)  # fmt: skip


def test_a_cancelled_writer_does_not_stop_the_sink() -> None:
    store = SlowStore()
    sink = Sink(store, capacity=1000, batch_points=100)  # type: ignore[arg-type]

    async def main() -> int:
        first = asyncio.create_task(sink.write_async(1, _points(10)))
        await asyncio.sleep(0.1)  # the writer is inside the slow write
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        return await asyncio.wait_for(sink.write_async(1, _points(5, 100)), timeout=5)

    try:
        assert asyncio.run(main()) == 5
        assert sorted(store.written) == [5, 10]  # the cancelled caller's points written too
    finally:
        sink.close(timeout=5)
