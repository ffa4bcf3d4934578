"""Pooled training's pages (issue 11, item 6) with the app's test client: the consumer ticks
three of its contracts (owners A, B and N, as in test_pooled_api.py), chooses a target and a
model name, follows the job, reads each owner's contribution and pays for the model; an owner
finds the job, its share and, once it settles the month, the pooled line of its statement. In
Korean and English with no untranslated text; a refused form says why in the page's language
and keeps what was typed; a third organisation gets "no such page".

Also: the form lists each active contract with its owner and the offer's title; an
organisation with one owner's contract is told a pooled training needs two; a contract whose
terms allow exports only (owner R), a blank model name, a model name that is no code name and
another organisation's contract are refused with the reason, the ticks and the typed values
kept; the noise owner's contribution and payment weight are below the real owners'; owner R
(a contract with the consumer, not in the pool) and a third organisation get the "no such
page" page in their language; a viewer of the consumer sees the pages but no form that changes
anything, and a form it posts anyway is refused (403) in Korean."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.web.language_scan import untranslated

from openkamp.api import create_app
from openkamp.core.tenancy import Principal, Role, system_principal
from openkamp.platform import Platform

from .pages_support import PASSWORD, csrf_of, sign_in
from .pooled_support import COLUMNS, PROCESS, TARGET, export_only, offer, shots

OWNERS = ("own_a", "own_b", "own_n")
LOGINS = {"cons": "buyer_c", "own_a": "owner_a", "own_b": "owner_b", "own_n": "owner_n",
          "own_r": "owner_r", "gamma": "third_g"}  # fmt: skip
VIEWER = "viewer_c"  # a viewer of the consumer
MODEL = "pooled_pages"
TITLE = {"ko": "사출 공정 데이터", "en": "Injection process data"}  # every offer's title


@dataclass
class World:
    kamp: Platform
    orgs: dict[str, Principal]
    contracts: dict[str, int]

    def client(self, org: str, lang: str = "ko", login: str | None = None) -> TestClient:
        c = TestClient(create_app(platform=self.kamp), follow_redirects=False)
        sign_in(c, login or LOGINS[org])
        c.get(f"/lang/{lang}")
        return c

    def words(self) -> frozenset[str]:
        """What the pages show as it is: logins, organisations, the model, datasets, columns."""
        return frozenset({*LOGINS.values(), *LOGINS, VIEWER, MODEL, "shots", "shots@1", TARGET,
                          *PROCESS})  # fmt: skip


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("pooled-pages")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1,
                       duckdb_memory_limit="256MB")  # fmt: skip
    try:
        kamp.accounts.create_first_admin(kamp.default_org_id, "operator", PASSWORD)
        orgs = {name: system_principal(kamp.principal(name).org_id) for name in LOGINS}
        for name, login in LOGINS.items():
            kamp.accounts.create_user(orgs[name], login, PASSWORD, role=Role.ADMIN)
        kamp.accounts.create_user(orgs["cons"], VIEWER, PASSWORD, role=Role.VIEWER)
        contracts = {}
        for i, owner in enumerate((*OWNERS, "own_r")):
            frame = shots(1200, seed=11 + i, noise=owner == "own_n")
            kamp.datasets.create(orgs[owner], "shots", frame, COLUMNS)
            oid = offer(kamp, orgs[owner], f"shots-{owner.replace('_', '-')}")
            c = kamp.sharing.contracts.request(orgs["cons"], oid, "quality", "공동 학습")
            if owner == "own_r":  # R's terms allow exports only: no training, no pooling
                approved = kamp.sharing.contracts.approve(
                    orgs[owner], c.id, terms=export_only(kamp, orgs[owner])
                )
                contracts[owner] = kamp.sharing.contracts.accept(orgs["cons"], approved.id).id
            else:
                contracts[owner] = kamp.sharing.contracts.approve(orgs[owner], c.id).id
        # gamma: one active contract (A's data), too few owners to pool; never in the pool
        oid = int(kamp.sharing.catalog.list_own(orgs["own_a"])[0]["id"])
        c = kamp.sharing.contracts.request(orgs["gamma"], oid, "quality", "단독 학습")
        contracts["gamma"] = kamp.sharing.contracts.approve(orgs["own_a"], c.id).id
        yield World(kamp, orgs, contracts)
    finally:
        kamp.close()


def post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client.get("/sharing/pooled").text)
    return client.post(path, data={**data, "csrf_token": token})


def _job_id(w: World) -> int:
    jobs = w.kamp.sharing.pooled.jobs(w.orgs["cons"])
    assert jobs, "the consumer started a pooled training through the form"
    return int(jobs[0]["id"])


def scan(w: World, html: str, lang: str, where: str, typed: tuple[str, ...] = ()) -> list[Any]:
    """Untranslated text of a page, as the pages' own scan finds it, less what is shown as it
    is besides the data words: what the user typed (an error names it) and a policy's clause
    identifiers (``urn:openkamp:contract:4``, which a refusal names)."""
    for value in typed:
        html = html.replace(str(escape(value)), "").replace(value, "")
    html = re.sub(r"urn:openkamp:[\w:#.\-]+", "", html)
    return untranslated(html, lang, where, w.words())


def error_of(html: str) -> str:
    """The text of the form's error (and its hint), tags removed."""
    found = re.search(r'data-testid="sharing-error">(.*?)</p>', html, re.S)
    assert found, "the refused form says why"
    return unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def ticked(html: str) -> set[int]:
    """The contracts ticked on the form."""
    return {int(v) for v in re.findall(r'name="contracts" value="(\d+)" checked', html)}


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    found = re.search(r'<option value="([^"]*)"[^>]*\bselected>', select.group(0))
    assert found, f"an option of {name} is selected"
    return found.group(1)


