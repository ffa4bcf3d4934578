"""A platform whose metadata is in PostgreSQL (``metadata_url``), end to end: organisations and
users, the asset tree, a CSV import with its record, datasets and model versions, sign-in, and
everything still there when the platform is opened again. Time series stay in DuckDB here.

Needs the test PostgreSQL server (skipped without one, a failure under CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from openkamp.core.tenancy import Principal, Role
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.storage.testing.postgres import fresh_database

FAST_HASH = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
PASSWORD = "correct horse battery"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture
def kamp(tmp_path: Path, pg_url: str) -> Iterator[Platform]:
    platform = Platform.at(
        tmp_path / "data", duckdb_memory_limit="256MB", metadata_url=pg_url, **FAST_HASH
    )
    yield platform
    platform.close()


def test_a_platform_on_postgresql_end_to_end(
    kamp: Platform, me: Principal, press: str, tmp_path: Path, pg_url: str
) -> None:
    assert kamp.meta.engine.dialect.name == "postgresql" and kamp.meta.shared
    assert not (tmp_path / "data" / "metadata.sqlite").exists()
    # accounts
    kamp.accounts.create_first_admin(kamp.default_org_id, "admin", PASSWORD)
    _, cookie, _ = kamp.accounts.login("admin", PASSWORD)
    admin, _ = kamp.accounts.authenticate_session(cookie)
    kamp.accounts.create_user(
        admin, "kim", PASSWORD, role=Role.ENGINEER, display_name="김 엔지니어"
    )
    other = kamp.principal("beta-ai")
    assert other.org_id != me.org_id
    # an import into the asset tree (a record of the import, points in the time-series store)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    n = 120
    frame = pd.DataFrame({
        "timestamp": [(start + timedelta(seconds=i)).isoformat() for i in range(n)],
        "pressure": [100.0 + i % 7 for i in range(n)],
        "oil_temp": [40.0 + (i % 5) / 10 for i in range(n)],
        "current": [12.5] * n,
        "result": ["OK" if i % 9 else "NG" for i in range(n)],
    })  # fmt: skip
    path = tmp_path / "press.csv"
    frame.to_csv(path, index=False)
    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    assert report.rows_read == report.rows_stored == n and report.rows_quarantined == 0
    stored = kamp.query.read(me, [f"{press}/pressure"])
    assert stored.column("value").to_pylist() == frame["pressure"].tolist()
    assert [r["status"] for r in kamp.imports.list(me)] == ["done"]
    # datasets and models number their versions in the store
    for _ in range(2):
        version = kamp.datasets.create(me, "press-shots", frame.head(10))
    assert version.version == 2 and kamp.datasets.verify(me, "press-shots@1")
    assert kamp.datasets.list(other) == []  # another organisation sees none of it
    kamp.close()
    # opened again on the same database: everything is there, nothing migrated twice
    again = Platform.at(
        tmp_path / "data", duckdb_memory_limit="256MB", metadata_url=pg_url, **FAST_HASH
    )
    try:
        assert again.default_org_id == kamp.default_org_id
        assert [u["login"] for u in again.accounts.list_users(admin)] == ["admin", "kim"]
        principal, _ = again.accounts.authenticate_session(cookie)  # the session lives on
        assert principal.user_id == admin.user_id
        assert again.assets.resolve(me, press).name == "press01"
        assert again.query.read(me, [f"{press}/pressure"]).num_rows == n
        assert [v.version for v in again.datasets.versions(me, "press-shots")] == [1, 2]
    finally:
        again.close()
