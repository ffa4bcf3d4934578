"""The overview, live, in a real browser (Debian's chromium, Playwright): a value written through
the live sink shows on the machine's card and its state turns to running, and an alert that opens
raises the card's level, the summary of levels at the top with it, without a reload.
Skips without chromium (fails under CI=true), like tests/web/test_browser.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.live_ui.test_live_events import PASSWORD, PRESS, SETTINGS, sid, tree, wait_for
from tests.web.chromium import launched, playwright_or_skip
from tests.web.support import wait_true

from openkamp.i18n import t
from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import free_port

sync_api = playwright_or_skip()


def points(signal_id: int, ts: datetime, value: float) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array([signal_id], pa.int64()),
            "ts": pa.array([ts], pa.timestamp("us", tz="UTC")),
            "value": pa.array([value], pa.float64()),
        }
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from openkamp.api import create_app

    root: Path = tmp_path_factory.mktemp("live_overview")
    kamp = Platform.at(root / "data", **SETTINGS)
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    old = datetime.now(UTC) - timedelta(days=3)  # stored, not live: the machine is offline
    kamp.ts.write(kamp.default_org_id, points(sid(kamp, kamp.default_org_id, "pressure"), old, 5))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform=kamp), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), what="uvicorn")
    yield {"kamp": kamp, "url": f"http://127.0.0.1:{port}"}
    server.should_exit = True
    thread.join(30)
    kamp.close()


def test_the_overview_follows_live_values_and_state_without_reloading(
    served: dict[str, Any],
) -> None:
    kamp, url = served["kamp"], served["url"]
    pressure = sid(kamp, kamp.default_org_id, "pressure")
    eq = kamp.assets.resolve(kamp.principal(), PRESS).id
    with launched() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(url + "/login")
        pg.fill("input[name=login]", "kim")
        pg.fill("input[name=password]", PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_url(url + "/")
        state = f"document.querySelector('[data-equipment-id=\"{eq}\"] [data-live-state]')"
        value = f"document.querySelector('[data-signal-id=\"{pressure}\"] [data-live-value]')"
        wait_true(pg, f"{state}.textContent === '연결 끊김'")  # the snapshot: offline
        pg.evaluate("window.__same_page = true")  # gone after any reload
        time.sleep(0.5)
        kamp.live.sink.write(kamp.default_org_id, points(pressure, datetime.now(UTC), 777.25))
        wait_true(pg, f"{value}.textContent.replace(/,/g, '') === '777.25'")
        wait_true(pg, f"{state}.textContent === '가동'")
        assert pg.evaluate("window.__same_page === true")

        # a critical alert opens: the card turns 긴급, and so does the summary at the top
        shown = "[...document.querySelectorAll('[data-level-count]:not([hidden])')]"
        summary = f"{shown}.map(b => b.textContent.trim()).join(' | ')"
        before = pg.evaluate(summary)
        level = pg.evaluate(f"document.querySelector('[data-equipment-id=\"{eq}\"]').dataset.level")
        assert level != "critical" and before == f"{t('alerts.level.' + level, 'ko')} 1", before
        now = datetime.now(UTC)
        kamp.alerts.open_episode(
            kamp.default_org_id, source="limit", severity="critical", title="pressure high",
            key="alerting.text.limit", params={"rule": "pressure high"}, episode="e1",
            equipment_id=eq, model_id=None, rule_id=None, first_at=now, last_at=now,
            extra={"signals": ["pressure"]},
        )  # fmt: skip
        card = f"document.querySelector('[data-equipment-id=\"{eq}\"]')"
        wait_true(pg, f"{card}.dataset.level === 'critical'")
        wait_true(pg, f"{summary} === '긴급 1'")
        # the alert names its signal as the page does (사출압력), not by its key (pressure)
        signals = pg.locator("[data-live-alerts] [data-testid=alert-signals]")
        assert signals.first.inner_text() == "사출압력"
        assert signals.first.get_attribute("title") == "pressure"
        assert pg.evaluate("window.__same_page === true")
        context.close()
    assert errors == [], errors
