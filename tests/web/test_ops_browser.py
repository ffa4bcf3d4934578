"""The operations pages in a real browser (Debian's chromium, Playwright): the overview ranks
machines and acknowledges an alert; the explorer draws per-shot data at a one-hour zoom, keeps
the view in the URL, shows values on hover and offers the view as CSV; a user changes their
password. Skips without chromium (fails under CI=true), like test_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openkamp.core.tenancy import Role

from .chromium import launched, playwright_or_skip, shot
from .support import ADMIN, INJ, PASSWORD, Served, wait_true

sync_api = playwright_or_skip()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


@pytest.fixture(scope="module")
def page(browser: Any, served: Served) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(served.url + "/login")
    pg.fill("input[name=login]", ADMIN)
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(served.url + "/")
    yield pg
    assert errors == [], errors  # no script error on any page
    context.close()


def test_overview_ranks_machines_and_acknowledges_an_alert(page: Any, served: Served) -> None:
    page.goto(served.url + "/")
    machines = page.locator("[data-testid=machine]")
    assert machines.count() == 4
    levels = [machines.nth(i).get_attribute("data-level") for i in range(4)]
    order = ["critical", "warning", "ok", "nodata"]
    assert levels == sorted(levels, key=order.index)  # the ones needing attention first
    inj = page.locator(f'[data-testid=machine][data-path="{INJ}"]')
    assert "불량률" in inj.locator("[data-testid=production]").inner_text()
    assert inj.locator("svg.spark").count() > 5  # trends drawn inline, no external file
    # the test data ended months ago: every machine is stale, each with one alert
    alerts = page.locator("[data-testid=alert][data-status=open]")
    assert alerts.count() >= 4
    shot(page, "ko-overview-states")
    first = alerts.first.get_attribute("data-source")
    alerts.first.locator("button").click()
    page.wait_for_url(served.url + "/#alerts")
    assert page.locator("[data-testid=alert][data-status=acknowledged]").count() == 1
    assert first == "stale"


def test_explorer_draws_per_shot_data_at_one_hour(page: Any, served: Served) -> None:
    inj = served.site.kamp.assets.resolve(served.site.kamp.principal(), INJ)
    page.goto(f"{served.url}/signals?equipment={inj.id}")
    wait_true(page, "document.querySelector('#chart').dataset.state === 'ready'")
    page.click("[data-last='3600000']")
    wait_true(
        page,
        "(() => { const c = document.querySelector('#chart');"
        " return c.dataset.state === 'ready' && +c.dataset.requests >= 2; })()",
    )
    chart = page.locator("#chart")
    # ~85 shots in an hour: joined into a few runs (gaps only at real stoppages), not 85 dots
    assert 1 <= int(chart.get_attribute("data-segments") or 0) <= 3 * 10
    d = page.locator("#chart path.series").first.get_attribute("d") or ""
    assert d.count("L") > 60
    assert "from=" in page.url and "to=" in page.url
    label = page.inner_text("#chart-range")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 80)
    tip = page.locator("#chart .tip")
    assert tip.is_visible() and "사출 시간" in tip.inner_text()
    href = page.get_attribute("#chart-export", "href") or ""
    assert href.startswith("/api/v1/data/export?") and "start=" in href and "end=" in href
    shot(page, "ko-explorer-1h")
    page.reload()  # the view comes back from the URL
    wait_true(page, "document.querySelector('#chart').dataset.state === 'ready'")
    assert page.inner_text("#chart-range") == label


def test_a_user_changes_their_password_in_the_browser(browser: Any, served: Served) -> None:
    kamp = served.site.kamp
    admin = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    kamp.accounts.create_user(admin, "yoon", PASSWORD, role=Role.ENGINEER)
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(served.url + "/login")
    pg.fill("input[name=login]", "yoon")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(served.url + "/")
    pg.goto(served.url + "/settings")
    pg.fill("input[name=old_password]", PASSWORD)
    pg.fill("input[name=new_password]", "새 비밀번호 2026 봄")
    pg.fill("input[name=new_password2]", "새 비밀번호 2026 봄")
    pg.click("#password button[type=submit]")
    assert pg.locator("[data-testid=password-changed]").is_visible()
    context.close()
    kamp.accounts.login("yoon", "새 비밀번호 2026 봄")
