"""The same gaps through the API, as the organisations' scripts call it with their tokens:
factory A edits its draft offer (every field, each checked as at creation) and cannot edit it
once published (409, with what to do instead); supplier B, whose industry is not recorded, asks
what the offer's industry clause needs of it (and whom to ask); B withdraws a request, A sees it;
B accepts a counter-offer and both see who accepted and when. Errors in Korean or English by
``Accept-Language``, with their codes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Role

from .pages_support import PASSWORD, Sharing, load

API = "/api/v1/sharing"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
OFFER = {
    "name": "injection-mar",
    "dataset": "shots@1",
    "title_ko": "사출성형 불량 판정 데이터 (3월)",
    "title_en": "Injection moulding defects (March)",
    "description_ko": "사출기 샷별 공정 변수.",
    "description_en": "Process variables of each shot.",
    "equipment_type": "injection_moulding",
    "industry": "C22",
    "problem": "defect",
    "price": {"model": "flat", "amount": "300000"},
    "policy": {"purposes": ["quality"], "industries": ["C29", "C30"]},
}


@dataclass
class World:
    sharing: Sharing
    client: TestClient
    tokens: dict[str, str]
    seen: dict[str, Any] = field(default_factory=dict)

    def as_(self, who: str, lang: str = "en") -> TestClient:
        self.client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        self.client.headers["Accept-Language"] = lang
        return self.client


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    s = load(tmp_path_factory.mktemp("sharing-gaps-api"))
    kamp = s.kamp
    kamp.accounts.create_user(s.orgs["beta"], "viewer_b", PASSWORD, role=Role.VIEWER)
    tokens = {}
    for who, login, scopes in (("acme", "factory_a", ["admin"]), ("beta", "supplier_b", ["admin"]),
                               ("gamma", "third_c", ["admin"]),
                               ("beta-viewer", "viewer_b", ["read"])):  # fmt: skip
        org = s.orgs[who.split("-")[0]].org_id
        [user] = kamp.meta.find(org, "user", login=login)
        tokens[who] = kamp.accounts.create_token(kamp.accounts.principal_of(user), "t", scopes)[1]
    try:
        with TestClient(create_app(platform=kamp)) as client:
            yield World(s, client, tokens)
    finally:
        kamp.close()


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    return resp.json()


def refused(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    error = dict(resp.json()["error"])
    assert (error["code"] or "").startswith(code), error
    return error


# -- the tests run in file order: each builds on the one before -----------------------------------


def test_a_edits_every_field_of_its_draft_with_the_checks_of_creation(w: World) -> None:
    offer = ok(w.as_("acme").post(f"{API}/offers", json=OFFER), 201)
    oid = w.seen["offer"] = offer["id"]
    bad = refused(w.as_("acme", "ko").patch(f"{API}/offers/{oid}", json={"industry": "29"}),
                  422, "sharing.catalog.industry")  # fmt: skip
    assert HANGUL.search(bad["message"])
    for body, code in (({"price": {"model": "metered", "per_row": 0.5}}, "sharing.price."),
                       ({"policy": {"max_rows": -5}}, "sharing.catalog.policy_value"),
                       ({"description_en": ""}, "sharing.catalog.text"),
                       ({"equipment_type": "A B"}, "sharing.catalog.equipment_type"),
                       ({"problem": "magic"}, "sharing.catalog.problem")):  # fmt: skip
        error = refused(w.as_("acme").patch(f"{API}/offers/{oid}", json=body), 422, code)
        assert not HANGUL.search(error["message"])  # English for an API client by default
    assert ok(w.as_("acme").get(f"{API}/catalog/{oid}"))["industry"] == "C22"  # nothing changed
    changes = {
        "description_ko": "사출기 샷별 공정 변수와 판정.", "description_en": "Each shot, judged.",
        "equipment_type": "injection_press", "industry": "C2221", "problem": "quality",
        "price": {"model": "metered", "rates": [{"unit": "rows_1000", "amount": "500"}]},
        "policy": {"purposes": ["quality", "research"], "industries": ["C29", "C30"],
                   "max_rows": 50000},
    }  # fmt: skip
    out = ok(w.as_("acme").patch(f"{API}/offers/{oid}", json=changes))
    for key in ("description_ko", "description_en", "equipment_type", "industry", "problem"):
        assert out[key] == changes[key], key
    assert out["price"]["model"] == "metered" and out["state"] == "draft"
    assert "50000" in str(out["policy"]) and "C30" in str(out["policy"])


def test_a_published_offer_is_not_edited_and_the_answer_says_what_to_do(w: World) -> None:
    oid = w.seen["offer"]
    ok(w.as_("acme").post(f"{API}/offers/{oid}/publish"))
    ko = refused(w.as_("acme", "ko").patch(f"{API}/offers/{oid}", json={"title_en": "Later"}),
                 409, "sharing.catalog.not_draft")  # fmt: skip
    assert "공개 상태라 고칠 수 없습니다" in ko["message"]
    assert "철회하고" in ko["hint"] and "새 제공" in ko["hint"]
    en = refused(w.as_("acme").patch(f"{API}/offers/{oid}", json={"title_en": "Later"}),
                 409, "sharing.catalog.not_draft")  # fmt: skip
    assert "is published: only a draft can be changed" in en["message"]
    assert "withdraw this offer" in en["hint"] and "create a new one" in en["hint"]
    assert ok(w.as_("acme").get(f"{API}/catalog/{oid}"))["title_en"] == OFFER["title_en"]


def test_b_learns_what_the_industry_clause_needs_and_whom_to_ask(w: World) -> None:
    oid = w.seen["offer"]
    mine = ok(w.as_("beta").get(f"{API}/industry"))
    assert mine == {"industry": None, "can_set": True, "administrators": ["supplier_b"]}
    check = ok(w.as_("beta").get(f"{API}/catalog/{oid}/industry"))
    assert check == {"restricted": True, "industry": None, "allowed": ["C29", "C30"],
                     "excluded": [], "met": None, "can_set": True,
                     "administrators": ["supplier_b"]}  # fmt: skip
    viewer = ok(w.as_("beta-viewer").get(f"{API}/catalog/{oid}/industry"))
    assert viewer["can_set"] is False and viewer["administrators"] == ["supplier_b"]
    refused(w.as_("beta-viewer").put(f"{API}/industry", json={"industry": "C29"}), 403, "")
    # an offer without an industry clause restricts nothing
    plain = ok(w.as_("acme").post(f"{API}/offers", json={
        **OFFER, "name": "injection-open", "policy": {"purposes": ["quality"]}}), 201)  # fmt: skip
    ok(w.as_("acme").post(f"{API}/offers/{plain['id']}/publish"))
    w.seen["plain"] = plain["id"]
    assert ok(w.as_("beta").get(f"{API}/catalog/{plain['id']}/industry"))["restricted"] is False
    # another organisation's draft is not found
    draft = ok(w.as_("acme").post(f"{API}/offers", json={**OFFER, "name": "injection-draft"}), 201)
    refused(w.as_("beta").get(f"{API}/catalog/{draft['id']}/industry"), 404, "sharing.catalog")


def test_b_withdraws_its_request_and_a_sees_who_when_and_why(w: World) -> None:
    oid = w.seen["offer"]
    c = ok(w.as_("beta").post(f"{API}/contracts", json={"offer_id": oid, "purpose": "quality",
                                                         "note": "불량 예측"}), 201)  # fmt: skip
    # before the decision the offer's clause counts; B's code is still not recorded
    check = ok(w.as_("beta").get(f"{API}/contracts/{c['id']}/industry"))
    assert check["restricted"] and check["met"] is None
    refused(w.as_("acme").post(f"{API}/contracts/{c['id']}/withdraw", json={}), 403,
            "sharing.contract.not_party")  # fmt: skip
    out = ok(w.as_("beta").post(f"{API}/contracts/{c['id']}/withdraw",
                                json={"reason": "다른 데이터로 대체"}))  # fmt: skip
    assert out["state"] == "withdrawn" and out["ended_by"] == "supplier_b"
    assert out["end_reason"] == "다른 데이터로 대체" and out["ended_at"]
    seen = ok(w.as_("acme").get(f"{API}/contracts/{c['id']}"))
    assert seen["state"] == "withdrawn" and seen["end_reason"] == "다른 데이터로 대체"
    listed = ok(w.as_("acme").get(f"{API}/contracts", params={"state": "withdrawn"}))
    assert [x["id"] for x in listed] == [c["id"]]
    again = refused(w.as_("beta", "ko").post(f"{API}/contracts/{c['id']}/withdraw"), 409,
                    "sharing.contract.state")  # fmt: skip
    assert "요청 철회됨" in again["message"]
    refused(w.as_("gamma").post(f"{API}/contracts/{c['id']}/withdraw"), 404,
            "sharing.contract.not_found")  # fmt: skip
    refused(w.as_("gamma").get(f"{API}/contracts/{c['id']}/industry"), 404, "sharing.contract")


def test_b_accepts_a_counter_offer_and_both_see_who_and_when(w: World) -> None:
    oid = w.seen["plain"]
    c = ok(w.as_("beta").post(f"{API}/contracts", json={"offer_id": oid, "purpose": "quality"}),
           201)  # fmt: skip
    assert c["accepted_by"] is None and c["accepted_at"] is None
    metered = {"model": "metered", "rates": [{"unit": "rows_1000", "amount": "700"}]}
    countered = ok(w.as_("acme").post(f"{API}/contracts/{c['id']}/approve",
                                      json={"price": metered, "note": "가격 변경"}))  # fmt: skip
    assert countered["state"] == "countered" and countered["decided_by"] == "factory_a"
    done = ok(w.as_("beta").post(f"{API}/contracts/{c['id']}/accept"))
    assert done["state"] == "active" and done["accepted_by"] == "supplier_b"
    assert done["accepted_at"] == done["starts_at"] is not None
    seen = ok(w.as_("acme").get(f"{API}/contracts/{c['id']}"))
    assert (seen["accepted_by"], seen["accepted_at"]) == ("supplier_b", done["accepted_at"])
    # an active contract is completed, not withdrawn
    refused(w.as_("beta").post(f"{API}/contracts/{c['id']}/withdraw"), 409,
            "sharing.contract.state")  # fmt: skip