def shares(html: str) -> dict[str, tuple[float, float]]:
    """Each owner's row of the contributions table: (Shapley value, payment weight in %), as
    the page shows them, by the owner's name shown in the row."""
    out = {}
    rows = re.findall(r'<tr data-testid="share-\d+"[^>]*>(.*?)</tr>', html, re.S)
    for row in rows:
        name = re.search(r"<td>([^<]*)</td>", row)
        value = re.search(r'data-share="([^"]+)">([^<]+)<', row)
        weight = re.search(r'<td class="num">([\d.]+)%</td>', row)
        assert name and value and weight, row
        assert float(value.group(2)) == pytest.approx(float(value.group(1)), abs=5e-5)
        out[name.group(1)] = (float(value.group(1)), float(weight.group(1)))
    return out


# The tests run in file order (the suite's --dist loadscope keeps a module on one worker): the
# refused forms before the consumer starts the one job, the payments after it is done.


def test_the_consumer_chooses_contracts_and_a_refused_form_keeps_what_was_typed(w: World) -> None:
    c = w.client("cons")
    page = c.get("/sharing/pooled")
    assert page.status_code == 200 and "공동 학습" in page.text
    for owner in (*OWNERS, "own_r"):
        assert f'data-testid="pool-contract-{w.contracts[owner]}"' in page.text
    one = {"contracts": [str(w.contracts["own_a"])], "task": "classify", "target": TARGET,
           "model_name": MODEL}  # fmt: skip
    bad = post(c, "/sharing/pooled", one)
    assert bad.status_code == 422 and 'data-testid="sharing-error"' in bad.text
    assert "계약이 두 건 이상 필요합니다" in bad.text
    assert f'value="{MODEL}"' in bad.text
    assert f'value="{w.contracts["own_a"]}" checked' in bad.text
    en = post(w.client("cons", "en"), "/sharing/pooled", one)
    assert en.status_code == 422 and "needs at least two contracts" in en.text
    # a third organisation's view: one owner's contract, nothing to pool, no form
    assert 'data-testid="pooled-form"' not in w.client("gamma").get("/sharing/pooled").text


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_form_lists_each_active_contract_with_its_owner_and_title(w: World, lang: str) -> None:
    page = w.client("cons", lang).get("/sharing/pooled").text
    labels = dict(re.findall(r'data-testid="pool-contract-(\d+)">(.*?)</label>', page, re.S))
    assert {int(k) for k in labels} == {w.contracts[o] for o in (*OWNERS, "own_r")}
    word = "계약" if lang == "ko" else "Contract"
    for owner in (*OWNERS, "own_r"):
        cid = w.contracts[owner]
        text = re.sub(r"<[^>]+>", "", labels[str(cid)])
        assert f"{word} #{cid} · {owner} · {TITLE[lang]}" in text and "shots@1" in text
    assert not ticked(page) and 'name="model_name"' in page
    # the target offers the label column first, then the inputs; classification by default
    targets = re.findall(r'<option value="([^"]+)" translate="no"', page)
    assert targets == [TARGET, *PROCESS]
    assert selected(page, "target") == TARGET and selected(page, "task") == "classify"
    assert 'data-testid="pooled-none"' not in page


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_one_owners_contract_is_not_enough_to_pool(w: World, lang: str) -> None:
    """gamma has an active contract, but with one owner only: no form, the page says why."""
    page = w.client("gamma", lang).get("/sharing/pooled")
    assert page.status_code == 200
    none = re.search(r'data-testid="pooled-none">([^<]*)<', page.text)
    assert none, page.text[-3000:]
    expected = {"ko": "서로 다른 기관과 맺은 유효한 계약이 두 건 이상",
                "en": "active contracts with at least two different owners"}  # fmt: skip
    assert expected[lang] in none.group(1)
    assert 'data-testid="pooled-form"' not in page.text
    assert f"pool-contract-{w.contracts['gamma']}" not in page.text
    assert not scan(w, page.text, lang, "/sharing/pooled (gamma)")


