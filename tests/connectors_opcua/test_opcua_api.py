"""The API's OPC UA steps: browse answers the proposal (typed, nothing stored), apply creates
the assets and a running connection; a read-only token is refused; a server that is not there
is a 422 with the reason, in the request's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Role
from openkamp.platform import Platform
from openkamp.sim.live import free_port

from .conftest import SimServer, wait_for

PASSWORD = "correct horse battery"


@pytest.fixture
def api(kamp: Platform) -> Iterator[tuple[TestClient, dict[str, str]]]:
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me = kamp.accounts.principal_of(kim)
    park = kamp.accounts.create_user(me, "park", PASSWORD, role=Role.VIEWER)
    tokens = {
        "kim": kamp.accounts.create_token(me, "t", ["admin"])[1],
        "park": kamp.accounts.create_token(kamp.accounts.principal_of(park), "t", ["read"])[1],
    }
    with TestClient(create_app(platform=kamp)) as client:
        yield client, tokens


def test_browse_then_apply_over_the_api(
    api: tuple[TestClient, dict[str, str]], sim: SimServer, kamp: Platform
) -> None:
    client, tokens = api
    kim = {"Authorization": f"Bearer {tokens['kim']}"}
    r = client.post("/api/v1/connections/opcua/browse", json={"endpoint": sim.endpoint},
                    headers=kim)  # fmt: skip
    assert r.status_code == 200, r.text
    proposal = r.json()
    assert proposal["signals"] > 20 and kamp.assets.list_nodes(kamp.principal()) == []
    eq = proposal["sites"][0]["lines"][0]["equipment"][0]
    assert eq["signals"][0]["unit"] and eq["signals"][0]["max_value"] is not None
    for s in eq["signals"][1:]:
        s["selected"] = False
    body = {"name": "plc", "proposal": proposal,
            "settings": {"publishing_interval_ms": 100, "backfill": True}}  # fmt: skip
    read_only = {"Authorization": f"Bearer {tokens['park']}"}
    assert client.post("/api/v1/connections/opcua/apply", json=body,
                       headers=read_only).status_code == 403  # fmt: skip
    assert client.post("/api/v1/connections/opcua/browse", json={"endpoint": sim.endpoint},
                       headers=read_only).status_code == 403  # fmt: skip
    r = client.post("/api/v1/connections/opcua/apply", json=body, headers=kim)
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["signals"] == proposal["signals"] - len(eq["signals"]) + 1
    assert done["connection"]["kind"] == "opcua" and done["created"] > done["signals"]
    cid = done["connection"]["id"]
    sim.advance(1.0)

    def state() -> str:
        return str(client.get(f"/api/v1/connections/{cid}/status", headers=kim).json()["state"])

    wait_for(lambda: state() == "running", what="running")
    r = client.post("/api/v1/connections/opcua/apply", json=body, headers=kim)
    assert r.status_code == 409 and r.json()["error"]["code"] == "opcua.connection_exists"


def test_a_server_that_is_not_there_is_a_422_in_words(
    api: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    client, tokens = api
    headers = {"Authorization": f"Bearer {tokens['kim']}", "Accept-Language": "ko"}
    r = client.post(
        "/api/v1/connections/opcua/browse",
        json={"endpoint": f"opc.tcp://127.0.0.1:{free_port()}/", "timeout_s": 2},
        headers=headers,
    )
    assert r.status_code == 422
    answer = r.json()["error"]
    assert answer["code"] == "opcua.no_server"
    assert "OPC UA" in answer["message"] and "서버" in answer["message"]
