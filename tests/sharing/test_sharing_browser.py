"""The data-sharing journey in a real browser (Debian's chromium driven by Playwright, issue 11):
factory A offers a dataset through the form and publishes it; supplier B finds it in the catalog,
reads the offer and requests it; A approves at a metered price; B accepts and trains a model by
compute-to-data; the ledger shows every use with a verified inclusion proof; A settles the month
and its earnings page shows the statement; B's invoice shows the same amount. B never receives a
row. Screenshots of each page go to ``test-artifacts/screenshots/sharing-*.png``.

Without chromium the test skips with the reason, except under ``CI=true``, where a missing
browser is a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.chromium import launched, playwright_or_skip, shot
from tests.web.support import free_port

from openkamp.api import create_app

from .pages_support import LOGINS, OFFER_FORM, PASSWORD, Sharing, load

sync_api = playwright_or_skip()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sharing, str]]:
    """The three organisations' platform served by uvicorn on a loopback port (a thread)."""
    import uvicorn

    world = load(Path(tmp_path_factory.mktemp("sharing-browser")))
    port = free_port()
    config = uvicorn.Config(
        create_app(platform=world.kamp), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield world, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        world.kamp.close()


class Person:
    """One organisation's administrator in a browser window of their own."""

    def __init__(self, browser: Any, url: str, org: str) -> None:
        self.url = url
        self.org = org
        # a Korean user's browser: its own controls (date, file) speak Korean too
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith(url) else
                     self.outside.append(r.url))  # fmt: skip
        self.page.goto(url + "/login")
        self.page.fill("input[name=login]", LOGINS[org])
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(url + "/")

    def go(self, path: str) -> Any:
        self.page.goto(self.url + path)
        return self.page

    def shot(self, name: str) -> None:
        shot(self.page, f"sharing-{name}")

    def close(self) -> None:
        assert not self.errors, self.errors
        assert not self.outside, self.outside  # air-gapped: nothing loaded from outside
        self.context.close()


def test_the_sharing_journey_in_the_browser(served: tuple[Sharing, str]) -> None:
    world, url = served
    with launched() as browser:
        a = Person(browser, url, "acme")
        b = Person(browser, url, "beta")
        try:
            _journey(world, a, b)
        finally:
            a.shot("zz-last-a")
            b.shot("zz-last-b")
        a.close()
        b.close()


