"""The sharing API's journey (issue 11) through the real ASGI app, as three organisations'
scripts call it with their API tokens.

Factory A (acme, industry C22) offers a dataset of injection-moulding shots with a usage policy
(purpose quality, consumer industry C29) and publishes it; supplier B (beta, C29) finds it in the
catalog and asks for it with a purpose; A approves with a metered price (countered, B accepts);
B trains a standard model by compute-to-data (the job finishes, the model is in B's registry,
and no response of that path carries a training row); B exports once (watermarked), and a leaked
copy of it, subsampled and re-rounded, is traced to B's contract by A; B confirms deleting its
copy. The ledger shows every use, each with an inclusion proof that verifies, and a head A kept
is consistent with today's. A settles the month: the statement pays A exactly the metered
charge, to the won, and B's invoice matches. Revocation mid-job stops the job. A third
organisation (gamma) gets 404 for every contract, delivery, job, proof and draft of theirs.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform
from openkamp.sharing import verify_standalone as V
from openkamp.sharing.row_leaks import find_rows
from openkamp.sharing.settlement import Period

from .shot_data import PART, PROCESS, TIME, shot_table

API = "/api/v1/sharing"
PASSWORD = "correct horse battery"
ROWS = 3000
COLUMNS = [
    {"name": TIME, "kind": "time", "role": "time"},
    {"name": PART, "kind": "text", "role": "id"},
    {"name": "설비", "kind": "text", "role": "group"},
    {"name": "작업자", "kind": "text", "role": "input"},
    *({"name": c, "kind": "number", "role": "input"} for c in PROCESS),
    {"name": "불량", "kind": "text", "role": "label"},
]
METERED = {
    "model": "metered",
    "rates": [{"unit": "rows_1000", "amount": "500"}, {"unit": "training", "amount": "20000"}],
}


def shots() -> pd.DataFrame:
    """The shot table with a defect label that depends on the process (learnable)."""
    frame = shot_table(ROWS, seed=11)
    rng = np.random.default_rng(5)
    z = (frame["사출압력[bar]"] - 1250.0) / 18.0 - (frame["쿠션량[mm]"] - 6.5) / 0.4
    frame["불량"] = np.where(z + rng.normal(0, 0.5, len(frame)) > 1.6, "NG", "OK")
    return frame


@dataclass
class World:
    kamp: Platform
    client: TestClient
    tokens: dict[str, str]
    data: pd.DataFrame
    seen: dict[str, Any] = field(default_factory=dict)

    def as_(self, who: str) -> TestClient:
        self.client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("sharing-api")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1,
                       duckdb_memory_limit="256MB")  # fmt: skip
    tokens = {}
    for login in ("acme", "beta", "gamma"):
        org = kamp.meta.create_org(login)["id"]
        user = kamp.accounts.create_user(system_principal(org), f"{login}-admin", PASSWORD,
                                         role=Role.ADMIN)  # fmt: skip
        tokens[login] = kamp.accounts.create_token(kamp.accounts.principal_of(user), "t",
                                                   ["admin"])[1]  # fmt: skip
    data = shots()
    acme = system_principal(kamp.meta.find_org("acme")["id"])
    kamp.datasets.create(acme, "shots", data, COLUMNS)
    with TestClient(create_app(platform=kamp)) as client:
        yield World(kamp, client, tokens, data)
    kamp.close()


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    return resp.json() if "json" in resp.headers.get("content-type", "") else resp


def wait_job(w: World, who: str, contract: int, job_id: int, until: tuple[str, ...],
             bodies: list[bytes] | None = None, timeout: float = 240) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = w.as_(who).get(f"{API}/contracts/{contract}/jobs")
        if bodies is not None:
            bodies.append(resp.content)
        [job] = [j for j in ok(resp) if j["id"] == job_id]
        if job["status"] in until:
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {until}")


# -- the journey, in order (each test builds on the one before) --------------------------------


def test_a_offers_a_dataset_and_publishes_it(w: World) -> None:
    assert ok(w.as_("acme").put(f"{API}/industry", json={"industry": "C22"}))["industry"] == "C22"
    assert ok(w.as_("beta").put(f"{API}/industry", json={"industry": "C29"}))["industry"] == "C29"
    bad = w.as_("beta").put(f"{API}/industry", json={"industry": "자동차"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "sharing.org.industry"
    body = {
        "name": "injection-shots", "dataset": "shots@1",
        "title_ko": "사출성형 샷 데이터와 불량 판정", "title_en": "Injection shots with defects",
        "description_ko": "사출기 샷별 공정 변수와 양품/불량 판정.",
        "description_en": "Process variables and pass/fail of each shot.",
        "equipment_type": "injection_moulding", "industry": "C22", "problem": "defect",
        "price": {"model": "flat", "amount": "300000"},
        "policy": {"purposes": ["quality"], "industries": ["C29"], "max_rows": 100_000,
                   "delete_within_days": 30},
    }  # fmt: skip
    offer = ok(w.as_("acme").post(f"{API}/offers", json=body), 201)
    assert offer["state"] == "draft" and offer["transforms"] is None
    # a draft is nobody else's business
    assert w.as_("beta").get(f"{API}/catalog/{offer['id']}").status_code == 404
    assert w.as_("gamma").patch(f"{API}/offers/{offer['id']}", json={}).status_code == 404
    offer = ok(w.as_("acme").post(f"{API}/offers/{offer['id']}/publish"))
    assert offer["state"] == "published"
    assert [o["id"] for o in ok(w.as_("acme").get(f"{API}/offers"))] == [offer["id"]]
    w.seen["offer"] = offer["id"]
    w.seen["kept_head"] = ok(w.as_("acme").get(f"{API}/ledger/head"))["head"]


def test_b_finds_it_and_asks_for_it_with_a_purpose(w: World) -> None:
    page = ok(w.as_("beta").get(f"{API}/catalog", params={"text": "사출", "problem": "defect"}))
    assert [o["id"] for o in page["items"]] == [w.seen["offer"]] and page["total"] == 1
    found = page["items"][0]
    assert found["owner"]["name"] == "acme" and "dataset_id" not in found
    assert ok(w.as_("beta").get(f"{API}/catalog", params={"industry": "C29"}))["total"] == 0
    dcat = w.as_("beta").get(f"{API}/catalog/dcat")
    assert dcat.status_code == 200 and dcat.headers["content-type"] == "application/ld+json"
    c = ok(w.as_("beta").post(f"{API}/contracts", json={
        "offer_id": w.seen["offer"], "purpose": "quality", "note": "사출 불량 예측 모델 개발"}), 201)  # fmt: skip
    assert c["state"] == "requested"
    w.seen["contract"] = c["id"]


def test_a_approves_with_a_metered_price_and_b_accepts(w: World) -> None:
    cid = w.seen["contract"]
    mine = ok(w.as_("acme").get(f"{API}/contracts", params={"role": "owner"}))
    assert [c["id"] for c in mine] == [cid]
    c = ok(w.as_("acme").post(f"{API}/contracts/{cid}/approve", json={"price": METERED,
                                                                      "note": "종량제"}))  # fmt: skip
    assert c["state"] == "countered" and c["price"]["model"] == "metered"
    assert w.as_("acme").post(f"{API}/contracts/{cid}/accept").status_code == 403
    c = ok(w.as_("beta").post(f"{API}/contracts/{cid}/accept"))
    assert c["state"] == "active" and c["terms"]["@type"] == "Agreement"


def test_b_trains_by_compute_to_data_and_no_row_comes_back(w: World) -> None:
    cid = w.seen["contract"]
    bodies: list[bytes] = []
    spec = {"task": "classify", "name": "b_defect", "target": "불량", "time_budget_s": 5,
            "independent": True, "options": {"learners": "lgbm_base"}}  # fmt: skip
    resp = w.as_("beta").post(f"{API}/contracts/{cid}/compute", json=spec)
    bodies.append(resp.content)
    job = ok(resp, 202)
    assert job["status"] in ("queued", "running") and job["model"] == "b_defect"
    done = wait_job(w, "beta", cid, job["id"], ("done", "failed", "cancelled"), bodies)
    assert done["status"] == "done", done["error"]
    assert done["result"]["model"] == "b_defect" and done["result"]["rows"] == ROWS
    # the model is in B's registry (not in A's), with its card and report
    models = w.as_("beta").get("/api/v1/models")
    bodies.append(models.content)
    assert "b_defect" in [m["name"] for m in ok(models)]
    assert "b_defect" not in [m["name"] for m in ok(w.as_("acme").get("/api/v1/models"))]
    for path in ("", "/card", "/report"):
        resp = w.as_("beta").get(f"/api/v1/models/b_defect/versions/1{path}")
        assert resp.status_code == 200, (path, resp.text[:300])
        bodies.append(resp.content)
    bodies.append(w.as_("beta").get(f"{API}/contracts/{cid}/deliveries").content)
    # not one training row in any answer B received on the compute-to-data path
    leaks = find_rows({f"answer {i}": b for i, b in enumerate(bodies)}, w.data)
    assert leaks == [], leaks[:3]
    w.seen["job"] = job["id"]


def test_b_exports_once_watermarked_and_a_traces_a_leak_to_b(w: World) -> None:
    cid = w.seen["contract"]
    resp = w.as_("beta").post(f"{API}/contracts/{cid}/export", json={})
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["content-type"].startswith("text/csv")
    export = pd.read_csv(io.BytesIO(resp.content), encoding="utf-8-sig")
    assert len(export) == ROWS
    # (the governed export is the one answer that carries rows: the checker finds them here,
    # which is what makes its silence on every other answer mean something)
    assert len(find_rows({"export": resp.content}, w.data)) > ROWS // 2
    # the default transforms: ids pseudonymised, free text dropped; marks change a few values
    assert "작업자" not in export.columns and not export[PART].isin(w.data[PART]).any()
    pressure = export["사출압력[bar]"].to_numpy()
    changed = np.abs(pressure - w.data["사출압력[bar]"].to_numpy()) > 1e-9
    assert 0 < changed.mean() < 0.1 and np.abs(pressure - w.data["사출압력[bar]"]).max() <= 1.21
    delivery = int(resp.headers["X-Delivery-Id"])
    [d] = [x for x in ok(w.as_("beta").get(f"{API}/contracts/{cid}/deliveries"))
           if x["kind"] == "export"]  # fmt: skip
    assert d["id"] == delivery and d["sha256"] == resp.headers["X-Delivery-SHA256"]
    assert d["watermarked"] and d["delete_by"] is not None and d["rows"] == ROWS
    # the leaked copy: 30 % of the rows, shuffled, the pressures re-rounded to whole bar
    leak = export.sample(frac=0.3, random_state=4)
    leak["사출압력[bar]"] = leak["사출압력[bar]"].round(0)
    traced = ok(w.as_("acme").post(f"{API}/offers/{w.seen['offer']}/trace",
                                   content=leak.to_csv(index=False).encode(),
                                   headers={"Content-Type": "text/csv"}))  # fmt: skip
    assert traced["identified"] == cid and traced["consumer"] == "beta"
    assert traced["delivery_id"] == delivery and traced["candidates"][0]["matched"]
    # an unmarked copy (the owner's own rows) is traced to nobody
    plain = w.data.sample(frac=0.3, random_state=4).to_csv(index=False).encode()
    none = ok(w.as_("acme").post(f"{API}/offers/{w.seen['offer']}/trace", content=plain,
                                 headers={"Content-Type": "text/csv"}))  # fmt: skip
    assert none["identified"] is None
    deleted = ok(w.as_("beta").post(f"{API}/deliveries/{delivery}/deleted"))
    assert deleted["deleted_at"] is not None
    w.seen["delivery"] = delivery


def test_the_ledger_shows_every_use_with_proofs_that_verify(w: World) -> None:
    cid = str(w.seen["contract"])
    usage = ok(w.as_("acme").get(f"{API}/ledger/usage"))
    mine = [e for e in usage["entries"] if e["contract"] == cid]
    assert {(e["kind"], e["org"]) for e in mine} >= {("training", "beta"), ("export", "beta")}
    assert ok(w.as_("beta").get(f"{API}/ledger/usage")) == usage  # both parties see the same
    export = next(e for e in mine if e["kind"] == "export")
    assert export["details"]["rows"] == ROWS and export["details"]["watermark"]["marked"] > 0
    for e in mine:
        for who in ("acme", "beta"):
            proof = ok(w.as_(who).get(f"{API}/ledger/proof/{e['index']}"))
            assert proof["verified"] and proof["index"] == e["index"]
            # and checked here, by the auditor's standalone code, from the answer alone
            leaf = V.leaf_hash(proof["leaf"].encode("utf-8"))
            assert leaf.hex() == proof["leaf_hash"]
            p, head = proof["proof"], proof["head"]
            assert V.verify_inclusion(leaf, p["index"], p["tree_size"],
                                      [bytes.fromhex(h) for h in p["path"]],
                                      bytes.fromhex(head["root_hash"]))  # fmt: skip
    kept = w.seen["kept_head"]
    if kept is not None:
        check = ok(w.as_("acme").post(f"{API}/ledger/consistency", json={"head": kept}))
        assert check["verified"]
    forged = dict(ok(w.as_("acme").get(f"{API}/ledger/head"))["head"], root_hash="00" * 32)
    bad = w.as_("acme").post(f"{API}/ledger/consistency", json={"head": forged})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "ledger.bad_head"
    bundle = w.as_("acme").get(f"{API}/ledger/export")
    assert bundle.status_code == 200 and bundle.content[:2] == b"PK"


def test_a_settles_the_month_and_the_statement_pays_a_the_metered_charge(w: World) -> None:
    month = Period.of(datetime.now(UTC)).key
    st = ok(w.as_("acme").post(f"{API}/settlement/settle", json={"month": month}), 201)
    # 3,000 rows at 500 won per 1,000 rows + one training at 20,000 won
    expected = 3 * 500 + 20_000
    assert st["revenue"] == st["payout"] == str(expected) and st["fee"] == "0"
    assert sum(int(line["amount"]) for line in st["lines"]) == expected
    [line] = [ln for ln in st["lines"] if ln["kind"] == "contract"]
    assert line["contract_id"] == w.seen["contract"] and line["dataset"] == "shots@1"
    again = w.as_("acme").post(f"{API}/settlement/settle", json={"month": month})
    assert again.status_code == 409
    assert [s["id"] for s in ok(w.as_("acme").get(f"{API}/settlement/statements"))] == [st["id"]]
    [inv] = ok(w.as_("beta").get(f"{API}/settlement/invoices"))
    assert inv["period"] == month and inv["total"] == str(expected)
    assert [ln["contract_id"] for ln in inv["lines"]] == [w.seen["contract"]]
    earned = ok(w.as_("acme").get(f"{API}/settlement/earnings"))
    assert earned["by_dataset"] == {"shots@1": str(expected)}
    assert ok(w.as_("beta").get(f"{API}/settlement/statements")) == []


def test_revocation_mid_job_stops_the_job(w: World) -> None:
    cid = w.seen["contract"]
    spec = {"task": "classify", "name": "b_cut", "target": "불량", "time_budget_s": 60,
            "independent": True, "options": {"learners": "lgbm_base"}}  # fmt: skip
    job = ok(w.as_("beta").post(f"{API}/contracts/{cid}/compute", json=spec), 202)
    wait_job(w, "beta", cid, job["id"], ("running", "done", "failed", "cancelled"))
    revoked = ok(w.as_("acme").post(f"{API}/contracts/{cid}/revoke",
                                    json={"reason": "기술 유출 우려"}))  # fmt: skip
    assert revoked["state"] == "revoked"
    final = wait_job(w, "beta", cid, job["id"], ("done", "failed", "cancelled"))
    assert final["status"] == "cancelled", final
    assert "b_cut" not in [m["name"] for m in ok(w.as_("beta").get("/api/v1/models"))]
    refused = w.as_("beta").post(f"{API}/contracts/{cid}/export", json={})
    assert refused.status_code == 403


def test_b_never_receives_a_raw_row_outside_the_governed_export(w: World) -> None:
    cid, offer = w.seen["contract"], w.seen["offer"]
    answers = {
        path: w.as_("beta").get(path).content
        for path in (
            f"{API}/catalog", f"{API}/catalog/{offer}", f"{API}/catalog/dcat",
            f"{API}/contracts", f"{API}/contracts/{cid}", f"{API}/contracts/{cid}/usage",
            f"{API}/contracts/{cid}/deliveries", f"{API}/contracts/{cid}/jobs",
            f"{API}/ledger/usage", f"{API}/settlement/invoices", "/api/v1/models",
        )
    }  # fmt: skip
    assert all(answers.values())
    assert find_rows(answers, w.data) == []


def test_a_third_organisation_sees_nothing(w: World) -> None:
    cid, offer = w.seen["contract"], w.seen["offer"]
    index = ok(w.as_("acme").get(f"{API}/ledger/usage"))["entries"][0]["index"]
    gamma = w.as_("gamma")  # (one client: its token is the last one set)
    for method, path, body in [
        ("GET", f"/contracts/{cid}", None), ("GET", f"/contracts/{cid}/usage", None),
        ("GET", f"/contracts/{cid}/deliveries", None), ("GET", f"/contracts/{cid}/jobs", None),
        ("POST", f"/contracts/{cid}/export", {}), ("POST", f"/contracts/{cid}/approve", {}),
        ("POST", f"/contracts/{cid}/complete", {}),
        ("POST", f"/contracts/{cid}/compute", {"task": "classify", "name": "g", "target": "불량"}),
        ("POST", f"/deliveries/{w.seen['delivery']}/deleted", None),
        ("GET", f"/ledger/proof/{index}", None),
        ("POST", f"/offers/{offer}/trace", None), ("PATCH", f"/offers/{offer}", {}),
        ("POST", f"/offers/{offer}/withdraw", None),
    ]:  # fmt: skip
        resp = gamma.request(method, API + path, json=body)
        assert resp.status_code == 404, (method, path, resp.status_code, resp.text[:300])
        assert "beta" not in resp.text and "acme" not in resp.text
    assert ok(gamma.get(f"{API}/contracts")) == []
    assert ok(gamma.get(f"{API}/ledger/usage"))["entries"] == []
    assert ok(gamma.get(f"{API}/settlement/invoices")) == []
    assert ok(gamma.get(f"{API}/settlement/earnings")) == {"by_dataset": {}, "by_consumer": {}}
