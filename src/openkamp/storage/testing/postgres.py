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
    except Exception as exc:  # noqa: BLE001 - any failure means no server for the tests
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
