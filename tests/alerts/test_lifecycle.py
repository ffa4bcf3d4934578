"""The alert lifecycle over the API (issue 10, point 5): open → acknowledged (by whom, with a
comment) → closed (by whom, when), history; who may do what (a viewer reads, an engineer
acknowledges, closes and manages rules and channels); and organisations apart (org B never sees
org A's alerts, rules or channels, and cannot touch them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.assets import SignalSpec
from openkamp.core.tenancy import system_principal
from openkamp.platform import Platform

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PW = "correct horse battery"
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with Platform.at(tmp_path / "data", **FAST) as kamp:
        accounts = kamp.accounts
        admin = accounts.create_first_admin(kamp.default_org_id, "kim", PW)
        boss = accounts.principal_of(admin)
        tokens = {}
        for login, role in (("choi", "viewer"), ("park", "engineer")):
            user = accounts.create_user(boss, login, PW, role=role)
            who = accounts.principal_of(kamp.meta.get(kamp.default_org_id, "user", user["id"]))
            scope = "read" if role == "viewer" else "write"
            tokens[role] = accounts.create_token(who, role, [scope])[1]
        org_b = kamp.meta.create_org("orgb")
        lee = accounts.create_user(system_principal(org_b["id"]), "lee@orgb", PW, role="admin")
        tokens["other"] = accounts.create_token(
            accounts.principal_of(kamp.meta.get(org_b["id"], "user", lee["id"])), "b", ["admin"]
        )[1]
        me = kamp.principal()
        site = kamp.assets.create_node(me, "site", "p")
        line = kamp.assets.create_node(me, "line", "l", site.id)
        eq = kamp.assets.create_node(me, "equipment", "press", line.id)
        sig = kamp.assets.create_signal(me, eq.id, SignalSpec("temp", max_value=80.0))
        with TestClient(create_app(platform=kamp)) as client:
            yield {"kamp": kamp, "client": client, "tokens": tokens, "signal": sig.id,
                   "equipment": eq.id}  # fmt: skip


def call(world: dict[str, Any], who: str, method: str, path: str, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {world['tokens'][who]}", **kw.pop("headers", {})}
    return world["client"].request(method, f"/api/v1/alerts{path}", headers=headers, **kw)


def hot(world: dict[str, Any], start: int = 0) -> None:
    """An episode of the signal above its limit, evaluated by the platform's engine."""
    kamp, sid = world["kamp"], world["signal"]
    times = [T0 + timedelta(seconds=start + i) for i in range(3)]
    table = pa.table(
        {
            "signal_id": pa.array([sid] * 3, pa.int64()),
            "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
            "value": pa.array([90.0, 91.0, 10.0]),
        }
    )
    kamp.alert_engine.process(kamp.default_org_id, table)


def test_rules_by_engineers_read_by_viewers(world: dict[str, Any]) -> None:
    rule = {"name": "과열", "kind": "limit", "signal_id": world["signal"], "severity": "critical",
            "config": {"high": 85, "clear_high": 80, "for_s": 0}}  # fmt: skip
    assert call(world, "viewer", "POST", "/rules", json=rule).status_code == 403
    made = call(world, "engineer", "POST", "/rules", json=rule)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["config"] == {"high": 85, "clear_high": 80} and body["enabled"] is True
    assert call(world, "engineer", "POST", "/rules", json=rule).status_code == 409
    bad = call(world, "engineer", "POST", "/rules", headers={"Accept-Language": "ko"},
               json={**rule, "name": "x", "config": {"high": 85, "clear_high": 90}})  # fmt: skip
    assert bad.status_code == 422 and "clear_high" in bad.json()["error"]["message"]
    assert [r["name"] for r in call(world, "viewer", "GET", "/rules").json()] == ["과열"]
    changed = call(world, "engineer", "PATCH", f"/rules/{body['id']}", json={"enabled": False})
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert call(world, "viewer", "DELETE", f"/rules/{body['id']}").status_code == 403
    assert call(world, "engineer", "DELETE", f"/rules/{body['id']}").status_code == 204
    assert call(world, "viewer", "GET", f"/rules/{body['id']}").status_code == 404


