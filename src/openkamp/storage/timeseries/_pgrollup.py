"""Roll-up tiers of the PostgreSQL time-series store, kept in the writing transaction.

``ts_rollup_minute`` and ``ts_rollup_hour`` hold one row per signal and bucket (count, min, max,
sum, the last value and its time), key ``(org_id, signal_id, bucket)``, at fillfactor 50: a live
source updates its signals' rows at every write, and room on the page keeps those updates HOT
(no new index entry). New points are added (:func:`add`, and the new points of a merge in
:func:`after_merge`): counts and sums add, min, max and last combine, exact because the points are
new. Buckets whose points changed value or were deleted are recomputed (:func:`recompute`:
minutes from the raw points, hours from their minutes where the minute tier still holds the
hour); where retention dropped the raw points (``ts_horizons``), a change adjusts the sum and
the last and widens min and max, as the interface says. The functions run inside the caller's
transaction, on the connection's staging tables (``_okt_r``, ``_okt_a``, ``_okt_k``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from openkamp.storage.timeseries._pgcopy import copy_in
from openkamp.storage.timeseries._pgsql import LAST, where
from openkamp.storage.timeseries.base import TIER_WIDTH, floor_to, to_utc

#: Roll-up tiers: table and the unit of its buckets (date_trunc and interval).
ROLLUPS: dict[str, tuple[str, str]] = {
    "minute": ("ts_rollup_minute", "minute"),
    "hour": ("ts_rollup_hour", "hour"),
}
_MINUTE_US = 60_000_000
_HOUR_US = 3_600_000_000
#: Joins a point of ``_okt_a a`` to its signal's raw horizon ``h`` (one parameter: the org).
_RAW_HORIZON = (
    "LEFT JOIN ts_horizons h ON h.org_id = %s AND h.signal_id = a.signal_id AND h.tier = 'raw'"
)
#: A point of ``_okt_a a`` that was stored with another value.
_MOVED = "a.old IS NOT NULL AND a.old IS DISTINCT FROM a.new"
_ADD_ROLLUP = """
    ON CONFLICT (org_id, signal_id, bucket) DO UPDATE SET
        n = r.n + excluded.n, vsum = r.vsum + excluded.vsum,
        vmin = least(r.vmin, excluded.vmin), vmax = greatest(r.vmax, excluded.vmax),
        vlast = CASE WHEN excluded.last_ts > r.last_ts THEN excluded.vlast ELSE r.vlast END,
        last_ts = greatest(r.last_ts, excluded.last_ts)"""


def aggregate(sig: Any, ts: Any, val: Any, width: int) -> dict[str, np.ndarray]:
    """Per (signal, bucket of ``width`` µs): count, min, max, sum, last time and value, of points
    in runs per signal in time order."""
    bucket = ts - ts % width
    cut = np.flatnonzero(np.r_[True, (sig[1:] != sig[:-1]) | (bucket[1:] != bucket[:-1])])
    last = np.r_[cut[1:], len(sig)] - 1
    return {
        "signal_id": sig[cut], "bucket": bucket[cut], "n": np.diff(np.r_[cut, len(sig)]),
        "vmin": np.minimum.reduceat(val, cut), "vmax": np.maximum.reduceat(val, cut),
        "vsum": np.add.reduceat(val, cut), "last_ts": ts[last], "vlast": val[last],
    }  # fmt: skip


def coarsen(agg: dict[str, np.ndarray], width: int) -> dict[str, np.ndarray]:
    """Aggregates (in runs per signal, bucket order) combined into buckets of ``width`` µs."""
    sig, bucket = agg["signal_id"], agg["bucket"] - agg["bucket"] % width
    cut = np.flatnonzero(np.r_[True, (sig[1:] != sig[:-1]) | (bucket[1:] != bucket[:-1])])
    last = np.r_[cut[1:], len(sig)] - 1
    return {
        "signal_id": sig[cut], "bucket": bucket[cut], "n": np.add.reduceat(agg["n"], cut),
        "vmin": np.minimum.reduceat(agg["vmin"], cut),
        "vmax": np.maximum.reduceat(agg["vmax"], cut), "vsum": np.add.reduceat(agg["vsum"], cut),
        "last_ts": agg["last_ts"][last], "vlast": agg["vlast"][last],
    }  # fmt: skip


def add(cur: Any, org: int, sig: Any, ts: Any, val: Any) -> None:
    """Add new points' per-bucket aggregates to both tiers (numpy arrays of points in runs per
    signal in time order): one COPY, one statement upserting both tiers."""
    minute = aggregate(sig, ts, val, _MINUTE_US)
    hour = coarsen(minute, _HOUR_US)
    cols = ("signal_id", "bucket", "n", "vmin", "vmax", "vsum", "last_ts", "vlast")
    merged = {c: np.concatenate([minute[c], hour[c]]) for c in cols}
    tier = np.r_[np.zeros(len(minute["n"]), np.int16), np.ones(len(hour["n"]), np.int16)]
    order = np.lexsort((merged["bucket"], merged["signal_id"], tier))  # lock rows in order
    types = ("int4", "timestamptz", "int8", "float8", "float8", "float8", "timestamptz")
    copy_in(
        cur,
        "COPY _okt_r FROM STDIN (FORMAT BINARY)",
        [("int2", tier[order]), *((t, merged[c][order]) for t, c in zip(
            (*types, "float8"), cols, strict=True))],
    )  # fmt: skip
    add = (
        "INSERT INTO {} AS r SELECT %s, signal_id, bucket, n, vmin, vmax, vsum, last_ts, "
        f"vlast FROM _okt_r WHERE tier = {{}} {_ADD_ROLLUP}"
    )
    minutes, hours = (add.format(table, k) for k, (table, _) in enumerate(ROLLUPS.values()))
    cur.execute(f"WITH m AS ({minutes} RETURNING 1) {hours}", [org, org])  # one round trip


def after_merge(cur: Any, org: int, changed: bool) -> None:
    """Roll-ups for the points in ``_okt_a``: new ones (``old`` null) are added; buckets
    whose points changed value are recomputed, or adjusted where retention has dropped
    their raw points (beyond the raw horizon nothing is left to recompute them from)."""
    for table, unit in ROLLUPS.values():
        cur.execute(
            f"INSERT INTO {table} AS r SELECT %s, signal_id, date_trunc('{unit}', ts, 'UTC') "
            f"AS b, count(*), min(new), max(new), sum(new), max(ts), "
            f"{LAST.format(ts='ts', v='new')} FROM _okt_a WHERE old IS NULL "
            f"GROUP BY signal_id, b ORDER BY signal_id, b {_ADD_ROLLUP}",
            [org],
        )
        if not changed:
            continue
        # An hour is recomputed from its minutes when the minute tier still holds it all.
        from_minutes = (
            "date_trunc('hour', a.ts, 'UTC') >= coalesce(m.before, '-infinity')"
            if unit == "hour"
            else "false"
        )
        cur.execute(
            f"INSERT INTO _okt_k SELECT DISTINCT a.signal_id, "
            f"date_trunc('{unit}', a.ts, 'UTC'), {from_minutes} FROM _okt_a a {_RAW_HORIZON} "
            "LEFT JOIN ts_horizons m ON m.org_id = %s AND m.signal_id = a.signal_id "
            f"AND m.tier = 'minute' WHERE {_MOVED} AND a.ts >= coalesce(h.before, '-infinity')",
            [org, org],
        )
        recompute(cur, org, table, unit)
        cur.execute(
            f"""UPDATE {table} r SET vsum = r.vsum + d.dsum, vmin = least(r.vmin, d.mn),
                    vmax = greatest(r.vmax, d.mx),
                    vlast = CASE WHEN d.mts = r.last_ts THEN d.mlast ELSE r.vlast END
                FROM (SELECT a.signal_id, date_trunc('{unit}', a.ts, 'UTC') AS bucket,
                             sum(a.new - a.old) AS dsum, min(a.new) AS mn, max(a.new) AS mx,
                             max(a.ts) AS mts, {LAST.format(ts="a.ts", v="a.new")} AS mlast
                      FROM _okt_a a {_RAW_HORIZON}
                      WHERE {_MOVED} AND a.ts < coalesce(h.before, '-infinity')
                      GROUP BY 1, 2) d
                WHERE r.org_id = %s AND r.signal_id = d.signal_id AND r.bucket = d.bucket""",
            [org, org],
        )


def recompute(cur: Any, org: int, table: str, unit: str) -> None:
    """Replace the aggregates of the buckets in ``_okt_k`` by aggregating what they hold now:
    the raw points, or (``from_minutes``) the minute tier's rows of the hour. A bucket left
    with nothing disappears. Empties ``_okt_k``."""
    cur.execute(
        f"DELETE FROM {table} r USING _okt_k k WHERE r.org_id = %s "
        "AND r.signal_id = k.signal_id AND r.bucket = k.bucket",
        [org],
    )
    if cur.rowcount:
        cur.execute(
            f"INSERT INTO {table} SELECT %s, p.signal_id, k.bucket, count(*), min(p.value), "
            f"max(p.value), sum(p.value), max(p.ts), {LAST.format(ts='p.ts', v='p.value')} "
            "FROM _okt_k k JOIN ts_points p ON p.org_id = %s AND p.signal_id = k.signal_id "
            f"AND p.ts >= k.bucket AND p.ts < k.bucket + interval '1 {unit}' "
            "WHERE NOT k.from_minutes GROUP BY p.signal_id, k.bucket",
            [org, org],
        )
        cur.execute(
            f"INSERT INTO {table} SELECT %s, m.signal_id, k.bucket, sum(m.n), min(m.vmin), "
            f"max(m.vmax), sum(m.vsum), max(m.last_ts), "
            f"{LAST.format(ts='m.last_ts', v='m.vlast')} FROM _okt_k k "
            "JOIN ts_rollup_minute m ON m.org_id = %s AND m.signal_id = k.signal_id "
            "AND m.bucket >= k.bucket AND m.bucket < k.bucket + interval '1 hour' "
            "WHERE k.from_minutes GROUP BY m.signal_id, k.bucket",
            [org, org],
        )
    cur.execute("DELETE FROM _okt_k")


def after_delete(
    cur: Any,
    org: int,
    ids: list[int] | None,
    start: datetime | None,
    end: datetime | None,
) -> None:
    """Raw points of ``[start, end)`` were deleted: drop the aggregates of buckets wholly
    inside, recompute the (at most two) buckets cut by the bounds from what is left."""
    for tier, (table, unit) in ROLLUPS.items():
        width = TIER_WIDTH[tier]  # type: ignore[index]
        lo = None if start is None else floor_to(start, width)
        if lo is not None and start is not None and lo < to_utc(start):  # type: ignore[operator]
            lo += width
        hi = None if end is None else floor_to(end, width)
        if lo is None or hi is None or hi > lo:
            cond, params = where("signal_id", org, ids, lo, hi, time="bucket")
            cur.execute(f"DELETE FROM {table} WHERE {cond}", params)
        edges = sorted(
            {
                floor_to(b, width)
                for b in (start, end)
                if b is not None and floor_to(b, width) != to_utc(b)
            }
        )
        if not edges:
            continue
        cond, params = where("r.signal_id", org, ids, None, None)
        cur.execute(
            f"""INSERT INTO _okt_k SELECT DISTINCT r.signal_id, r.bucket, false
                FROM {table} r LEFT JOIN ts_horizons h ON h.org_id = r.org_id
                     AND h.signal_id = r.signal_id AND h.tier = 'raw'
                WHERE {cond.replace("org_id", "r.org_id", 1)}
                  AND r.bucket = ANY(%s::timestamptz[])
                  AND r.bucket >= coalesce(h.before, '-infinity')""",
            [*params, edges],
        )
        recompute(cur, org, table, unit)
