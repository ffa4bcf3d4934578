"""The data-sharing pages (issue 11, item 7) with the app's test client: factory A offers a
dataset through the form, supplier B finds it, requests it, A approves at a metered price, B
accepts, uses it (export, compute-to-data) and both see the ledger, its proofs and the money.
Every page in Korean and English with no untranslated text; a third organisation gets "no such
page" for the contract; forms refuse bad input in Korean and keep what was typed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.language_scan import untranslated

from openkamp.sharing.policy import Access

from .pages_support import OFFER_FORM, Sharing, csrf_of, load, post


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sharing]:
    w = load(tmp_path_factory.mktemp("sharing-pages"))
    try:
        yield w
    finally:
        w.kamp.close()


def _offer_id(w: Sharing) -> int:
    found = w.kamp.sharing.catalog.list_own(w.orgs["acme"])
    assert found, "the offer was made through the form"
    return int(found[0]["id"])


def _contract_id(w: Sharing) -> int:
    found = w.kamp.sharing.contracts.list(w.orgs["beta"], role="consumer")
    assert found, "B requested the offer through the form"
    return found[0].id


# The tests run in file order: each step builds on the one before, as the journey does.


def test_a_bad_offer_form_is_refused_in_korean_and_keeps_what_was_typed(world: Sharing) -> None:
    a = world.client("acme")
    bad = {**OFFER_FORM, "max_rows": "십만"}
    page = post(a, "/sharing/offers", bad)
    assert page.status_code == 422
    assert "최대 행 수&#39; 칸에는 0 이상의 정수를 넣어야 합니다" in page.text
    assert OFFER_FORM["title_ko"] in page.text and 'value="십만"' in page.text
    assert 'value="research" checked' in page.text  # the ticked purposes stay ticked
    # the service's own refusal (a KSIC code), in Korean too
    page = post(a, "/sharing/offers", {**OFFER_FORM, "industry": "29"})
    assert page.status_code == 422 and 'data-testid="sharing-error"' in page.text
    assert re.search(r"[\uac00-\ud7a3]", page.text.split('data-testid="sharing-error"')[1][:200])
    # in English, the same refusal in English
    en = world.client("acme", "en")
    page = post(en, "/sharing/offers", bad)
    assert page.status_code == 422 and "Maximum rows&#39; needs a whole number" in page.text
    assert world.kamp.sharing.catalog.list_own(world.orgs["acme"]) == []


def test_a_offers_and_publishes_a_dataset(world: Sharing) -> None:
    a = world.client("acme")
    done = post(a, "/sharing/offers", OFFER_FORM)
    assert done.status_code == 303, done.text[:2000]
    offer_id = _offer_id(world)
    page = a.get("/sharing/offers")
    assert f'data-testid="state-{offer_id}">작성 중' in page.text
    assert post(a, f"/sharing/offers/{offer_id}/publish").status_code == 303
    page = a.get("/sharing/offers")
    assert f'data-testid="state-{offer_id}">공개' in page.text
    assert "정액제: 월 300,000원" in page.text


def test_b_finds_the_offer_with_the_filters(world: Sharing) -> None:
    b = world.client("beta")
    offer_id = _offer_id(world)
    page = b.get("/sharing", params={"text": "사출", "problem": "defect", "min_grade": "D",
                                     "price_model": "flat", "industry": "C2"})  # fmt: skip
    assert page.status_code == 200
    assert f'data-testid="offer-{offer_id}"' in page.text
    assert OFFER_FORM["title_ko"] in page.text and "정액제: 월 300,000원" in page.text
    assert re.search(r'class="badge grade grade-[ABCD]"', page.text)
    for miss in ({"golden": "on"}, {"price_model": "metered"}, {"text": "프레스"}):
        assert f'data-testid="offer-{offer_id}"' not in b.get("/sharing", params=miss).text
    en = world.client("beta", "en").get("/sharing")
    assert OFFER_FORM["title_en"] in en.text and "Flat fee: KRW 300,000 per month" in en.text
    bad = b.get("/sharing", params={"industry": "29"})
    assert bad.status_code == 422 and 'data-testid="sharing-error"' in bad.text


def test_the_offer_page_shows_preview_certificate_and_terms(world: Sharing) -> None:
    b = world.client("beta")
    page = b.get(f"/sharing/offers/{_offer_id(world)}")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="cert-verified"' in html and "플랫폼 서명 확인됨" in html
    assert 'data-testid="preview"' in html and "가명 처리" in html and "SN-7000" not in html
    assert "작업자 홍길동" not in html  # free text never reaches the preview
    assert "이용 목적: 품질 개선, 연구" in html and "모두 100,000행까지" in html
    assert "30일 안에 삭제" in html and "재배포 금지" in html
    assert 'data-testid="request-form"' in html


def test_an_administrator_records_the_organisations_industry(world: Sharing) -> None:
    b = world.client("beta")
    bad = post(b, "/sharing/industry", {"industry": "29"})
    assert bad.status_code == 422 and 'data-testid="industry-error"' in bad.text
    assert re.search(r'data-testid="industry-error">[^<]*[\uac00-\ud7a3]', bad.text)
    assert post(b, "/sharing/industry", {"industry": "c29"}).status_code == 303
    assert world.kamp.sharing.industry(world.orgs["beta"]) == "C29"
    assert 'value="C29"' in b.get("/sharing").text


def test_the_operator_marks_the_offer_golden(world: Sharing) -> None:
    offer_id = _offer_id(world)
    b = world.client("beta")
    assert 'data-testid="golden-card"' not in b.get(f"/sharing/offers/{offer_id}").text
    assert post(b, f"/sharing/offers/{offer_id}/golden", {"golden": "on"}).status_code == 403
    op = world.client("operator")
    assert 'data-testid="golden-card"' in op.get(f"/sharing/offers/{offer_id}").text
    assert post(op, f"/sharing/offers/{offer_id}/golden", {"golden": "on"}).status_code == 303
    found = b.get("/sharing", params={"golden": "on"}).text
    assert f'data-testid="golden-{offer_id}"' in found and "골든 데이터셋" in found


def test_b_requests_a_approves_at_a_metered_price_and_b_accepts(world: Sharing) -> None:
    b, a = world.client("beta"), world.client("acme")
    offer_id = _offer_id(world)
    done = post(b, f"/sharing/offers/{offer_id}/request",
                {"purpose": "quality", "note": "불량 예측 모델 개발"})  # fmt: skip
    assert done.status_code == 303
    cid = _contract_id(world)
    # a second request while the first is open: refused in Korean, the note kept
    again = post(b, f"/sharing/offers/{offer_id}/request",
                 {"purpose": "quality", "note": "두 번째 요청"})  # fmt: skip
    assert again.status_code == 422 and "두 번째 요청" in again.text
    assert 'data-testid="sharing-error"' in again.text
    listing = a.get("/sharing/contracts").text
    assert f'data-testid="contract-{cid}" data-state="requested"' in listing
    assert "불량 예측" not in listing or "품질 개선" in listing
    # a bad price: refused in Korean, nothing decided
    bad = post(a, f"/sharing/contracts/{cid}/approve",
               {"price_model": "metered", "price_rate_rows_1000": "500",
                "price_included_rows_1000": "만"})  # fmt: skip
    assert bad.status_code == 422 and "0 이상의 정수" in bad.text and 'value="만"' in bad.text
    metered = {"price_model": "metered", "price_rate_rows_1000": "500",
               "price_rate_training": "20000", "note": "학습 건당 과금"}  # fmt: skip
    assert post(a, f"/sharing/contracts/{cid}/approve", metered).status_code == 303
    page = b.get(f"/sharing/contracts/{cid}").text
    assert "조건 변경 제안됨" in page and "1,000행당 500원" in page
    assert "제공 가격: 정액제" in page
    assert post(b, f"/sharing/contracts/{cid}/accept").status_code == 303
    page = b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="contract-state">유효' in page
    assert 'data-testid="compute-form"' in page and 'data-testid="export-form"' in page


def test_a_third_organisation_cannot_see_the_contract(world: Sharing) -> None:
    c = world.client("gamma")
    cid = _contract_id(world)
    page = c.get(f"/sharing/contracts/{cid}")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert post(c, f"/sharing/contracts/{cid}/revoke", {"reason": "x"}).status_code == 404
    assert f"contract-{cid}" not in c.get("/sharing/contracts").text
    assert c.get("/sharing/ledger").text.count('data-testid="entry-') == 0


def test_b_exports_a_governed_copy_and_confirms_its_deletion(world: Sharing) -> None:
    b = world.client("beta")
    cid = _contract_id(world)
    bad = post(b, f"/sharing/contracts/{cid}/export", {"limit": "백"})
    assert bad.status_code == 422 and "0 이상의 정수" in bad.text
    got = post(b, f"/sharing/contracts/{cid}/export", {"limit": ""})
    assert got.status_code == 200, got.text[:1000]
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    body = got.content.decode("utf-8-sig")
    assert body.count("\n") >= 400 and "작업자 홍길동" not in body and "SN-700000" not in body
    # the copy leaks, its rows reordered: A traces it to B's contract on the offer's page
    a = world.client("acme")
    lines = body.splitlines()
    leaked = "\n".join(lines[:1] + lines[:0:-1]).encode()
    offer_id = _offer_id(world)
    token = csrf_of(a.get(f"/sharing/offers/{offer_id}").text)
    found = a.post(f"/sharing/offers/{offer_id}/trace", data={"csrf_token": token},
                   files={"file": ("found.csv", leaked, "text/csv")})  # fmt: skip
    assert found.status_code == 200 and 'data-testid="trace-found"' in found.text
    assert f"계약 #{cid} (beta)에 반출된 사본입니다" in found.text
    empty = a.post(f"/sharing/offers/{offer_id}/trace", data={"csrf_token": token},
                   files={"file": ("empty.csv", b"", "text/csv")})  # fmt: skip
    assert empty.status_code == 422 and "파일을 고르세요" in empty.text
    assert 'data-testid="trace-card"' not in b.get(f"/sharing/offers/{offer_id}").text
    page = b.get(f"/sharing/contracts/{cid}").text
    assert 'data-testid="deliveries"' in page
    delivery = re.search(r'data-testid="deleted-(\d+)"', page)
    assert delivery
    done = post(b, f"/sharing/contracts/{cid}/deliveries/{delivery.group(1)}/deleted")
    assert done.status_code == 303
    assert "삭제 확인" in b.get(f"/sharing/contracts/{cid}").text


def test_b_trains_by_compute_to_data_and_gets_the_model(world: Sharing) -> None:
    b = world.client("beta")
    cid = _contract_id(world)
    bad = post(b, f"/sharing/contracts/{cid}/compute",
               {"task": "classify", "target": "result", "model_name": "나쁜 이름!"})  # fmt: skip
    assert bad.status_code == 422 and 'data-testid="sharing-error"' in bad.text
    page = post(b, f"/sharing/contracts/{cid}/compute",
                {"task": "classify", "target": "result", "model_name": "b_defect"})  # fmt: skip
    assert page.status_code == 200 and 'data-testid="compute-job"' in page.text
    job_id = int(re.search(r"작업 #(\d+)", page.text).group(1))  # type: ignore[union-attr]
    owner = world.orgs["acme"]
    world.kamp.jobs.wait(owner, job_id, timeout=240)
    page = b.get(f"/sharing/contracts/{cid}").text
    assert f'data-testid="job-{job_id}" data-status="done"' in page, page[-3000:]
    assert 'data-testid="trained-models"' in page and "/models/b_defect/1" in page
    assert "학습 1회" in page


def test_the_ledger_shows_the_uses_with_proofs(world: Sharing) -> None:
    a = world.client("acme")
    page = a.get("/sharing/ledger").text
    assert 'data-testid="usage-lines"' in page and "반출" in page and "학습" in page
    index = int(re.search(r'data-testid="entry-(\d+)" data-kind="export"', page).group(1))  # type: ignore[union-attr]
    proof = a.get(f"/sharing/ledger?proof={index}")
    assert proof.status_code == 200 and 'data-testid="proof-verified"' in proof.text
    head = post(a, "/sharing/ledger/head")
    assert head.status_code == 200 and "attachment" in head.headers["content-disposition"]
    kept = head.json()
    assert kept["tree_size"] >= 2
    # more uses after the head was kept, then the kept head checks out
    world.kamp.sharing.authorize(
        world.orgs["beta"], _contract_id(world), Access.READ, rows=1, anonymised=True
    )
    checked = post(a, "/sharing/ledger/consistency", {"head": json.dumps(kept)})
    assert checked.status_code == 200 and 'data-testid="consistency-ok"' in checked.text
    forged = {**kept, "root_hash": "00" * 32}
    refused = post(a, "/sharing/ledger/consistency", {"head": json.dumps(forged)})
    assert refused.status_code == 422 and 'data-testid="sharing-error"' in refused.text
    garbage = post(a, "/sharing/ledger/consistency", {"head": "트리 헤드 아님"})
    assert garbage.status_code == 422 and "트리 헤드 JSON이 아닙니다" in garbage.text
    assert "트리 헤드 아님" in garbage.text  # what was pasted stays
    assert a.get("/sharing/ledger?proof=999999").status_code == 404


def test_a_settles_the_month_and_b_sees_its_invoice(world: Sharing) -> None:
    a, b = world.client("acme"), world.client("beta")
    bad = post(a, "/sharing/earnings/settle", {"month": "2026-13"})
    assert bad.status_code == 422 and 'data-testid="sharing-error"' in bad.text
    month = world.kamp.sharing.contracts.now().astimezone(world.kamp.settings.tz)
    key = month.strftime("%Y-%m")
    done = post(a, "/sharing/earnings/settle", {"month": key})
    assert done.status_code == 303, done.text[:2000]
    page = a.get("/sharing/earnings").text
    assert f'data-testid="statement-{key}"' in page
    issued = world.kamp.sharing.statements(world.orgs["acme"])[-1].statement
    assert issued.payout > 0 and str(issued.payout) == str(int(issued.payout))
    assert f"{int(issued.payout):,}원" in page
    invoice = b.get("/sharing/earnings").text
    assert f'data-testid="invoice-{key}"' in invoice


def test_a_revokes_with_a_reason_and_access_stops(world: Sharing) -> None:
    a, b = world.client("acme"), world.client("beta")
    cid = _contract_id(world)
    empty = post(a, f"/sharing/contracts/{cid}/revoke", {"reason": ""})
    assert empty.status_code == 422 and 'data-testid="sharing-error"' in empty.text
    assert (
        post(a, f"/sharing/contracts/{cid}/revoke", {"reason": "기술 유출 우려"}).status_code == 303
    )
    page = b.get(f"/sharing/contracts/{cid}").text
    assert "해지됨" in page and "기술 유출 우려" in page and 'data-testid="export-form"' not in page
    refused = post(b, f"/sharing/contracts/{cid}/export", {})
    assert refused.status_code == 403 and 'data-testid="sharing-error"' in refused.text


PAGES = ["/sharing", "/sharing/offers", "/sharing/contracts", "/sharing/ledger",
         "/sharing/earnings"]  # fmt: skip


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("org", ["acme", "beta", "gamma"])
def test_every_page_in_both_languages_has_no_untranslated_text(
    world: Sharing, org: str, lang: str
) -> None:
    c = world.client(org, lang)
    pages = [*PAGES, f"/sharing/offers/{_offer_id(world)}"]
    if org != "gamma":
        cid = _contract_id(world)
        pages += [f"/sharing/contracts/{cid}", "/sharing/ledger?proof=0"]
    words = world.data_words()
    findings = []
    for path in pages:
        page = c.get(path)
        assert page.status_code == 200, (path, page.status_code, page.text[:500])
        assert f'<html lang="{lang}">' in page.text
        assert ("데이터 공유" if lang == "ko" else "Data sharing") in page.text
        assert not re.search(r'(src|href)="(https?:)?//', page.text), path
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", page.text, re.S):
            assert 'name="csrf_token"' in form, (path, form[:200])
        findings += untranslated(page.text, lang, path, words)
    assert not findings, "\n".join(str(f) for f in findings[:40])


def test_a_viewer_sees_the_pages_but_no_forms_that_change(world: Sharing, tmp_path: Path) -> None:
    from openkamp.core.tenancy import Role

    world.kamp.accounts.create_user(world.orgs["beta"], "viewer_b", "correct horse battery",
                                    role=Role.VIEWER)  # fmt: skip
    from .pages_support import sign_in

    c = world.client("beta")
    c.cookies.clear()
    sign_in(c, "viewer_b")
    page = c.get(f"/sharing/offers/{_offer_id(world)}").text
    assert 'data-testid="request-form"' not in page
    assert 'data-testid="new-offer"' not in c.get("/sharing/offers").text


def test_every_text_of_the_pages_is_in_the_catalogue_in_both_languages() -> None:
    """Each ``sharing_web.*`` key a template or page module names exists, and every text has
    the same placeholders in Korean and English."""
    from string import Formatter

    from openkamp.i18n import MESSAGES
    from openkamp.i18n.sharing_web import MESSAGES as OURS

    web = Path(__file__).resolve().parents[2] / "src" / "openkamp" / "web"
    sources = [*web.glob("sharing_*.py"), *web.glob("templates/*sharing*.html")]
    used = set()
    for path in sources:
        used |= set(re.findall(r"sharing_web\.[a-z_.0-9]*", path.read_text()))
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith("."))
    assert not missing, missing
    for key, entry in OURS.items():
        names = [{f.split("[")[0] for _, f, _, _ in Formatter().parse(entry[lang]) if f}
                 for lang in ("ko", "en")]  # fmt: skip
        assert names[0] == names[1], key
