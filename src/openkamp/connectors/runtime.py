"""Long-lived work of the live path: one thread with its own asyncio loop runs every enabled
connection of every organisation.

:class:`LiveRuntime` is ``Platform.live``. Building it starts nothing (plain unit tests stay
thread-free); :meth:`LiveRuntime.start` (called by ``openkamp serve`` through the app's lifespan)
starts the loop and resumes every connection whose record is enabled, so connections come back
after a restart. Each connection runs under a supervisor: a connector that raises (or returns
before it was asked to stop) is counted (``restarts``, ``last_error``) and started again after a
jittered, growing delay (:class:`~openkamp.connectors.base.Backoff`, reset after a minute of
good running). Counters are saved to the connection record every ``connectors_stats_interval_s``
and when it stops. :meth:`LiveRuntime.stop` asks every connector to stop, waits for them, and
drains the buffer, so what was accepted is stored.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from openkamp.connectors.base import Backoff, Connector, ConnectorContext, Counters
from openkamp.connectors.names import Names
from openkamp.connectors.sink import Listener, Sink
from openkamp.core.errors import InvalidInput
from openkamp.settings import Settings
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.timeseries.base import TimeSeriesStore

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A connection that ran this long without failing starts its next backoff from the beginning.
HEALTHY_AFTER_S = 60.0


def connector_kinds() -> dict[str, type[Connector]]:
    """Every registered connector class by kind (plugins registered later win: pluggy answers
    them first)."""
    from openkamp.plugins import connectors

    return {cls.kind: cls for cls in reversed(connectors())}


@dataclass
class _Run:
    org_id: int
    connection_id: int
    name: str
    kind: str
    ctx: ConnectorContext
    task: asyncio.Task[None] | None = None
    state: str = "connecting"
    started_at: float = field(default_factory=time.monotonic)


class LiveRuntime:
    """The platform's connections at work (``Platform.live``)."""

    def __init__(self, meta: MetadataStore, ts: TimeSeriesStore, settings: Settings) -> None:
        self.meta = meta
        self.settings = settings
        self.sink = Sink(
            ts,
            capacity=settings.connectors_buffer_points,
            batch_points=settings.connectors_batch_points,
        )
        self._names: dict[int, Names] = {}
        self._counters: dict[int, Counters] = {}  # by connection id (ids are unique)
        self._runs: dict[int, _Run] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._saver: asyncio.Task[None] | None = None
        #: Restart delays of crashed connectors (tests shorten them).
        self.restart_initial_s = settings.connectors_restart_initial_s
        self.restart_max_s = settings.connectors_restart_max_s
        #: Several ingest workers on one store: the ownership of connections by leases
        #: (:class:`~openkamp.connectors.ownership.ConnectionOwnership`); a connection runs
        #: here only while this process holds its lease. None: every enabled one runs here.
        self.owner: Any = None

    # -- what others hang on it ---------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """``listener(org_id, points)`` after every durable write of live data (see :class:`Sink`)."""
        self.sink.add_listener(listener)

    def remove_listener(self, listener: Listener) -> None:
        self.sink.remove_listener(listener)

    def names(self, org_id: int) -> Names:
        with self._lock:
            found = self._names.get(org_id)
            if found is None:
                found = self._names[org_id] = Names(self.meta, org_id)
            return found

    def counters(self, connection: dict[str, Any]) -> Counters:
        """The live counters of a connection record (continuing its saved ones)."""
        with self._lock:
            found = self._counters.get(connection["id"])
            if found is None:
                found = Counters.restore(dict(connection.get("stats") or {}))
                self._counters[connection["id"]] = found
            return found

    def forget(self, connection_id: int) -> None:
        with self._lock:
            self._counters.pop(connection_id, None)

    # -- the loop -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._loop is not None and self._thread is not None and self._thread.is_alive()

    def start(self, *, resume: bool = True) -> bool:
        """Start the loop (and, with ``resume``, every enabled connection); False when it was
        already running."""
        with self._lock:
            if self.running:
                return False
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def main() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

            self._loop = loop
            self._thread = threading.Thread(target=main, name="live-runtime", daemon=True)
            self._thread.start()
        ready.wait()
        self._call(self._start_saver())
        if resume:
            self.resume()
        return True

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("the live runtime is not running")
        if threading.current_thread() is self._thread:  # waiting here would wait for ourselves
            coro.close()
            raise RuntimeError("call the runtime from outside its loop (asyncio.to_thread)")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def resume(self) -> int:
        """Start every enabled connection of every organisation; returns how many."""
        started = 0
        for org in self.meta.list_orgs():
            for rec in self.meta.find(org["id"], "connection"):
                if rec["enabled"]:
                    try:
                        self.start_connection(rec)
                        started += 1
                    except Exception as exc:  # an unknown kind: recorded, the others go on
                        log.warning("connection %s not resumed: %s", rec["name"], exc)
                        self.meta.update(
                            org["id"], "connection", rec["id"],
                            {"state": "stopped", "last_error": str(exc)[:1000]},
                        )  # fmt: skip
                elif rec["state"] != "stopped":  # left 'running' by a process that was killed
                    self.meta.update(org["id"], "connection", rec["id"], {"state": "stopped"})
        return started

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every connection (saving its counters), drain the buffer, end the loop."""
        if not self.running:
            return
        try:
            self._call(self._stop_all(timeout), timeout + 10)
        finally:
            loop, thread = self._loop, self._thread
            assert loop is not None and thread is not None
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            self._loop = self._thread = None
            self.sink.flush(timeout)

    def close(self) -> None:
        """Stop everything and close the buffer (the platform is closing)."""
        self.stop()
        self.sink.close()

    # -- connections --------------------------------------------------------------------------

    def is_running(self, connection_id: int) -> bool:
        return connection_id in self._runs

    def state(self, connection_id: int) -> str | None:
        run = self._runs.get(connection_id)
        if run is None:
            return None
        return run.ctx.state if run.state == "running" else run.state

    def start_connection(self, rec: dict[str, Any], *, claimed: bool = False) -> None:
        """Run a connection record (its config is checked first); nothing if it runs already.
        With an :attr:`owner`, only if this process gets (or, ``claimed``, has) the
        connection's lease: else the worker holding it runs it and sees the change."""
        kinds = connector_kinds()
        cls = kinds.get(rec["kind"])
        if cls is None:
            raise InvalidInput(
                f"No connector of kind {rec['kind']!r} is installed.",
                code="connectors.unknown_kind",
                params={"kind": rec["kind"], "kinds": ", ".join(sorted(kinds))},
            )
        config = cls.Config.model_validate(dict(rec.get("config") or {}))
        if not self.running:
            return  # recorded as enabled: it starts with the runtime (or an ingest worker)
        if self.owner is not None and not claimed and not self.owner.claim(rec):
            return  # another ingest worker runs it
        self._call(self._start(rec, cls, config))

    def stop_connection(self, connection_id: int, timeout: float = 10.0) -> None:
        if self.running and connection_id in self._runs:
            self._call(self._stop(connection_id, timeout), timeout + 10)
        if self.owner is not None:
            self.owner.release(connection_id)  # (after its last points and counters)

    async def _start(self, rec: dict[str, Any], cls: type[Connector], config: Any) -> None:
        if rec["id"] in self._runs:
            return
        org = int(rec["org_id"])
        ctx = ConnectorContext(
            org_id=org,
            connection_id=int(rec["id"]),
            name=str(rec["name"]),
            config=config,
            sink=self.sink,
            names=self.names(org),
            meta=self.meta,
            counters=self.counters(rec),
            max_future_s=self.settings.ingest_max_future_s,
        )
        run = _Run(org, int(rec["id"]), str(rec["name"]), cls.kind, ctx)
        self._runs[run.connection_id] = run
        run.task = asyncio.get_running_loop().create_task(self._supervise(run, cls, config))
        await self._save(run)

    async def _stop(self, connection_id: int, timeout: float) -> None:
        run = self._runs.get(connection_id)
        if run is None:
            return
        run.ctx.stopping.set()
        task = run.task
        if task is not None:
            done, _ = await asyncio.wait({task}, timeout=timeout)
            if not done:  # a connector that does not listen for ctx.stopping
                task.cancel()
                await asyncio.wait({task}, timeout=5)
        self._runs.pop(connection_id, None)
        run.state = "stopped"
        await self._save(run)

    async def _stop_all(self, timeout: float) -> None:
        if self._saver is not None:
            self._saver.cancel()
        await asyncio.gather(*(self._stop(cid, timeout) for cid in list(self._runs)))

    async def _supervise(self, run: _Run, cls: type[Connector], config: Any) -> None:
        ctx = run.ctx
        backoff = Backoff(initial=self.restart_initial_s, cap=self.restart_max_s)
        while not ctx.stopping.is_set():
            run.state = "running"
            ctx.state = "running"
            began = time.monotonic()
            try:
                await cls(config).run(ctx)
                if ctx.stopping.is_set():
                    break
                raise RuntimeError("the connector ended without being stopped")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                ctx.error(exc)
                with ctx.counters._lock:
                    ctx.counters.restarts += 1
                log.warning("connection %s failed: %s", run.name, ctx.hide_secrets(str(exc)))
            if time.monotonic() - began > HEALTHY_AFTER_S:
                backoff.reset()
            run.state = "retrying"
            await self._save(run)
            if not await ctx.sleep(backoff.next()):
                break

    # -- counters saved to the record ---------------------------------------------------------

    async def _start_saver(self) -> None:
        self._saver = asyncio.get_running_loop().create_task(self._save_periodically())

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.connectors_stats_interval_s)
            for run in list(self._runs.values()):
                try:
                    await self._save(run)
                except Exception:
                    log.exception("saving the counters of %s failed", run.name)

    async def _save(self, run: _Run) -> None:
        snap = run.ctx.counters.snapshot()
        state = run.state if run.state != "running" else run.ctx.state
        values = {
            "state": state,
            "last_error": snap["last_error"],
            "stats": snap,
            "updated_at": datetime.now(UTC),
        }
        try:
            await asyncio.to_thread(
                self.meta.update, run.org_id, "connection", run.connection_id, values
            )
        except Exception as exc:  # deleted meanwhile: nothing to save into
            log.debug("counters of %s not saved: %s", run.name, exc)

    def status(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The live status of a connection record: its state and counters, the buffer fill.
        A connection another process runs (an ingest worker) shows what that process saved
        to its record."""
        live = self.state(rec["id"])
        elsewhere = live is None and self.meta.shared
        if elsewhere:
            counters = Counters.restore(dict(rec.get("stats") or {}))
        else:
            counters = self.counters(rec)
        snap = counters.snapshot()
        if elsewhere:  # the rate its process last saw
            snap["points_per_s"] = float((rec.get("stats") or {}).get("points_per_s") or 0.0)
        return {
            "state": live or ("stopped" if self.running and not elsewhere else rec["state"]),
            **snap,
            "buffer_fill": self.sink.fill_ratio,
            "buffer_points": self.sink.fill,
        }
