"""The alert engine: rules evaluated on live data as it arrives, one alert per episode.

The live path calls :meth:`AlertEngine.on_points` after every durable write (``Platform.live``'s
listeners, from the sink's writer thread). It only queues the batch and returns: a worker thread
scores it with the production models (:class:`~openkamp.ml.online.OnlineScoring`) and evaluates
the organisation's rules (:mod:`openkamp.alerts.rules`) on the points and scores, and every
``tick_s`` seconds on time (stale signals, offline machines: :meth:`tick`). Nothing here slows
ingest; when the queue is full (the engine cannot keep up) a batch is dropped and counted.

Each rule watches one or more *subjects* (a signal, a model on its machine, a machine) and keeps
per subject a small state machine: normal → pending (the condition holds, not yet ``for_s``
seconds) → active (fired: the episode's one alert is open) → normal again once the values are
back inside the clear levels for ``clear_for_s`` seconds (hysteresis). Durations are measured in
the data's own time (the points' timestamps), stale and offline rules on the wall clock. An active
episode is remembered in its alert (``detail.active``), so a restarted platform continues it
instead of raising it again.

Without a rule, a production anomaly model's own alarm (its threshold and alarm filter) raises
alerts too (a ``model`` alert per episode), so a machine that starts to misbehave is flagged
before anyone has written a rule; its episode ends after a minute without alarms (an alarm
that flickers during one fault stays one alert). A defect model alerts through a score rule only (every
predicted defect its own alert would bury the list; a rule says how long or how likely).

Every alert opened (and, for channels that ask, every episode ended) goes to ``notify`` (the
:class:`~openkamp.alerts.notify.Notifier`, which sends off this thread as well).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.alerts.rules import RuleConfig
from openkamp.alerts.service import AlertService, is_defect
from openkamp.alerts.worker import QueueWorker
from openkamp.storage.metadata.base import MetadataStore, Record

log = logging.getLogger(__name__)

__all__ = ["AlertEngine"]

#: A model's output a score rule reads when it names none, by the model's kind.
DEFAULT_OUTPUT = {"anomaly": "alarm", "classify": "defect", "regress": "prediction", "rul": "rul"}
SOURCE = {"score": "model", "limit": "limit", "rate": "rate", "stale": "stale",
          "offline": "offline"}  # fmt: skip
#: Signals named in an alert's explanation.
TOP = 3

Notify = Callable[[int, Record, str], None]


def _stamp(us: Any) -> pd.Timestamp:
    """A time from microseconds since the epoch (UTC)."""
    return pd.Timestamp(int(us), unit="us", tz="UTC")


def _us(index: Any) -> np.ndarray:
    """Times as int64 microseconds since the epoch (UTC)."""
    return np.asarray(pd.DatetimeIndex(index).as_unit("us").asi8, dtype=np.int64)


def _fmt(value: float) -> str:
    return f"{value:.4g}"


@dataclass
class _Rule:
    """A rule ready to evaluate (a stored one, or a production model's own alarm)."""

    key: str  # "r12" or "m7"
    id: int | None
    kind: str
    name: str
    severity: str
    config: RuleConfig
    equipment_id: int | None = None
    signal_ids: list[int] = field(default_factory=list)
    model_id: int | None = None
    output: str = ""


@dataclass
class _Episode:
    phase: str = "normal"  # normal | pending | active
    since: pd.Timestamp | None = None  # the condition's first bad reading
    clear_since: pd.Timestamp | None = None
    last_bad: pd.Timestamp | None = None
    alert_id: int | None = None
    count: int = 0
    peak: float = float("nan")
    drivers: Counter[str] = field(default_factory=Counter)


@dataclass
class _Signal:
    id: int
    name: str
    label: str
    equipment_id: int
    low: float | None
    high: float | None
    unit: str


@dataclass
class _Org:
    rules: list[_Rule]
    signals: dict[int, _Signal]
    machines: dict[int, str]
    watched: np.ndarray
    loaded: float
    episodes: dict[tuple[str, str], _Episode] = field(default_factory=dict)
    latest: dict[int, pd.Timestamp] = field(default_factory=dict)
    #: Signals this engine has had live points of (the others' newest time comes from the store).
    heard: set[int] = field(default_factory=set)
    previous: dict[int, tuple[pd.Timestamp, float]] = field(default_factory=dict)
    started: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz="UTC"))
    #: A limit rule's levels per signal (its own, else the signal's declared limits).
    levels: dict[tuple[str, int], RuleConfig | None] = field(default_factory=dict)


