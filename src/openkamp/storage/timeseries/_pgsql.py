"""SQL fragments and parameters shared by the PostgreSQL time-series store and its roll-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from openkamp.storage.timeseries.base import TS_TYPE, to_utc

#: A timestamptz from int8 µs since 1970 (exact: the product is a whole number below 2^53).
US = "(timestamptz 'epoch' + {} * interval '1 microsecond')"
#: The later value of a group: the greatest (epoch, value) pair. date_part's float8 epochs
#: stay distinct and ordered at microseconds until 2106.
LAST = "(max(array[date_part('epoch', {ts}), {v}]))[2]"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(dt: datetime) -> int:
    """An aware datetime as µs since 1970."""
    utc = to_utc(dt)
    assert utc is not None
    return (utc - _EPOCH) // timedelta(microseconds=1)


def int_array(values: Any) -> str:
    """Integers as a PostgreSQL array literal (``'{1,2,3}'``): a text parameter cast in SQL
    costs nothing, where psycopg's array adaptation takes a few µs a value."""
    return "{" + ",".join(map(str, np.asarray(values, dtype=np.int64).tolist())) + "}"


def datetimes(us: Any) -> list[datetime]:
    """µs since 1970 as aware datetimes (parameters)."""
    found: list[datetime] = pa.array(np.asarray(us, dtype=np.int64)).cast(TS_TYPE).to_pylist()
    return found


def ts_array(us: Any) -> pa.Array:
    """µs since 1970 as an Arrow timestamp column (TS_TYPE)."""
    return pa.array(np.asarray(us, dtype=np.int64), pa.int64()).cast(TS_TYPE)


def ids_of(ids: Sequence[int] | None) -> list[int] | None:
    """Distinct ids in order (None stays None: every one)."""
    return None if ids is None else sorted({int(i) for i in ids})


def where(
    key: str,
    org: int,
    ids: list[int] | None,
    start: datetime | None,
    end: datetime | None,
    time: str = "ts",
) -> tuple[str, list[Any]]:
    """A WHERE clause scoped to the organisation, with its parameters."""
    clauses: list[str] = ["org_id = %s"]
    params: list[Any] = [org]
    if ids is not None:
        clauses.append(f"{key} = ANY(%s::int8[])")
        params.append(int_array(ids))
    if start is not None:
        clauses.append(f"{time} >= %s")
        params.append(to_utc(start))
    if end is not None:
        clauses.append(f"{time} < %s")
        params.append(to_utc(end))
    return " AND ".join(clauses), params
