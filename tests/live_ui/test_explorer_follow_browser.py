"""The signal explorer follows live data, in a real browser (Debian's chromium, Playwright): with
"실시간 따라가기" on, points written through the live sink appear on the chart without a reload,
the window ends now, and the link keeps ``live=1``. Skips without chromium (fails under CI=true).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyarrow as pa
import pytest
from tests.live_ui.test_live_events import PASSWORD, PRESS, SETTINGS, sid, tree, wait_for
from tests.web.chromium import launched, playwright_or_skip, shot
from tests.web.support import wait_true

from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import free_port

sync_api = playwright_or_skip()


def points(signal_id: int, times: list[datetime], values: list[float]) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array([signal_id] * len(times), pa.int64()),
            "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
            "value": pa.array(values, pa.float64()),
        }
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from openkamp.api import create_app

    root: Path = tmp_path_factory.mktemp("explorer_follow")
    kamp = Platform.at(root / "data", **SETTINGS)
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    pressure = sid(kamp, kamp.default_org_id, "pressure")
    # ten minutes of history at 1 Hz, ending three minutes ago
    now = datetime.now(UTC).replace(microsecond=0)
    times = [now - timedelta(seconds=s) for s in range(780, 180, -1)]
    kamp.ts.write(kamp.default_org_id, points(pressure, times, [5.0 + i % 7 for i in range(600)]))
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


def _ms(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000


def test_the_explorer_follows_live_points_without_reloading(served: dict[str, Any]) -> None:
    kamp, url = served["kamp"], served["url"]
    pressure = sid(kamp, kamp.default_org_id, "pressure")
    eq = kamp.assets.resolve(kamp.principal(), PRESS).id
    with launched() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(url + "/login")
        pg.fill("input[name=login]", "kim")
        pg.fill("input[name=password]", PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_url(url + "/")
        pg.goto(f"{url}/signals?equipment={eq}&signal={pressure}")
        chart = "document.getElementById('chart')"
        wait_true(pg, f"{chart}.dataset.state === 'ready'")
        stored_newest = _ms(pg.evaluate(f"{chart}.dataset.newest"))
        assert stored_newest < time.time() * 1000 - 170_000  # the stored history only
        assert pg.inner_text("label.live-follow").strip() == "실시간 따라가기"

        pg.check("#chart-live")
        wait_true(pg, f"{chart}.dataset.live === 'on'")
        wait_true(pg, "new URL(location.href).searchParams.get('live') === '1'")
        pg.evaluate("window.__same_page = true")  # gone after any reload
        time.sleep(1.0)  # the stream's snapshot has come
        written = datetime.now(UTC)
        kamp.live.sink.write(
            kamp.default_org_id,
            points(pressure, [written - timedelta(seconds=s) for s in (2, 1, 0)], [4321.0] * 3),
        )
        # the new points are drawn: the newest bucket moved from three minutes ago to now
        wait_true(
            pg,
            f"{chart}.dataset.state === 'ready' && "
            f"Date.parse({chart}.dataset.newest) > {written.timestamp() * 1000 - 30_000}",
            timeout=15,
        )
        assert pg.evaluate("window.__same_page === true")
        query = parse_qs(urlparse(pg.url).query)
        view = (_ms(query["from"][0]), _ms(query["to"][0]))
        assert view[1] >= written.timestamp() * 1000 - 100  # the window ends now
        shot(pg, "explorer_follow_live")

        # stop following, then the value under the cursor at the written time is the new one
        pg.uncheck("#chart-live")
        wait_true(pg, f"{chart}.dataset.live === 'off'")
        wait_true(pg, f"{chart}.dataset.state === 'ready'")
        query = parse_qs(urlparse(pg.url).query)
        assert "live" not in query
        view = (_ms(query["from"][0]), _ms(query["to"][0]))
        box = pg.locator("#chart").bounding_box()
        assert box is not None
        plot = box["width"] - 64 - 12  # the chart's left and right margins
        t = written.timestamp() * 1000 - 1000
        pg.mouse.move(box["x"] + 64 + (t - view[0]) / (view[1] - view[0]) * plot, box["y"] + 80)
        # a redraw after the pointer stopped (the reload that stopping started) shows the tip
        # again at the same place, with the data drawn then
        tip = "document.querySelector('#chart .tip')"
        wait_true(pg, f"!{tip}.hidden && {tip}.textContent.includes('4321')")
        context.close()
    assert errors == [], errors