class AlertEngine:
    """Rules and online scoring on live data, for every organisation of one platform."""

    def __init__(
        self,
        meta: MetadataStore,
        alerts: AlertService,
        scoring: Any = None,
        *,
        notify: Notify | None = None,
        queue_batches: int = 1000,
        tick_s: float = 5.0,
        reload_s: float = 60.0,
    ) -> None:
        self.meta = meta
        self.alerts = alerts
        self.scoring = scoring  # OnlineScoring, or None: rules on points only
        self.notify = notify
        self.tick_s = tick_s
        self.reload_s = reload_s
        self._orgs: dict[int, _Org] = {}
        self._worker: QueueWorker[tuple[int, pa.Table]] = QueueWorker(
            "alert-engine", lambda item: self.process(*item), size=queue_batches,
            tick=self.tick, tick_s=tick_s,
        )  # fmt: skip
        self._lock = threading.Lock()  # one evaluation at a time (worker, tick, tests)
        self.batches = 0
        #: Rules on time run here (False: several ingest workers share the store and another
        #: process ticks for all; see openkamp.workers.roles).
        self.ticks = True

    # -- the live path's side: never blocks ----------------------------------------------------

    def on_points(self, org_id: int, points: pa.Table) -> None:
        """A durable batch of an organisation's points (``Platform.live`` listener): queued for
        the worker; returns at once."""
        if not self._worker.put((org_id, points)):
            log.warning("alert engine behind: a batch of %d points not evaluated", len(points))

    def start(self) -> bool:
        """Start the worker (rules on queued batches, ticks every ``tick_s``); False when it
        runs already."""
        return self._worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Evaluate what is queued, then stop the worker."""
        self._worker.stop(timeout)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued batch is evaluated; False on timeout."""
        return self._worker.flush(timeout)

    # -- evaluation ----------------------------------------------------------------------------

    def reload(self, org_id: int | None = None) -> None:
        """Read the rules (and production models) again before the next evaluation."""
        with self._lock:
            if org_id is None:
                self._orgs.clear()
            else:
                self._orgs.pop(org_id, None)
        if self.scoring is not None:
            self.scoring.reload(org_id)

    def process(self, org_id: int, points: pa.Table) -> None:
        """Evaluate one batch now (the worker's step; tests call it directly)."""
        with self._lock:
            self.batches += 1
            org = self._org(org_id)
            scores = self.scoring.score(org_id, points) if self.scoring is not None else []
            if len(org.watched) and len(points):
                mine = points.filter(pc.is_in(points["signal_id"], value_set=pa.array(org.watched)))
                if mine.num_rows:
                    self._points(org_id, org, mine)
            for s in scores:
                self._scores(org_id, org, s)

    def tick(self, now: datetime | None = None) -> None:
        """Rules on time: signals gone stale, machines offline (every ``tick_s`` seconds)."""
        if not self.ticks:
            return
        at = pd.Timestamp(now or datetime.now(UTC))
        at = at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")
        with self._lock:
            for org_rec in self.meta.list_orgs():
                org_id = int(org_rec["id"])
                org = self._orgs.get(org_id)
                if org is None:
                    if not self.meta.find(org_id, "alert_rule", enabled=1):
                        continue
                    org = self._org(org_id)
                self._stale(org_id, org, at)
                self._offline(org_id, org, at)

    def _org(self, org_id: int) -> _Org:
        org = self._orgs.get(org_id)
        if org is not None and time.monotonic() - org.loaded < self.reload_s:
            return org
        fresh = self._load(org_id)
        if org is not None:  # keep what the running episodes and signals hold
            fresh.episodes, fresh.latest, fresh.previous = org.episodes, org.latest, org.previous
            fresh.started, fresh.heard = org.started, org.heard
        else:
            self._resume(org_id, fresh)
        self._orgs[org_id] = fresh
        return fresh

    def _load(self, org_id: int) -> _Org:
        signals = {
            int(r["id"]): _Signal(
                id=int(r["id"]), name=r["name"],
                label=r.get("name_ko") or r.get("name_en") or r["name"],
                equipment_id=int(r["equipment_id"]), low=r.get("min_value"),
                high=r.get("max_value"), unit=r.get("unit") or "",
            )
            for r in self.meta.find(org_id, "signal")
        }  # fmt: skip
        machines = {
            int(r["id"]): str(r["name"]) for r in self.meta.find(org_id, "node", kind="equipment")
        }
        rules: list[_Rule] = []
        ruled_models: set[int] = set()
        for rec in self.meta.find(org_id, "alert_rule", enabled=1):
            try:
                rule = self._rule(rec, signals)
            except Exception:
                log.exception("alert rule %s cannot be evaluated", rec.get("name"))
                continue
            rules.append(rule)
            if rule.model_id is not None:
                ruled_models.add(rule.model_id)
        if self.scoring is not None:  # anomaly models' own alarms, where no rule reads them
            for om in self.scoring.models(org_id):
                mid = int(om.version.id)
                if mid in ruled_models or om.task != "anomaly":
                    continue
                rules.append(
                    _Rule(
                        key=f"m{mid}", id=None, kind="score", name=om.version.name,
                        severity="warning", config=RuleConfig(high=0.5, clear_for_s=60.0),
                        equipment_id=om.equipment_id, model_id=mid,
                        output=DEFAULT_OUTPUT[om.task],
                    )
                )  # fmt: skip
        watched = sorted({s for r in rules if r.kind != "score" for s in r.signal_ids})
        return _Org(rules, signals, machines, np.array(watched, dtype=np.int64), time.monotonic())

    def _rule(self, rec: Record, signals: dict[int, _Signal]) -> _Rule:
        config = RuleConfig.model_validate(rec["config"] or {})
        kind = rec["kind"]
        if rec.get("signal_id") is not None:
            ids = [int(rec["signal_id"])]
        elif rec.get("equipment_id") is not None and kind in ("limit", "rate", "stale"):
            ids = sorted(s.id for s in signals.values() if s.equipment_id == rec["equipment_id"])
        else:
            ids = []
        output = config.output or ""
        if kind == "score":
            model = self.meta.get(int(rec["org_id"]), "model", int(rec["model_id"]))
            output = output or DEFAULT_OUTPUT.get(model["task"], "score")
            if config.high is None and config.low is None and output in ("alarm", "defect"):
                config = config.model_copy(update={"high": 0.5})
        return _Rule(
            key=f"r{rec['id']}", id=int(rec["id"]), kind=kind, name=rec["name"],
            severity=rec["severity"], config=config, equipment_id=rec.get("equipment_id"),
            signal_ids=ids, model_id=rec.get("model_id"), output=output,
        )  # fmt: skip

    def _resume(self, org_id: int, org: _Org) -> None:
        """Episodes still active in their alerts (a restart) continue: not raised again."""
        for rec in self.alerts.active_episodes(org_id):
            detail = rec["detail"] or {}
            rule, subject = detail.get("rule_key"), detail.get("subject")
            if not rule or subject is None:
                continue
            org.episodes[(str(rule), str(subject))] = _Episode(
                phase="active", since=pd.Timestamp(rec["first_at"]),
                last_bad=pd.Timestamp(rec["last_at"]), alert_id=int(rec["id"]),
                count=int(rec["count"]),
            )  # fmt: skip

    # -- the conditions ------------------------------------------------------------------------

    def _points(self, org_id: int, org: _Org, points: pa.Table) -> None:
        # One sort, then each signal's slice: no per-signal frames (a batch may hold 100,000s
        # of points of hundreds of signals).
        sids = points["signal_id"].to_numpy()
        times = points["ts"].cast(pa.timestamp("us", tz="UTC")).to_numpy().astype(np.int64)
        values = points["value"].to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
        order = np.lexsort((times, sids))
        sids, times, values = sids[order], times[order], values[order]
        unique, starts = np.unique(sids, return_index=True)
        ends = np.r_[starts[1:], len(sids)]
        groups = {int(u): (int(a), int(b)) for u, a, b in zip(unique, starts, ends, strict=True)}
        org.heard.update(groups)
        for sid, (_, b) in groups.items():
            newest = _stamp(times[b - 1])
            old = org.latest.get(sid)
            org.latest[sid] = newest if old is None or newest > old else old
        for rule in org.rules:
            if rule.kind == "score" or rule.kind == "offline":
                continue
            for sid in rule.signal_ids:
                span = groups.get(sid)
                sig = org.signals.get(sid)
                if span is None or sig is None:
                    continue
                ts, vals = times[span[0] : span[1]], values[span[0] : span[1]]
                if rule.kind == "limit":
                    cfg = self._limit(org, rule, sig)
                    if cfg is not None:
                        self._step(org_id, org, rule, str(sid), ts, vals, cfg, [sig.name])
                elif rule.kind == "rate":
                    ts, vals = self._rates(org, sid, ts, vals, rule.config.per_s)
                    if len(vals):
                        self._step(org_id, org, rule, str(sid), ts, np.abs(vals), rule.config,
                                   [sig.name])  # fmt: skip
                elif rule.kind == "stale":  # a point arrived: the signal is fresh again
                    self._step(org_id, org, rule, str(sid), ts[-1:], np.zeros(1), rule.config,
                               [sig.name])  # fmt: skip
        # rates need the previous point of every watched signal
        for sid, (_, b) in groups.items():
            org.previous[sid] = (int(times[b - 1]), float(values[b - 1]))

    @staticmethod
    def _limit(org: _Org, rule: _Rule, sig: _Signal) -> RuleConfig | None:
        key = (rule.key, sig.id)
        if key not in org.levels:
            cfg: RuleConfig | None = rule.config
            if rule.config.high is None and rule.config.low is None:
                if sig.high is None and sig.low is None:
                    cfg = None
                else:
                    cfg = rule.config.model_copy(update={"high": sig.high, "low": sig.low})
            org.levels[key] = cfg
        return org.levels[key]

    @staticmethod
    def _rates(
        org: _Org, sid: int, ts: np.ndarray, values: np.ndarray, per_s: float
    ) -> tuple[np.ndarray, np.ndarray]:
        before = org.previous.get(sid)
        if before is not None and before[0] < ts[0]:
            secs = np.r_[before[0], ts] / 1e6
            values = np.r_[before[1], values]
            keep = ts
        else:
            secs = ts / 1e6
            keep = ts[1:]
        dt = np.diff(secs)
        ok = dt > 0
        rate = np.diff(values)[ok] / dt[ok] * per_s
        return keep[ok], rate

    def _scores(self, org_id: int, org: _Org, s: Any) -> None:
        frame: pd.DataFrame = s.frame
        for rule in org.rules:
            if rule.kind != "score" or rule.model_id != s.model_id:
                continue
            if rule.output == "defect":
                if "prediction" not in frame:
                    continue
                values = frame["prediction"].map(is_defect).to_numpy(dtype=np.float64)
            elif rule.output in frame:
                values = pd.to_numeric(frame[rule.output], errors="coerce").to_numpy(
                    dtype=np.float64
                )
            else:
                continue
            index = _us(frame.index)
            units = frame["unit"].astype(str).to_numpy() if "unit" in frame else None
            if units is None:
                self._step(org_id, org, rule, "", index, values, rule.config, s.drivers,
                           equipment_id=s.equipment_id)  # fmt: skip
                continue
            for unit in dict.fromkeys(units.tolist()):  # remaining life: one episode per unit
                at = units == unit
                drivers = [d for d, a in zip(s.drivers, at, strict=True) if a]
                self._step(org_id, org, rule, unit, index[at], values[at], rule.config, drivers,
                           equipment_id=s.equipment_id)  # fmt: skip

    def _stale(self, org_id: int, org: _Org, now: pd.Timestamp) -> None:
        rules = [r for r in org.rules if r.kind == "stale"]
        if not rules:
            return
        unknown = [s for r in rules for s in r.signal_ids if s not in org.latest]
        if unknown:  # never seen live: the store's newest point, else "missing since start"
            table = self._latest(org_id, unknown)
            for sid, ts in zip(table["signal_id"].to_pylist(), table["ts"].to_pylist(),
                               strict=True):  # fmt: skip
                org.latest[int(sid)] = pd.Timestamp(ts).tz_convert("UTC")
            for sid in unknown:
                org.latest.setdefault(sid, org.started)
        watching_s = (now - org.started).total_seconds()
        for rule in rules:
            limit = float(rule.config.max_age_s or 0)
            for sid in rule.signal_ids:
                sig = org.signals.get(sid)
                if sig is None:
                    continue
                if sid not in org.heard and watching_s < limit:
                    # Just started: the live path gets max_age_s to deliver before a signal
                    # whose newest point is an old stored one counts as silent (a platform
                    # started on last month's data would else flag every signal at once).
                    continue
                age = (now - org.latest[sid]).total_seconds()
                cfg = rule.config.model_copy(update={"high": limit})
                self._step(org_id, org, rule, str(sid), _us([now]),
                           np.array([age]), cfg, [sig.name],
                           since=org.latest[sid] if age > limit else None)  # fmt: skip

    def _latest(self, org_id: int, ids: list[int]) -> pa.Table:
        store = getattr(self.scoring, "ml", None)
        ts_store = getattr(getattr(store, "query", None), "ts", None)
        if ts_store is None:
            return pa.table({"signal_id": pa.array([], pa.int64()), "ts": pa.array([])})
        table: pa.Table = ts_store.latest(org_id, ids)
        return table

    def _offline(self, org_id: int, org: _Org, now: pd.Timestamp) -> None:
        rules = [r for r in org.rules if r.kind == "offline"]
        if not rules:
            return
        states = {int(r["equipment_id"]): r for r in self.meta.find(org_id, "equipment_state")}
        for rule in rules:
            eq = rule.equipment_id
            rec = states.get(int(eq)) if eq is not None else None
            if rec is None:
                continue
            bad = rec["state"] in rule.config.states
            since = pd.Timestamp(rec["since"])
            since = since.tz_localize("UTC") if since.tzinfo is None else since
            cfg = rule.config.model_copy(update={"high": 0.5, "low": None})
            self._step(org_id, org, rule, str(eq), _us([now]),
                       np.array([1.0 if bad else 0.0]), cfg, [],
                       since=since if bad else None, state=str(rec["state"]))  # fmt: skip

    # -- the state machine ---------------------------------------------------------------------

    def _step(
        self,
        org_id: int,
        org: _Org,
        rule: _Rule,
        subject: str,
        ts: np.ndarray,
        values: np.ndarray,
        cfg: RuleConfig,
        drivers: list[str],
        *,
        equipment_id: int | None = None,
        since: pd.Timestamp | None = None,
        state: str | None = None,
    ) -> None:
        """Advance one subject's episode over its next readings (in time order; ``ts`` in
        microseconds since the epoch)."""
        key = (rule.key, subject)
        ep = org.episodes.get(key)
        if ep is None:
            ep = org.episodes[key] = _Episode()
        with np.errstate(invalid="ignore"):
            bad = (values > cfg.fire_high()) | (values < cfg.fire_low())
            ok = (values <= cfg.ok_high()) & (values >= cfg.ok_low())
        # Most batches change nothing: all fine while normal, all bad while active.
        if ep.phase == "normal" and not bad.any():
            return
        if ep.phase == "active" and not ok.any():
            ep.count += int(bad.sum())
            ep.last_bad = _stamp(ts[np.flatnonzero(bad)[-1]]) if bad.any() else ep.last_bad
            self._peak(ep, values[bad], cfg)
            self._drive(ep, drivers, bad)
            return
        for i in range(len(values)):
            if ep.phase == "normal" and not bad[i]:
                continue  # the common case, without making a time of it
            t = _stamp(ts[i])
            if ep.phase in ("normal", "pending"):
                if bad[i]:
                    if ep.phase == "normal":
                        ep.phase, ep.count = "pending", 0
                        ep.since = since if since is not None else t
                        ep.peak, ep.drivers = float("nan"), Counter()
                    ep.count += 1
                    ep.last_bad = t
                    self._peak(ep, values[i : i + 1], cfg)
                    self._drive(ep, drivers, bad, i)
                    assert ep.since is not None
                    if (t - ep.since).total_seconds() >= cfg.for_s:
                        self._fire(org_id, org, rule, subject, ep, t, cfg, equipment_id, state)
                elif ep.phase == "pending":
                    ep.phase, ep.since = "normal", None
            else:  # active
                if ok[i]:
                    if ep.clear_since is None:
                        ep.clear_since = t
                    if (t - ep.clear_since).total_seconds() >= cfg.clear_for_s:
                        self._clear(org_id, org, rule, subject, ep, t)
                        ep = org.episodes[key]  # a fresh one: the next row starts anew
                else:
                    ep.clear_since = None
                    if bad[i]:
                        ep.count += 1
                        ep.last_bad = t
                        self._peak(ep, values[i : i + 1], cfg)
                        self._drive(ep, drivers, bad, i)

    @staticmethod
    def _peak(ep: _Episode, values: np.ndarray, cfg: RuleConfig) -> None:
        if not len(values):
            return
        above = cfg.high is not None and (cfg.low is None or values.max() > cfg.fire_high())
        worst = float(np.nanmax(values) if above else np.nanmin(values))
        if np.isnan(ep.peak):
            ep.peak = worst
        else:
            ep.peak = max(ep.peak, worst) if above else min(ep.peak, worst)

    @staticmethod
    def _drive(ep: _Episode, drivers: list[str], bad: np.ndarray, i: int | None = None) -> None:
        if not drivers:
            return
        if len(drivers) != len(bad):
            ep.drivers.update(d for d in drivers if d)
        elif i is not None:
            if drivers[i]:
                ep.drivers[drivers[i]] += 1
        else:
            ep.drivers.update(d for d, b in zip(drivers, bad, strict=True) if b and d)

    def _fire(
        self,
        org_id: int,
        org: _Org,
        rule: _Rule,
        subject: str,
        ep: _Episode,
        at: pd.Timestamp,
        cfg: RuleConfig,
        equipment_id: int | None,
        state: str | None,
    ) -> None:
        ep.phase, ep.clear_since = "active", None
        assert ep.since is not None
        eq = equipment_id if equipment_id is not None else rule.equipment_id
        sig = org.signals.get(int(subject)) if subject.isdecimal() else None
        if sig is not None:
            eq = sig.equipment_id
        signals = [s for s, _ in ep.drivers.most_common(TOP)] or ([sig.name] if sig else [])
        level = cfg.high if (cfg.high is not None and ep.peak > cfg.fire_high()) else cfg.low
        params: dict[str, Any] = {
            "rule": rule.name,
            "signal": sig.label if sig else "",
            "signals": ", ".join(signals),
            "value": "" if np.isnan(ep.peak) else _fmt(ep.peak),
            "level": "" if level is None else _fmt(level),
            "unit": sig.unit if sig else "",
            "machine": org.machines.get(int(eq), "") if eq is not None else "",
            "subject": subject,
            "output": rule.output,
            "per": _fmt(cfg.per_s),
            "age": _fmt(cfg.max_age_s or 0),
            "state": state or "",
        }
        kind = "model" if rule.id is None else rule.kind
        key = f"alerting.text.{kind}"
        if kind == "model" and rule.output == "defect":
            key = "alerting.text.defect"
        title = _title(kind, rule, params)
        rec = self.alerts.open_episode(
            org_id,
            source=SOURCE[rule.kind],
            severity=rule.severity,
            title=title,
            key=key,
            params=params,
            episode=f"{rule.key}:{subject}:{ep.since.isoformat()}",
            equipment_id=None if eq is None else int(eq),
            model_id=rule.model_id,
            rule_id=rule.id,
            first_at=ep.since.to_pydatetime(),
            last_at=at.to_pydatetime(),
            extra={
                "rule_key": rule.key,
                "subject": subject,
                "signals": signals,
                "kind": rule.kind,
            },
        )
        ep.alert_id = int(rec["id"])
        if self.notify is not None:
            self.notify(org_id, rec, "opened")

    def _clear(
        self, org_id: int, org: _Org, rule: _Rule, subject: str, ep: _Episode, at: pd.Timestamp
    ) -> None:
        alert_id, last, count = ep.alert_id, ep.last_bad or at, ep.count
        org.episodes[(rule.key, subject)] = _Episode()
        if alert_id is None:
            return
        rec = self.alerts.end_episode(
            org_id, alert_id, cleared_at=at.to_pydatetime(), last_at=last.to_pydatetime(),
            count=count, extra={} if np.isnan(ep.peak) else {"peak": ep.peak},
        )  # fmt: skip
        if rec is not None and self.notify is not None:
            self.notify(org_id, rec, "cleared")

    # -- reading -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        return {
            "queued": self._worker.qsize(),
            "batches": self.batches,
            "dropped": self._worker.dropped,
            "errors": self._worker.errors,
        }


def _title(kind: str, rule: _Rule, p: dict[str, Any]) -> str:
    """The alert in English (logs, API clients); people read it from the catalogue."""
    if kind == "model":
        what = "predicted defect" if rule.output == "defect" else "anomaly"
        return f"{rule.name}: {what} on {p['machine']} (signals: {p['signals'] or '-'})"
    if kind == "score":
        return (f"{rule.name}: {p['output']} {p['value']} beyond {p['level']} "
                f"(signals: {p['signals'] or '-'})")  # fmt: skip
    if kind == "limit":
        return f"{rule.name}: {p['signal']} {p['value']} {p['unit']} beyond {p['level']}"
    if kind == "rate":
        return f"{rule.name}: {p['signal']} changes {p['value']} per {p['per']} s"
    if kind == "stale":
        return f"{rule.name}: no data from {p['signal']} for {p['age']} s"
    return f"{rule.name}: {p['machine']} is {p['state']}"
