"""Process roles: what one ``openkamp serve --role …`` process runs (issue 12, item 2).

=========  =====================================================================================
role       runs
=========  =====================================================================================
``all``    everything in one process (the default; a factory PC on embedded storage)
``api``    the web UI and API; jobs with a portable function wait in the store for job workers,
           others (closures over this process) run here under a lease; no connections, no
           ``/api/v1/ingest`` (answered with where to send it)
``ingest`` the connections (MQTT, OPC UA, Modbus: each in exactly one ingest worker, by leases,
           :mod:`openkamp.connectors.ownership`), the HTTP ingest routes on its own port, and
           the alert engine on the points that arrive there
``jobs``   claims queued jobs and runs them (:mod:`openkamp.jobs.worker`); no HTTP
=========  =====================================================================================

Any number of each run against one PostgreSQL database; roles other than ``all`` are refused on
an embedded installation (its SQLite and DuckDB files are one process's), with the reason in
Korean and English. On a shared store every process holds a presence lease
(``process:<role>:<holder>``, the ingest workers' count sets each one's share of connections),
and work that must run in one process at a time runs where its chore lease is: retention passes,
the contract sweep, the imports sweep (api, jobs, all) and time-based alert rules (ingest, all).
:class:`RoleRuntime` starts and stops all of it; the app's lifespan and ``serve --role jobs``
use it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from openkamp.core.errors import ConfigError
from openkamp.i18n import t
from openkamp.settings import Settings

if TYPE_CHECKING:
    from openkamp.jobs.worker import JobWorker
    from openkamp.platform import Platform
    from openkamp.workers.keeper import Chore

log = logging.getLogger(__name__)

__all__ = ["ROLES", "RoleRuntime", "check_role", "embedded_stores"]

ROLES = ("all", "api", "ingest", "jobs")
#: Roles whose processes run connections (and count for their share).
INGEST_ROLES = ("all", "ingest")


def embedded_stores(settings: Settings) -> list[str]:
    """The stores of ``settings`` that one process alone may open (``metadata``,
    ``timeseries``)."""
    out = []
    if not settings.resolved_metadata_url().startswith("postgresql"):
        out.append("metadata")
    if settings.resolved_timeseries_url().startswith("duckdb"):
        out.append("timeseries")
    return out


def check_role(settings: Settings) -> None:
    """Refuse a role this installation cannot run, and lease times that cannot work (before
    any store opens)."""
    ttl, beat = settings.lease_ttl_s, settings.lease_heartbeat_s
    if ttl <= 2 * beat:
        raise ConfigError(
            f"A lease's time (OPENKAMP_LEASE_TTL_S={ttl}) must be more than twice its heartbeat "
            f"(OPENKAMP_LEASE_HEARTBEAT_S={beat}).",
            hint="For example OPENKAMP_LEASE_TTL_S=15 and OPENKAMP_LEASE_HEARTBEAT_S=5.",
            code="workers.lease_times",
            params={"ttl": ttl, "heartbeat": beat},
        )
    role = settings.role
    if role == "all":
        return
    embedded = embedded_stores(settings)
    if embedded:
        sep = {"ko": ", ", "en": " and "}
        words = {lang: sep[lang].join(t(f"workers.store.{s}", lang) for s in embedded)
                 for lang in ("ko", "en")}  # fmt: skip
        raise ConfigError(
            f"The '{role}' role runs only where several processes share the stores; in this "
            f"installation {words['en']} can be opened by one process only.",
            hint="Set OPENKAMP_METADATA_URL and OPENKAMP_TIMESERIES_URL to a PostgreSQL database, "
            "or run one process for everything with --role all (the default).",
            code="workers.embedded_roles",
            params={"role": role, "stores": words[settings.language]},
        )
    if role == "jobs" and settings.jobs_scheduler:
        raise ConfigError(
            f"A Dask scheduler ({settings.jobs_scheduler}) is set, so jobs run on its Dask "
            "workers: no process of the jobs role is needed.",
            hint="Start Dask workers, or leave OPENKAMP_JOBS_SCHEDULER empty.",
            code="workers.jobs_on_dask",
            params={"address": settings.jobs_scheduler},
        )


class RoleRuntime:
    """What one process runs for its role, from start to stop (module docstring)."""

    def __init__(self, platform: Platform, role: str | None = None) -> None:
        self.platform = platform
        self.role = role or platform.settings.role
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; known: {', '.join(ROLES)}")
        self.jobs: JobWorker | None = None
        self.chores: list[Chore] = []
        self._started: dict[str, bool] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def shared(self) -> bool:
        return self.platform.leases is not None

    def start(self) -> None:
        if self.shared:
            self._start_shared()
        else:
            self._start_alone()

    # -- one process (embedded storage): everything here, as always ---------------------------

    def _start_alone(self) -> None:
        p = self.platform
        self._started["live"] = p.live.start()  # connections resume; False: already running
        p.alert_engine.start()  # live rules, also on time (stale, offline)
        interval = p.settings.retention_interval_s
        self._started["retention"] = interval > 0 and p.retention.start(interval)
        # contracts past their time window written expired, their jobs cancelled
        self._started["sweep"] = p.sharing.start_sweep()

    # -- one of several processes (a shared store): leases decide --------------------------------

    def _start_shared(self) -> None:
        from openkamp.connectors.ownership import ConnectionOwnership
        from openkamp.jobs.worker import JobWorker
        from openkamp.workers.keeper import Chore

        p, role = self.platform, self.role
        keeper = p.leases
        assert keeper is not None
        keeper.acquire(f"process:{role}:{keeper.holder}")  # alive (counted by other workers)
        keeper.expire_dead_here()
        if role in INGEST_ROLES:
            p.live.owner = ConnectionOwnership(p.live, keeper, workers=self._ingest_workers)
            self._started["live"] = p.live.start(resume=False)
            p.alert_engine.ticks = False  # on time: where the chore's lease is
            p.alert_engine.start()
            self.chores.append(
                Chore(keeper, "alert-ticks", lambda: _set(p.alert_engine, "ticks", True),
                      lambda: _set(p.alert_engine, "ticks", False))
            )  # fmt: skip
        if role in ("all", "api", "jobs"):
            if role == "api":
                p.jobs.dispatch = "queue"
            interval = p.settings.retention_interval_s
            if interval > 0:
                self.chores.append(
                    Chore(keeper, "retention", lambda: p.retention.start(interval),
                          p.retention.stop)
                )  # fmt: skip
            self.chores.append(Chore(keeper, "contract-sweep", p.sharing.start_sweep,
                                     p.sharing.stop_sweep))  # fmt: skip
            # imports left 'running' by a process that died (their lease ran out)
            self.chores.append(Chore(keeper, "imports-sweep", _nothing, _nothing))
            self.jobs = JobWorker(
                p.jobs, poll_s=p.settings.jobs_poll_s, claims=role in ("all", "jobs")
            )
            self.jobs.start()
        self._thread = threading.Thread(target=self._loop, name="openkamp-role", daemon=True)
        self._thread.start()
        log.info(t("workers.started", "en", role=role, holder=keeper.holder))

    def _ingest_workers(self) -> int:
        keeper = self.platform.leases
        assert keeper is not None
        _, live = keeper.store.live("process:")
        return sum(1 for lease in live if lease.resource.split(":")[1] in INGEST_ROLES)

    def _loop(self) -> None:
        """Every second: chores taken where free, the connections' pass, the imports sweep."""
        p = self.platform
        interval = min(1.0, p.settings.lease_heartbeat_s)
        next_imports = 0.0
        while not self._stop.wait(interval):
            for chore in self.chores:
                try:
                    runs = chore.check()
                    due = time.monotonic() >= next_imports
                    if runs and chore.resource == "chore:imports-sweep" and due:
                        next_imports = time.monotonic() + p.settings.lease_ttl_s
                        p.imports.mark_interrupted()
                except Exception:
                    log.warning("chore %s failed", chore.resource, exc_info=True)
            owner = p.live.owner
            if owner is not None and p.live.running:
                try:
                    owner.check()
                except Exception:
                    log.warning("connection pass failed", exc_info=True)

    def stop(self) -> None:
        p = self.platform
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self.jobs is not None:
            self.jobs.stop()
        for chore in self.chores:
            chore.close()
        if self._started.get("retention"):
            p.retention.stop()
        if self._started.get("sweep"):
            p.sharing.stop_sweep()
        if self._started.get("live"):
            p.live.stop()  # connections stop, accepted points are stored: then others take them
        owner = p.live.owner
        if owner is not None:
            for cid in owner.mine():
                owner.release(cid)
        if self.shared:
            keeper = p.leases
            assert keeper is not None
            keeper.release(f"process:{self.role}:{keeper.holder}")


def _set(obj: Any, name: str, value: Any) -> None:
    setattr(obj, name, value)


def _nothing() -> None:
    return None
