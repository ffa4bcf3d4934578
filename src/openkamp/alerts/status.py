"""The state of each machine: is its data fresh, are readings inside their limits, how did
today's production go against the usual, and which alerts are open.

Everything here is bounded so the overview stays fast whatever the history holds: one "latest
value" query for all signals (cheap: the store reads only from its high-water marks), and per
machine a few small windowed queries (the signal's usual spacing from its last points, a
48-bucket trend of its last day of data, eight days of labels) whose answers are cached under
the machine's latest timestamp, so they are computed again only when new data arrives.

The trend and the daily counts read the roll-up tier the query layer picks for charts
(:func:`openkamp.query.tier_for`): a day in 48 half-hour buckets comes from the per-minute
aggregates (1,440 rows per signal instead of 86,400 points of a 1 Hz sensor, and still there once
retention has dropped the raw points), a signal's daily point counts from the per-hour ones (the
labels' daily counts are records, not roll-ups). The windows start on whole minutes (hours, for
the local days), so the tiers answer exactly what the raw points would.

**Fresh or stale** is judged against each machine's own rhythm: its usual spacing is the
median gap between its last points (a per-shot machine's cycle time, a sensor's sampling
period); data is stale when the newest point is older than ``STALE_FACTOR`` usual spacings
(at least ``STALE_MIN_S``), so a machine logging a shot every 42 s is stale after 14 minutes
without one and a 1 Hz sensor after five minutes.
"""

from __future__ import annotations

import itertools
import statistics
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openkamp.alerts.service import AlertService, is_defect
from openkamp.core.assets import LabelColumn, Node, Signal
from openkamp.core.tenancy import Principal
from openkamp.query import tier_of, tiered_downsample
from openkamp.storage.timeseries.base import TimeSeriesStore

STALE_FACTOR = 20
STALE_MIN_S = 300.0
TREND_BUCKETS = 48
TREND_SPAN = timedelta(days=1)
#: How many previous days make "the usual" (their median).
USUAL_DAYS = 7
LEVELS = ("critical", "warning", "ok", "nodata")


class _Cache:
    """A small thread-safe LRU of computed facts keyed by what they depend on."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._flights: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: Any, value: Any) -> Any:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The cached value, or ``compute()`` once: requests arriving while it runs wait for
        it instead of each running the same queries (fifty first views after a restart)."""
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            found = self.get(key)
            if found is None:
                found = self.put(key, compute())
        with self._lock:
            self._flights.pop(key, None)
        return found


_caches: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache_of(owner: Any) -> _Cache:
    """The cache of one store (or service): facts keyed by organisation and record ids hold
    only for the data they were read from, and two platforms in one process (tests, a CLI beside
    a server) number their records alike."""
    with _caches_lock:
        found = _caches.get(owner)
        if found is None:
            found = _caches[owner] = _Cache()
        return found


def usual_spacing(
    ts: TimeSeriesStore, org_id: int, signal_id: int, last: datetime | None
) -> float | None:
    """The median gap in seconds between a signal's last points (None without two points).

    Reads at most 2,000 points before ``last`` (its newest time): an hour first, widened to a
    day and a month for sparse signals. Cached under ``last``.
    """
    if last is None:
        return None

    def compute() -> float:
        end = last + timedelta(microseconds=1)
        for window in (timedelta(hours=1), timedelta(days=1), timedelta(days=31)):
            tbl = ts.read(org_id, [signal_id], end - window, end, limit=2000)
            times = tbl.column("ts").to_pylist()
            if len(times) >= 3 or window == timedelta(days=31):
                gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
                gaps = [g for g in gaps if g > 0]
                return float(statistics.median(gaps)) if gaps else 0.0
        return 0.0

    spacing = float(_cache_of(ts).get_or_compute(("spacing", org_id, signal_id, last), compute))
    return spacing or None


@dataclass
class SignalState:
    id: int
    name: str
    label: str
    unit: str
    value: float | None
    ts: datetime | None
    low: float | None
    high: float | None
    #: the latest value is outside the declared limits
    outside: bool = False
    #: trend buckets (of the machine's last day of data) whose min or max broke a limit
    breaches: int = 0
    trend: list[float | None] = field(default_factory=list)