# Refused forms: what is ticked and typed, the status, what the Korean and English messages
# say (the reason, with the contract's number where one is at fault).
REFUSALS = {
    "terms_forbid_training": (
        {"contracts": ("own_a", "own_r"), "task": "regress", "target": "사출압력",
         "model_name": "압력_예측"},
        403, ("계약 #{own_r}의 조건이 이 학습을 허용하지 않습니다", "컴퓨트-투-데이터 학습"),
        ("The terms of contract #{own_r} do not allow this training",),
    ),
    "blank_model_name": (
        {"contracts": ("own_a", "own_b"), "task": "classify", "target": TARGET,
         "model_name": "   "},
        422, ("모델 이름을 넣어 주세요",), ("Give the model a name",),
    ),
    "model_name_not_a_code": (
        {"contracts": ("own_a", "own_b", "own_n"), "task": "classify", "target": TARGET,
         "model_name": '불량 "판정" 모델'},
        422, ("코드 이름으로 쓸 수 없습니다", "띄어쓰기"), ("cannot be used as a code name",),
    ),
    "another_organisations_contract": (
        {"contracts": ("own_b", "gamma"), "task": "classify", "target": TARGET,
         "model_name": "판정_모델"},
        404, ("계약 #{gamma}이(가) 없습니다",), ("There is no contract {gamma}",),
    ),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_form_says_why_and_keeps_the_ticks_and_what_was_typed(
    w: World, case: str, lang: str
) -> None:
    fields, status, ko, en = REFUSALS[case]
    chosen = {w.contracts[o] for o in fields["contracts"]}
    form = {**fields, "contracts": [str(c) for c in sorted(chosen)]}
    page = post(w.client("cons", lang), "/sharing/pooled", form)
    assert page.status_code == status, (page.status_code, page.text[-2000:])
    assert f'<html lang="{lang}">' in page.text and 'data-testid="pooled-form"' in page.text
    said = error_of(page.text)
    for text in ko if lang == "ko" else en:
        assert text.format(**w.contracts) in said, said
    if lang == "ko":
        assert re.search(r"[\uac00-\ud7a3]", said) and "needs" not in said
    # what was chosen and typed is still there
    assert ticked(page.text) == {c for c in chosen if c != w.contracts["gamma"]}
    assert f'value="{escape(fields["model_name"])}"' in page.text
    assert selected(page.text, "task") == fields["task"]
    assert selected(page.text, "target") == fields["target"]
    typed = (str(fields["model_name"]).strip(),)
    findings = scan(w, page.text, lang, f"refused form {case}", typed)
    assert not findings, "\n".join(str(f) for f in findings[:20])
    assert w.kamp.sharing.pooled.jobs(w.orgs["cons"]) == [], "a refused form starts nothing"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_viewer_sees_the_contracts_page_without_the_form_and_its_post_is_refused(
    w: World, lang: str
) -> None:
    v = w.client("cons", lang, VIEWER)
    page = v.get("/sharing/pooled")
    assert page.status_code == 200
    assert 'data-testid="pooled-form"' not in page.text and 'name="contracts"' not in page.text
    # the organisation can pool (four owners): the viewer is told who can, not that it cannot
    assert 'data-testid="pooled-none"' not in page.text
    only = re.search(r'data-testid="pooled-engineer-only">([^<]*)<', page.text)
    assert only and ("엔지니어 이상만" if lang == "ko" else "Engineers and") in only.group(1)
    assert not scan(w, page.text, lang, "/sharing/pooled (viewer)")
    # posted anyway (an old page, a crafted form): refused, in the page's language
    form = {"contracts": [str(w.contracts[o]) for o in OWNERS], "task": "classify",
            "target": TARGET, "model_name": MODEL}  # fmt: skip
    refused = post(v, "/sharing/pooled", form)
    assert refused.status_code == 403
    said = error_of(refused.text)
    assert ("엔지니어" if lang == "ko" else "Engineer") in said, said
    findings = scan(w, refused.text, lang, "viewer's refused post")
    assert not findings, "\n".join(str(f) for f in findings[:20])
    assert w.kamp.sharing.pooled.jobs(w.orgs["cons"]) == []


def test_the_consumer_starts_follows_and_reads_the_contributions(w: World) -> None:
    c = w.client("cons")
    form = {"contracts": [str(w.contracts[o]) for o in OWNERS], "task": "classify",
            "target": TARGET, "model_name": MODEL}  # fmt: skip
    done = post(c, "/sharing/pooled", form)
    assert done.status_code == 303, done.text[:2000]
    job_id = _job_id(w)
    assert done.headers["location"] == f"/sharing/pooled/{job_id}?started=1"
    started = c.get(f"/sharing/pooled/{job_id}?started=1")
    assert started.status_code == 200 and 'data-testid="sharing-note"' in started.text
    w.kamp.jobs.wait(w.orgs["cons"], job_id, timeout=240)
    page = c.get(f"/sharing/pooled/{job_id}").text
    assert 'data-testid="pooled-status">완료' in page, page[-3000:]
    assert 'data-testid="contributions"' in page and "균형 정확도" in page
    assert "정확한 섀플리 값" in page and f"/models/{MODEL}/1" in page
    for owner in OWNERS:
        assert f'data-testid="share-{w.orgs[owner].org_id}"' in page and owner in page
    assert 'data-testid="pay-form"' in page
    listing = c.get("/sharing/pooled").text
    assert f'data-testid="pooled-job-{job_id}" data-status="done"' in listing


def test_the_noise_owners_contribution_is_below_the_real_owners(w: World) -> None:
    """Owner N's labels are shuffled: its Shapley value and payment weight, as the job page
    shows them, are below A's and B's (bounds as measured in test_pooled_api.py)."""
    job_id = _job_id(w)
    assert w.kamp.sharing.pooled.job(w.orgs["cons"], job_id)["status"] == "done"
    for lang in ("ko", "en"):
        page = w.client("cons", lang).get(f"/sharing/pooled/{job_id}").text
        rows = shares(page)
        assert set(rows) == set(OWNERS), rows
        for real in ("own_a", "own_b"):
            assert rows["own_n"][0] < rows[real][0] - 0.03, rows
            assert rows["own_n"][1] < rows[real][1], rows
            assert rows[real][0] > 0.05, rows
        assert abs(rows["own_n"][0]) < 0.07, rows
        assert sum(weight for _, weight in rows.values()) == pytest.approx(100, abs=0.15)
        assert page.count(">1,200</td>") == 3  # each owner's rows
    listing = w.client("cons").get("/sharing/pooled").text
    row = re.search(rf'data-testid="pooled-job-{job_id}".*?</tr>', listing, re.S)
    assert row and "own_a, own_b, own_n" in row.group(0) and MODEL in row.group(0)


def test_the_consumer_pays_and_the_parts_sum_to_the_won(w: World) -> None:
    c = w.client("cons")
    job_id = _job_id(w)
    month = w.kamp.sharing.contracts.now().astimezone(w.kamp.settings.tz).strftime("%Y-%m")
    bad = post(c, f"/sharing/pooled/{job_id}/pay", {"month": month, "amount": "백만"})
    assert bad.status_code == 422 and "0 이상의 정수" in bad.text
    assert 'value="백만"' in bad.text
    done = post(c, f"/sharing/pooled/{job_id}/pay", {"month": month, "amount": "1,000,001"})
    assert done.status_code == 303, done.text[:2000]
    page = c.get(f"/sharing/pooled/{job_id}?paid={month}").text
    assert 'data-testid="sharing-note"' in page and f'data-testid="payment-{month}"' in page
    assert "1,000,001원" in page
    parts = [int(p.replace(",", "")) for p in re.findall(
        rf'data-testid="part-{month}-\d+"><td>[^<]*</td><td class="num">([\d,]+)원', page)]  # fmt: skip
    assert len(parts) == 3 and sum(parts) == 1_000_001
    # an owner sees the job, its share and the payment, but no pay form
    a = w.client("own_a")
    listing = a.get("/sharing/pooled").text
    assert f'data-testid="pooled-job-{job_id}"' in listing and "우리 데이터 사용" in listing
    owner_page = a.get(f"/sharing/pooled/{job_id}").text
    assert (
        'data-testid="contributions"' in owner_page and 'data-testid="pay-form"' not in owner_page
    )
    assert f'data-testid="payment-{month}"' in owner_page
    # the owner settles the month: the statement's pooled line links to the job, with the share
    token = csrf_of(a.get("/sharing/earnings").text)
    settled = a.post("/sharing/earnings/settle", data={"month": month, "csrf_token": token})
    assert settled.status_code == 303, settled.text[:2000]
    earnings = a.get("/sharing/earnings").text
    assert f'data-testid="pooled-line-{job_id}"' in earnings and "공동 학습 기여분" in earnings
    assert 'data-testid="line-share"' in earnings
    # a third organisation: no such page
    g = w.client("gamma")
    assert g.get(f"/sharing/pooled/{job_id}").status_code == 404
    assert (
        post(g, f"/sharing/pooled/{job_id}/pay", {"month": month, "amount": "1"}).status_code == 404
    )


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("amount", ["백만", "12.5", "-3", ""])
def test_a_refused_payment_says_why_and_keeps_the_values(w: World, amount: str, lang: str) -> None:
    c = w.client("cons", lang)
    job_id = _job_id(w)
    before = w.kamp.sharing.pooled.payments(w.orgs["cons"], job_id)
    page = post(c, f"/sharing/pooled/{job_id}/pay", {"month": "2026-10", "amount": amount})
    assert page.status_code == 422, page.text[-2000:]
    said = error_of(page.text)
    expected = {
        "ko": f"'금액 (원)' 칸에는 0 이상의 정수를 넣어야 합니다 (넣은 값: '{amount}')",
        "en": f"'Amount (KRW)' needs a whole number of at least 0 (given: '{amount}')",
    }
    assert expected[lang] in said, said  # fmt: skip
    form = re.search(r'data-testid="pay-form".*?</form>', page.text, re.S)
    assert form, "the form is shown again"
    assert f'value="{amount}" data-testid="pay-amount"' in form.group(0)
    assert 'value="2026-10" data-testid="pay-month"' in form.group(0)
    # the rest of the job page is there too, in the page's language
    assert 'data-testid="contributions"' in page.text
    assert [f'data-testid="payment-{p["period"]}"' in page.text for p in before] == [True]
    findings = scan(w, page.text, lang, f"refused payment {amount!r}", (amount,))
    assert not findings, "\n".join(str(f) for f in findings[:20])
    assert w.kamp.sharing.pooled.payments(w.orgs["cons"], job_id) == before


def test_each_owner_sees_its_part_and_only_the_parties_see_the_job(w: World) -> None:
    job_id = _job_id(w)
    [payment] = w.kamp.sharing.pooled.payments(w.orgs["cons"], job_id)
    month = payment["period"]
    parts = {int(p["org_id"]): int(p["amount"]) for p in payment["parts"]}
    for owner in OWNERS:
        org = w.orgs[owner].org_id
        page = w.client(owner).get(f"/sharing/pooled/{job_id}")
        assert page.status_code == 200
        html = page.text
        assert f'data-testid="share-{org}" class="mine"' in html  # its own row marked
        part = re.search(rf'data-testid="part-{month}-{org}"><td>([^<]*)</td>'
                         rf'<td class="num">([\d,]+)원', html)  # fmt: skip
        assert part and part.group(1) == owner, html[-3000:]
        assert int(part.group(2).replace(",", "")) == parts[org]
        assert 'data-testid="pay-form"' not in html and f"/models/{MODEL}/" not in html
        # an owner cannot pay: refused in Korean with the job page
        refused = post(w.client(owner), f"/sharing/pooled/{job_id}/pay",
                       {"month": month, "amount": "1000"})  # fmt: skip
        assert refused.status_code == 403
        assert "학습을 요청한 기관만 지급합니다" in error_of(refused.text)
    assert parts[w.orgs["own_n"].org_id] <= min(
        parts[w.orgs["own_a"].org_id], parts[w.orgs["own_b"].org_id]
    )
    # R (a contract with the consumer, not pooled) and gamma (a contract with A): no such page
    for org in ("own_r", "gamma"):
        for lang, text in (("ko", f"공동 학습 #{job_id}이(가) 없습니다"),
                           ("en", f"There is no pooled training {job_id}")):  # fmt: skip
            c = w.client(org, lang)
            page = c.get(f"/sharing/pooled/{job_id}")
            assert page.status_code == 404 and "text/html" in page.headers["content-type"]
            assert f'<html lang="{lang}">' in page.text and 'class="card error-page"' in page.text
            assert text in page.text
            for secret in (MODEL, "own_b", "own_n", 'data-testid="contributions"'):
                assert secret not in page.text, (org, secret)
            assert not scan(w, page.text, lang, f"404 for {org}")
            assert f'data-testid="pooled-job-{job_id}"' not in c.get("/sharing/pooled").text
            paid = post(c, f"/sharing/pooled/{job_id}/pay", {"month": month, "amount": "1"})
            assert paid.status_code == 404 and text in paid.text
    assert len(w.kamp.sharing.pooled.payments(w.orgs["cons"], job_id)) == 1


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_viewer_of_the_consumer_sees_the_job_but_cannot_pay(w: World, lang: str) -> None:
    job_id = _job_id(w)
    v = w.client("cons", lang, VIEWER)
    page = v.get(f"/sharing/pooled/{job_id}")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="contributions"' in html and 'id="payments"' in html
    assert 'data-testid="pay-form"' not in html and 'name="amount"' not in html
    assert not re.search(r'<form[^>]*method="post"[^>]*action="/sharing/pooled', html)
    assert not scan(w, html, lang, "job page (viewer)")
    [payment] = w.kamp.sharing.pooled.payments(w.orgs["cons"], job_id)
    refused = post(v, f"/sharing/pooled/{job_id}/pay",
                   {"month": payment["period"], "amount": "5000"})  # fmt: skip
    assert refused.status_code == 403
    said = error_of(refused.text)
    assert ("관리자" if lang == "ko" else "Administrator") in said, said
    findings = scan(w, refused.text, lang, "viewer's refused payment")
    assert not findings, "\n".join(str(f) for f in findings[:20])
    assert len(w.kamp.sharing.pooled.payments(w.orgs["cons"], job_id)) == 1


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("org", ["cons", "own_a", "gamma"])
def test_the_pages_in_both_languages_have_no_untranslated_text(
    w: World, org: str, lang: str
) -> None:
    c = w.client(org, lang)
    job_id = _job_id(w)
    pages = ["/sharing/pooled"] + ([] if org == "gamma" else [f"/sharing/pooled/{job_id}"])
    findings = []
    for path in pages:
        page = c.get(path)
        assert page.status_code == 200, (path, page.status_code, page.text[:500])
        assert f'<html lang="{lang}">' in page.text
        assert ("공동 학습" if lang == "ko" else "Pooled training") in page.text
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", page.text, re.S):
            assert 'name="csrf_token"' in form, (path, form[:200])
        findings += untranslated(page.text, lang, path, w.words())
    assert not findings, "\n".join(str(f) for f in findings[:40])
    if org == "cons" and lang == "en":
        page = c.get(f"/sharing/pooled/{job_id}").text
        assert "Each owner&#39;s contribution" in page and "balanced accuracy" in page


def test_every_text_of_the_pages_is_in_the_catalogue_in_both_languages() -> None:
    from string import Formatter

    from openkamp.i18n import MESSAGES
    from openkamp.i18n.sharing_pooled import MESSAGES as OURS

    web = Path(__file__).resolve().parents[2] / "src" / "openkamp" / "web"
    sources = [web / "sharing_pooled_page.py", *web.glob("templates/sharing_pooled*.html")]
    used = set()
    for path in sources:
        used |= set(re.findall(r"sharing_web\.[a-z_.0-9]*", path.read_text()))
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith("."))
    assert not missing, missing
    for key, entry in OURS.items():
        names = [{f.split("[")[0] for _, f, _, _ in Formatter().parse(entry[lang]) if f}
                 for lang in ("ko", "en")]  # fmt: skip
        assert names[0] == names[1], key
