"""The platform object: stores opened from settings, services wired on top (STYLE rule 1).

Everything an edge (CLI, API, UI) needs hangs off one :class:`Platform`::

    with Platform(Settings(data_dir="data")) as kamp:
        me = kamp.principal()
        kamp.imports.import_file(me, "press.csv", ImportOptions(equipment="plant1/line1/press01"))

Nothing connects at import time; tests build ``Platform.in_memory()``-like instances on a
temporary folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openkamp.accounts import AccountService
from openkamp.alerts import AlertEngine, AlertService, ChannelService, Notifier, RuleService
from openkamp.assets.service import AssetService
from openkamp.connectors.runtime import LiveRuntime
from openkamp.connectors.service import ConnectorService
from openkamp.core.errors import Conflict
from openkamp.core.private import make_private
from openkamp.core.tenancy import Principal, system_principal
from openkamp.core.uploads import clean_at_start
from openkamp.datasets import DatasetService
from openkamp.ingest.importer import ImportService
from openkamp.jobs.service import JobService
from openkamp.ml.online import OnlineScoring
from openkamp.ml.registry import ModelRegistry
from openkamp.ml.service import ModelService
from openkamp.query import QueryService
from openkamp.retention import Policy, RetentionService
from openkamp.settings import Settings
from openkamp.sharing.service import SharingService
from openkamp.storage.metadata.leases import lease_store
from openkamp.storage.registry import open_files, open_metadata, open_timeseries
from openkamp.workers.keeper import LeaseKeeper
from openkamp.workers.roles import check_role


class Platform:
    """One OpenKAMP installation: its stores and services.

    ``worker=True``: the platform a job worker (a Dask worker process) opens, see
    :meth:`for_worker`.
    """

    def __init__(self, settings: Settings | None = None, *, worker: bool = False) -> None:
        self.settings = settings or Settings()
        self.settings.check_safe()
        check_role(self.settings)  # a role an embedded installation cannot run: refused here
        executor = None
        if self.settings.jobs_scheduler:  # before any store opens: a refusal leaves nothing open
            from openkamp.jobs.dask import DaskExecutor

            executor = DaskExecutor.from_settings(self.settings, Platform.for_worker)
        if not worker:  # the server made the folder private; a worker only uses it
            make_private(self.settings.data_dir)  # 0700 / 0600, also what is there already
        self.meta = open_metadata(self.settings.resolved_metadata_url())
        ts_url = self.settings.resolved_timeseries_url()
        if ts_url.startswith("duckdb") and "?" not in ts_url:
            ts_url += f"?memory_limit={self.settings.duckdb_memory_limit}"
            if self.settings.duckdb_threads:
                ts_url += f"&threads={self.settings.duckdb_threads}"
        try:
            self.ts = open_timeseries(ts_url)
        except BaseException:
            self.meta.close()
            raise
        self.files = open_files(self.settings.resolved_files_url())
        #: Several processes on one store (PostgreSQL): this process's leases on jobs,
        #: connections, imports and chores (openkamp.workers). None: the only process.
        self.leases: LeaseKeeper | None = None
        if self.meta.shared:
            self.leases = LeaseKeeper(
                lease_store(self.meta),
                ttl_s=self.settings.lease_ttl_s,
                heartbeat_s=self.settings.lease_heartbeat_s,
            )
        self.assets = AssetService(self.meta, self.ts)
        self.imports = ImportService(
            self.meta,
            self.ts,
            self.files,
            self.assets,
            timezone=self.settings.timezone,
            chunk_bytes=self.settings.import_chunk_bytes,
            max_columns=self.settings.import_max_columns,
            max_uncompressed_bytes=self.settings.import_max_uncompressed_bytes,
        )
        self.imports.leases = self.leases
        self.query = QueryService(self.ts, self.assets)
        self.datasets = DatasetService(self.meta, self.files, self.assets)
        self.models = ModelRegistry(self.meta, self.files)
        self.ml = ModelService(self.query, self.assets, self.models, self.datasets)
        self.accounts = AccountService.from_settings(self.meta, self.settings)
        self.alerts = AlertService(self.meta)
        self.ml.on_scored = self._alerts_from_scores
        self.jobs = JobService(
            self.meta,
            executor,
            workers=self.settings.jobs_workers,
            progress_interval_s=self.settings.jobs_progress_interval_s,
            log_max_bytes=self.settings.jobs_log_max_bytes,
        )
        self.jobs.platform = self  # what job functions reach as ctx.platform
        self.jobs.leases = self.leases
        # The live path (connectors, HTTP ingest, listeners after each durable write); its
        # loop starts with the server (create_app's lifespan), not here.
        self.live = LiveRuntime(self.meta, self.ts, self.settings)
        self.connections = ConnectorService(self.meta, self.live)
        # Live alerts: rules and production models on every durable batch (off the writer
        # thread), notifications by webhook and e-mail (off the engine's thread).
        self.alert_rules = RuleService(self.meta)
        self.channels = ChannelService(self.meta)
        self.notifier = self.channels.notifier = Notifier(self.meta)
        self.alert_engine = AlertEngine(
            self.meta, self.alerts, OnlineScoring(self.ml), notify=self.notifier.alert
        )
        self.alert_rules.on_change = self.alert_engine.reload
        self.live.add_listener(self.alert_engine.on_points)
        # Retention of raw points and roll-ups; its periodic pass starts with the server.
        self.retention = RetentionService(
            self.meta,
            self.ts,
            self.assets,
            defaults=Policy(
                self.settings.retention_raw_days,
                self.settings.retention_minute_days,
                self.settings.retention_hour_days,
            ),
            chunk_rows=self.settings.retention_chunk_rows,
        )
        # Sharing data under contract: the catalog, contracts, the check of every access and
        # the usage ledger (keys in <data_dir>/keys/ledger); revocation cancels jobs.
        self.sharing = SharingService.at(
            self.meta,
            self.settings.data_dir,
            self.jobs,
            datasets=self.datasets,
            base_url=self.settings.public_url,
            models=self.models,
            tz=self.settings.timezone,
        )
        org = self._find_or_create_org(
            self.settings.default_org_name, "기본 조직 / Default organisation"
        )
        self.default_org_id: int = org["id"]
        if not worker:  # the server's start-up chores (a worker starting must not end its jobs)
            # Beside other processes (leases), only what no live process answers for.
            self.imports.mark_interrupted()
            self.jobs.mark_interrupted()
            if not self._others_alive():  # their uploads in progress are not leftovers
                clean_at_start(self.settings.data_dir)  # cut off when the last process stopped

    @classmethod
    def at(cls, data_dir: str | Path, **settings: Any) -> Platform:
        """A platform on embedded storage in ``data_dir`` (handy in notebooks and tests)."""
        return cls(Settings(data_dir=Path(data_dir), **settings))

    @classmethod
    def for_worker(cls, values: dict[str, Any]) -> Platform:
        """The platform a job worker opens from the server's settings (every value given, so
        the worker's environment changes none): the same stores and services, none of the
        server's start-up chores (marking interrupted jobs and imports failed, removing cut-off
        uploads, making the data folder private)."""
        return cls(Settings(**values), worker=True)

    def _others_alive(self) -> bool:
        """Whether another process of a shared installation is running (its presence lease)."""
        if self.leases is None:
            return False
        _, live = self.leases.store.live("process:")
        return any(lease.holder != self.leases.holder for lease in live)

    def principal(self, org_name: str | None = None) -> Principal:
        """The local administrator of an organisation (the default one unless named)."""
        if org_name is None:
            return system_principal(self.default_org_id)
        return system_principal(self._find_or_create_org(org_name)["id"])

    def _find_or_create_org(self, name: str, display_name: str = "") -> dict[str, Any]:
        org = self.meta.find_org(name)
        if org is None:
            try:
                org = self.meta.create_org(name, display_name)
            except Conflict:  # another process (a worker starting beside this one) made it
                org = self.meta.find_org(name)
                if org is None:
                    raise
        return org

    def _alerts_from_scores(
        self, principal: Principal, mv: Any, summary: Any, equipment: str | None
    ) -> None:
        """What a scored period found (anomaly alarms, predicted defects; counted piece by
        piece) as alerts of the machine it was scored on, for the overview."""
        eq = None if not equipment else self.assets.resolve(principal, equipment).id
        self.alerts.raise_from_summary(principal, mv, summary, equipment_id=eq)

    def close(self) -> None:
        self.retention.stop()  # a pass in progress ends before the stores close
        self.sharing.stop_sweep()  # (the server's contract sweep, if it runs)
        self.live.close()  # connections stop, accepted live points are written
        self.alert_engine.stop()  # what the live path handed over is evaluated
        self.notifier.stop()
        self.jobs.close()  # first: running jobs may still write to the stores
        if self.leases is not None:
            self.leases.close()  # what this process held is free for others at once
        self.ts.close()
        self.files.close()
        self.meta.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