def test_open_acknowledged_closed_and_history(world: dict[str, Any]) -> None:
    rule = {"name": "hot", "kind": "limit", "signal_id": world["signal"]}
    assert call(world, "engineer", "POST", "/rules", json=rule).status_code == 201
    hot(world)
    (alert,) = call(world, "viewer", "GET", "").json()
    assert alert["status"] == "open" and alert["source"] == "limit"
    assert alert["rule_id"] is not None and alert["detail"]["signals"] == ["temp"]
    aid = alert["id"]
    assert call(world, "viewer", "POST", f"/{aid}/acknowledge").status_code == 403
    acked = call(world, "engineer", "POST", f"/{aid}/acknowledge",
                 json={"comment": "냉각수 밸브 확인 중"}).json()  # fmt: skip
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == "park"
    assert acked["comment"] == "냉각수 밸브 확인 중"
    assert call(world, "viewer", "POST", f"/{aid}/close").status_code == 403
    closed = call(world, "engineer", "POST", f"/{aid}/close", json={"comment": "밸브 교체"})
    assert closed.status_code == 200
    done = closed.json()
    assert done["status"] == "closed" and done["closed_by"] == "park"
    assert done["closed_at"] is not None and done["comment"] == "밸브 교체"
    assert call(world, "viewer", "GET", "").json() == []  # not current any more
    history = call(world, "viewer", "GET", "", params={"history": "true"}).json()
    assert [a["id"] for a in history] == [aid]
    assert [a["id"] for a in call(world, "viewer", "GET", "", params={"status": "closed"}).json()]
    # closing again changes nothing; a new episode is a new open alert
    assert call(world, "engineer", "POST", f"/{aid}/close").json()["closed_at"] == done["closed_at"]
    hot(world, start=10)
    (again,) = call(world, "viewer", "GET", "").json()
    assert again["id"] != aid and again["status"] == "open"
    # an open alert closed at once counts as acknowledged by the same person
    shut = call(world, "engineer", "POST", f"/{again['id']}/close").json()
    assert shut["acknowledged_by"] == "park" and shut["status"] == "closed"


def test_channels_hide_secrets_and_test_sends(world: dict[str, Any]) -> None:
    channel = {"name": "hook", "kind": "webhook",
               "config": {"url": "http://127.0.0.1:9/none", "secret": "xyz", "retries": 0,
                          "timeout_s": 1}}  # fmt: skip
    assert call(world, "viewer", "POST", "/channels", json=channel).status_code == 403
    made = call(world, "engineer", "POST", "/channels", json=channel).json()
    assert made["config"]["secret_set"] is True and "secret" not in made["config"]
    assert "xyz" not in str(call(world, "viewer", "GET", "/channels").json())
    # a change without the secret keeps it
    kamp = world["kamp"]
    call(
        world,
        "engineer",
        "PATCH",
        f"/channels/{made['id']}",
        json={"config": {"url": "http://127.0.0.1:9/other", "retries": 0, "timeout_s": 1}},
    )
    stored = kamp.channels.get(kamp.principal(), made["id"])
    assert stored["config"]["secret"] == "xyz"
    assert stored["config"]["url"].endswith("/other")
    tested = call(world, "engineer", "POST", f"/channels/{made['id']}/test")
    assert tested.status_code == 200
    assert tested.json()["failures"] == 1 and tested.json()["last_error"]
    refused = call(world, "engineer", "POST", "/channels",
                   json={**channel, "name": "x", "config": {"url": "ftp://x"}})  # fmt: skip
    assert refused.status_code == 422


def test_organisation_b_sees_and_touches_nothing_of_a(world: dict[str, Any]) -> None:
    rule = call(
        world,
        "engineer",
        "POST",
        "/rules",
        json={"name": "hot", "kind": "limit", "signal_id": world["signal"]},
    ).json()
    channel = call(world, "engineer", "POST", "/channels",
                   json={"name": "hook", "kind": "webhook",
                         "config": {"url": "http://127.0.0.1:9/x"}}).json()  # fmt: skip
    hot(world)
    (alert,) = call(world, "viewer", "GET", "").json()
    assert call(world, "other", "GET", "", params={"history": "true"}).json() == []
    assert call(world, "other", "GET", "/rules").json() == []
    assert call(world, "other", "GET", "/channels").json() == []
    for method, path in (
        ("GET", f"/{alert['id']}"), ("POST", f"/{alert['id']}/acknowledge"),
        ("POST", f"/{alert['id']}/close"), ("GET", f"/rules/{rule['id']}"),
        ("PATCH", f"/rules/{rule['id']}"), ("DELETE", f"/rules/{rule['id']}"),
        ("GET", f"/channels/{channel['id']}"), ("DELETE", f"/channels/{channel['id']}"),
        ("POST", f"/channels/{channel['id']}/test"),
    ):  # fmt: skip
        kw = {"json": {}} if method == "PATCH" else {}
        assert call(world, "other", method, path, **kw).status_code == 404, (method, path)
    # a rule in B naming A's signal is refused as not found
    stolen = call(
        world,
        "other",
        "POST",
        "/rules",
        json={"name": "spy", "kind": "limit", "signal_id": world["signal"]},
    )
    assert stolen.status_code == 404
    assert call(world, "viewer", "GET", f"/{alert['id']}").json()["status"] == "open"
