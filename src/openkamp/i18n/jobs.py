"""Texts of the jobs area beyond the common ones in ``errors``: a job whose worker was lost, the
Dask executor's configuration errors (``err.jobs.dask_*``) and the fan-out training job's
(``err.ml.fleet_*``, :mod:`openkamp.ml.jobs`)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.job.worker_lost": {
        "ko": "작업을 실행하던 작업자(worker)가 멈춰 작업이 중단되었습니다. 다시 실행하세요.",
        "en": "The job was interrupted because the worker running it stopped. Run it again.",
    },
    "err.jobs.dask_embedded_timeseries": {
        "ko": "Dask 클러스터에서 작업을 실행하려면 시계열 데이터가 데이터베이스 서버에 있어야 "
        "합니다. 내장 DuckDB 파일은 한 프로세스만 열 수 있어 작업자가 읽을 수 없습니다.",
        "en": "Jobs on a Dask cluster need the time series on a database server: the embedded "
        "DuckDB file can be opened by one process only, and the workers must read it too.",
    },
    "err.jobs.dask_embedded_timeseries.hint": {
        "ko": "OPENKAMP_TIMESERIES_URL을 PostgreSQL 데이터베이스(postgresql+psycopg://user@host/db)"
        "로 설정하거나, 작업을 이 프로세스에서 실행하려면 OPENKAMP_JOBS_SCHEDULER를 비워 두세요.",
        "en": "Set OPENKAMP_TIMESERIES_URL to a PostgreSQL database (postgresql+psycopg://"
        "user@host/db), or leave OPENKAMP_JOBS_SCHEDULER empty to run jobs in this process.",
    },
    "err.jobs.dask_memory_metadata": {
        "ko": "Dask 클러스터의 작업은 이 프로세스의 메모리에만 있는 메타데이터를 쓸 수 없습니다.",
        "en": "Jobs on a Dask cluster cannot use metadata kept in this process's memory.",
    },
    "err.jobs.dask_memory_metadata.hint": {
        "ko": "OPENKAMP_METADATA_URL을 PostgreSQL 데이터베이스나 SQLite 파일로 설정하세요.",
        "en": "Set OPENKAMP_METADATA_URL to a PostgreSQL database or a SQLite file.",
    },
    "err.jobs.dask_address": {
        "ko": "{address!r}은(는) Dask 스케줄러 주소가 아닙니다.",
        "en": "{address!r} is not the address of a Dask scheduler.",
    },
    "err.jobs.dask_address.hint": {
        "ko": "스케줄러가 출력하는 주소를 쓰세요. 예: tcp://10.0.0.5:8786",
        "en": "Use the address the scheduler prints, e.g. tcp://10.0.0.5:8786.",
    },
    "err.jobs.dask_unreachable": {
        "ko": "{address}의 Dask 스케줄러가 응답하지 않습니다.",
        "en": "The Dask scheduler at {address} does not answer.",
    },
    "err.jobs.dask_unreachable.hint": {
        "ko": "스케줄러(dask scheduler)와 작업자를 시작하거나 OPENKAMP_JOBS_SCHEDULER를 확인하세요.",
        "en": "Start the scheduler (dask scheduler) and its workers, or check "
        "OPENKAMP_JOBS_SCHEDULER.",
    },
    "err.jobs.dask_sqlite_elsewhere": {
        "ko": "메타데이터가 {host}의 SQLite 파일에 있어 {worker}의 Dask 작업자가 함께 쓸 수 없습니다.",
        "en": "The metadata are in a SQLite file on {host}; the Dask worker on {worker} cannot "
        "share it.",
    },
    "err.jobs.dask_sqlite_elsewhere.hint": {
        "ko": "메타데이터를 PostgreSQL에 두거나(OPENKAMP_METADATA_URL=postgresql+psycopg://…) "
        "Dask 작업자를 서버와 같은 컴퓨터에서 실행하세요.",
        "en": "Put the metadata on PostgreSQL (OPENKAMP_METADATA_URL=postgresql+psycopg://…) or "
        "run the Dask workers on the server's machine.",
    },
    "err.jobs.dask_worker_folder": {
        "ko": "{worker}의 Dask 작업자에서 폴더 {path}이(가) 보이지 않습니다.",
        "en": "The Dask worker on {worker} does not see the folder {path}.",
    },
    "err.jobs.dask_worker_folder.hint": {
        "ko": "설치의 공유 폴더를 모든 작업자에서 같은 경로에 연결(mount)하세요 (모델, 데이터셋, "
        "키가 그 폴더의 파일입니다).",
        "en": "Mount the installation's shared folder at the same path on every worker (models, "
        "datasets and keys are files there).",
    },
    "err.ml.fleet_machines": {
        "ko": "모델을 만들 설비들을 지정하거나, 그 설비들이 속한 공장이나 라인을 지정하세요.",
        "en": "Name the machines, or the site or line whose machines get a model.",
    },
    "err.ml.fleet_no_machines": {
        "ko": "모델을 만들 설비가 없습니다.",
        "en": "There is no machine to train a model for.",
    },
    "err.ml.fleet_no_machines.hint": {
        "ko": "공장이나 라인의 경로와 설비 종류를 확인하세요.",
        "en": "Check the site or line path and the equipment type.",
    },
    "err.ml.fleet_none": {
        "ko": "어느 설비의 모델도 만들지 못했습니다 ({failed}대 실패, 작업 기록을 보세요).",
        "en": "No machine's model could be trained ({failed} failed; see the job's log).",
    },
}
