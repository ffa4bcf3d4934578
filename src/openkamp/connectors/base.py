"""What a connector is and what it may ask of the platform.

A *connector* is a class (a plugin, registered through the ``openkamp_connectors`` hook) that
brings one kind of source in: an MQTT broker, an OPC UA server, Modbus registers. A *connection*
is one configured instance of it (a ``connection`` record: name, kind, config, enabled). The
runtime (:mod:`openkamp.connectors.runtime`) runs each enabled connection as an asyncio task::

    class Ticker(Connector):
        kind = "ticker"

        class Config(ConnectorConfig):
            equipment: str                      # "plant1/line1/press01"
            period_s: float = 1.0
            password: Secret = ""               # masked in answers, never logged

        async def run(self, ctx: ConnectorContext) -> None:
            eq = await ctx.equipment(self.config.equipment)
            sig = await ctx.signal(eq, "pressure")
            while await ctx.sleep(self.config.period_s):   # False once the connection stops
                await ctx.write(points_table([sig], [now_us()], [1.0]))

Rules a connector follows:

* ``run`` runs until ``ctx.stopping`` is set and then returns; an exception ends this run and
  the runtime restarts the connector after a jittered, growing delay (counted in ``restarts``).
* ``await ctx.write(points)`` returns once the points are durable in the store (idempotent on
  signal and time): only then may the source be told they arrived (MQTT PUBACK, HTTP 2xx). When
  the platform's buffer is full it waits: that is the backpressure a connector passes on.
* Bad input is counted, never raised: ``ctx.reject("payload.json", n, sample)``.
* Reconnects wait with :class:`Backoff` (``await ctx.sleep(backoff.next())``).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, WithJsonSchema

from openkamp.storage.timeseries.base import POINT_SCHEMA, TS_TYPE, conform_points

if TYPE_CHECKING:
    from openkamp.connectors.names import Names
    from openkamp.connectors.sink import Sink
    from openkamp.storage.metadata.base import MetadataStore

#: What a secret config value looks like in every answer and form.
MASK = "********"

#: States of a connection (the record's ``state`` and the live status).
STATES = ("stopped", "connecting", "running", "retrying")
#: States of a machine that a connector may report (``equipment_state`` records).
EQUIPMENT_STATES = ("running", "idle", "down", "offline")

#: Earliest time a live point may carry (1990-01-01 UTC, µs): seconds read as nanoseconds and
#: the like land in 1970 and are refused as ``time.absurd``.
EARLIEST_US = 631_152_000_000_000


class _SecretMark:
    """Marks a config field as a secret (see :data:`Secret`)."""


#: A config field holding a secret (a password, a key): answers show :data:`MASK` instead, an
#: update that sends :data:`MASK` back keeps the stored value, and errors never show it.
Secret = Annotated[
    str, _SecretMark(), WithJsonSchema({"type": "string", "format": "password", "writeOnly": True})
]


class ConnectorConfig(BaseModel):
    """Base of every connector's config model (a connector's ``Config``): closed (an unknown
    key is an error, not silently ignored)."""

    model_config = ConfigDict(extra="forbid")

    auto_create_signals: bool = False
    """Create a signal on the equipment when a source names one not known yet (instead of
    rejecting its values as ``signal.unknown``)."""


def secret_fields(model: type[BaseModel]) -> list[str]:
    """The names of the :data:`Secret` fields of a config model."""
    return [
        name
        for name, info in model.model_fields.items()
        if any(isinstance(m, _SecretMark) for m in info.metadata)
    ]


def masked(model: type[BaseModel], config: dict[str, Any]) -> dict[str, Any]:
    """``config`` as answers show it: every non-empty secret replaced by :data:`MASK`."""
    out = dict(config)
    for name in secret_fields(model):
        if out.get(name):
            out[name] = MASK
    return out


class Connector(ABC):
    """A kind of source. Subclasses set ``kind`` and ``Config`` and implement :meth:`run`."""

    #: The kind's name in connection records and the API (``mqtt``, ``opcua``, ``modbus`` …).
    kind: ClassVar[str]
    #: The kind's config model (a :class:`ConnectorConfig`); the UI builds its form from it.
    Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    #: Name of the kind for people, by language (``{"ko": …, "en": …}``).
    title: ClassVar[dict[str, str]] = {}

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config

    @abstractmethod
    async def run(self, ctx: ConnectorContext) -> None:
        """Bring data in until ``ctx.stopping`` is set, then return."""


class Backoff:
    """Delays between reconnects: exponential, jittered, capped.

    ``next()`` gives ``initial · factor^k`` (k = attempts so far) capped at ``cap``, each
    shortened by up to ``jitter`` of itself at random, so many connections that lost the same
    server do not all come back in the same instant; ``reset()`` after a success.
    """

    def __init__(
        self,
        initial: float = 0.5,
        cap: float = 30.0,
        factor: float = 2.0,
        jitter: float = 0.3,
        rng: random.Random | None = None,
    ) -> None:
        self.initial, self.cap, self.factor, self.jitter = initial, cap, factor, jitter
        self.attempts = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        base = min(self.cap, self.initial * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        return base * (1.0 - self.jitter * self._rng.random())

    def reset(self) -> None:
        self.attempts = 0


def now_us() -> int:
    return time.time_ns() // 1000


def points_table(
    signal_ids: Sequence[int] | np.ndarray,
    ts_us: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
) -> pa.Table:
    """A POINT_SCHEMA table from signal ids, UTC times in microseconds and values."""
    return pa.table(
        {
            "signal_id": pa.array(np.asarray(signal_ids, dtype=np.int64)),
            "ts": pa.array(np.asarray(ts_us, dtype=np.int64)).cast(TS_TYPE),
            "value": pa.array(np.asarray(values, dtype=np.float64)),
        },
        schema=POINT_SCHEMA,
    )


def screen(points: pa.Table, max_future_s: float) -> tuple[pa.Table, dict[str, int]]:
    """The points a live source may store, and the others counted by reason: a value that is
    not a finite number (``value.not_finite``), a time before 1990 or more than
    ``max_future_s`` ahead of now (``time.absurd``)."""
    tbl = conform_points(points)
    if tbl.num_rows == 0:
        return tbl, {}
    values = tbl.column("value")
    finite = pc.is_finite(values)
    ts = tbl.column("ts").cast(pa.int64())
    latest = now_us() + int(max_future_s * 1e6)
    in_time = pc.and_(pc.greater_equal(ts, EARLIEST_US), pc.less_equal(ts, latest))
    good = pc.and_(finite, in_time)
    n_good = pc.sum(good).as_py() or 0
    if n_good == tbl.num_rows:
        return tbl, {}
    reasons: dict[str, int] = {}
    bad_value = tbl.num_rows - (pc.sum(finite).as_py() or 0)
    if bad_value:
        reasons["value.not_finite"] = bad_value
    bad_time = tbl.num_rows - n_good - bad_value
    if bad_time:
        reasons["time.absurd"] = bad_time
    return tbl.filter(good), reasons


def _iso(us: int | None) -> str | None:
    if us is None:
        return None
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat()


@dataclass
class Counters:
    """Live counters of one connection (thread-safe): what the UI and the API show."""

    points: int = 0
    batches: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    restarts: int = 0
    last_value_us: int | None = None  # newest point time written (µs)
    last_write_us: int | None = None  # when the last write became durable (µs)
    last_error: str | None = None
    last_error_us: int | None = None
    samples: dict[str, str] = field(default_factory=dict)  # one example per rejection reason
    notes: dict[str, int] = field(default_factory=dict)  # events that are not errors, by kind
    _window: deque[tuple[float, int]] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    WINDOW_S: ClassVar[float] = 10.0

    def wrote(self, n: int, newest_us: int | None) -> None:
        now = time.monotonic()
        with self._lock:
            self.points += n
            self.batches += 1
            self.last_write_us = now_us()
            if newest_us is not None and (
                self.last_value_us is None or newest_us > self.last_value_us
            ):
                self.last_value_us = newest_us
            self._window.append((now, n))
            self._trim(now)

    def reject(self, reason: str, n: int = 1, sample: object = None) -> None:
        if n <= 0:
            return
        with self._lock:
            self.rejected[reason] = self.rejected.get(reason, 0) + n
            if sample is not None and reason not in self.samples:
                self.samples[reason] = repr(sample)[:200]

    def note(self, what: str, n: int = 1) -> None:
        if n <= 0:
            return
        with self._lock:
            self.notes[what] = self.notes.get(what, 0) + n

    def error(self, message: str) -> None:
        with self._lock:
            self.last_error = message[:1000]
            self.last_error_us = now_us()

    def _trim(self, now: float) -> None:
        while self._window and now - self._window[0][0] > self.WINDOW_S:
            self._window.popleft()

    def rate(self) -> float:
        """Points per second over the last ten seconds."""
        now = time.monotonic()
        with self._lock:
            self._trim(now)
            return sum(n for _, n in self._window) / self.WINDOW_S

    def snapshot(self) -> dict[str, Any]:
        rate = self.rate()
        with self._lock:
            return {
                "points": self.points,
                "batches": self.batches,
                "points_per_s": rate,
                "rejected": dict(self.rejected),
                "rejected_total": sum(self.rejected.values()),
                "samples": dict(self.samples),
                "notes": dict(self.notes),
                "restarts": self.restarts,
                "last_value_at": _iso(self.last_value_us),
                "last_write_at": _iso(self.last_write_us),
                "last_error": self.last_error,
                "last_error_at": _iso(self.last_error_us),
            }

    @classmethod
    def restore(cls, saved: dict[str, Any]) -> Counters:
        """Counters continuing from a saved :meth:`snapshot` (after a restart)."""

        def us(text: Any) -> int | None:
            if not text:
                return None
            return int(datetime.fromisoformat(str(text)).timestamp() * 1_000_000)

        return cls(
            points=int(saved.get("points", 0)),
            batches=int(saved.get("batches", 0)),
            rejected={str(k): int(v) for k, v in dict(saved.get("rejected", {})).items()},
            restarts=int(saved.get("restarts", 0)),
            last_value_us=us(saved.get("last_value_at")),
            last_write_us=us(saved.get("last_write_at")),
            last_error=saved.get("last_error"),
            last_error_us=us(saved.get("last_error_at")),
            samples={str(k): str(v) for k, v in dict(saved.get("samples", {})).items()},
            notes={str(k): int(v) for k, v in dict(saved.get("notes", {})).items()},
        )


class ConnectorContext:
    """Everything a running connector may do with the platform (one per connection).

    Made by the runtime; connectors never build one. Methods that touch the metadata store run
    it in a worker thread (name look-ups are cached, so the common case never does).
    """

    def __init__(
        self,
        *,
        org_id: int,
        connection_id: int,
        name: str,
        config: ConnectorConfig,
        sink: Sink,
        names: Names,
        meta: MetadataStore,
        counters: Counters,
        max_future_s: float = 86_400.0,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.org_id = org_id
        self.connection_id = connection_id
        self.name = name
        self.config = config
        self.counters = counters
        #: Set when the connection is asked to stop; ``run`` returns soon after.
        self.stopping = stopping or asyncio.Event()
        self.state = "running"
        self._sink = sink
        self._names = names
        self._meta = meta
        self._max_future_s = max_future_s
        self._secrets = [
            str(getattr(config, f)) for f in secret_fields(type(config)) if getattr(config, f)
        ]

    # -- data ---------------------------------------------------------------------------------

    async def write(self, points: pa.Table | pa.RecordBatch) -> int:
        """Store points (POINT_SCHEMA; ids from :meth:`signal`) and return how many were
        stored, once they are durable. Points with a value that is not a finite number or an
        absurd time are counted as rejected instead. Waits while the buffer is full."""
        tbl = points if isinstance(points, pa.Table) else pa.Table.from_batches([points])
        good, reasons = screen(tbl, self._max_future_s)
        for reason, n in reasons.items():
            self.reject(reason, n)
        if good.num_rows == 0:
            return 0
        await self._sink.write_async(self.org_id, good)
        newest = pc.max(good.column("ts").cast(pa.int64())).as_py()
        self.counters.wrote(good.num_rows, newest)
        return int(good.num_rows)

    def reject(self, reason: str, n: int = 1, sample: object = None) -> None:
        """Count ``n`` items of bad input under ``reason`` (a short code such as
        ``payload.json``, ``signal.unknown``, ``topic.unknown``); ``sample`` keeps one example
        per reason for the status page. Never raises."""
        self.counters.reject(reason, n, self.hide_secrets(sample) if sample is not None else None)

    def note(self, what: str, n: int = 1) -> None:
        """Count ``n`` events of kind ``what`` that are worth showing but are not bad input
        (``opcua.backfilled`` points, ``opcua.outage``, ``opcua.history_unavailable``)."""
        self.counters.note(what, n)

    async def latest(self, signal_ids: Sequence[int]) -> dict[int, int]:
        """The newest stored time (µs, UTC) of each of the signals that has points: where a
        connector resumes a source's history after a disconnect or a restart."""
        if not signal_ids:
            return {}
        tbl = await asyncio.to_thread(self._sink.store.latest, self.org_id, list(signal_ids))
        ids = tbl.column("signal_id").to_pylist()
        ts = tbl.column("ts").cast(pa.int64()).to_pylist()
        return {int(i): int(t) for i, t in zip(ids, ts, strict=True)}

    def error(self, problem: BaseException | str) -> None:
        """Record the connection's last error (a lost server, a refused login) without ending
        it; secrets of the config never appear in it."""
        text = problem if isinstance(problem, str) else f"{type(problem).__name__}: {problem}"
        self.counters.error(self.hide_secrets(text))

    def hide_secrets(self, value: object) -> str:
        text = value if isinstance(value, str) else repr(value)
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def set_state(self, state: str) -> None:
        """``connecting`` while (re)connecting, ``running`` once data can flow."""
        if state not in STATES:
            raise ValueError(f"unknown connection state {state!r}")
        self.state = state

    # -- names ------------------------------------------------------------------------------

    async def equipment(self, path: str) -> int:
        """The id of the equipment at an asset-tree key path (``plant1/line1/press01``);
        NotFound when there is none (cached)."""
        hit = self._names.cached_equipment(path)
        if hit is not None:
            return hit
        return await asyncio.to_thread(self._names.equipment, path)

    async def signal(self, equipment_id: int, key: str, *, unit: str = "") -> int | None:
        """The id of the equipment's signal named ``key`` (its key, or a display name written
        any usual way: ``사출압력(bar)`` finds ``사출압력``), or None when there is none. With
        ``auto_create_signals`` in the config, an unknown one is created (with ``unit``)."""
        hit = self._names.cached_signal(equipment_id, key)
        if hit is not None:
            return hit
        create = bool(getattr(self.config, "auto_create_signals", False))
        return await asyncio.to_thread(self._names.signal, equipment_id, key, create, unit)

    # -- machines -----------------------------------------------------------------------------

    async def set_equipment_state(
        self, equipment_id: int, state: str, detail: dict[str, Any] | None = None
    ) -> None:
        """Record a machine's state (``running``, ``idle``, ``down``, ``offline``), e.g. from a
        Sparkplug birth / death or an OPC UA status node; ``since`` changes only with the state."""
        if state not in EQUIPMENT_STATES:
            raise ValueError(f"unknown equipment state {state!r}")
        await asyncio.to_thread(
            record_equipment_state, self._meta, self.org_id, equipment_id, state, self.name, detail
        )

    # -- time ---------------------------------------------------------------------------------

    async def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` or until the connection stops; True while it should go on."""
        if self.stopping.is_set():
            return False
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            return True
        return False


def record_equipment_state(
    meta: MetadataStore,
    org_id: int,
    equipment_id: int,
    state: str,
    source: str,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Upsert the ``equipment_state`` record of one machine (of ``org_id`` only)."""
    meta.get(org_id, "node", equipment_id)  # NotFound for another organisation's machine
    now = datetime.now(UTC)
    text = json.loads(json.dumps(detail or {}, default=str))  # a JSON column: plain values
    # One transaction: two connections reporting one machine (in two ingest workers) neither
    # insert it twice nor keep a 'since' of a state the other already left.
    with meta.transaction():
        found = meta.find(org_id, "equipment_state", equipment_id=equipment_id)
        if not found:
            return meta.insert(
                org_id,
                "equipment_state",
                {
                    "equipment_id": equipment_id, "state": state, "since": now, "source": source,
                    "detail": text, "updated_at": now,
                },
            )  # fmt: skip
        rec = found[0]
        values: dict[str, Any] = {
            "state": state, "source": source, "detail": text, "updated_at": now,
        }  # fmt: skip
        if rec["state"] != state:
            values["since"] = now
        return meta.update(org_id, "equipment_state", rec["id"], values)
