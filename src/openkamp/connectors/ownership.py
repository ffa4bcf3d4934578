"""Which ingest worker runs which connection: leases ``connection:<id>`` (issue 12, item 2).

With several ingest workers on one store, each enabled connection runs in exactly one of them:
the one holding its lease (:class:`~openkamp.workers.keeper.LeaseKeeper`). Every pass
(:meth:`ConnectionOwnership.check`, each heartbeat) a worker

* stops the connections it runs that were disabled, deleted or changed (restarting a changed
  one with its new settings), whatever process made the change (an API worker);
* takes free connections (never started, released, or whose worker's lease ran out because the
  worker died) up to its fair share, ``ceil(enabled / live ingest workers)``;
* gives one back per pass while it runs more than its share (a worker that just joined then
  takes it), so that the work spreads without moving back and forth.

A connection that changes hands loses nothing acknowledged: the MQTT connector keeps one client
id and a persistent session per connection and acknowledges a message only once its points are
durable, so the broker sends the next worker what the last one had not stored; the OPC UA
connector starts from the store's newest points and reads the gap from the server's history.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openkamp.connectors.runtime import LiveRuntime
    from openkamp.workers.keeper import LeaseKeeper

log = logging.getLogger(__name__)

__all__ = ["ConnectionOwnership", "connection_resource"]


def connection_resource(connection_id: int) -> str:
    return f"connection:{int(connection_id)}"


def _fingerprint(rec: dict[str, Any]) -> str:
    """What, changed, makes a running connection start again with its new settings."""
    return json.dumps(
        [rec["name"], rec["kind"], rec.get("config") or {}], sort_keys=True, default=str
    )


class ConnectionOwnership:
    """The connections of one ingest worker (module docstring); ``LiveRuntime.owner``."""

    def __init__(self, live: LiveRuntime, keeper: LeaseKeeper, *, workers: Any = None) -> None:
        self.live = live
        self.keeper = keeper
        #: How many ingest workers are alive (a callable; None: this one only).
        self.workers = workers
        self._lock = threading.RLock()
        self._running: dict[int, str] = {}  # connection id -> fingerprint it started with
        self._order: list[int] = []  # connections in the order this worker took them
        self._stopping: set[int] = set()  # lost leases whose connection is still stopping

    # -- what the runtime asks --------------------------------------------------------------------

    def claim(self, rec: dict[str, Any]) -> bool:
        """Take ``rec``'s lease for this worker (a connection made or started here); False
        when another worker holds it."""
        cid = int(rec["id"])
        if not self.keeper.acquire(connection_resource(cid), self._lost):
            return False
        with self._lock:
            self._running[cid] = _fingerprint(rec)
            if cid not in self._order:
                self._order.append(cid)
        return True

    def release(self, connection_id: int) -> None:
        """The connection stopped here: give its lease up."""
        with self._lock:
            self._running.pop(connection_id, None)
            if connection_id in self._order:
                self._order.remove(connection_id)
        if self.keeper.holds(connection_resource(connection_id)):
            self.keeper.release(connection_resource(connection_id))

    def mine(self) -> list[int]:
        with self._lock:
            return list(self._order)

    # -- the pass -----------------------------------------------------------------------------

    def check(self) -> None:
        """One pass (module docstring): stop what is no longer to run here, take free
        connections up to this worker's share, give one back above it."""
        meta = self.live.meta
        enabled: dict[int, dict[str, Any]] = {}
        for org in meta.list_orgs():
            for found in meta.find(org["id"], "connection", enabled=1):
                enabled[int(found["id"])] = found
        for cid in self.mine():
            now = enabled.get(cid)
            if now is None:  # disabled or deleted (by any process)
                self._stop(cid)
            elif self._running.get(cid) != _fingerprint(now):  # changed: its new settings
                self._stop(cid)
                self._start(now)
        n_workers = max(1, int(self.workers() if self.workers is not None else 1))
        share = math.ceil(len(enabled) / n_workers) if enabled else 0
        held = len(self.mine())
        if held > share:
            newest = self.mine()[-1]
            log.info("connection %s given back for another ingest worker", newest)
            self._stop(newest)
            return  # (not taking any in the same pass)
        _, live = self.keeper.store.live("connection:")
        taken = {lease.resource for lease in live}
        for cid, rec in sorted(enabled.items()):
            if held >= share:
                break
            if cid in self._running or cid in self._stopping:
                continue
            if connection_resource(cid) in taken:
                continue
            if self._start(rec):
                held += 1

    def _start(self, rec: dict[str, Any]) -> bool:
        cid = int(rec["id"])
        if not self.claim(rec):
            return False
        self.live.forget(cid)  # counters continue from what the last worker saved
        try:
            self.live.start_connection(rec, claimed=True)
        except Exception as exc:  # an unknown kind, a bad config: recorded, lease given back
            log.warning("connection %s not started: %s", rec["name"], exc)
            self.release(cid)
            try:
                self.live.meta.update(
                    rec["org_id"], "connection", cid,
                    {"state": "stopped", "last_error": str(exc)[:1000]},
                )  # fmt: skip
            except Exception:
                log.debug("connection %s deleted meanwhile", cid)
            return False
        log.info("connection %s (%s) runs on %s", rec["name"], cid, self.keeper.holder)
        return True

    def _stop(self, cid: int) -> None:
        self.live.stop_connection(cid)  # (releases the lease through release())
        self.release(cid)

    def _lost(self, resource: str) -> None:
        """The lease ran out (this process stalled or lost the database): another worker may
        run the connection already; stop it here, off the heartbeat's thread."""
        cid = int(resource.partition(":")[2])
        with self._lock:
            self._running.pop(cid, None)
            if cid in self._order:
                self._order.remove(cid)
            self._stopping.add(cid)

        def stop() -> None:
            try:
                self.live.stop_connection(cid)
            finally:
                with self._lock:
                    self._stopping.discard(cid)

        threading.Thread(target=stop, name="connection-lost", daemon=True).start()
