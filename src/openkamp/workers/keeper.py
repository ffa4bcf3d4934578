"""The leases one process holds, kept alive by one heartbeat thread (``Platform.leases``).

:class:`LeaseKeeper` takes leases for this process (one holder id per process) and renews all
of them every ``heartbeat_s`` seconds in one statement. A lease it fails to renew (it expired
while this process was stalled, or the database was out of reach longer than the lease's time)
is *lost*: its ``on_lost`` callback runs (a job asks its function to stop and its writes are
fenced; a connection stops), since by then another process may hold it. Work that only needs
to run somewhere (periodic chores) goes through :class:`Chore`: whichever process holds the
chore's lease runs it, and another takes over when that process is gone.

Start-up: leases of processes of this host that no longer exist (a process killed and started
again) are ended at once (:meth:`LeaseKeeper.expire_dead_here`), so their work moves without
waiting for the leases' time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from openkamp.storage.metadata.leases import LeaseStore, holder_id, parse_holder

log = logging.getLogger(__name__)

__all__ = ["Chore", "LeaseKeeper", "pid_alive"]

OnLost = Callable[[str], None]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class LeaseKeeper:
    """This process's leases: taken, renewed on one thread, released (module docstring)."""

    def __init__(
        self,
        store: LeaseStore,
        *,
        ttl_s: float = 15.0,
        heartbeat_s: float = 5.0,
        holder: str | None = None,
    ) -> None:
        if heartbeat_s <= 0 or ttl_s <= heartbeat_s:
            raise ValueError("a lease's time must be longer than its heartbeat")
        self.store = store
        self.ttl_s = float(ttl_s)
        self.heartbeat_s = float(heartbeat_s)
        self.holder = holder or holder_id()
        self._lock = threading.Lock()
        self._held: dict[str, OnLost | None] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_renewed = time.monotonic()
        #: Heartbeats done so far (tests wait on it).
        self.beats = 0

    # -- leases ---------------------------------------------------------------------------------

    def acquire(self, resource: str, on_lost: OnLost | None = None) -> bool:
        """Take ``resource`` (or renew it if this process has it); False when another process
        holds it. Held leases are renewed until :meth:`release` or until lost."""
        lease = self.store.acquire(resource, self.holder, self.ttl_s)
        if lease is None:
            return False
        self.track(resource, on_lost)
        return True

    def track(self, resource: str, on_lost: OnLost | None = None) -> None:
        """Keep renewing a lease this process took by other means (the job queue takes a job
        and its lease in one transaction)."""
        with self._lock:
            self._held[resource] = on_lost
        self._ensure_thread()

    def release(self, resource: str) -> None:
        """Give ``resource`` up (no callback)."""
        with self._lock:
            self._held.pop(resource, None)
        try:
            self.store.release(self.holder, [resource])
        except Exception:  # the store is gone: the lease runs out by itself
            log.warning("lease %s not released", resource, exc_info=True)

    def holds(self, resource: str) -> bool:
        with self._lock:
            return resource in self._held

    def held(self, prefix: str = "") -> list[str]:
        with self._lock:
            return sorted(r for r in self._held if r.startswith(prefix))

    def expire_dead_here(self) -> int:
        """End the leases of holders on this host whose process no longer exists; returns how
        many leases. (A process id reused since only delays this: its leases then run out.)"""
        host = socket.gethostname().replace(":", "_")[:120] or "host"
        _, live = self.store.live()
        dead = set()
        for lease in live:
            h, pid = parse_holder(lease.holder)
            if h == host and pid is not None and pid != os.getpid() and not pid_alive(pid):
                dead.add(lease.holder)
        return self.store.expire(dead) if dead else 0

    # -- the heartbeat --------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                return
            self._last_renewed = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="openkamp-leases", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            self.beat()

    def beat(self) -> None:
        """Renew every held lease now; call the ``on_lost`` of those that could not be."""
        with self._lock:
            wanted = set(self._held)
        if not wanted:
            self._last_renewed = time.monotonic()
            return
        try:
            kept = self.store.renew(self.holder, self.ttl_s, wanted)
        except Exception:
            log.warning("leases not renewed", exc_info=True)
            if time.monotonic() - self._last_renewed < self.ttl_s:
                return  # try again at the next beat; they have not run out yet
            kept = set()  # out of reach longer than a lease lasts: another may hold them now
        else:
            self._last_renewed = time.monotonic()
        self.beats += 1
        lost = []
        with self._lock:
            for resource in wanted - kept:
                if resource in self._held:  # (released meanwhile: not lost)
                    lost.append((resource, self._held.pop(resource)))
        for resource, on_lost in lost:
            log.warning("lease %s lost by %s", resource, self.holder)
            if on_lost is not None:
                try:
                    on_lost(resource)
                except Exception:
                    log.exception("handling the loss of %s failed", resource)

    def close(self) -> None:
        """Stop renewing and release every lease (the process is stopping cleanly)."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=self.heartbeat_s + 5)
        with self._lock:
            held = list(self._held)
            self._held.clear()
        if held:
            try:
                self.store.release(self.holder, held)
            except Exception:
                log.warning("leases not released at close", exc_info=True)


class Chore:
    """Periodic work that must run in one process at a time (retention passes, the contract
    sweep, time-based alert rules): ``start()`` runs it here while this process holds the lease
    ``chore:<name>``, ``stop()`` ends it when the lease is lost. :meth:`check` (called every
    heartbeat by the process's role loop) takes the lease when it is free."""

    def __init__(
        self,
        keeper: LeaseKeeper,
        name: str,
        start: Callable[[], Any],
        stop: Callable[[], Any],
    ) -> None:
        self.keeper = keeper
        self.resource = f"chore:{name}"
        self._start = start
        self._stop = stop
        self._lock = threading.Lock()
        self.running = False

    def check(self) -> bool:
        """Take the chore's lease if free and start the chore; True while it runs here."""
        with self._lock:
            if self.running:
                return True
            if not self.keeper.acquire(self.resource, self._lost):
                return False
            try:
                self._start()
            except Exception:
                self.keeper.release(self.resource)
                raise
            self.running = True
            return True

    def _lost(self, resource: str) -> None:
        with self._lock:
            if not self.running:
                return
            self.running = False
        # Off the heartbeat's thread: a chore may take a while to end its pass.
        threading.Thread(target=self._stop, name=f"{self.resource}-stop", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            running, self.running = self.running, False
        if running:
            self._stop()
            self.keeper.release(self.resource)
