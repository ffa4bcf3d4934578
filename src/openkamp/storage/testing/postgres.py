"""For tests: a real PostgreSQL server, one fresh database per test (or per module).

The server is found from ``OPENKAMP_TEST_PG`` (a SQLAlchemy URL of a role that may create
databases, e.g. ``postgresql+psycopg://me:pw@db-host/postgres``) or, by default, the local
server's Unix socket as the current operating-system user (``./kamp setup-test`` starts Debian's
cluster and creates that role under ``CI=true``). Without a reachable server the tests skip with
the reason; under ``CI=true`` a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

DEFAULT_SOCKET = "/var/run/postgresql"
ENV = "OPENKAMP_TEST_PG"


def server_url() -> str:
    """The admin URL of the test server (its maintenance database)."""
    url = os.environ.get(ENV)
    if url:
        return url
    return f"postgresql+psycopg:///postgres?host={DEFAULT_SOCKET}"


def _dsn(url: str) -> str:
    """A libpq connection string for a SQLAlchemy URL (psycopg connects with it directly)."""
    u = make_url(url)
    parts = {
        "host": u.query.get("host") or u.host,
        "port": u.port,
        "user": u.username,
        "password": u.password,
        "dbname": u.database,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v not in (None, ""))


def reachable() -> str | None:
    """None when the test server answers, else why not."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a declared dependency
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    try:
        with psycopg.connect(_dsn(server_url()), connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"no PostgreSQL server at {server_url()} ({first}); start one "
            f"(pg_ctlcluster 15 main start) or set {ENV}"
        )
    return None


def server_or_skip() -> str:
    """The admin URL; skips without a server, fails under ``CI=true``."""
    import pytest

    why = reachable()
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{why}: in CI a missing server is a failure")
        pytest.skip(why)
    return server_url()


@contextmanager
def fresh_database(prefix: str = "okt") -> Iterator[str]:
    """Create an empty database on the test server, yield its SQLAlchemy URL, drop it after."""
    import psycopg

    admin = server_or_skip()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_dsn(admin), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_dsn(admin), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


class DatabasePerDataDir:
    """The test suite's PostgreSQL configuration (``OPENKAMP_TEST_STORAGE=postgresql``).

    While installed, a platform whose settings name no metadata or time-series URL gets, instead
    of SQLite and DuckDB files in its data folder, a PostgreSQL schema of its own in one database
    this test process creates on the test server (``search_path`` in the URL's ``options``; a
    database per platform costs seconds to create and drop, a schema milliseconds): one per data
    folder, so a platform re-opened on the same folder, as the restart tests do, finds its data
    again. The database is dropped by :meth:`close`. Files stay in the data folder. Every test
    that builds a platform in this process, however it builds it, then runs on PostgreSQL
    unchanged; a test of the embedded engines themselves says so with ``embedded_only``.
    """

    def __init__(self, prefix: str = "okp") -> None:
        self.prefix = prefix
        self.urls: dict[str, str] = {}
        self.database: str | None = None
        self._saved: dict[str, Any] = {}

    def _base(self) -> Any:
        import psycopg

        admin = server_or_skip()
        if self.database is None:
            name = f"{self.prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(_dsn(admin), autocommit=True) as conn:
                conn.execute(f'create database "{name}"')
            self.database = name
        return make_url(admin).set(drivername="postgresql+psycopg", database=self.database)

    def url_for(self, data_dir: Any) -> str:
        import psycopg

        key = str(Path(data_dir).resolve())
        url = self.urls.get(key)
        if url is None:
            base = self._base()
            schema = f"p{len(self.urls)}"
            with psycopg.connect(_dsn(base.render_as_string(hide_password=False))) as conn:
                conn.execute(f'create schema "{schema}"')
            query = dict(base.query)
            query["options"] = f"-csearch_path={schema}"
            made = base.set(query=query)
            url = self.urls[key] = made.render_as_string(hide_password=False)
        return url

    def install(self) -> None:
        from openkamp.settings import Settings

        owner = self
        self._saved = {
            "meta": Settings.resolved_metadata_url,
            "ts": Settings.resolved_timeseries_url,
        }
        meta, ts = self._saved["meta"], self._saved["ts"]

        def resolved_metadata_url(self: Settings) -> str:
            return self.metadata_url or owner.url_for(self.data_dir)

        def resolved_timeseries_url(self: Settings) -> str:
            return self.timeseries_url or owner.url_for(self.data_dir)

        resolved_metadata_url.__doc__ = meta.__doc__
        resolved_timeseries_url.__doc__ = ts.__doc__
        Settings.resolved_metadata_url = resolved_metadata_url  # type: ignore[method-assign]
        Settings.resolved_timeseries_url = resolved_timeseries_url  # type: ignore[method-assign]
        _INSTALLED.append(self)

    def close(self) -> None:
        import psycopg

        from openkamp.settings import Settings

        if self._saved:
            Settings.resolved_metadata_url = self._saved["meta"]  # type: ignore[method-assign]
            Settings.resolved_timeseries_url = self._saved["ts"]  # type: ignore[method-assign]
            self._saved = {}
        if self in _INSTALLED:
            _INSTALLED.remove(self)
        self.urls.clear()
        if self.database is not None:
            with psycopg.connect(_dsn(server_url()), autocommit=True) as conn:
                conn.execute(f'drop database if exists "{self.database}" with (force)')
            self.database = None


_INSTALLED: list[DatabasePerDataDir] = []


def subprocess_env(data_dir: Any, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for an ``openkamp`` process a test starts on ``data_dir``: under the
    suite's PostgreSQL configuration it names the data folder's schema (the child process does
    not inherit the in-process mapping), else the environment unchanged."""
    out = dict(os.environ if env is None else env)
    if _INSTALLED:
        url = _INSTALLED[-1].url_for(data_dir)
        out["OPENKAMP_METADATA_URL"] = url
        out["OPENKAMP_TIMESERIES_URL"] = url
    return out
