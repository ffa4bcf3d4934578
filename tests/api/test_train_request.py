"""The API's train request reaches the training spec with every option the CLI and the model
wizard have: ``independent`` (the rows are independent parts → stratified or group folds
instead of folds in time order)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.api.routers.models import TrainRequest
from openkamp.core.errors import InvalidInput
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform

PASSWORD = "independent parts 2026"


@pytest.fixture
def caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, list]]:
    """A client with an admin token, and the specs ``kamp.ml.train`` was called with (it
    refuses each, so nothing is trained)."""
    kamp = Platform.at(tmp_path / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    token = kamp.accounts.create_token(kamp.accounts.principal_of(admin), "t", ["admin"])[1]
    specs: list[TrainSpec] = []

    def train(me: Any, spec: TrainSpec, **kw: Any) -> Any:
        specs.append(spec)
        raise InvalidInput("caught", code="web_data.train_needs_data")

    monkeypatch.setattr(kamp.ml, "train", train)
    with TestClient(create_app(platform=kamp)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, specs
    kamp.close()


def test_independent_reaches_the_training_spec(caught: tuple[TestClient, list]) -> None:
    client, specs = caught
    body = {"task": "classify", "name": "parts", "dataset": "검사", "target": "판정"}
    for independent in (True, False):
        resp = client.post(
            "/api/v1/models/train", params={"wait": True}, json={**body, "independent": independent}
        )
        assert resp.status_code == 422  # refused by the stand-in, after the spec was made
    assert [s.independent for s in specs] == [True, False]
    assert all(s.dataset == "검사" and s.target == "판정" for s in specs)
    # Left out, it is False (folds in time order where there is a time), as in TrainSpec.
    client.post("/api/v1/models/train", params={"wait": True}, json=body)
    assert specs[-1].independent is False
    schemas = client.app.openapi()["components"]["schemas"]  # type: ignore[attr-defined]
    assert "independent" in schemas["TrainRequest"]["properties"]


def test_the_request_has_every_option_of_the_spec() -> None:
    """Nothing the service can be told is missing from the API (except ``options``, the
    templates' free-form settings)."""
    spec = set(TrainSpec.__dataclass_fields__) - {"options"}
    assert spec <= set(TrainRequest.model_fields), spec - set(TrainRequest.model_fields)
