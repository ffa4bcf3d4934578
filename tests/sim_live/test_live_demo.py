"""The README's first command shows a factory that is running (issue 10, point 4).

A fresh data folder gets the demo (one stored day, no models), then the live demo: a real
Mosquitto on a free port, the live simulator in this process, and the demo organisation's two
connections (MQTT: JSON and Sparkplug B machines; OPC UA: the press). The platform is served by
uvicorn on a free port: within seconds new points arrive, newer than the stored demo period, for
an MQTT-fed and an OPC UA-fed machine, and the connections API shows both running."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from openkamp.demo import run_demo
from openkamp.platform import Platform
from openkamp.sim.live.demo import (
    JSON_MACHINES,
    MQTT_NAME,
    OPCUA_MACHINES,
    OPCUA_NAME,
    SPARKPLUG_MACHINES,
    LiveDemo,
    start_live_demo,
)
from openkamp.sim.live.mosquitto import broker_or_skip, free_port

#: An MQTT JSON machine (the tank; the moulding machine shoots every 42 s), the Sparkplug B
#: machine and the OPC UA machine.
MACHINES = (JSON_MACHINES[1], *SPARKPLUG_MACHINES, *OPCUA_MACHINES)
PATHS = {"inj01": "plant1/line1/inj01", "tank01": "plant1/line1/tank01",
         "cnc01": "plant1/line2/cnc01", "press01": "plant1/line2/press01"}  # fmt: skip
SETTINGS: dict[str, Any] = {
    "password_hash_memory_kib": 1024, "password_hash_time_cost": 1,
    "duckdb_memory_limit": "512MB", "connectors_stats_interval_s": 0.2,
}  # fmt: skip


def wait_for(cond: Any, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Served:
    def __init__(self, kamp: Platform, demo: LiveDemo, base: str, token: str) -> None:
        self.kamp, self.demo, self.base, self.token = kamp, demo, base, token
        self.stored: dict[str, datetime | None] = {}
        self.live_from = datetime.now(UTC)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def last_ts(self, machine: str) -> datetime | None:
        return last_ts(self.kamp, machine)


def last_ts(kamp: Platform, machine: str) -> datetime | None:
    """The newest point of any of the machine's signals."""
    me = kamp.principal()
    node = kamp.assets.resolve(me, PATHS[machine])
    sids = [s.id for s in kamp.assets.list_signals(me, node.id)]
    ext = kamp.query.extent(me, sids)
    found = [x for x in ext.column("last_ts").to_pylist() if x is not None]
    return max(found) if found else None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    broker_or_skip()  # skips without Mosquitto; fails under CI=true
    import uvicorn

    from openkamp.api import create_app

    root: Path = tmp_path_factory.mktemp("live_demo")
    kamp = Platform.at(root / "data", **SETTINGS)
    console = Console(file=open(root / "demo.log", "w", encoding="utf-8"))  # noqa: SIM115
    run_demo(kamp, days=1, console=console, lang="ko", models=False)
    stored = {m: last_ts(kamp, m) for m in MACHINES}
    live_from = datetime.now(UTC).replace(microsecond=0)
    demo = start_live_demo(kamp, console, "ko")
    assert demo is not None, (root / "demo.log").read_text(encoding="utf-8")
    me = kamp.principal()
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    token = kamp.accounts.create_token(kamp.accounts.principal_of(admin), "t", ["read"])[1]
    assert me.org_id == kamp.default_org_id
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform=kamp), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), what="uvicorn")
    assert server.started
    out = Served(kamp, demo, f"http://127.0.0.1:{port}/api/v1", token)
    out.stored, out.live_from = stored, live_from
    try:
        yield out
    finally:
        server.should_exit = True
        thread.join(30)
        demo.stop()
        kamp.close()
        console.file.close()


def test_live_points_arrive_over_mqtt_and_opcua_newer_than_the_stored_demo(
    served: Served,
) -> None:
    # The stored demo day is in the past: live points are newer, at now, on the same signals.
    for m in MACHINES:
        stored = served.stored[m]
        assert stored is not None and stored < served.live_from, (m, stored)

    def advanced(m: str) -> bool:
        ts = served.last_ts(m)
        return ts is not None and ts >= served.live_from

    for m in MACHINES:
        wait_for(lambda m=m: advanced(m), timeout=45, what=f"live points of {m}")
    first = {m: served.last_ts(m) for m in MACHINES}
    for m in MACHINES:  # and they keep coming
        wait_for(lambda m=m: served.last_ts(m) > first[m], timeout=30, what=f"more of {m}")


def test_the_connections_show_both_running_with_points(served: Served) -> None:
    def states() -> dict[str, dict[str, Any]]:
        r = httpx.get(f"{served.base}/connections", headers=served.auth, timeout=30)
        assert r.status_code == 200, r.text
        return {c["name"]: c for c in r.json()}

    def both_running() -> bool:
        got = states()
        return all(
            got.get(n, {}).get("status", {}).get("state") == "running"
            and (got[n]["status"].get("points") or 0) > 0
            for n in (MQTT_NAME, OPCUA_NAME)
        )

    wait_for(both_running, timeout=45, what="both connections running with points")
    got = states()
    assert got[MQTT_NAME]["kind"] == "mqtt" and got[OPCUA_NAME]["kind"] == "opcua"
    assert got[MQTT_NAME]["enabled"] and got[OPCUA_NAME]["enabled"]
    # Only the mapped machines are declared: nothing is rejected as unknown equipment.
    rejected = got[MQTT_NAME]["status"].get("rejected") or {}
    assert "equipment.unknown" not in rejected, rejected


def test_without_mosquitto_the_demo_says_so_in_both_languages_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from openkamp.sim.live import mosquitto

    monkeypatch.setattr(mosquitto, "find_mosquitto", lambda: None)
    kamp = Platform.at(tmp_path / "data", **SETTINGS)
    try:
        out = io.StringIO()
        assert start_live_demo(kamp, Console(file=out, width=400), "ko") is None
        text = out.getvalue()
        assert "apt-get install mosquitto" in text
        assert "실시간 데이터에는 Mosquitto가 필요합니다" in text and "Live data needs" in text
        assert kamp.connections.list(kamp.principal()) == []
    finally:
        kamp.close()
