"""Pooled training's pages (issue 11, item 6) with the app's test client: the consumer ticks
three of its contracts (owners A, B and N, as in test_pooled_api.py), chooses a target and a
model name, follows the job, reads each owner's contribution and pays for the model; an owner
finds the job, its share and, once it settles the month, the pooled line of its statement. In
Korean and English with no untranslated text; a refused form says why in the page's language
and keeps what was typed; a third organisation gets "no such page"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.language_scan import untranslated

from openkamp.api import create_app
from openkamp.core.tenancy import Principal, Role, system_principal
from openkamp.platform import Platform

from .pages_support import PASSWORD, csrf_of, sign_in
from .pooled_support import COLUMNS, PROCESS, TARGET, offer, shots

OWNERS = ("own_a", "own_b", "own_n")
LOGINS = {"cons": "buyer_c", "own_a": "owner_a", "own_b": "owner_b", "own_n": "owner_n",
          "gamma": "third_g"}  # fmt: skip
MODEL = "pooled_pages"


@dataclass
class World:
    kamp: Platform
    orgs: dict[str, Principal]
    contracts: dict[str, int]

    def client(self, org: str, lang: str = "ko") -> TestClient:
        c = TestClient(create_app(platform=self.kamp), follow_redirects=False)
        sign_in(c, LOGINS[org])
        c.get(f"/lang/{lang}")
        return c

    def words(self) -> frozenset[str]:
        """What the pages show as it is: logins, organisations, the model, datasets, columns."""
        return frozenset({*LOGINS.values(), *LOGINS, MODEL, "shots", "shots@1", TARGET, *PROCESS})


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
        contracts = {}
        for i, owner in enumerate(OWNERS):
            frame = shots(1200, seed=11 + i, noise=owner == "own_n")
            kamp.datasets.create(orgs[owner], "shots", frame, COLUMNS)
            oid = offer(kamp, orgs[owner], f"shots-{owner.replace('_', '-')}")
            c = kamp.sharing.contracts.request(orgs["cons"], oid, "quality", "공동 학습")
            contracts[owner] = kamp.sharing.contracts.approve(orgs[owner], c.id).id
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


def test_the_consumer_chooses_contracts_and_a_refused_form_keeps_what_was_typed(w: World) -> None:
    c = w.client("cons")
    page = c.get("/sharing/pooled")
    assert page.status_code == 200 and "공동 학습" in page.text
    for cid in w.contracts.values():
        assert f'data-testid="pool-contract-{cid}"' in page.text
    one = {"contracts": [str(w.contracts["own_a"])], "task": "classify", "target": TARGET,
           "model_name": MODEL}  # fmt: skip
    bad = post(c, "/sharing/pooled", one)
    assert bad.status_code == 422 and 'data-testid="sharing-error"' in bad.text
    assert "계약이 두 건 이상 필요합니다" in bad.text
    assert f'value="{MODEL}"' in bad.text
    assert f'value="{w.contracts["own_a"]}" checked' in bad.text
    en = post(w.client("cons", "en"), "/sharing/pooled", one)
    assert en.status_code == 422 and "needs at least two contracts" in en.text
    # a third organisation's view: no contract to pool, no form
    assert 'data-testid="pooled-form"' not in w.client("gamma").get("/sharing/pooled").text


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
