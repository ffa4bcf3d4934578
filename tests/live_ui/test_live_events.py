"""Live overview events (issue 10, point 7), against a real uvicorn server: the snapshot, an event
after points are written through the live sink, another organisation's client gets nothing of
them, no credentials no stream, and the overview page loads its (external) script."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import free_port

PASSWORD = "correct horse battery"
PRESS = "plant1/line1/press01"
SETTINGS: dict[str, Any] = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


def tree() -> list[SiteSpec]:
    sigs = [SignalSpec("pressure", "사출압력", "Pressure", "bar"), SignalSpec("count", unit="")]
    return [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[EquipmentSpec("press01",
                                                                             signals=sigs)])])]  # fmt: skip


def wait_for(cond: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Client:
    """An SSE client in a thread: every event's (name, data) and heartbeats in a queue."""

    def __init__(self, url: str, token: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.status = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url, token), daemon=True)
        self._thread.start()

    def _run(self, url: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        with httpx.stream("GET", url, headers=headers, timeout=30) as r:
            self.status = r.status_code
            self.content_type = r.headers.get("content-type", "")
            name, data = "message", ""
            for line in r.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith(":"):
                    self.events.put(("heartbeat", None))
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
                elif line == "" and data:
                    self.events.put((name, json.loads(data)))
                    name, data = "message", ""

    def next_event(self, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            name, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if name == "live":
                return data

    def close(self) -> None:
        self._stop.set()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from openkamp.api import create_app

    root: Path = tmp_path_factory.mktemp("live_events")
    kamp = Platform.at(root / "data", **SETTINGS)
    kamp.assets.apply_tree(kamp.principal(), tree())
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    org_b = kamp.meta.create_org("other-factory")["id"]
    kamp.assets.apply_tree(system_principal(org_b), tree())
    lee = kamp.accounts.create_user(system_principal(org_b), "lee", PASSWORD, role=Role.ADMIN)
    tokens = {
        "kim": kamp.accounts.create_token(kamp.accounts.principal_of(kim), "t", ["read"])[1],
        "lee": kamp.accounts.create_token(kamp.accounts.principal_of(lee), "t", ["read"])[1],
    }
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform=kamp), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), what="uvicorn")
    assert server.started
    yield {"kamp": kamp, "base": f"http://127.0.0.1:{port}", "tokens": tokens, "org_b": org_b}
    server.should_exit = True
    thread.join(30)
    kamp.close()


def sid(kamp: Platform, org_id: int, name: str) -> int:
    return int(kamp.assets.resolve(system_principal(org_id), f"{PRESS}/{name}").id)


def test_a_client_gets_the_snapshot_then_an_event_per_write_and_another_org_nothing(
    served: dict[str, Any],
) -> None:
    kamp, base = served["kamp"], served["base"]
    org_a, org_b = kamp.default_org_id, served["org_b"]
    url = f"{base}/api/v1/live/events?heartbeat_s=1&min_interval_s=0"
    a, b = Client(url, served["tokens"]["kim"]), Client(url, served["tokens"]["lee"])
    try:
        first_a, first_b = a.next_event(), b.next_event()
        assert a.status == 200 and a.content_type.startswith("text/event-stream")
        assert first_a["values"] == [] and first_b["values"] == []  # nothing stored yet
        eq_a = str(kamp.assets.resolve(kamp.principal(), PRESS).id)
        assert first_a["states"][eq_a]["state"] == "offline"
        assert first_a["states"][eq_a]["label"] == "연결 끊김"  # Korean by default

        now = datetime.now(UTC).replace(microsecond=0)
        pressure = sid(kamp, org_a, "pressure")
        points = pa.table(
            {
                "signal_id": pa.array([pressure, pressure], pa.int64()),
                "ts": pa.array([now.replace(second=0), now], pa.timestamp("us", tz="UTC")),
                "value": pa.array([1.0, 123.5], pa.float64()),
            }
        )
        kamp.live.sink.write(org_a, points)
        got = a.next_event()
        assert got["values"] == [
            {"signal_id": pressure, "equipment_id": int(eq_a), "ts": now.isoformat(),
             "value": 123.5}
        ]  # fmt: skip
        assert got["states"][eq_a]["state"] == "running"  # fresh points, no state record
        # Organisation B's client hears heartbeats only: nothing of A's write.
        time.sleep(2.5)
        seen_b = []
        while not b.events.empty():
            seen_b.append(b.events.get_nowait())
        assert seen_b and all(name == "heartbeat" for name, _ in seen_b), seen_b
        # And B's own write reaches B, not A.
        kamp.live.sink.write(org_b, points.set_column(
            0, "signal_id", pa.array([sid(kamp, org_b, "pressure")] * 2, pa.int64())))  # fmt: skip
        assert b.next_event()["values"][0]["value"] == 123.5
        time.sleep(1.5)
        assert all(name == "heartbeat" for name, _ in list(a.events.queue)), list(a.events.queue)
    finally:
        a.close()
        b.close()
    # The clients went: the hub forgets them (bounded: nothing kept for a closed stream).
    hub = kamp_hub(served)
    wait_for(lambda: len(hub) == 0, timeout=20, what="subscribers to go")


def kamp_hub(served: dict[str, Any]) -> Any:
    # the app's hub is reachable through the listener registered on the sink
    sink = served["kamp"].live.sink
    found = [getattr(fn, "__self__", None) for fn in getattr(sink, "_listeners", [])]
    hubs = [h for h in found if type(h).__name__ == "LiveHub"]
    assert hubs, "no live hub registered on the sink"
    return hubs[0]


def test_without_credentials_there_is_no_stream(served: dict[str, Any]) -> None:
    r = httpx.get(f"{served['base']}/api/v1/live/events", timeout=10)
    assert r.status_code == 401


def test_a_client_not_asking_for_a_stream_gets_the_snapshot_and_the_end(
    served: dict[str, Any],
) -> None:
    auth = {"Authorization": f"Bearer {served['tokens']['kim']}"}
    r = httpx.get(f"{served['base']}/api/v1/live/events", headers=auth, timeout=10)
    assert r.status_code == 200 and r.text.count("event: live") == 1, r.text
