"""Tenant isolation: another organisation's admin calls every route with our ids and gets nothing.

Organisation B's admin ``lee`` holds a token with every scope. Each operation of the OpenAPI
schema that names a record in its path is called with organisation A's real ids (its equipment,
signals, imports, jobs, model, users, tokens); every answer must be 403 or 404 and carry none of
A's data. The list routes answer only with B's (empty) records.
"""

from __future__ import annotations

import json
from typing import Any

#: Valid bodies, so that each call reaches its service (an invalid body would be refused first).
BODIES: dict[str, dict[str, Any]] = {
    "assets_create_signal": {"name": "stolen"},
    "assets_update_node": {"name": "stolen"},
    "models_set_stage": {"stage": "archived"},
    "models_score_records": {"records": [{"cushion": 1.0}]},
    "users_update": {"role": "viewer"},
    "assets_move_node": {"parent_id": 1},
    "assets_move_signal": {"parent_id": 1},
    "assets_move_label": {"parent_id": 1},
    "assets_create_label": {"name": "stolen"},
    "models_set_threshold": {"threshold": 0.5},
    "sharing_contracts_compute": {"task": "classify", "name": "stolen"},
    "sharing_pooled_pay": {"month": "2026-03", "amount": "1000"},
}
#: Operations that take a file upload instead of a JSON body.
FILES = {"models_score_file": {"file": ("shots.csv", b"cushion\n1.0\n", "text/csv")}}


def _a_ids(world: Any, trained: dict[str, Any]) -> dict[str, Any]:
    kamp = world.kamp
    me = kamp.principal()
    press = kamp.assets.resolve(me, "plant1/line2/press01")
    signal = kamp.assets.list_signals(me, press.id)[0]
    imp = kamp.imports.list(me)[0]
    job = kamp.jobs.list(me)[0]
    kim = world.kamp.accounts.principal_of(world.kamp.meta.lookup("user", login="kim"))
    park = world.kamp.meta.lookup("user", login="park")
    token = world.kamp.accounts.list_tokens(kim, all_users=True)[0]
    return {
        "node_id": press.id,
        "signal_id": signal.id,
        "import_id": imp["id"],
        "job_id": job["id"],
        "name": trained["name"],
        "version": trained["version"],
        "user_id": park["id"],
        "token_id": token["id"],
    }


def test_every_route_refuses_another_organisations_ids(world: Any, trained: dict[str, Any]) -> None:
    ids = _a_ids(world, trained)
    lee = world.client("lee")
    # What only A knows (the caller's own input, such as a model name it asks for, may be echoed).
    secrets = {"press01", "motor_current", "park", "roc_auc", "injection_pressure", "okp_"}
    called = 0
    for path, ops in lee.app.openapi()["paths"].items():
        params = [p for p in path.split("/") if p.startswith("{")]
        if not params:
            continue
        for method, op in ops.items():
            url = path
            for p in params:
                url = url.replace(p, str(ids.get(p.strip("{}"), 1)))
            query: dict[str, Any] = {}
            if op["operationId"] == "models_explain":
                query["record"] = json.dumps({"cushion": 1.0})
            body = BODIES.get(op["operationId"], {})
            if op["operationId"] in FILES:
                resp = lee.request(method.upper(), url, files=FILES[op["operationId"]])
            else:
                resp = lee.request(method.upper(), url, params=query, json=body)
            assert resp.status_code in (403, 404), (method, url, resp.status_code, resp.text[:300])
            assert not any(s in resp.text for s in secrets), (method, url, resp.text[:300])
            called += 1
    assert called >= 20
    # Nothing of A changed: the model is still there, in its stage.
    me = world.kamp.principal()
    assert world.kamp.models.get(me, trained["name"], trained["version"]).stage != "archived"


def test_lists_show_only_the_own_organisation(world: Any, trained: dict[str, Any]) -> None:
    lee = world.client("lee")
    assert lee.get("/api/v1/assets/tree").json() == []
    assert lee.get("/api/v1/assets/nodes").json() == []
    assert lee.get("/api/v1/imports").json() == []
    assert lee.get("/api/v1/models").json() == []
    assert lee.get("/api/v1/jobs").json() == []
    assert [u["login"] for u in lee.get("/api/v1/users").json()] == ["lee"]
    assert lee.get("/api/v1/data/extent").json() == []
    for route, params in [
        ("/api/v1/data/latest", {"signal": "plant1/line2/press01/motor_current"}),
        ("/api/v1/data/quality", {"equipment": "plant1/line2/press01"}),
    ]:
        assert lee.get(route, params=params).status_code == 404
    refused = lee.post(
        "/api/v1/models/train",
        params={"wait": True},
        json={"task": "anomaly", "name": "steal", "equipment": "plant1/line2/press01"},
    )
    assert refused.status_code == 404
    assert lee.post(f"/api/v1/models/{trained['name']}/score", json={}).status_code == 404
