"""Schemathesis: the API answers what its OpenAPI description says.

Runs against its own platform (six hours of the demo factory, a record dataset, a trained model,
an alert), as an administrator with every scope, so that generated deletes and updates cannot
disturb the other API tests. Every answer is checked by schemathesis' conformance checks: no
server error, a documented status code, a documented content type, a body that matches the
documented schema (formats included) and the documented headers.

* every read (GET) is called with parameters that exist, so each typed success answer is
  checked against its schema;
* every operation then gets generated requests, valid and invalid: the errors they meet (401,
  403, 404, 409, 422, …) must be documented, in the one error schema.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from openkamp.api import create_app
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.sim import Factory

START = datetime.fromisoformat("2026-03-02T00:00:00+09:00")
END = START + timedelta(hours=6)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
ERROR_SCHEMA = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("fuzz")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    me = kamp.principal()
    factory = Factory(seed=2)
    site = factory.asset_model()
    kamp.assets.apply_tree(me, [site])
    paths = {e.name: f"{site.name}/{ln.name}/{e.name}" for ln in site.lines for e in ln.equipment}
    for file in factory.write_files(root / "files", START, END):
        kamp.imports.import_file(me, file, ImportOptions(equipment=paths[file.stem]))
    records = root / "cavity.csv"
    records.write_text(
        "일시,캐비티,사출압력(bar),판정\n"
        + "".join(
            f"2026-03-02 09:{i // 2:02d}:00,{'LH' if i % 2 else 'RH'},{570 + i % 3},"
            f"{'불량' if i % 7 == 0 else '양품'}\n"
            for i in range(40)
        ),
        encoding="utf-8",
    )
    kamp.imports.import_file(me, records, ImportOptions(dataset="cavity"))
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    boss = kamp.accounts.principal_of(admin)
    token_rec, token = kamp.accounts.create_token(boss, "fuzz", ["admin"])
    # Sharing: an offer of the records, published; another organisation's active contract for
    # it, used once (a ledger entry), so the sharing reads have records to answer with.
    offer = kamp.sharing.catalog.create(
        boss, "cavity-offer", "cavity", title_ko="캐비티 판정", title_en="Cavity results",
        description_ko="캐비티별 사출압력과 판정.", description_en="Pressure and result per cavity.",
        equipment_type="injection_moulding", industry="C22", problem="defect",
        price={"model": "flat", "amount": "100000"}, policy={"purposes": ["quality"]},
    )  # fmt: skip
    kamp.sharing.catalog.publish(boss, offer["id"])
    consumer = kamp.principal("fuzz-consumer")
    contract = kamp.sharing.contracts.request(consumer, offer["id"], "quality")
    kamp.sharing.contracts.approve(boss, contract.id)
    kamp.sharing.authorize(consumer, contract.id, "read", rows=1)
    # A pooled training of the consumer on that contract and a second owner's (the same
    # columns, more rows), so the pooled job, its valuation and its payments have records to
    # answer with: the administrator's organisation is one of the owners it names.
    second = kamp.principal("fuzz-owner")
    cavity = kamp.datasets.get(me, "cavity")
    rows = kamp.datasets.read(me, "cavity")
    kamp.datasets.create(second, "cavity", pd.concat([rows] * 8, ignore_index=True),
                         [c.to_dict() for c in cavity.columns])  # fmt: skip
    offer2 = kamp.sharing.catalog.create(
        second, "cavity-offer-2", "cavity", title_ko="캐비티 판정", title_en="Cavity results",
        description_ko="캐비티별 사출압력과 판정.", description_en="Pressure and result per cavity.",
        equipment_type="injection_moulding", industry="C22", problem="defect",
        price={"model": "flat", "amount": "100000"}, policy={"purposes": ["quality"]},
    )  # fmt: skip
    kamp.sharing.catalog.publish(second, offer2["id"])
    contract2 = kamp.sharing.contracts.request(consumer, offer2["id"], "quality")
    kamp.sharing.contracts.approve(second, contract2.id)
    label = next(c.name for c in cavity.columns if c.role == "label")
    pooled = kamp.sharing.pooled.compute(consumer, [contract.id, contract2.id], {
        "task": "classify", "name": "fuzz_pooled", "target": label, "time_budget_s": 2,
        "independent": True, "options": {"learners": "logreg"}})  # fmt: skip
    kamp.jobs.wait(consumer, pooled["id"], timeout=120)
    pooled = kamp.sharing.pooled.job(consumer, pooled["id"])
    assert pooled["status"] == "done" and pooled["valuation"], pooled
    app = create_app(platform=kamp)
    auth = {"Authorization": f"Bearer {token}"}
    equipment = "plant1/line1/inj01"
    with TestClient(app) as client:
        train = {
            "task": "classify", "name": "inj01_defect", "equipment": equipment,
            "target": "pass_fail", "time_budget_s": 2,
        }  # fmt: skip
        job = client.post("/api/v1/models/train", json=train, headers=auth).json()["job"]
        deadline = time.monotonic() + 120
        while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
            job = client.get(f"/api/v1/jobs/{job['id']}", headers=auth).json()
        assert job["status"] == "done", job
        login = {"login": "kim", "password": "correct horse battery"}
        session = client.post("/api/v1/auth/login", json=login).cookies["okp_session"]
        node = next(n for n in kamp.assets.list_nodes(me) if n.name == "inj01")
        signal = kamp.assets.list_signals(me, node.id)[0]
        label = kamp.assets.list_label_columns(me, node.id)[0]
        alert = kamp.alerts.raise_scored_period(
            boss, model_name="inj01_defect", model_version=1, model_id=None,
            equipment_id=node.id, rows=10, alarms=2,
        )[0]  # fmt: skip
        connection = kamp.connections.create(me, "gateway", "http", {"equipment": equipment})
        rule = kamp.alert_rules.create(me, name="hot", kind="limit", signal_id=signal.id)
        channel = kamp.channels.create(
            me, name="hook", kind="webhook",
            config={"url": "http://127.0.0.1:9/hook", "retries": 0, "timeout_s": 1},
        )  # fmt: skip
        model = kamp.models.load(me, "inj01_defect", 1)
        inputs = {name: 1.0 for name in getattr(model, "feature_names_in_", [])}
        # A scored file, kept for download (its token is a path parameter of the download).
        shots = ",".join(inputs) + "\n" + ",".join("1.0" for _ in inputs) + "\n"
        scored = client.post("/api/v1/models/inj01_defect/score-file", headers=auth,
                             files={"file": ("shots.csv", shots.encode())})  # fmt: skip
        assert scored.status_code == 200, scored.text
        yield {
            "app": app,
            "auth": auth,
            "session": {"Cookie": f"okp_session={session}"},
            "path": {
                "node_id": node.id, "signal_id": signal.id, "column_id": label.id,
                "user_id": admin["id"], "token_id": token_rec["id"], "job_id": job["id"],
                "import_id": kamp.imports.list(me)[0]["id"], "alert_id": alert["id"],
                "version": 1, "token": scored.json()["download"].rsplit("/", 1)[1],
                "connection_id": connection["id"], "rule_id": rule["id"],
                "channel_id": channel["id"], "offer_id": offer["id"],
                "contract_id": contract.id, "index": 0, "pooled_id": pooled["id"],
                "valuation_id": pooled["valuation"]["id"],
            },
            "names": {"/datasets/": "cavity", "/models/": "inj01_defect"},
            "query": {
                "signal": f"{equipment}/{signal.name}", "equipment": equipment,
                "start": START.isoformat(), "end": END.isoformat(),
                "record": json.dumps(inputs),
            },
        }  # fmt: skip
    kamp.close()


def api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def test_every_read_answers_its_documented_schema(fuzz_world: dict[str, Any]) -> None:
    """Each GET with parameters that exist, in the operator's browser session: a 2xx whose body,
    content type and headers are the documented ones (the typed answer schemas)."""
    schema = api_schema(fuzz_world["app"])
    failures: list[str] = []
    reads = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        reads += 1
        names = [p.name for p in operation.path_parameters]
        path = {n: fuzz_world["path"].get(n) for n in names}
        if "name" in names:
            path["name"] = next(v for k, v in fuzz_world["names"].items() if k in operation.path)
        known = fuzz_world["query"]
        query = {p.name: known[p.name] for p in operation.query if p.name in known}
        if operation.path.endswith("/data/markers"):
            query["equipment"] = fuzz_world["path"]["node_id"]
        if operation.path.endswith("/datasets/table"):
            del query["signal"]  # the table's signals are named as in the equipment: all
        case = operation.Case(path_parameters=path, query=query)
        try:
            response = case.call_and_validate(headers=fuzz_world["session"], checks=CHECKS)
        except FailureGroup as exc:
            failures.append(f"GET {operation.path}: {exc}")
            continue
        if response.status_code >= 300:
            failures.append(f"GET {operation.path}: {response.status_code} {response.text[:200]}")
    assert reads >= 40
    assert not failures, "\n".join(failures)


def test_generated_requests_get_documented_answers(fuzz_world: dict[str, Any]) -> None:
    """Generated requests, valid and invalid, for every operation: each answer's status,
    content type, body and headers are documented (and none is a server error)."""
    schema = api_schema(fuzz_world["app"])
    auth = fuzz_world["auth"]
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        headers = {} if operation.path.endswith(("/auth/setup", "/auth/login")) else auth
        label = f"{operation.method.upper()} {operation.path}"
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases)
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)  # noqa: B023
            except FailureGroup as exc:
                failures.setdefault(label, str(exc)[:1500])  # noqa: B023

        check()
    assert operations >= 75
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_errors_are_documented_as_they_are_sent(fuzz_world: dict[str, Any]) -> None:
    """Every documented error answer is the one error schema, and a real 422 (a request the
    framework refuses) has exactly its fields: not FastAPI's HTTPValidationError."""
    client = TestClient(fuzz_world["app"])
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == ERROR_SCHEMA, (method, path, status)
    refused = client.get("/api/v1/assets/nodes/not-a-number", headers=fuzz_world["auth"])
    assert refused.status_code == 422
    body = refused.json()
    documented = doc["paths"]["/api/v1/assets/nodes/{node_id}"]["get"]["responses"]["422"]
    name = documented["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    top = schemas[name]
    assert set(top["required"]) <= set(body) and set(body) <= set(top["properties"])
    detail = schemas[top["properties"]["error"]["$ref"].rsplit("/", 1)[-1]]
    assert set(detail["required"]) <= set(body["error"]) <= set(detail["properties"])
    assert body["error"]["code"] == "request.invalid" and body["error"]["fields"]


def test_security_schemes_are_declared(fuzz_world: dict[str, Any]) -> None:
    """A token (bearer) or a session cookie; a session's changes also carry the CSRF header.
    The operations that make a principal (sign-in, set-up) and health need none."""
    doc = TestClient(fuzz_world["app"]).get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["apiToken"]["type"] == "http" and schemes["apiToken"]["scheme"] == "bearer"
    assert (schemes["session"]["in"], schemes["session"]["name"]) == ("cookie", "okp_session")
    assert (schemes["csrf"]["in"], schemes["csrf"]["name"]) == ("header", "X-CSRF-Token")
    paths = doc["paths"]
    read = [{"apiToken": []}, {"session": []}]
    change = [{"apiToken": []}, {"session": [], "csrf": []}]
    assert paths["/api/v1/assets/tree"]["get"]["security"] == read
    assert paths["/api/v1/assets/nodes"]["post"]["security"] == change
    assert paths["/api/v1/datasets/{name}"]["delete"]["security"] == change
    for open_path, method in [("/api/v1/auth/login", "post"), ("/api/v1/health", "get")]:
        assert "security" not in paths[open_path][method]
    for item in paths.values():
        for method, operation in item.items():
            if "401" in operation["responses"] and not operation["operationId"].startswith(
                "auth_login"
            ):
                expected = read if method == "get" else change
                assert operation.get("security") == expected, operation["operationId"]
