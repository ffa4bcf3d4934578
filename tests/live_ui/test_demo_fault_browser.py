"""Issue 10's acceptance, as a user meets it: the README's first command (``openkamp demo
--serve``, what ``./kamp demo`` runs) serves live data from the simulator, and a fault injected
from the web UI raises an alert on the overview within seconds, naming the signal the fault
changed; the alert is then acknowledged and closed on the alerts page.

The demo runs as a real process on a fresh data folder (one stored day, no models: fast), with
its private Mosquitto and OPC UA server. Through its API: the simulator's machines and faults,
injection and ending refused without the session's CSRF token, to a viewer, for an unknown
fault (in the error shape, in Korean); in chromium (Debian's, Playwright): signed in in Korean,
the simulator panel injects the press's bearing wear, and the overview's alert list shows the
alert without a reload. Screenshots: ``$OPENKAMP_SHOTS`` (default ``/tmp/shots_demo``).
Without Mosquitto or chromium the tests skip with the reason; under ``CI=true`` they fail."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from tests.sim_live.demo_process import DemoProcess, start_demo
from tests.web.support import wait_true

from openkamp.sim.live.mosquitto import broker_or_skip

SHOTS = Path(os.environ.get("OPENKAMP_SHOTS", "/tmp/shots_demo"))
#: The fault the browser injects, the rule that flags it and the signal it names.
MACHINE, FAULT, SIGNAL = "press01", "bearing_wear", "vib_hf"
SIGNAL_KO = "고주파 진동"  # the signal's display name in Korean (sim/press.py)
#: Seconds from the click to the alert on the overview that the test allows (the test prints
#: what it measured: 1.8 s on the loaded 2-core machine; the press samples every second).
ALERT_WITHIN_S = 30.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    broker_or_skip()  # skips without Mosquitto; fails under CI=true
    served = start_demo(tmp_path_factory.mktemp("demo_serve") / "data")
    try:
        deadline = time.monotonic() + 30
        while served.password is None:  # printed after the server's first line
            assert time.monotonic() < deadline, served.text
            time.sleep(0.1)
        yield served
    finally:
        served.stop()


def login(demo: DemoProcess, who: str = "admin", password: str | None = None) -> tuple[Any, str]:
    """An API session (as the browser's): the client with its cookie, and its CSRF token."""
    client = httpx.Client(base_url=demo.url, timeout=30)
    r = client.post(
        "/api/v1/auth/login", json={"login": who, "password": password or demo.password}
    )
    assert r.status_code == 200, r.text
    return client, r.json()["csrf_token"]


def test_the_console_points_to_the_ui_for_fault_injection(demo: DemoProcess) -> None:
    text = demo.text
    assert "실시간 공장 가동 중" in text and "OPC UA opc.tcp://" in text
    assert f"{demo.url}/#simulator" in text and "'시뮬레이터' 패널" in text
    assert "기본 알림 규칙 13개" in text
    assert "Traceback" not in text


def test_both_connections_run_and_reject_nothing(demo: DemoProcess) -> None:
    admin, _ = login(demo)
    deadline = time.monotonic() + 45
    while True:
        got = {c["name"]: c["status"] for c in admin.get("/api/v1/connections").json()}
        if all(got.get(n, {}).get("points") for n in ("demo-mqtt", "demo-opcua")):
            break
        assert time.monotonic() < deadline, got
        time.sleep(0.5)
    # the platform's session is held before the first reading and the births carry values:
    # no rebirth asked for, no null metric, nothing lost or refused
    assert got["demo-mqtt"]["rejected"] == {} and got["demo-opcua"]["rejected"] == {}, got


def test_the_simulator_api_injects_and_ends_for_engineers_only(demo: DemoProcess) -> None:
    admin, csrf = login(demo)
    state = admin.get("/api/v1/simulator").json()
    assert state["running"] is True
    machines = {m["equipment"]: m for m in state["machines"]}
    assert set(machines) == {"press01", "cnc01", "inj01", "tank01"}
    press = {f["fault"]: f for f in machines["press01"]["faults"]}
    assert press["bearing_wear"]["label"] == "베어링 마모"
    assert press["bearing_wear"]["rules"] == ["press01 고주파 진동 상한 / HF vibration high"]
    body = {"equipment": "cnc01", "fault": "tool_wear", "duration_s": 30}
    # a browser session's change needs its CSRF token
    assert admin.post("/api/v1/simulator/injections", json=body).status_code == 403
    headers = {"X-CSRF-Token": csrf}
    bad = admin.post("/api/v1/simulator/injections", headers=headers,
                     json={**body, "fault": "melted"})  # fmt: skip
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "live.no_fault" and "가능한 고장" in error["message"]
    made = admin.post("/api/v1/simulator/injections", headers=headers, json=body)
    assert made.status_code == 201, made.text
    inj = made.json()
    assert inj["label"] == "공구 마모" and inj["signals"] == ["spindle_load", "vibration_rms"]
    listed = admin.get("/api/v1/simulator").json()["injections"]
    assert [i["id"] for i in listed] == [inj["id"]]
    # a viewer reads, but may not inject or end
    users = admin.post("/api/v1/users", headers=headers,
                       json={"login": "choi", "password": "correct horse battery",
                             "role": "viewer"})  # fmt: skip
    assert users.status_code == 201, users.text
    viewer, viewer_csrf = login(demo, "choi", "correct horse battery")
    assert viewer.get("/api/v1/simulator").json()["running"] is True
    refused = viewer.post(f"/api/v1/simulator/injections/{inj['id']}/end",
                          headers={"X-CSRF-Token": viewer_csrf})  # fmt: skip
    assert refused.status_code == 403
    ended = admin.post(f"/api/v1/simulator/injections/{inj['id']}/end", headers=headers)
    assert ended.status_code == 200 and ended.json()["id"] == inj["id"]
    assert admin.get("/api/v1/simulator").json()["injections"] == []
    again = admin.post(f"/api/v1/simulator/injections/{inj['id']}/end", headers=headers)
    assert again.status_code == 404 and again.json()["error"]["code"] == "live.no_injection"
    # the panel: for engineers and administrators only, in the page's language
    assert 'id="simulator"' not in viewer.get("/").text
    admin.cookies.set("okp_lang", "en")
    page = admin.get("/").text
    panel = page[
        page.index('id="simulator"') : page.index("</section>", page.index('id="simulator"'))
    ]
    assert "Simulator" in panel and "Inject fault" in panel and "Bearing wear" in panel
    assert "Hydraulic press 1" in panel and "No fault is going on." in panel
    assert not re.search(r"[\uac00-\ud7a3]", panel), panel  # no Korean left in English


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_fault_injected_in_the_ui_raises_an_alert_on_the_overview_within_seconds(
    demo: DemoProcess,
) -> None:
    from tests.web.chromium import launched

    with launched() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(demo.url + "/login")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", demo.password)
        page.click("button[type=submit]")
        page.wait_for_url(demo.url + "/")
        assert page.locator("html").get_attribute("lang") == "ko"
        panel = page.locator("#simulator")
        assert panel.locator("h2").inner_text() == "시뮬레이터"
        # live data arrives: the press (OPC UA) and the CNC machine (Sparkplug B) are running
        for machine in ("press01", "cnc01"):
            state = f'[data-path$="/{machine}"] [data-live-state]'
            wait_true(page, f"document.querySelector('{state}').dataset.liveState === 'running'")
        page.evaluate("window.__same_page = true")  # gone after any reload
        before = page.locator(f'[data-live-alerts] [data-signals~="{SIGNAL}"]').count()
        shot(page, "1_overview_before")

        page.select_option("[data-testid=simulator-fault]", f"{MACHINE}:{FAULT}")
        page.fill("[data-testid=simulator-duration]", "120")
        page.click("[data-testid=simulator-inject]")
        clicked = time.monotonic()
        alert = page.locator(f'[data-live-alerts] [data-source="limit"][data-signals="{SIGNAL}"]')
        alert.first.wait_for(timeout=ALERT_WITHIN_S * 1000)
        seconds = time.monotonic() - clicked
        print(f"\nfault injected -> alert on the overview: {seconds:.1f} s")
        assert before == 0 and alert.count() == 1
        assert page.evaluate("window.__same_page === true")  # no reload
        text = alert.first.inner_text()
        assert "고주파 진동" in text and "press01" in text, text
        # its related signal by its Korean name, not its key (the key stays in the title)
        related = alert.first.locator("[data-testid=alert-signals]")
        assert related.inner_text() == SIGNAL_KO and related.get_attribute("title") == SIGNAL
        assert "긴급" in text  # its severity, in Korean
        card = page.locator('[data-path="plant1/line2/press01"]')
        assert card.get_attribute("data-level") == "critical"  # the press's card follows
        assert card.locator("header .level").inner_text() == "긴급"
        # and so does the summary at the top: as many 긴급 as cards at that level
        critical = page.locator("[data-level-count=critical]")
        cards = page.locator('[data-testid=machine][data-level="critical"]').count()
        assert critical.is_visible() and critical.inner_text() == f"긴급 {cards}"
        note = page.locator("[data-testid=simulator-note]").inner_text()
        assert "press01" in note and "베어링 마모" in note, note
        active = page.locator("[data-testid=simulator-active] li")
        assert active.count() == 1 and "베어링 마모" in active.first.inner_text()
        # its end, in the installation's time zone as the page's other times (not the browser's)
        admin, _ = login(demo)
        (injection,) = admin.get("/api/v1/simulator").json()["injections"]
        end = datetime.fromisoformat(injection["end"]).astimezone(ZoneInfo("Asia/Seoul"))
        assert end.strftime("%H:%M:%S") in active.first.inner_text()
        alert_id = alert.first.get_attribute("data-alert-id")
        page.wait_for_timeout(1500)  # the highlight fades
        shot(page, "2_overview_alert")
        page.click("[data-testid=simulator-active] button[data-end]")
        page.locator("[data-testid=simulator-active] li").first.wait_for(state="detached")

        # acknowledge with a comment, then close, on the alerts page
        page.goto(demo.url + "/alerts")
        row = page.locator(f"[data-testid=alert-{alert_id}]")
        assert row.locator(f"[data-testid=signals-{alert_id}]").inner_text() == SIGNAL_KO
        row.locator("input[name=comment]").fill("베어링 점검 예정")
        row.locator("button[value=acknowledge]").click()
        page.wait_for_url(demo.url + "/alerts")
        row = page.locator(f"[data-testid=alert-{alert_id}]")
        assert row.get_attribute("data-status") == "acknowledged"
        shot(page, "3_alerts_acknowledged")
        row.locator("button[value=close]").click()
        page.wait_for_url(demo.url + "/alerts")
        assert page.locator(f"[data-testid=alert-{alert_id}]").count() == 0  # closed: history
        page.goto(demo.url + "/alerts?history=true")
        row = page.locator(f"[data-testid=alert-{alert_id}]")
        assert row.get_attribute("data-status") == "closed"
        assert "베어링 점검 예정" in row.inner_text()
        shot(page, "4_alerts_history_closed")
        context.close()
    assert errors == [], errors