@dataclass
class Production:
    """Counts of one local day against the median of the days before it."""

    day: date
    today: bool
    count: int
    defects: int | None
    usual_count: float | None
    usual_rate: float | None
    days: list[tuple[date, int, int | None]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return None if self.defects is None or not self.count else self.defects / self.count

    @property
    def trend(self) -> list[float]:
        """Daily counts for a sparkline, from the first day with production."""
        counts = [float(d[1]) for d in self.days]
        while len(counts) > 1 and counts[0] == 0:
            counts.pop(0)
        return counts

    @property
    def rate_high(self) -> bool:
        """Clearly above the usual defect rate (1.5× and at least one point more)."""
        if self.rate is None or self.usual_rate is None or self.count < 20:
            return False
        return self.rate > max(1.5 * self.usual_rate, self.usual_rate + 0.01)


@dataclass
class MachineState:
    id: int
    name: str
    label: str
    path: str
    last_ts: datetime | None
    age_s: float | None
    spacing_s: float | None
    stale: bool
    signals: list[SignalState]
    labels: list[str]
    production: Production | None
    alerts: list[dict[str, Any]]
    level: str = "ok"
    reasons: list[str] = field(default_factory=list)
    #: the store tier the signals' trend was read from (raw, minute or hour)
    trend_tier: str = "raw"


def _display(item: Any, lang: str) -> str:
    own = getattr(item, f"name_{lang}", "") or ""
    return str(own or getattr(item, "name_en", "") or getattr(item, "name_ko", "") or item.name)


def _day_counts(
    ts: TimeSeriesStore,
    org_id: int,
    column: LabelColumn | None,
    signal: Signal | None,
    last: datetime,
    tz: ZoneInfo,
) -> list[tuple[date, int, int | None]]:
    """(local day, count, defects) for the day of ``last`` and the ``USUAL_DAYS`` before it:
    label records and their defects of the pass / fail ``column`` (with ``signal`` instead: its
    points per day, without defects)."""
    local_last = last.astimezone(tz)
    day0 = datetime.combine(local_last.date(), datetime.min.time(), tzinfo=tz)
    start = day0 - timedelta(days=USUAL_DAYS)
    end = day0 + timedelta(days=1)
    days = [(start + timedelta(days=i)).date() for i in range(USUAL_DAYS + 1)]
    counts = dict.fromkeys(days, 0)
    defects: dict[date, int] | None = None
    if column is not None:
        tbl = ts.read_labels(org_id, [column.id], start.astimezone(UTC), end.astimezone(UTC))
        defects = dict.fromkeys(days, 0)
        for t, v in zip(tbl.column("ts").to_pylist(), tbl.column("value").to_pylist(), strict=True):
            d = t.astimezone(tz).date()
            if d in counts:
                counts[d] += 1
                defects[d] += int(is_defect(v))
    elif signal is not None:
        # Daily point counts: one downsample bucket per local day (days are 24 h long here;
        # a daylight-saving day would be off by an hour, and Korea has none).
        tbl = tiered_downsample(ts, org_id, [signal.id], start, end, USUAL_DAYS + 1)
        for b, n in zip(
            tbl.column("bucket").to_pylist(), tbl.column("count").to_pylist(), strict=True
        ):
            if 0 <= b < len(days):
                counts[days[b]] = int(n)
    return [(d, counts[d], None if defects is None else defects[d]) for d in days]


def _production(days: list[tuple[date, int, int | None]], today: date) -> Production | None:
    if not days or days[-1][1] == 0:
        return None
    previous = [d for d in days[:-1] if d[1] > 0]
    day, count, defects = days[-1]
    usual_count = statistics.median([d[1] for d in previous]) if previous else None
    rates = [d[2] / d[1] for d in previous if d[2] is not None and d[1]]
    return Production(
        day=day,
        today=day == today,
        count=count,
        defects=defects,
        usual_count=usual_count,
        usual_rate=statistics.median(rates) if rates else None,
        days=days,
    )


def pass_fail_column(columns: Sequence[LabelColumn]) -> LabelColumn | None:
    """The machine's pass / fail column: one whose categories include a defect value."""
    for c in columns:
        if any(is_defect(v) for v in c.categories):
            return c
    return next((c for c in columns if c.name in ("pass_fail", "ok_ng", "judgement")), None)


def machine_states(
    kamp: Any,
    principal: Principal,
    *,
    lang: str = "ko",
    now: datetime | None = None,
    alerts: Sequence[dict[str, Any]] | None = None,
    raise_stale: bool = True,
) -> list[MachineState]:
    """The state of every machine of the organisation, the ones needing attention first.

    ``alerts`` (the organisation's open alerts) is read when not given. With ``raise_stale``,
    a machine whose data went stale gets one ``stale`` alert per silent period (not again
    after it was acknowledged).
    """
    now = now or datetime.now(UTC)
    tz = ZoneInfo(kamp.settings.timezone)
    org = principal.org_id
    nodes: list[Node] = kamp.assets.list_nodes(principal)
    signals: list[Signal] = kamp.assets.list_signals(principal)
    columns: list[LabelColumn] = kamp.assets.list_label_columns(principal)
    service: AlertService = kamp.alerts
    if alerts is None:
        alerts = service.list(principal, status="open", limit=500)
    latest: dict[int, tuple[datetime, float]] = {}
    if signals:
        tbl = kamp.ts.latest(org, [s.id for s in signals])
        for sid, t, v in zip(
            tbl.column("signal_id").to_pylist(),
            tbl.column("ts").to_pylist(),
            tbl.column("value").to_pylist(),
            strict=True,
        ):
            latest[int(sid)] = (t, v)
    by_id = {n.id: n for n in nodes}
    records: dict[int, Any] = {}
    datasets = getattr(kamp, "datasets", None)
    if datasets is not None:
        for v in datasets.list(principal):  # the latest version of each, one query
            if v.equipment_id is not None and v.origin == "records":
                have = records.get(v.equipment_id)
                if have is None or (v.created_at or now) > (have.created_at or now):
                    records[v.equipment_id] = v

    def path(node: Node) -> str:
        parts = [node.name]
        parent = node.parent_id
        while parent is not None and parent in by_id:
            parts.append(by_id[parent].name)
            parent = by_id[parent].parent_id
        return "/".join(reversed(parts))

    out: list[MachineState] = []
    for node in nodes:
        if node.kind.value != "equipment":
            continue
        own = [s for s in signals if s.equipment_id == node.id]
        own_cols = [c for c in columns if c.equipment_id == node.id]
        times = [latest[s.id][0] for s in own if s.id in latest]
        last = max(times) if times else None
        state = MachineState(
            id=node.id, name=node.name, label=_display(node, lang), path=path(node),
            last_ts=last, age_s=None if last is None else (now - last).total_seconds(),
            spacing_s=None, stale=False, signals=[], labels=[_display(c, lang) for c in own_cols],
            production=None,
            alerts=[a for a in alerts if a["equipment_id"] == node.id],
        )  # fmt: skip
        if last is not None:
            lead = max((s for s in own if s.id in latest), key=lambda s: latest[s.id][0])
            state.spacing_s = usual_spacing(kamp.ts, org, lead.id, latest[lead.id][0])
            limit = max(STALE_FACTOR * (state.spacing_s or 0.0), STALE_MIN_S)
            state.stale = (state.age_s or 0.0) > limit
            trend, state.trend_tier = _trend(kamp.ts, org, own, last)
            # Production is counted where parts are judged (a pass / fail column): a sensor's
            # readings per day are not a production count.
            judged = pass_fail_column(own_cols)
            if judged is not None:
                days = _cached_days(kamp.ts, org, judged, None, last, tz)
                state.production = _production(days, now.astimezone(tz).date())
        else:
            trend = {}
        if state.production is None and node.id in records:
            # A machine whose parts come as a record table (one row per shot / part)
            days = _dataset_days(kamp, principal, records[node.id], tz)
            state.production = _production(days, now.astimezone(tz).date())
        for s in own:
            t, v = latest.get(s.id, (None, None))
            lo, hi = s.min_value, s.max_value
            buckets = trend.get(s.id, [])
            ss = SignalState(
                id=s.id, name=s.name, label=_display(s, lang), unit=s.unit, value=v, ts=t,
                low=lo, high=hi, trend=[b[2] for b in buckets],
            )  # fmt: skip
            if v is not None:
                ss.outside = (lo is not None and v < lo) or (hi is not None and v > hi)
            ss.breaches = sum(
                1 for b in buckets
                if (lo is not None and b[0] is not None and b[0] < lo)
                or (hi is not None and b[1] is not None and b[1] > hi)
            )  # fmt: skip
            state.signals.append(ss)
        _judge(state)
        out.append(state)
    if raise_stale:
        _raise_stale(kamp, principal, out)
    out.sort(key=lambda m: (LEVELS.index(m.level), m.path))
    return out


Buckets = dict[int, list[tuple[float | None, float | None, float | None]]]


def trend_window(last: datetime) -> tuple[datetime, datetime]:
    """The trend's ``[start, end)``: the day up to the end of the minute of ``last`` (whole
    minutes, so the per-minute tier answers exactly as the raw points)."""
    end = last.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    return end - TREND_SPAN, end


def _trend(
    ts: TimeSeriesStore, org: int, own: Sequence[Signal], last: datetime
) -> tuple[Buckets, str]:
    """(min, max, mean) of ``TREND_BUCKETS`` buckets of each signal's last day of data, and the
    tier they were read from."""
    if not own:
        return {}, "raw"

    def compute() -> tuple[Buckets, str]:
        start, end = trend_window(last)
        tbl = tiered_downsample(ts, org, [s.id for s in own], start, end, TREND_BUCKETS)
        out: Buckets = {s.id: [(None, None, None)] * TREND_BUCKETS for s in own}
        cols = [tbl.column(c).to_pylist() for c in ("signal_id", "bucket", "min", "max", "mean")]
        for sid, b, lo, hi, mean in zip(*cols, strict=True):
            if 0 <= b < TREND_BUCKETS:
                out[int(sid)][b] = (lo, hi, mean)
        return out, tier_of(tbl)

    found: tuple[Buckets, str] = _cache_of(ts).get_or_compute(
        ("trend", org, tuple(s.id for s in own), last), compute
    )
    return found


def _cached_days(
    ts: TimeSeriesStore,
    org: int,
    column: LabelColumn | None,
    signal: Signal | None,
    last: datetime,
    tz: ZoneInfo,
) -> list[tuple[date, int, int | None]]:
    key = ("days", org, column.id if column else None, signal.id if signal else None, last, str(tz))
    found: list[tuple[date, int, int | None]] = _cache_of(ts).get_or_compute(
        key, lambda: _day_counts(ts, org, column, signal, last, tz)
    )
    return found


def _dataset_days(
    kamp: Any, principal: Principal, version: Any, tz: ZoneInfo
) -> list[tuple[date, int, int | None]]:
    """Daily counts of a record dataset around its last day (a version never changes: its
    counts are cached for good)."""

    def compute() -> list[tuple[date, int, int | None]]:
        frame = kamp.datasets.daily_counts(principal, version.id, str(tz))
        out: list[tuple[date, int, int | None]] = []
        if len(frame):
            by_day = {
                d: (int(r), int(j), int(f))
                for d, r, j, f in zip(
                    frame["day"], frame["rows"], frame["judged"], frame["defects"], strict=True
                )
            }
            last = max(by_day)
            for i in range(USUAL_DAYS, -1, -1):
                d = last - timedelta(days=i)
                rows, judged, defects = by_day.get(d, (0, 0, 0))
                out.append((d, rows, defects if judged else None))
        return out

    key = ("dataset-days", principal.org_id, version.id, str(tz))
    found: list[tuple[date, int, int | None]] = _cache_of(kamp.datasets).get_or_compute(
        key, compute
    )
    return found


def _judge(state: MachineState) -> None:
    """The machine's level and the reasons for it (catalogue keys)."""
    reasons: list[str] = []
    level = "ok"
    if state.last_ts is None and state.production is None:
        state.level, state.reasons = "nodata", ["alerts.reason.nodata"]
        return
    if any(a["severity"] == "critical" for a in state.alerts):
        level = "critical"
        reasons.append("alerts.reason.critical")
    if any(s.outside for s in state.signals):
        level = "critical"
        reasons.append("alerts.reason.outside")
    if state.stale:
        reasons.append("alerts.reason.stale")
    if any(a["source"] in ("model", "defects") for a in state.alerts):
        reasons.append("alerts.reason.model")
    if state.production is not None and state.production.rate_high:
        reasons.append("alerts.reason.defect_rate")
    if any(s.breaches for s in state.signals) and "alerts.reason.outside" not in reasons:
        reasons.append("alerts.reason.breaches")
    if level == "ok" and (reasons or state.alerts):
        level = "warning"
    state.level, state.reasons = level, reasons


def _raise_stale(kamp: Any, principal: Principal, states: Sequence[MachineState]) -> None:
    stale = [m for m in states if m.stale and m.last_ts is not None]
    if not stale:
        return
    service: AlertService = kamp.alerts

    def episode_of(m: MachineState) -> str:
        assert m.last_ts is not None
        return m.last_ts.astimezone(UTC).isoformat()

    open_ones = {
        (a["equipment_id"], (a["detail"] or {}).get("episode", ""))
        for m in stale
        for a in m.alerts
        if a["source"] == "stale"
    }
    stale = [m for m in stale if (m.id, episode_of(m)) not in open_ones]
    if not stale:  # the usual case: each silent machine has its open alert already
        return
    known = service.known_episodes(principal, "stale")
    for m in stale:
        assert m.last_ts is not None
        episode = m.last_ts.astimezone(UTC).isoformat()
        if (m.id, episode) in known:
            continue
        hours = round((m.age_s or 0.0) / 3600, 1)
        alert = service.raise_alert(
            principal,
            source="stale",
            severity="warning",
            title=f"{m.path}: no new data since {episode} ({hours} h)",
            key="alerts.text.stale",
            params={"since": episode, "hours": hours},
            equipment_id=m.id,
            first_at=m.last_ts,
            last_at=m.last_ts,
            episode=episode,
        )
        m.alerts.append(alert)
        _judge(m)
