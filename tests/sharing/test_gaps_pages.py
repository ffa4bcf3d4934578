"""The same gaps on the pages, with the app's test client, in Korean and English: factory A
edits its draft offer through a form filled with the draft's values (refusals keep what was
typed; clauses the form has no field for are kept), and a published offer's edit page says
why not and what to do; supplier B, whose industry is not recorded, is told so on the offer and
the contract pages and records it there (an administrator) or learns whom to ask (a viewer);
B withdraws a request and A sees who, when and why; B accepts a counter-offer and both pages
say who accepted and when. Every new page has no untranslated text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.web.language_scan import untranslated

from openkamp.core.tenancy import Role
from openkamp.sharing.offer_fields import clauses_of

from .pages_support import OFFER_FORM, PASSWORD, Sharing, load, post, sign_in

HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: A's offer: B's industry (not recorded yet) must be C29 or C30.
FORM = {**OFFER_FORM, "name": "injection-gaps", "industries": "C29, C30"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sharing]:
    w = load(tmp_path_factory.mktemp("sharing-gaps-pages"))
    w.kamp.accounts.create_user(w.orgs["beta"], "viewer_b", PASSWORD, role=Role.VIEWER)
    try:
        yield w
    finally:
        w.kamp.close()


def _offer(w: Sharing) -> int:
    return int(w.kamp.sharing.catalog.list_own(w.orgs["acme"])[-1]["id"])


def _contracts(w: Sharing) -> list[int]:
    return [c.id for c in w.kamp.sharing.contracts.list(w.orgs["beta"], role="consumer")]


def _viewer(w: Sharing, lang: str = "ko") -> object:
    c = w.client("beta", lang)
    c.cookies.clear()
    sign_in(c, "viewer_b")
    c.get(f"/lang/{lang}")
    return c


def _error_of(html: str) -> str:
    found = re.search(r'data-testid="sharing-error">(.*?)</p>', html, re.S)
    assert found, html[:1500]
    return found.group(1)


# The tests run in file order: each step builds on the one before.


def test_a_edits_its_draft_through_a_form_filled_with_its_values(world: Sharing) -> None:
    a = world.client("acme")
    assert post(a, "/sharing/offers", FORM).status_code == 303
    oid = _offer(world)
    # a clause the form has no field for (set through the API) survives the form's edit
    world.kamp.sharing.catalog.update(world.orgs["acme"], oid, policy={
        **clauses_of(world.kamp.sharing.catalog.get(world.orgs["acme"], oid)),
        "excluded_industries": ["C10"]})  # fmt: skip
    listing = a.get("/sharing/offers").text
    assert f'href="/sharing/offers/{oid}/edit" data-testid="edit-{oid}"' in listing
    assert 'data-testid="edit-offer-link"' in a.get(f"/sharing/offers/{oid}").text
    page = a.get(f"/sharing/offers/{oid}/edit")
    assert page.status_code == 200 and 'data-testid="edit-offer"' in page.text
    html = page.text
    assert "제공 초안 고치기" in html and FORM["title_ko"] in html and 'name="name"' not in html
    assert 'name="price_amount" inputmode="numeric" size="12" value="300000"' in html
    assert 'value="research" checked' in html and 'value="maintenance" checked' not in html
    assert 'name="max_rows" inputmode="numeric" size="10" value="100000"' in html
    assert 'name="industries" size="12" value="C29, C30"' in html
    assert 'name="anonymise" checked' in html and 'name="compute_to_data_only" checked' not in html
    assert 'value="shots@1" translate="no" selected' in html
    # refused: in Korean, everything typed kept, nothing changed
    bad = {**FORM, "industry": "29", "description_ko": "새로 쓴 설명", "max_rows": "500"}
    page = post(a, f"/sharing/offers/{oid}/edit", bad)
    assert page.status_code == 422 and HANGUL.search(_error_of(page.text))
    assert "새로 쓴 설명" in page.text and 'value="500"' in page.text and 'value="29"' in page.text
    assert world.kamp.sharing.catalog.get(world.orgs["acme"], oid)["industry"] == "C22"
    # saved: every field of the form, the API's clause kept
    good = {**FORM, "description_ko": "사출기 샷별 공정 변수 (수정)",
            "description_en": "Each shot's process variables (edited)",
            "equipment_type": "injection_press", "industry": "C2221", "problem": "quality",
            "price_model": "metered", "price_rate_rows_1000": "500", "max_rows": "5000",
            "purposes": ["quality"]}  # fmt: skip
    done = post(a, f"/sharing/offers/{oid}/edit", good)
    assert done.status_code == 303 and done.headers["location"] == f"/sharing/offers/{oid}"
    offer = world.kamp.sharing.catalog.get(world.orgs["acme"], oid)
    assert offer["description_ko"] == good["description_ko"] and offer["problem"] == "quality"
    assert (offer["equipment_type"], offer["industry"]) == ("injection_press", "C2221")
    assert offer["price"]["model"] == "metered" and offer["state"] == "draft"
    clauses = clauses_of(offer)
    assert clauses["max_rows"] == 5000 and [p.value for p in clauses["purposes"]] == ["quality"]
    assert clauses["industries"] == ["C29", "C30"] and clauses["excluded_industries"] == ["C10"]
    # in English the same form, its refusal in English
    en = world.client("acme", "en")
    assert "Edit the draft offer" in en.get(f"/sharing/offers/{oid}/edit").text
    page = post(en, f"/sharing/offers/{oid}/edit", {**good, "problem": "magic"})
    assert page.status_code == 422 and not HANGUL.search(_error_of(page.text))
    assert "magic" in _error_of(page.text)


def test_a_published_offer_is_not_edited_and_the_page_says_what_to_do(world: Sharing) -> None:
    a, oid = world.client("acme"), _offer(world)
    assert post(a, f"/sharing/offers/{oid}/publish").status_code == 303
    assert f'data-testid="edit-{oid}"' not in a.get("/sharing/offers").text
    assert 'data-testid="edit-offer-link"' not in a.get(f"/sharing/offers/{oid}").text
    page = a.get(f"/sharing/offers/{oid}/edit")
    assert page.status_code == 409 and 'data-testid="edit-offer"' not in page.text
    assert "공개 상태라 고칠 수 없습니다" in page.text and "철회하고" in page.text
    en = world.client("acme", "en").get(f"/sharing/offers/{oid}/edit")
    assert en.status_code == 409 and "only a draft can be changed" in en.text
    assert "withdraw this offer" in en.text and "create a new one" in en.text
    late = post(a, f"/sharing/offers/{oid}/edit", {**FORM, "title_en": "Too late"})
    assert late.status_code == 409 and "공개 상태라 고칠 수 없습니다" in late.text
    assert world.kamp.sharing.catalog.get(world.orgs["acme"], oid)["title_en"] == FORM["title_en"]
    # another organisation's offer has no edit page
    assert world.client("beta").get(f"/sharing/offers/{oid}/edit").status_code == 404


def test_b_without_an_industry_is_told_on_the_offer_page(world: Sharing) -> None:
    oid = _offer(world)
    assert world.kamp.sharing.industry(world.orgs["beta"]) is None
    b = world.client("beta")
    html = b.get(f"/sharing/offers/{oid}").text
    assert 'data-testid="industry-needed" data-met="unknown"' in html
    assert '허용하는 업종(한국표준산업분류 코드): <b translate="no">C29, C30</b>' in html
    assert '제외하는 업종(한국표준산업분류 코드): <b translate="no">C10</b>' in html  # API's
    assert "등록되어 있지 않아" in html
    assert 'data-testid="industry-needed-form"' in html
    assert f'name="next" value="/sharing/offers/{oid}"' in html
    en = world.client("beta", "en").get(f"/sharing/offers/{oid}").text
    assert "Industries (KSIC codes) these terms allow:" in en and "is not recorded" in en
    # a viewer cannot record it: whom to ask instead
    seen = _viewer(world).get(f"/sharing/offers/{oid}").text  # type: ignore[attr-defined]
    assert 'data-testid="industry-needed-form"' not in seen
    assert re.search(r'data-testid="industry-ask">기관 관리자에게[^<]*<span translate="no">'
                     r"supplier_b</span>", seen)  # fmt: skip
    # the owner is not told anything of the kind on its own offer
    assert 'data-testid="industry-needed"' not in world.client("acme").get(
        f"/sharing/offers/{oid}").text  # fmt: skip
    # a bad code: refused on the offer page itself, in Korean
    bad = post(b, "/sharing/industry", {"industry": "29", "next": f"/sharing/offers/{oid}"})
    assert bad.status_code == 422 and 'data-testid="offer-title"' in bad.text
    assert re.search(r'data-testid="industry-error">[^<]*[\uac00-\ud7a3]', bad.text)
    assert world.kamp.sharing.industry(world.orgs["beta"]) is None
    # only our own pages are gone back to
    away = post(b, "/sharing/industry", {"industry": "", "next": "https://evil.example/x"})
    assert away.status_code == 303 and away.headers["location"] == "/sharing#industry"


def test_b_requests_and_the_contract_page_asks_for_the_industry_too(world: Sharing) -> None:
    oid = _offer(world)
    b = world.client("beta")
    assert post(b, f"/sharing/offers/{oid}/request", {"purpose": "quality"}).status_code == 303
    [cid] = _contracts(world)
    html = b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="industry-needed" data-met="unknown"' in html
    assert f'name="next" value="/sharing/contracts/{cid}"' in html
    assert 'data-testid="industry-needed"' not in world.client("acme").get(
        f"/sharing/contracts/{cid}").text  # fmt: skip
    done = post(b, "/sharing/industry", {"industry": "c29", "next": f"/sharing/contracts/{cid}"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/sharing/contracts/{cid}#industry-needed"
    assert world.kamp.sharing.industry(world.orgs["beta"]) == "C29"
    assert 'data-testid="industry-needed"' not in b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="industry-needed"' not in b.get(f"/sharing/offers/{oid}").text
    # a code the terms do not allow: said, with no form (the owner decides, not the code)
    world.kamp.sharing.set_industry(world.orgs["beta"], "C22")
    html = b.get(f"/sharing/offers/{oid}").text
    assert 'data-met="no"' in html and "조건에 맞지 않아" in html and ">C22</b>" in html
    assert 'data-testid="industry-needed-form"' not in html
    world.kamp.sharing.set_industry(world.orgs["beta"], None)


def test_b_withdraws_its_request_and_a_sees_who_when_and_why(world: Sharing) -> None:
    [cid] = _contracts(world)
    a, b = world.client("acme"), world.client("beta")
    page = b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="withdraw-form"' in page and "요청 철회" in page
    assert 'data-testid="withdraw-form"' not in a.get(f"/sharing/contracts/{cid}").text
    assert post(a, f"/sharing/contracts/{cid}/withdraw").status_code == 403  # not the owner's
    done = post(b, f"/sharing/contracts/{cid}/withdraw", {"reason": "다른 데이터로 대체"})
    assert done.status_code == 303
    page = b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="contract-state">요청 철회됨' in page
    assert 'data-testid="withdraw-form"' not in page and 'data-testid="industry-needed"' not in page
    # the owner sees it among its ended contracts, with who, when and why
    listing = a.get("/sharing/contracts").text
    assert f'data-testid="contract-{cid}" data-state="withdrawn"' in listing
    seen = a.get(f"/sharing/contracts/{cid}").text
    ended = re.search(r'data-testid="end-reason">(.*?)</dd>', seen, re.S)
    assert ended and "supplier_b" in ended.group(1) and "다른 데이터로 대체" in ended.group(1)
    en = world.client("acme", "en").get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="contract-state">withdrawn' in en
    # withdrawing again: refused on the page, in Korean and in English
    again = post(b, f"/sharing/contracts/{cid}/withdraw")
    assert again.status_code == 422 and "요청 철회됨 상태라" in _error_of(again.text)
    again = post(world.client("beta", "en"), f"/sharing/contracts/{cid}/withdraw")
    assert "is withdrawn: it cannot withdraw" in _error_of(again.text)


def test_b_accepts_a_counter_offer_and_both_pages_say_who_and_when(world: Sharing) -> None:
    oid = _offer(world)
    a, b = world.client("acme"), world.client("beta")
    assert post(b, f"/sharing/offers/{oid}/request", {"purpose": "quality"}).status_code == 303
    cid = max(_contracts(world))
    metered = {"price_model": "metered", "price_rate_rows_1000": "700"}
    assert post(a, f"/sharing/contracts/{cid}/approve", metered).status_code == 303
    page = b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="accept-submit"' in page and 'data-testid="withdraw-form"' in page
    assert 'data-testid="accepted"' not in page
    assert post(b, f"/sharing/contracts/{cid}/accept").status_code == 303
    for client, label in ((b, "변경 조건 수락"), (a, "변경 조건 수락"),
                          (world.client("acme", "en"), "Terms accepted")):  # fmt: skip
        html = client.get(f"/sharing/contracts/{cid}").text
        found = re.search(r"<dt>([^<]*)</dt><dd data-testid=\"accepted\">(.*?)</dd>", html, re.S)
        assert found and found.group(1) == label and "supplier_b" in found.group(2)
        assert re.search(r"\d{4}-\d{2}-\d{2}", found.group(2))
    c = world.kamp.sharing.contracts.get(world.orgs["acme"], cid)
    assert c.accepted_by == "supplier_b" and c.accepted_at == c.starts_at


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_new_page_in_both_languages_has_no_untranslated_text(
    world: Sharing, lang: str
) -> None:
    oid = _offer(world)
    a = world.client("acme", lang)
    assert post(a, "/sharing/offers", {**FORM, "name": f"draft-{lang}"}).status_code == 303
    draft = int(world.kamp.sharing.catalog.list_own(world.orgs["acme"])[0]["id"])
    world.kamp.sharing.set_industry(world.orgs["beta"], None)  # the notices show
    withdrawn, accepted = sorted(_contracts(world))
    pages = [
        (a, f"/sharing/offers/{draft}/edit", 200), (a, f"/sharing/offers/{oid}/edit", 409),
        (a, "/sharing/offers", 200), (a, f"/sharing/contracts/{withdrawn}", 200),
        (a, f"/sharing/contracts/{accepted}", 200),
        (world.client("beta", lang), f"/sharing/offers/{oid}", 200),
        (world.client("beta", lang), f"/sharing/contracts/{accepted}", 200),
        (_viewer(world, lang), f"/sharing/offers/{oid}", 200),
    ]  # fmt: skip
    words = world.data_words() | {"viewer_b", "injection_press", "injection-gaps",
                                  f"draft-{lang}"}  # fmt: skip
    findings = []
    for client, path, status in pages:
        page = client.get(path)  # type: ignore[attr-defined]
        assert page.status_code == status, (path, page.status_code, page.text[:500])
        assert f'<html lang="{lang}">' in page.text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", page.text, re.S):
            assert 'name="csrf_token"' in form, (path, form[:200])
        findings += untranslated(page.text, lang, path, words)
    assert 'data-testid="industry-needed"' in world.client("beta", lang).get(
        f"/sharing/contracts/{accepted}").text  # fmt: skip
    assert not findings, "\n".join(str(f) for f in findings[:40])
