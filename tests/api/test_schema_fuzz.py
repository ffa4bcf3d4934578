"""Schemathesis: requests generated from the OpenAPI schema never get a server error (5xx).

Runs against its own platform (one day of the demo factory), as an administrator with every
scope, so that generated deletes and updates cannot disturb the other API tests. Each operation
gets a few dozen generated requests (valid and invalid), which is enough to find unhandled cases
such as an empty update or an unexpected value type.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from openkamp.api import create_app
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.sim import Factory

START = datetime.fromisoformat("2026-03-02T00:00:00+09:00")


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("fuzz")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    me = kamp.principal()
    factory = Factory(seed=2)
    site = factory.asset_model()
    kamp.assets.apply_tree(me, [site])
    for file in factory.write_files(root / "files", START, START + timedelta(hours=6)):
        eq = next(
            f"{site.name}/{ln.name}/{e.name}"
            for ln in site.lines
            for e in ln.equipment
            if e.name == file.stem
        )
        kamp.imports.import_file(me, file, ImportOptions(equipment=eq))
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    token = kamp.accounts.create_token(kamp.accounts.principal_of(admin), "fuzz", ["admin"])[1]
    app = create_app(platform=kamp)
    with TestClient(app):
        yield {"app": app, "token": token}
    kamp.close()


def test_no_server_errors(fuzz_world: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_world["app"])
    auth = {"Authorization": f"Bearer {fuzz_world['token']}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        headers = {} if operation.path.endswith(("/auth/setup", "/auth/login")) else auth

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            response = case.call(headers=headers)  # noqa: B023 - check() runs in this iteration
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        check()
    assert operations >= 35
    assert not failures, "\n".join(failures[:10])
