"""The one typed settings object (STYLE rule 8).

Every setting is declared once, with its type, default and description. Values come from keyword
arguments, then ``OPENKAMP_*`` environment variables, then a ``.env`` file in the working
directory. Nothing reads the environment at import time: call :func:`Settings` (or
``Settings.from_env()``) when you build a platform.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from openkamp.core.errors import ConfigError


class Settings(BaseSettings):
    """Settings of one OpenKAMP installation."""

    model_config = SettingsConfigDict(
        env_prefix="OPENKAMP_", env_file=".env", extra="ignore", validate_default=True
    )

    environment: Literal["development", "test", "production"] = Field(
        "development", description="Deployment environment; production refuses unsafe defaults."
    )
    data_dir: Path = Field(
        Path("data"), description="Folder holding the embedded databases and stored files."
    )
    metadata_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the metadata store (orgs, assets, signals, imports). "
        "Default: sqlite:///<data_dir>/metadata.sqlite.",
    )
    timeseries_url: str | None = Field(
        None,
        description="URL of the time-series store. Default: duckdb:///<data_dir>/timeseries.duckdb.",
    )
    files_url: str | None = Field(
        None, description="URL of the file store. Default: file://<data_dir>/files."
    )
    timezone: str = Field(
        "Asia/Seoul",
        description="Time zone for timestamps without an explicit offset, and for display.",
    )
    language: Literal["ko", "en"] = Field("ko", description="Default language of the interface.")
    host: str = Field(
        "127.0.0.1",
        description="Address the web server listens on (0.0.0.0 to serve the factory network).",
    )
    port: int = Field(8000, ge=1, le=65535, description="Port of the web server.")
    default_org_name: str = Field(
        "default", description="Machine name of the organisation created in a new installation."
    )
    import_chunk_bytes: int = Field(
        8 * 1024 * 1024,
        ge=64 * 1024,
        description="Bytes of a text file parsed per chunk on import: bounds import memory.",
    )
    import_max_columns: int = Field(
        2000, ge=2, description="Files with more columns than this are rejected on import."
    )
    import_max_uncompressed_bytes: int = Field(
        2 * 1024**3,
        description="Largest uncompressed size accepted inside an .xlsx (zip bomb guard).",
    )
    upload_max_bytes: int = Field(
        1024**3,
        ge=1024,
        description="Largest file accepted by an upload (import, staging, scoring); reading "
        "stops past it (413).",
    )
    upload_org_quota_bytes: int = Field(
        4 * 1024**3,
        ge=1024,
        description="Bytes of uploaded files an organisation may keep staged for the import "
        "wizard at once.",
    )
    duckdb_memory_limit: str = Field(
        "512MB", description="Memory limit of the embedded DuckDB engine (e.g. '512MB', '4GB')."
    )
    duckdb_threads: int | None = Field(
        None, ge=1, description="Threads of the embedded DuckDB engine (default: all cores)."
    )
    jobs_workers: int = Field(
        2, ge=1, description="Background jobs (training, scoring, large imports) run at once."
    )
    jobs_progress_interval_s: float = Field(
        0.5,
        ge=0,
        description="A job writes its progress and log to the store at most this often "
        "(and whenever its message changes).",
    )
    jobs_log_max_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="A job's stored log keeps only its last this many bytes.",
    )
    jobs_scheduler: str = Field(
        "",
        description="Address of a Dask scheduler (e.g. tcp://10.0.0.5:8786) whose workers run "
        "training, scoring and valuation jobs; empty: jobs run in this process (jobs_workers "
        "threads). With a scheduler the time series must be on PostgreSQL, the metadata on "
        "PostgreSQL (or SQLite with the workers on this machine), and the data folder at the "
        "same path on every worker.",
    )
    jobs_scheduler_timeout_s: float = Field(
        10.0,
        gt=0,
        description="Seconds to wait for the Dask scheduler when connecting to it.",
    )
    role: Literal["all", "api", "ingest", "jobs"] = Field(
        "all",
        description="What this process does (openkamp serve --role): all (one process does "
        "everything: a factory PC), api (web UI and API; jobs wait for job workers), ingest "
        "(connections and HTTP ingest), jobs (runs queued jobs). Roles other than all need the "
        "metadata and the time series on PostgreSQL.",
    )
    lease_ttl_s: float = Field(
        15.0,
        gt=0,
        description="How long a worker process's lease on a job, a connection or a chore lasts "
        "without a heartbeat: when a worker dies, others take its work over after at most this.",
    )
    lease_heartbeat_s: float = Field(
        5.0,
        gt=0,
        description="How often a worker process renews its leases (well below lease_ttl_s).",
    )
    jobs_poll_s: float = Field(
        1.0,
        gt=0,
        description="How often a job worker looks for queued jobs (and for jobs whose worker "
        "was lost).",
    )
    connectors_buffer_points: int = Field(
        1_000_000,
        ge=1000,
        description="Live points (connectors, HTTP ingest) accepted and not yet durable at "
        "most; a source that finds the buffer full waits (backpressure).",
    )
    connectors_batch_points: int = Field(
        200_000,
        ge=100,
        description="Live points written to the store in one batch at most (each store commit "
        "has a fixed cost: fewer, larger batches are faster).",
    )
    connectors_restart_initial_s: float = Field(
        1.0,
        gt=0,
        description="First delay before a failed connection is started again; it doubles "
        "(jittered) with each failure up to connectors_restart_max_s.",
    )
    connectors_restart_max_s: float = Field(
        60.0, gt=0, description="Longest delay before a failed connection is started again."
    )
    connectors_stats_interval_s: float = Field(
        5.0,
        gt=0,
        description="A running connection saves its counters to its record this often.",
    )
    ingest_max_bytes: int = Field(
        256 * 1024**2,
        ge=1024,
        description="Largest body of an HTTP ingest request (after gzip); reading stops "
        "past it (413). JSON bodies are limited to 16 MB in any case.",
    )
    ingest_max_future_s: float = Field(
        86_400.0,
        ge=0,
        description="Live points dated more than this many seconds ahead of the server's "
        "clock are rejected (time.absurd), as are points before 1990.",
    )
    retention_raw_days: int | None = Field(
        None,
        ge=1,
        le=36_500,
        description="Days raw points are kept, for organisations that set no retention of "
        "their own (a signal may have its own too); empty: forever.",
    )
    retention_minute_days: int | None = Field(
        None,
        ge=1,
        le=36_500,
        description="Days per-minute aggregates (count, min, max, mean, last) are kept by "
        "default; empty: forever. At least the raw days.",
    )
    retention_hour_days: int | None = Field(
        None,
        ge=1,
        le=36_500,
        description="Days per-hour aggregates are kept by default; empty: forever. At least "
        "the minute days.",
    )
    retention_interval_s: float = Field(
        3600.0,
        ge=0,
        description="The server drops data past its retention at start and then this often "
        "(seconds); 0: never by itself (POST /api/v1/retention/run applies it on demand).",
    )
    retention_chunk_rows: int = Field(
        50_000,
        ge=1000,
        description="Rows retention drops per transaction; ingest writes run between chunks, "
        "so this bounds how long a write may wait.",
    )
    session_idle_minutes: int = Field(
        120,
        ge=1,
        description="A browser session ends after this many minutes without a request (sliding).",
    )
    session_max_hours: int = Field(
        12,
        ge=1,
        description="A browser session ends this many hours after sign-in, however active it is.",
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Failed sign-ins for one login within the window that lock it for a while.",
    )
    login_client_max_failures: int = Field(
        20,
        ge=1,
        description="Failed sign-ins from one client address within the window that lock that "
        "address (higher than per login: a factory often shares one address).",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For names the client a sign-in is counted against; empty: never believed.",
    )
    login_window_minutes: int = Field(
        15, ge=1, description="Window in which failed sign-ins are counted."
    )
    login_lockout_minutes: int = Field(
        15, ge=1, description="How long a locked login or client address must wait."
    )
    password_min_length: int = Field(
        10, ge=10, description="Shortest password accepted (at least 10 characters)."
    )
    password_hash_memory_kib: int = Field(
        65536,
        ge=1024,
        description="Memory of the argon2id password hash in KiB; at least 19456 in production. "
        "Stored hashes are upgraded at the next sign-in when this changes.",
    )
    password_hash_time_cost: int = Field(
        3, ge=1, description="Passes of the argon2id password hash (at least 2 in production)."
    )

    public_url: str = Field(
        "",
        description="Base URL under which users and other systems reach this installation "
        "(e.g. https://kamp.factory.example); AAS exports link signal data to its data API. "
        "Empty: exports name the data API by its path alone (/api/v1/data).",
    )
    aas_id_prefixes: dict[str, str] = Field(
        default_factory=dict,
        description="AAS identifier prefix per organisation, as JSON: "
        '{"<organisation machine name>": "https://aas.example.com/ids/"}. An organisation that '
        "owns a domain names its prefix here; the others get urn:openkamp:<org>.<key>:, where "
        "the key is derived from the organisation and its creation time (unique per "
        "installation).",
    )

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Asia/Seoul)"
            ) from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"public_url {value!r} must be an http(s) URL without query")
        return value.rstrip("/")

    @field_validator("aas_id_prefixes")
    @classmethod
    def _check_aas_id_prefixes(cls, value: dict[str, str]) -> dict[str, str]:
        # An absolute IRI or URN; ids are the prefix followed by "aas/…", "sm/…", "cd/…".
        for org, prefix in value.items():
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+", prefix):
                raise ValueError(
                    f"AAS id prefix {prefix!r} of organisation {org!r} is not an absolute "
                    "IRI or URN (e.g. https://aas.example.com/ids/ or urn:example:aas:)"
                )
        return {k: v if v[-1] in "/:#" else v + "/" for k, v in value.items()}

    # -- derived values -----------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_metadata_url(self) -> str:
        return self.metadata_url or f"sqlite:///{(self.data_dir / 'metadata.sqlite').resolve()}"

    def resolved_timeseries_url(self) -> str:
        return self.timeseries_url or f"duckdb:///{(self.data_dir / 'timeseries.duckdb').resolve()}"

    def resolved_files_url(self) -> str:
        return self.files_url or f"file://{(self.data_dir / 'files').resolve()}"

    def check_safe(self) -> None:
        """Refuse to run outside development with default secrets."""
        # OWASP's floor for argon2id; low values are for tests only.
        if self.environment == "production" and (
            self.password_hash_memory_kib < 19456 or self.password_hash_time_cost < 2
        ):
            raise ConfigError(
                "The password hash is too cheap for production "
                f"(memory {self.password_hash_memory_kib} KiB, {self.password_hash_time_cost} passes).",
                hint="Use at least OPENKAMP_PASSWORD_HASH_MEMORY_KIB=19456 and "
                "OPENKAMP_PASSWORD_HASH_TIME_COST=2 (the defaults are stronger).",
            )
