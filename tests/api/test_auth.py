"""Signing in, sessions with CSRF, tokens and their scopes, and the routes open without a login."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.platform import Platform

PASSWORD = "correct horse battery"  # as in conftest.py
OPEN = {"health", "auth_setup_needed", "auth_setup", "auth_login"}


def test_every_route_but_login_and_health_refuses_anonymous_callers(world: Any) -> None:
    client = world.client(None)
    checked = 0
    for path, ops in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        for method, op in ops.items():
            if op["operationId"] in OPEN:
                continue
            url = path
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    url = url.replace("{" + param["name"] + "}", "1")
            resp = client.request(method.upper(), url, json={})
            assert resp.status_code == 401, (method, url, resp.status_code, resp.text)
            assert resp.json()["error"]["type"] == "Unauthenticated"
            checked += 1
    assert checked >= 35
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_first_run_setup_login_session_and_csrf(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kamp = Platform.at(tmp_path, password_hash_memory_kib=1024, password_hash_time_cost=1)
    with TestClient(create_app(platform=kamp)) as c:
        assert c.get("/api/v1/auth/setup").json() == {"needs_setup": True}
        weak = c.post("/api/v1/auth/setup", json={"login": "kim", "password": "kim"})
        assert weak.status_code == 422 and weak.json()["error"]["type"] == "WeakPassword"
        made = c.post("/api/v1/auth/setup", json={"login": "Kim", "password": PASSWORD})
        assert made.status_code == 201 and made.json()["login"] == "kim"
        assert "password_hash" not in made.json()
        again = c.post("/api/v1/auth/setup", json={"login": "lee", "password": PASSWORD})
        assert again.status_code == 409
        # Wrong password and unknown login: one message, no hint of which.
        wrong = c.post("/api/v1/auth/login", json={"login": "kim", "password": "nope nope nope"})
        unknown = c.post("/api/v1/auth/login", json={"login": "who", "password": "nope nope nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
        ok = c.post("/api/v1/auth/login", json={"login": "kim", "password": PASSWORD})
        assert ok.status_code == 200 and "okp_session" in ok.cookies
        csrf = ok.json()["csrf_token"]
        me = c.get("/api/v1/auth/me").json()
        assert me["login"] == "kim" and "operator" in me["roles"] and me["scopes"] is None
        body = {"kind": "site", "name": "plant9"}
        refused = c.post("/api/v1/assets/nodes", json=body)
        assert refused.status_code == 403  # a session changes nothing without its CSRF token
        forged = c.post("/api/v1/assets/nodes", json=body, headers={"X-CSRF-Token": "x" * 43})
        assert forged.status_code == 403
        made = c.post("/api/v1/assets/nodes", json=body, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201
        out = c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        c.cookies.clear()
        assert c.get("/api/v1/auth/me").status_code == 401
    kamp.close()


def test_repeated_failures_lock_the_login(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kamp = Platform.at(tmp_path, password_hash_memory_kib=1024, password_hash_time_cost=1)
    kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    with TestClient(create_app(platform=kamp)) as c:
        for _ in range(kamp.settings.login_max_failures):
            r = c.post("/api/v1/auth/login", json={"login": "kim", "password": "wrong wrong wrong"})
            assert r.status_code == 401
        locked = c.post("/api/v1/auth/login", json={"login": "kim", "password": PASSWORD})
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    kamp.close()


def test_token_scopes_and_revocation(world: Any) -> None:
    park = world.client("park")  # read-only token of an engineer
    assert park.get("/api/v1/assets/tree").status_code == 200
    refused = park.post("/api/v1/assets/nodes", json={"kind": "site", "name": "x"})
    assert refused.status_code == 403
    admin = world.client("kim")
    made = admin.post("/api/v1/tokens", json={"name": "temp", "scopes": ["read"]})
    assert made.status_code == 201
    secret, token_id = made.json()["secret"], made.json()["id"]
    listed = admin.get("/api/v1/tokens").json()
    assert all("secret" not in t and "token_hash" not in t for t in listed)
    assert admin.post(f"/api/v1/tokens/{token_id}/revoke").status_code == 200
    admin.headers["Authorization"] = f"Bearer {secret}"
    assert admin.get("/api/v1/assets/tree").status_code == 401
    admin.headers["Authorization"] = "Bearer okp_garbage"
    assert admin.get("/api/v1/assets/tree").status_code == 401


def test_users_are_managed_by_admins(world: Any) -> None:
    admin = world.client("kim")
    made = admin.post(
        "/api/v1/users", json={"login": "choi", "password": PASSWORD, "role": "viewer"}
    )
    assert made.status_code == 201 and "password_hash" not in made.json()
    uid = made.json()["id"]
    assert (
        admin.patch(f"/api/v1/users/{uid}", json={"role": "engineer"}).json()["role"] == "engineer"
    )
    assert {u["login"] for u in admin.get("/api/v1/users").json()} >= {"kim", "park", "choi"}
    dup = admin.post("/api/v1/users", json={"login": "choi", "password": PASSWORD})
    assert dup.status_code == 409
    # An engineer's read-only token may not manage users.
    assert (
        world.client("park")
        .post("/api/v1/users", json={"login": "x1", "password": PASSWORD})
        .status_code
        == 403
    )


def test_the_operator_creates_organisations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kamp = Platform.at(tmp_path, password_hash_memory_kib=1024, password_hash_time_cost=1)
    with TestClient(create_app(platform=kamp)) as c:
        c.post("/api/v1/auth/setup", json={"login": "op", "password": PASSWORD})
        csrf = c.post("/api/v1/auth/login", json={"login": "op", "password": PASSWORD}).json()
        h = {"X-CSRF-Token": csrf["csrf_token"]}
        body = {"name": "busan-plant", "display_name": "부산공장", "admin_login": "choi",
                "admin_password": PASSWORD}  # fmt: skip
        made = c.post("/api/v1/orgs", json=body, headers=h)
        assert made.status_code == 201 and made.json()["admin"]["role"] == "admin"
        assert {o["name"] for o in c.get("/api/v1/orgs").json()} == {"default", "busan-plant"}
        assert c.post("/api/v1/orgs", json=body, headers=h).status_code == 409
        weak = c.post(
            "/api/v1/orgs",
            json={**body, "name": "x2", "admin_login": "x2", "admin_password": "x"},
            headers=h,
        )
        assert weak.status_code == 422
        assert {o["name"] for o in c.get("/api/v1/orgs").json()} == {"default", "busan-plant"}
        # The new organisation's admin manages their own organisation, not the platform.
        c.cookies.clear()
        csrf2 = c.post("/api/v1/auth/login", json={"login": "choi", "password": PASSWORD}).json()
        assert c.get("/api/v1/orgs").status_code == 403
        assert c.get("/api/v1/auth/me").json()["org"]["name"] == "busan-plant"
        assert csrf2["csrf_token"]
    kamp.close()
