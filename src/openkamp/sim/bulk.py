"""A fast writer of large wide CSV files of sensor-like data, for ingest and storage benchmarks.

The files look like a data logger's export: ``timestamp`` (``YYYY-MM-DD HH:MM:SS``, milliseconds
only when the period has them) and then ``sig_00``, ``sig_01``, … (see :func:`signal_names`).
Each signal wanders smoothly inside its own band (a random walk reflected at the band's edges, so
it never drifts off however long the file) with a little sensor noise, rounded to 3 decimals.

Memory stays bounded by ``chunk_rows``: the main thread draws a chunk (numpy, sequential from one
seeded generator, so the same seed always gives the same file), worker threads encode chunks to
CSV with Arrow (which releases the GIL), and the main thread writes them in order with at most a
few chunks in flight.
"""

from __future__ import annotations

import os
import pathlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

import numpy as np
import pyarrow as pa

from openkamp.core.errors import InvalidInput
from openkamp.sim.export import check_encoding, csv_body, csv_header

DEFAULT_START = datetime(2024, 1, 1)
_BLOCK_ROWS = 16_384  # rows drawn from one generator; a multiple of _KNOT
_KNOT = 16  # rows between the random walk's knots


def signal_names(signals: int) -> list[str]:
    """Column names of the signals: ``sig_00`` … (zero-padded to at least two digits)."""
    width = max(2, len(str(max(signals - 1, 0))))
    return [f"sig_{i:0{width}d}" for i in range(signals)]


def write_wide_csv(
    path: str | os.PathLike[str],
    rows: int,
    signals: int = 20,
    start: datetime = DEFAULT_START,
    period_s: float = 1.0,
    seed: int = 0,
    encoding: str = "utf-8",
    chunk_rows: int = 200_000,
    progress: Callable[[int, int], None] | None = None,
) -> pathlib.Path:
    """Write ``rows`` data rows of ``timestamp`` and ``signals`` columns to ``path``; return it.

    ``start`` is written as its wall-clock time (a time zone, if any, is not written).
    ``period_s`` is rounded to whole milliseconds. ``progress(rows_written, rows)`` is called
    after each chunk is written.
    """
    if rows < 0 or signals < 1 or chunk_rows < 1 or not period_s >= 0.001:
        raise InvalidInput(
            "rows must be >= 0, signals and chunk_rows >= 1, period_s >= 0.001 "
            f"(got rows={rows}, signals={signals}, chunk_rows={chunk_rows}, period_s={period_s})."
        )
    check_encoding(encoding)
    out = pathlib.Path(path)
    rng = np.random.default_rng([seed, 0])
    # Each signal has its own level, band and noise, so columns do not all look alike.
    level = rng.uniform(10.0, 500.0, (signals, 1))
    band = level * rng.uniform(0.02, 0.15, (signals, 1))
    step = rng.uniform(0.01, 0.04, (signals, 1))  # walk step per knot, as a fraction of the band
    noise = band * rng.uniform(0.002, 0.01, (signals, 1))
    walk = rng.uniform(-1.0, 1.0, signals)

    t0 = np.datetime64(start.replace(tzinfo=None), "ms")
    period_ms = round(period_s * 1000.0)
    unit = "s" if period_ms % 1000 == 0 and t0 == t0.astype("datetime64[s]") else "ms"
    names = signal_names(signals)
    ramp = np.arange(_KNOT, dtype=np.float64) / _KNOT

    def encode(first: int, n: int, knots: list[tuple[int, np.ndarray]]) -> list[bytes]:
        # Block by block, so a task's working memory is its CSV text plus one small block.
        out = []
        for b, k in knots:
            lo = b * _BLOCK_ROWS
            m = min(_BLOCK_ROWS, first + n - lo)
            # Linear between knots, then folded into [-1, 1] (a reflected walk: bounded, smooth).
            walked = (k[:, :-1, None] + (k[:, 1:, None] - k[:, :-1, None]) * ramp).reshape(
                signals, -1
            )[:, :m]
            folded = np.abs(walked - 4.0 * np.floor((walked + 1.0) * 0.25) - 1.0) - 1.0
            jitter = np.random.default_rng([seed, b, 1]).standard_normal(
                (signals, _BLOCK_ROWS), np.float32
            )[:, :m]
            values = level + band * folded + noise * jitter
            ts = t0 + np.arange(lo, lo + m, dtype=np.int64) * np.timedelta64(period_ms, "ms")
            cols = [pa.array(ts.astype(f"datetime64[{unit}]"))]
            cols += [_decimal3(values[j]) for j in range(signals)]
            out.append(csv_body(pa.table(cols, names=["timestamp", *names]), encoding))
        return out

    per_task = max(1, -(-chunk_rows // _BLOCK_ROWS)) * _BLOCK_ROWS
    workers = max(1, min(4, os.cpu_count() or 1))
    pending: deque[tuple[int, Future[list[bytes]]]] = deque()
    written = 0
    with out.open("wb") as fh, ThreadPoolExecutor(workers) as pool:

        def drain() -> None:
            nonlocal written
            n, future = pending.popleft()
            fh.writelines(future.result())
            written += n
            if progress is not None:
                progress(written, rows)

        fh.write(csv_header(["timestamp", *names], encoding))
        for first in range(0, rows, per_task):
            n = min(per_task, rows - first)
            knots = []
            # The walk's knots are drawn block by block from per-block generators and carried in
            # order, so the file does not depend on chunk_rows; the rest runs in the workers.
            for b in range(first // _BLOCK_ROWS, -(-(first + n) // _BLOCK_ROWS)):
                steps = np.random.default_rng([seed, b]).standard_normal(
                    (signals, _BLOCK_ROWS // _KNOT)
                )
                k = np.concatenate(
                    [walk[:, None], walk[:, None] + np.cumsum(steps * step, axis=1)], 1
                )
                walk = k[:, -1]
                knots.append((b, k))
            pending.append((n, pool.submit(encode, first, n, knots)))
            while len(pending) > workers:
                drain()
        while pending:
            drain()
    return out


def _decimal3(values: np.ndarray) -> pa.Array:
    """``values`` rounded to 3 decimals as an Arrow decimal array.

    Arrow prints decimals far faster than doubles (no shortest-representation search), and a fixed
    three decimals is what a logger's export looks like. The 128-bit unscaled integers are built
    directly: low word = the value in thousandths, high word = its sign extension.
    """
    milli = np.round(values * 1000.0).astype(np.int64)
    words = np.empty((milli.size, 2), dtype=np.int64)
    words[:, 0] = milli
    words[:, 1] = milli >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 3), milli.size, [None, pa.py_buffer(words)])