def _journey(world: Sharing, a: Person, b: Person) -> None:
    # A offers its dataset and publishes it.
    page = a.go("/sharing/offers")
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "데이터 공유"
    form = page.locator("[data-testid=new-offer]")
    for name in ("name", "title_ko", "title_en", "equipment_type", "industry"):
        form.locator(f"input[name={name}]").fill(str(OFFER_FORM[name]))
    for name in ("description_ko", "description_en"):
        form.locator(f"textarea[name={name}]").fill(str(OFFER_FORM[name]))
    form.locator("select[name=problem]").select_option("defect")
    form.locator("select[name=price_model]").select_option("flat")
    form.locator("input[name=price_amount]").fill("300000")
    form.locator("input[name=purposes][value=quality]").check()
    form.locator("input[name=max_trainings]").fill("5")
    form.locator("input[name=anonymise]").check()
    a.shot("ko-1-offer-form")
    form.locator("[data-testid=create-offer]").click()
    page.wait_for_url("**/sharing/offers?made=*")
    offer_id = int(page.url.rsplit("=", 1)[1])
    page.click(f"[data-testid=publish-{offer_id}]")
    page.wait_for_url("**/sharing/offers")
    assert page.locator(f"[data-testid=state-{offer_id}]").inner_text() == "공개"
    a.shot("ko-2-my-offers")

    # B finds it in the catalog, reads it and asks for it.
    page = b.go("/sharing")
    page.fill("input[name=text]", "사출")
    page.locator("select[name=problem]").select_option("defect")
    page.click("[data-testid=catalog-search] button[type=submit]")
    page.wait_for_url("**/sharing?text=*")
    card = page.locator(f"[data-testid=offer-{offer_id}]")
    assert "정액제: 월 300,000원" in card.inner_text()
    b.shot("ko-3-catalog")
    card.locator("a").first.click()
    page.wait_for_url(f"**/sharing/offers/{offer_id}")
    assert page.locator("[data-testid=cert-verified]").is_visible()
    assert page.locator("[data-testid=preview] tbody tr").count() >= 10
    assert "이용 목적: 품질 개선" in page.locator("[data-testid=clauses]").inner_text()
    b.shot("ko-4-offer")
    page.locator("[data-testid=request-purpose]").select_option("quality")
    page.fill("[data-testid=request-form] textarea[name=note]", "협력사 불량 예측 모델 개발")
    page.click("[data-testid=request-submit]")
    page.wait_for_url("**/sharing/contracts*")
    cid = world.kamp.sharing.contracts.list(world.orgs["beta"], role="consumer")[0].id
    assert page.locator(f"[data-testid=contract-{cid}]").get_attribute("data-state") == "requested"
    b.shot("ko-5-my-requests")

    # A approves it at a metered price: per 1,000 rows and per training.
    page = a.go("/sharing/contracts")
    assert page.locator(f"[data-testid=incoming] [data-testid=contract-{cid}]").is_visible()
    a.shot("ko-6-incoming")
    page.click(f"[data-testid=contract-{cid}] a")
    page.wait_for_url(f"**/sharing/contracts/{cid}")
    page.click("[data-testid=change-price] summary")
    approve = page.locator("[data-testid=approve-form]")
    approve.locator("select[name=price_model]").select_option("metered")
    approve.locator("input[name=price_rate_rows_1000]").fill("500")
    approve.locator("input[name=price_rate_training]").fill("20000")
    approve.locator("input[name=note]").fill("학습 건당 과금으로 승인")
    a.shot("ko-7-approve")
    page.click("[data-testid=approve-submit]")
    page.wait_for_url(f"**/sharing/contracts/{cid}")
    assert page.locator("[data-testid=contract-state]").inner_text() == "조건 변경 제안됨"

    # B accepts the metered price and trains by compute-to-data.
    page = b.go(f"/sharing/contracts/{cid}")
    assert "학습 1회당 20,000원" in page.locator("[data-testid=contract-price]").inner_text()
    page.click("[data-testid=accept-submit]")
    page.wait_for_url(f"**/sharing/contracts/{cid}")
    assert page.locator("[data-testid=contract-state]").inner_text() == "유효"
    page.locator("[data-testid=compute-task]").select_option("classify")
    page.locator("[data-testid=compute-target]").select_option("result")
    page.fill("[data-testid=compute-name]", "b_defect")
    page.click("[data-testid=compute-submit]")
    page.wait_for_selector("[data-testid=compute-job]")  # the answer of the post
    deadline = time.monotonic() + 240
    while page.locator("[data-testid=compute-jobs] tr[data-status=done]").count() == 0:
        failed = page.locator("[data-testid=compute-jobs] tr[data-status=failed]").count()
        assert not failed and time.monotonic() < deadline, page.content()[-3000:]
        time.sleep(1)
        page = b.go(f"/sharing/contracts/{cid}")
    assert page.locator("[data-testid=trained-models] a").inner_text().startswith("b_defect")
    assert "학습 1회" in page.locator("[data-testid=contract-usage]").inner_text()
    b.shot("ko-8-compute-done")
    page.click("[data-testid=trained-models] a")
    page.wait_for_url("**/models/b_defect/1")
    b.shot("ko-9-model")

    # The ledger shows every use to both, with a verified inclusion proof.
    page = a.go("/sharing/ledger")
    kinds = page.locator("[data-testid=ledger-entries] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert "training" in kinds and "export" not in kinds
    a.shot("ko-10-ledger")
    page.locator("[data-testid=ledger-entries] [data-testid^=proof-]").first.click()
    page.wait_for_selector("[data-testid=proof-verified]")
    a.shot("ko-11-proof")
    page = b.go("/sharing/ledger")
    assert page.locator("[data-testid=usage-lines] tbody tr").count() >= 1

    # A settles the month: the statement pays A; B's invoice is the same amount.
    month = world.kamp.sharing.contracts.now().astimezone(world.kamp.settings.tz)
    key = month.strftime("%Y-%m")
    page = a.go("/sharing/earnings")
    page.fill("[data-testid=settle-month]", key)
    page.click("[data-testid=settle-submit]")
    page.wait_for_url("**/sharing/earnings*")
    payout = page.locator(f"[data-testid=payout-{key}]").inner_text()
    assert payout == "20,000원", payout  # one training, no row delivered
    a.shot("ko-12-earnings")
    page = b.go("/sharing/earnings")
    assert "20,000원" in page.locator(f"[data-testid=invoice-{key}]").inner_text()
    b.shot("ko-13-invoice")

    # B never received a row: no export, only the compute-to-data delivery.
    delivered = world.kamp.sharing.deliveries(world.orgs["beta"], cid)
    assert delivered and {d.kind for d in delivered} == {"compute"}
    assert all(d.rows == 0 for d in delivered)

    # A's own offer page: the certificate, terms, and the form to trace a leaked copy.
    page = a.go(f"/sharing/offers/{offer_id}")
    assert page.locator("[data-testid=trace-form]").is_visible()
    a.shot("ko-14-own-offer")

    # The same pages in English.
    for person, path, name in ((b, "/sharing", "catalog"), (b, f"/sharing/contracts/{cid}",
                               "contract"), (a, "/sharing/earnings", "earnings"),
                               (a, "/sharing/ledger", "ledger")):  # fmt: skip
        page = person.go(f"/lang/en?next={path}")
        assert page.locator("html").get_attribute("lang") == "en"
        person.shot(f"en-{name}")
    assert "KRW 20,000" in a.go("/sharing/earnings").content()
