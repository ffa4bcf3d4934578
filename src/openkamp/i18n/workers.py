"""Texts of process roles (``openkamp serve --role``) and their leases (issue 12, item 2)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.workers.embedded_roles": {
        "ko": "'{role}' 역할은 여러 프로세스가 같은 저장소를 쓰는 설치에서만 실행할 수 있습니다. "
        "이 설치의 {stores}은(는) 한 프로세스만 열 수 있습니다.",
        "en": "The '{role}' role runs only where several processes share the stores; in this "
        "installation {stores} can be opened by one process only.",
    },
    "err.workers.embedded_roles.hint": {
        "ko": "OPENKAMP_METADATA_URL과 OPENKAMP_TIMESERIES_URL을 PostgreSQL 데이터베이스"
        "(postgresql+psycopg://user@host/db)로 설정하거나, 한 프로세스로 모든 일을 하도록 "
        "--role all(기본값)로 실행하세요.",
        "en": "Set OPENKAMP_METADATA_URL and OPENKAMP_TIMESERIES_URL to a PostgreSQL database "
        "(postgresql+psycopg://user@host/db), or run one process for everything with --role all "
        "(the default).",
    },
    "workers.store.metadata": {
        "ko": "메타데이터(내장 SQLite 파일)",
        "en": "the metadata (an embedded SQLite file)",
    },
    "workers.store.timeseries": {
        "ko": "시계열(내장 DuckDB 파일)",
        "en": "the time series (an embedded DuckDB file)",
    },
    "err.workers.lease_times": {
        "ko": "리스 유지 시간(OPENKAMP_LEASE_TTL_S={ttl})은 갱신 주기"
        "(OPENKAMP_LEASE_HEARTBEAT_S={heartbeat})의 두 배보다 길어야 합니다.",
        "en": "A lease's time (OPENKAMP_LEASE_TTL_S={ttl}) must be more than twice its heartbeat "
        "(OPENKAMP_LEASE_HEARTBEAT_S={heartbeat}).",
    },
    "err.workers.lease_times.hint": {
        "ko": "예: OPENKAMP_LEASE_TTL_S=15, OPENKAMP_LEASE_HEARTBEAT_S=5",
        "en": "For example OPENKAMP_LEASE_TTL_S=15 and OPENKAMP_LEASE_HEARTBEAT_S=5.",
    },
    "err.workers.jobs_on_dask": {
        "ko": "Dask 스케줄러({address})가 설정되어 있어 작업은 Dask 작업자에서 실행됩니다. "
        "jobs 역할의 프로세스는 필요하지 않습니다.",
        "en": "A Dask scheduler ({address}) is set, so jobs run on its Dask workers: no process "
        "of the jobs role is needed.",
    },
    "err.workers.jobs_on_dask.hint": {
        "ko": "Dask 작업자를 시작하거나(dask worker {address}), 작업을 jobs 역할 프로세스에서 "
        "실행하려면 OPENKAMP_JOBS_SCHEDULER를 비우세요.",
        "en": "Start Dask workers (dask worker {address}), or leave OPENKAMP_JOBS_SCHEDULER empty "
        "to run jobs in processes of the jobs role.",
    },
    "err.workers.ingest_elsewhere": {
        "ko": "이 프로세스(api 역할)는 데이터 수신(/api/v1/ingest)을 처리하지 않습니다.",
        "en": "This process (the api role) does not take data in (/api/v1/ingest).",
    },
    "err.workers.ingest_elsewhere.hint": {
        "ko": "ingest 작업자(openkamp serve --role ingest)의 주소로 보내세요. 리버스 프록시에서는 "
        "/api/v1/ingest/ 경로를 ingest 작업자로 보내도록 설정합니다.",
        "en": "Send it to an ingest worker (openkamp serve --role ingest); behind a reverse proxy, "
        "route /api/v1/ingest/ to the ingest workers.",
    },
    "workers.started": {
        "ko": "OpenKAMP {role} 작업자 {holder} 시작",
        "en": "OpenKAMP {role} worker {holder} started",
    },
}
