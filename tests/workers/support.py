"""Worker processes for the tests of process roles: real ``openkamp serve --role …`` processes on
one PostgreSQL database (a fresh one per test), with short leases so that a killed worker's
work moves within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.storage.metadata.leases import LeaseStore, parse_holder

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent

#: Lease settings of every process of these tests (production: 15 s and 5 s).
LEASE = {"lease_ttl_s": 2.0, "lease_heartbeat_s": 0.5, "jobs_poll_s": 0.2}
FAST = {
    "password_hash_memory_kib": 1024,
    "password_hash_time_cost": 1,
    "jobs_progress_interval_s": 0.1,
    "connectors_stats_interval_s": 0.5,
}


def settings(data: Path, url: str, **more: Any) -> Settings:
    return Settings(data_dir=data, metadata_url=url, timeseries_url=url, **LEASE, **FAST, **more)


def env_for(s: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("data_dir", "metadata_url", "timeseries_url", *LEASE, *FAST):
        env[f"OPENKAMP_{name.upper()}"] = str(getattr(s, name))
    env["OPENKAMP_CONNECTORS_RESTART_INITIAL_S"] = "0.05"
    env["OPENKAMP_CONNECTORS_RESTART_MAX_S"] = "0.5"
    # the test job functions are importable as workers.worker_fns, as in the test process
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    return env


def wait_for(cond: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@dataclass
class Worker:
    role: str
    proc: subprocess.Popen[bytes]
    log: Path
    port: int | None = None
    holder: str = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """Worker processes on one installation; the test's own platform (``kamp``) is an API
    process's: jobs it submits wait for job workers."""

    data: Path
    url: str
    kamp: Platform
    workers: list[Worker] = field(default_factory=list)

    def start(self, role: str, *, port: int | None = None) -> Worker:
        s = self.kamp.settings
        n = len(self.workers)
        log = self.data.parent / f"{role}-{n}.log"
        args = [sys.executable, "-m", "openkamp.cli.main", "serve", "--role", role]
        if port is not None:
            args += ["--port", str(port)]
        fh = log.open("wb")
        proc = subprocess.Popen(args, cwd=REPO, env=env_for(s), stdout=fh, stderr=subprocess.STDOUT)
        fh.close()
        worker = Worker(role, proc, log, port)
        self.workers.append(worker)
        return worker

    def wait_ready(self, *workers: Worker, timeout: float = 60.0) -> None:
        """Until each worker holds its presence lease (its role runs) and, with a port, answers."""
        import urllib.request

        store = LeaseStore(self.kamp.meta)
        for w in workers:

            def ready(w: Worker = w) -> bool:
                assert w.proc.poll() is None, f"{w.role} worker ended:\n{w.output()[-3000:]}"
                _, live = store.live(f"process:{w.role}:")
                mine = [x.holder for x in live if parse_holder(x.holder)[1] == w.pid]
                if not mine:
                    return False
                w.holder = mine[0]
                if w.port is None:
                    return True
                try:
                    with urllib.request.urlopen(f"{w.url}/api/v1/health", timeout=2) as r:
                        return bool(r.status == 200)
                except OSError:
                    return False

            wait_for(ready, timeout, f"the {w.role} worker {w.pid}")

    def by_holder(self, holder: str) -> Worker:
        (w,) = [w for w in self.workers if w.holder == holder]
        return w

    def stop(self) -> None:
        for w in self.workers:
            if w.proc.poll() is None:
                with suppress(OSError):
                    os.kill(w.pid, signal.SIGCONT)
                w.proc.terminate()
        for w in self.workers:
            try:
                w.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()


@contextmanager
def cluster(tmp_path: Path, **more: Any) -> Iterator[Cluster]:
    """A fresh database, the test's API platform on it, and the workers the test starts
    (all stopped at the end)."""
    from openkamp.storage.testing.postgres import fresh_database

    with fresh_database() as url:
        data = tmp_path / "data"
        kamp = Platform(settings(data, url, **more))
        kamp.jobs.dispatch = "queue"  # an API worker's: portable jobs go to job workers
        c = Cluster(data, url, kamp)
        try:
            yield c
        finally:
            c.stop()
            kamp.close()
