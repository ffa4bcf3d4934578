"""Exporting stored values for people: a wide table, one column per signal, in local time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa


def wide_table(
    kamp: Any,
    principal: Any,
    signals: Sequence[int | str],
    start: datetime | None = None,
    end: datetime | None = None,
) -> pa.Table:
    """Raw points of ``signals`` pivoted to ``timestamp`` + a column per signal (local time)."""
    long = kamp.query.read(principal, signals, start, end)
    names = [s.name for s in kamp.query.signals(principal, signals)]
    if long.num_rows == 0:
        return pa.table(
            {
                "timestamp": pa.array([], pa.timestamp("us", tz=kamp.settings.timezone)),
                **{n: pa.array([], pa.float64()) for n in names},
            }
        )
    df = long.to_pandas().pivot_table(index="ts", columns="signal", values="value", aggfunc="last")
    df = df.reindex(columns=names)
    df.index = df.index.tz_convert(kamp.settings.timezone)
    df.index.name = "timestamp"
    return pa.Table.from_pandas(df.reset_index(), preserve_index=False)
