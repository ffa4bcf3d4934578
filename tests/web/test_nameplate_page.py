"""The nameplate on an equipment's page, in Korean: what is missing for a Digital Nameplate, the
form an engineer fills, refusals in words, what a viewer sees; and the same in headless chromium
(screenshots ko-equipment-nameplate-empty, ko-equipment-nameplate-filled)."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from openkamp.api import create_app
from openkamp.core.assets import Nameplate
from openkamp.core.tenancy import Role
from openkamp.platform import Platform
from openkamp.sim import Factory

from .chromium import launched, shot
from .language_scan import untranslated
from .support import ADMIN, PASSWORD, VIEWER, Served, Site, free_port, sign_in

#: What an engineer copies from the press's nameplate, by the form's field names.
TYPED = {
    "manufacturer_name": "엥겔코리아", "product_designation": "전동식 사출성형기",
    "product_type": "e-mac 180/50", "serial_number": "E-2019-00815",
    "year_of_construction": "2019", "product_uri": "https://www.engel.example/p/E-2019-00815",
    "street": "경기도 안산시 단원구 산단로 123", "zipcode": "15434", "city": "안산시",
    "country": "kr", "phone": "031-000-0000", "email": "service@engel.example",
}  # fmt: skip
MISSING_KO = "제조사, 제품명, 모델명, 제조연도, 제품 URL, 도로명 주소, 우편번호, 도시, 국가 코드"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The simulator's asset tree (no data: the page needs none), an administrator, a viewer."""
    root = tmp_path_factory.mktemp("nameplate_web")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    factory = Factory(seed=7)
    kamp.assets.apply_tree(kamp.principal(), [factory.asset_model()])
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, ADMIN, PASSWORD)
    kamp.accounts.create_user(kamp.accounts.principal_of(kim), VIEWER, PASSWORD, role=Role.VIEWER)
    yield Site(kamp, root, factory)
    kamp.close()


def _machine(site: Site, path: str) -> Any:
    return site.kamp.assets.resolve(site.kamp.principal(), path)


def test_an_engineer_fills_the_nameplate_in_korean(site: Site) -> None:
    from .test_language import _data_words  # the site's own names, shown as they are

    words = _data_words(site)
    eq = _machine(site, "plant1/line1/inj01")
    url = f"/assets/equipment/{eq.id}"
    with site.client() as c:
        csrf = sign_in(c)
        page = c.get(url)
        assert page.status_code == 200
        assert "디지털 명판" in page.text and 'data-testid="nameplate-form"' in page.text
        assert f"디지털 명판을 넣으려면 다음 항목을 채우세요: {MISSING_KO}" in page.text
        assert untranslated(page.text, "ko", url, words) == []

        # A year typed wrong: refused in words, nothing stored.
        refused = c.post(f"{url}/nameplate",
                         data={**TYPED, "year_of_construction": "19년", "csrf_token": csrf})  # fmt: skip
        assert refused.status_code == 422
        assert "제조연도 '19년'은(는) 네 자리 연도가 아닙니다" in html.unescape(refused.text)
        assert untranslated(refused.text, "ko", "refused nameplate", words) == []
        assert not _machine(site, "plant1/line1/inj01").nameplate

        saved = c.post(f"{url}/nameplate", data={**TYPED, "csrf_token": csrf})
        assert saved.status_code == 303 and saved.headers["location"] == f"{url}#nameplate"
        stored = _machine(site, "plant1/line1/inj01").nameplate
        assert stored == Nameplate(**{**TYPED, "country": "KR"})
        page = c.get(url)
        assert 'data-testid="nameplate-ready"' in page.text
        assert "AAS 내보내기에 이 설비의 디지털 명판이 들어갑니다" in page.text
        assert 'value="엥겔코리아"' in page.text and 'value="KR"' in page.text
        assert untranslated(page.text, "ko", url, words) == []

        # Emptying a required field takes the nameplate out of the export again, and says so.
        c.post(f"{url}/nameplate", data={**TYPED, "zipcode": "", "csrf_token": csrf})
        assert "다음 항목을 채우세요: 우편번호" in c.get(url).text

        c.cookies.set("okp_lang", "en")
        english = c.get(url)
        assert "For a digital nameplate in the AAS export, fill in: Zip code" in english.text
        assert untranslated(english.text, "en", url, words | set(TYPED.values())) == []
    c.close()
    site.kamp.assets.update_node(site.kamp.principal(), eq.id, nameplate=Nameplate())


def test_a_viewer_reads_the_nameplate_but_has_no_form(site: Site) -> None:
    eq = _machine(site, "plant1/line1/inj01")
    site.kamp.assets.update_node(site.kamp.principal(), eq.id, nameplate={"city": "안산시"})
    with site.client() as c:
        csrf = sign_in(c, VIEWER, PASSWORD)
        page = c.get(f"/assets/equipment/{eq.id}")
        assert 'data-testid="nameplate-form"' not in page.text
        assert "<dt>도시</dt>" in page.text and ">안산시</dd>" in page.text
        denied = c.post(f"/assets/equipment/{eq.id}/nameplate",
                        data={"city": "x", "csrf_token": csrf})  # fmt: skip
        assert denied.status_code == 403
    assert _machine(site, "plant1/line1/inj01").nameplate.city == "안산시"
    site.kamp.assets.update_node(site.kamp.principal(), eq.id, nameplate=Nameplate())


# --------------------------------------------------------------------------- chromium


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[Served]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform=site.kamp), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield Served(site, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:  # skips without chromium (fails under CI)
        yield b


def test_the_nameplate_form_in_a_browser(browser: Any, served: Served) -> None:
    """Typed field by field into the Korean page by its labels, saved with the button."""
    site = served.site
    eq = _machine(site, "plant1/line2/press01")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served.url + "/login")
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(served.url + "/")
    page.goto(f"{served.url}/assets/equipment/{eq.id}#nameplate")
    assert page.locator("html").get_attribute("lang") == "ko"
    missing = page.locator("[data-testid=nameplate-missing]")
    assert missing.is_visible() and MISSING_KO in missing.inner_text()
    shot(page, "ko-equipment-nameplate-empty")
    form = page.locator("[data-testid=nameplate-form]")
    for label, key in [
        ("제조사 (필수)", "manufacturer_name"), ("제품명 (필수)", "product_designation"),
        ("모델명 (필수)", "product_type"), ("제조번호", "serial_number"),
        ("제조연도 (필수)", "year_of_construction"), ("제품 URL (필수)", "product_uri"),
        ("도로명 주소 (필수)", "street"), ("우편번호 (필수)", "zipcode"), ("도시 (필수)", "city"),
        ("국가 코드 (필수)", "country"), ("전화번호", "phone"), ("이메일", "email"),
    ]:  # fmt: skip
        form.get_by_label(label, exact=True).fill(TYPED[key])
    form.get_by_role("button", name="명판 저장").click()
    ready = page.locator("[data-testid=nameplate-ready]")
    ready.wait_for()
    assert "디지털 명판이 들어갑니다" in ready.inner_text()
    assert form.get_by_label("국가 코드 (필수)", exact=True).input_value() == "KR"
    page.locator("#nameplate").scroll_into_view_if_needed()
    shot(page, "ko-equipment-nameplate-filled")
    assert _machine(site, "plant1/line2/press01").nameplate.complete
    assert errors == []
