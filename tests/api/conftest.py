"""An API over a real platform: embedded storage, three days of the demo factory, two organisations.

Organisation A (the default one) holds the data, its operator ``kim`` and an engineer ``park``;
organisation B has its own admin ``lee`` and nothing else. Clients authenticate with API tokens
(``kim``: admin scope; ``park``: read-only; ``lee``: admin of B), exactly as scripts do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Role, system_principal
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.sim import Factory

START = datetime.fromisoformat("2026-03-02T00:00:00+09:00")
END = START + timedelta(days=3)
PASSWORD = "correct horse battery"


@dataclass
class World:
    kamp: Platform
    app_client: TestClient
    tokens: dict[str, str]
    org_b: int

    def client(self, who: str | None) -> TestClient:
        """The test client with ``who``'s token (None: no credentials at all)."""
        c = self.app_client
        c.headers.pop("Authorization", None)
        c.cookies.clear()
        if who is not None:
            c.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return c


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("api")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    system = kamp.principal()
    factory = Factory(seed=5)
    site = factory.asset_model()
    kamp.assets.apply_tree(system, [site])
    paths = {e.name: f"{site.name}/{ln.name}/{e.name}" for ln in site.lines for e in ln.equipment}
    for file in factory.write_files(root / "files", START, END):
        kamp.imports.import_file(system, file, ImportOptions(equipment=paths[file.stem]))
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me_kim = kamp.accounts.principal_of(kim)
    park = kamp.accounts.create_user(me_kim, "park", PASSWORD, role=Role.ENGINEER)
    org_b = kamp.meta.create_org("other-factory")["id"]
    lee = kamp.accounts.create_user(system_principal(org_b), "lee", PASSWORD, role=Role.ADMIN)
    tokens = {
        "kim": kamp.accounts.create_token(me_kim, "tests", ["admin"])[1],
        "park": kamp.accounts.create_token(kamp.accounts.principal_of(park), "ro", ["read"])[1],
        "lee": kamp.accounts.create_token(kamp.accounts.principal_of(lee), "tests", ["admin"])[1],
    }
    with TestClient(create_app(platform=kamp)) as client:
        yield World(kamp, client, tokens, org_b)
    kamp.close()


@pytest.fixture
def api(world: World) -> TestClient:
    """A client acting as kim (operator and admin of organisation A)."""
    return world.client("kim")


def data_dir(world: World) -> Path:
    return world.kamp.settings.data_dir


def wait_job(api: TestClient, job_id: int, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture(scope="session")
def trained(world: World) -> dict[str, Any]:
    api = world.client("kim")
    body = {
        "task": "classify", "name": "inj01_defect", "equipment": "plant1/line1/inj01",
        "target": "pass_fail", "groups": "lot_id", "end": "2026-03-04T12:00:00+09:00",
        "time_budget_s": 5,
    }  # fmt: skip
    queued = api.post("/api/v1/models/train", json=body)
    assert queued.status_code == 202
    job = wait_job(api, queued.json()["job"]["id"], timeout=300)
    assert job["status"] == "done", job.get("error")
    return job["result"]["model"]
