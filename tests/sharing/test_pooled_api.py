"""Pooled compute-to-data through the API (issue 11, item 6), with the real platform: a
consumer trains one model on three owners' contracted data where it lies, the job values each
owner's contribution, the consumer pays for the model and the owners' statements carry their
parts, to the won.

Owners: A (labels follow the process), B (another sample of the same process, the same size),
N (the same process values, labels shuffled: pure noise). Known answers: N's contribution is
about 0 and below A's and B's, A's and B's are about equal, the shares sum exactly to the full
coalition's value less the value of no data (efficiency). "About 0" is measured, not assumed:
with balanced accuracy a discriminant fitted on noise still picks some direction, which lands on
either side of chance; over ten draws of these data N's share stayed within ±0.062 while A's and
B's were 0.105 to 0.170 (A and B within 0.005 of each other), so the bounds below are those
plus a margin.

Also: refusals name the contract (terms that do not allow compute-to-data, a dataset without a
column, another organisation's contract) and count nothing; no answer carries a row; the Monte
Carlo estimate (beyond the exact limit) records its standard errors; revoking one contract
mid-job (not the first: the job is registered under each) stops the job with nothing
registered and no valuation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Principal, Role, system_principal
from openkamp.platform import Platform
from openkamp.sharing.row_leaks import find_rows
from openkamp.sharing.settlement import Period

from .pooled_support import COLUMNS, PROCESS, ROWS, TARGET, export_only, offer, shots

API = "/api/v1/sharing"
PASSWORD = "correct horse battery"
ORGS = ("cons", "own_a", "own_b", "own_n", "own_r", "own_s", "gamma")
SPEC = {"task": "classify", "target": TARGET, "time_budget_s": 5,
        "options": {"learners": "logreg"}}  # fmt: skip


@dataclass
class World:
    kamp: Platform
    client: TestClient
    tokens: dict[str, str]
    orgs: dict[str, Principal]
    data: dict[str, pd.DataFrame]
    contracts: dict[str, int]
    bodies: list[bytes] = field(default_factory=list)
    seen: dict[str, Any] = field(default_factory=dict)

    def as_(self, who: str) -> TestClient:
        self.client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client

    def kept(self, resp: Any) -> Any:
        """``resp``, its body kept for the check that no answer carries a row."""
        self.bodies.append(resp.content)
        return resp


def _contract(kamp: Platform, orgs: dict[str, Principal], owner: str, consumer: str = "cons",
              *, terms: Any = None) -> int:  # fmt: skip
    oid = int(kamp.sharing.catalog.list_own(orgs[owner])[0]["id"])
    c = kamp.sharing.contracts.request(orgs[consumer], oid, "quality", "공동 학습")
    c = kamp.sharing.contracts.approve(orgs[owner], c.id, terms=terms)
    if terms is not None:  # changed terms: countered until the consumer accepts
        c = kamp.sharing.contracts.accept(orgs[consumer], c.id)
    assert c.state.value == "active"
    return c.id


@pytest.fixture(scope="module")
def w(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("pooled-api")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1,
                       duckdb_memory_limit="256MB")  # fmt: skip
    tokens, orgs = {}, {}
    for name in ORGS:
        org = kamp.meta.create_org(name)["id"]
        orgs[name] = system_principal(org)
        user = kamp.accounts.create_user(orgs[name], f"{name}-admin", PASSWORD, role=Role.ADMIN)
        tokens[name] = kamp.accounts.create_token(kamp.accounts.principal_of(user), "t",
                                                  ["admin"])[1]  # fmt: skip
    data = {"own_a": shots(seed=1), "own_b": shots(seed=2), "own_n": shots(seed=3, noise=True),
            "own_r": shots(seed=4), "own_s": shots(seed=5).drop(columns=["냉각시간"])}  # fmt: skip
    for owner, frame in data.items():
        cols = [c for c in COLUMNS if c["name"] in frame.columns]
        kamp.datasets.create(orgs[owner], "shots", frame, cols)
        offer(kamp, orgs[owner], f"shots-{owner.replace('_', '-')}")
    contracts = {o: _contract(kamp, orgs, o) for o in ("own_a", "own_b", "own_n", "own_s")}
    contracts["own_r"] = _contract(kamp, orgs, "own_r", terms=export_only(kamp, orgs["own_r"]))
    contracts["gamma"] = _contract(kamp, orgs, "own_a", "gamma")
    with TestClient(create_app(platform=kamp)) as client:
        yield World(kamp, client, tokens, orgs, data, contracts)
    kamp.close()


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    return resp.json()


def refused(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    error = resp.json()["error"]
    assert error["code"] == code, error
    return dict(error)


def wait(w: World, who: str, job_id: int, until: tuple[str, ...] = ("done", "failed",
         "cancelled"), timeout: float = 240) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ok(w.kept(w.as_(who).get(f"{API}/pooled/{job_id}")))
        if job["status"] in until:
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"pooled job {job_id} did not reach {until}")


def trainings(w: World, owner: str) -> int:
    return int(ok(w.as_("cons").get(f"{API}/contracts/{w.contracts[owner]}/usage"))["trainings"])


# -- refusals first: each names the contract and counts nothing --------------------------------


def test_refusals_name_the_contract_and_count_nothing(w: World) -> None:
    c = w.contracts
    body = {**SPEC, "name": "refused"}
    cons = w.as_("cons")
    # terms that allow exports only: the contract is named, its clause said
    err = refused(cons.post(f"{API}/pooled", json={**body, "contract_ids": [c["own_a"],
                  c["own_r"]]}), 403, "sharing.pooled.refused")  # fmt: skip
    assert f"#{c['own_r']}" in err["message"]
    ko = w.as_("cons").post(f"{API}/pooled", headers={"Accept-Language": "ko"},
                            json={**body, "contract_ids": [c["own_a"], c["own_r"]]})  # fmt: skip
    assert ko.status_code == 403 and f"계약 #{c['own_r']}의 조건" in ko.json()["error"]["message"]
    # the refusal is on that contract's ledger, for its owner to see
    usage = ok(w.as_("own_r").get(f"{API}/ledger/usage"))["entries"]
    assert any(e["contract"] == str(c["own_r"]) and e["details"].get("allowed") is False
               for e in usage)  # fmt: skip
    # a dataset without one of the feature columns: the contract and the column are named
    err = refused(w.as_("cons").post(f"{API}/pooled", json={**body, "contract_ids": [
        c["own_a"], c["own_s"]]}), 422, "sharing.pooled.missing_column")  # fmt: skip
    assert f"#{c['own_s']}" in err["message"] and "냉각시간" in err["message"]
    # another organisation's contract does not exist for the consumer
    refused(w.as_("cons").post(f"{API}/pooled", json={**body, "contract_ids": [
        c["own_a"], c["gamma"]]}), 404, "sharing.contract.not_found")  # fmt: skip
    # one contract is not a pool; a model kind that cannot be valued is refused by the schema
    refused(w.as_("cons").post(f"{API}/pooled", json={**body, "contract_ids": [c["own_a"]]}),
            422, "request.invalid")  # fmt: skip
    refused(w.as_("cons").post(f"{API}/pooled", json={**body, "task": "anomaly",
            "contract_ids": [c["own_a"], c["own_b"]]}), 422, "request.invalid")  # fmt: skip
    # the same contract twice
    refused(w.as_("cons").post(f"{API}/pooled", json={**body, "contract_ids": [
        c["own_a"], c["own_a"]]}), 422, "sharing.pooled.duplicate")  # fmt: skip
    # the owner of a contract is not its consumer
    refused(w.as_("own_a").post(f"{API}/pooled", json={**body, "contract_ids": [
        c["own_a"], c["own_b"]]}), 403, "sharing.delivery.not_consumer")  # fmt: skip
    # nothing was counted on any contract, and no job started
    assert all(trainings(w, o) == 0 for o in ("own_a", "own_b", "own_r", "own_s"))
    assert ok(w.as_("cons").get(f"{API}/pooled")) == []


# -- the pooled training ---------------------------------------------------------------------


def test_the_pooled_training_values_each_owner(w: World) -> None:
    c = w.contracts
    ids = [c["own_a"], c["own_b"], c["own_n"]]
    job = ok(w.kept(w.as_("cons").post(f"{API}/pooled", json={**SPEC, "name": "pooled_defect",
                                                               "contract_ids": ids})), 202)  # fmt: skip
    assert job["status"] in ("queued", "running") and job["model"] == "pooled_defect"
    assert [x["contract_id"] for x in job["contracts"]] == ids
    assert [x["owner"] for x in job["contracts"]] == ["own_a", "own_b", "own_n"]
    done = wait(w, "cons", job["id"])
    assert done["status"] == "done", done
    assert done["result"]["model"] == "pooled_defect" and done["result"]["rows"] == 3 * ROWS
    v = done["valuation"]
    assert v["method"] == "exact" and v["metric"] == "balanced_accuracy" and v["samples"] is None
    assert v["pooled_ref"] == f"pooled:{job['id']}" and v["job_id"] == job["id"]
    share = {o["name"]: o["share"] for o in v["owners"]}
    a, b, n = share["own_a"], share["own_b"], share["own_n"]
    # efficiency: the shares sum to the full coalition's value less the value of no data
    assert abs(sum(share.values()) - (v["full_value"] - v["empty_value"])) <= 1e-12
    assert v["empty_value"] == pytest.approx(0.5) and v["full_value"] > 0.7
    # the noise owner: about nothing, below both real owners; the two real owners alike
    assert abs(n) <= 0.07 and n < 0.6 * min(a, b)
    assert abs(a - b) <= 0.01 and min(a, b) > 0.1
    assert all(o["std_error"] == 0.0 for o in v["owners"])
    assert {o["name"]: o["rows"] for o in v["owners"]} == dict.fromkeys(share, ROWS)
    # the model is in the consumer's registry, not in any owner's
    assert "pooled_defect" in [m["name"] for m in ok(w.kept(w.as_("cons").get("/api/v1/models")))]
    for owner in ("own_a", "own_b", "own_n"):
        assert ok(w.as_(owner).get("/api/v1/models")) == []
    # each contract counted one training, and each owner's ledger shows it
    assert all(trainings(w, o) == 1 for o in ("own_a", "own_b", "own_n"))
    for owner in ("own_a", "own_b", "own_n"):
        entries = ok(w.as_(owner).get(f"{API}/ledger/usage"))["entries"]
        [training] = [e for e in entries if e["kind"] == "training"]
        assert training["contract"] == str(c[owner]) and training["org"] == "cons"
        assert (
            training["details"]["pooled"] == 3 and training["details"]["model"] == "pooled_defect"
        )
    w.seen.update(job=job["id"], valuation=v["id"], shares=share)


def test_the_owners_see_the_job_and_its_valuation_and_no_one_else(w: World) -> None:
    job, valuation = w.seen["job"], w.seen["valuation"]
    for who in ("cons", "own_a", "own_n"):
        listed = ok(w.kept(w.as_(who).get(f"{API}/pooled")))
        assert [j["id"] for j in listed] == [job]
        got = ok(w.kept(w.as_(who).get(f"{API}/valuations/{valuation}")))
        assert got["id"] == valuation and got["consumer"] == "cons"
        assert {o["name"] for o in got["owners"]} == {"own_a", "own_b", "own_n"}
    for who in ("gamma", "own_r"):
        assert ok(w.as_(who).get(f"{API}/pooled")) == []
        refused(w.as_(who).get(f"{API}/pooled/{job}"), 404, "sharing.pooled.not_found")
        refused(w.as_(who).get(f"{API}/valuations/{valuation}"), 404,
                "sharing.settlement.valuation")  # fmt: skip
        assert w.as_(who).get(f"{API}/pooled/{job}/payments").status_code == 404
    # the job works under each contract it pooled: every owner's contract lists it
    for owner in ("own_a", "own_b", "own_n"):
        jobs = ok(w.as_(owner).get(f"{API}/contracts/{w.contracts[owner]}/jobs"))
        assert job in [j["id"] for j in jobs], owner


def test_a_payment_splits_to_the_won_into_the_owners_statements(w: World) -> None:
    job, shares = w.seen["job"], w.seen["shares"]
    month = Period.of(datetime.now(UTC)).key
    # an owner does not pay for the consumer's model; a bad amount is refused by the schema
    refused(w.as_("own_a").post(f"{API}/pooled/{job}/pay", json={"month": month,
            "amount": "1000"}), 403, "sharing.pooled.not_consumer")  # fmt: skip
    refused(w.as_("cons").post(f"{API}/pooled/{job}/pay", json={"month": month,
            "amount": "1.5"}), 422, "request.invalid")  # fmt: skip
    paid = ok(w.kept(w.as_("cons").post(f"{API}/pooled/{job}/pay",
                                        json={"month": month, "amount": "1000001"})), 201)  # fmt: skip
    parts = {p["name"]: int(p["amount"]) for p in paid["parts"]}
    assert sum(parts.values()) == 1_000_001 and paid["amount"] == "1000001"
    # by the shares: a negative share earns nothing; a positive one its proportion
    positive = {k: max(0.0, s) for k, s in shares.items()}
    for name, part in parts.items():
        assert abs(part - 1_000_001 * positive[name] / sum(positive.values())) <= 1
    assert parts["own_n"] <= 0.06 * 1_000_001 and parts["own_n"] < min(parts["own_a"],
                                                                        parts["own_b"]) / 2  # fmt: skip
    listed = ok(w.as_("own_b").get(f"{API}/pooled/{job}/payments"))
    assert [(p["period"], p["amount"]) for p in listed] == [(month, "1000001")]
    # the consumer's invoice carries the payment
    [invoice] = [i for i in ok(w.as_("cons").get(f"{API}/settlement/invoices"))
                 if i["period"] == month]  # fmt: skip
    assert any(ln["kind"] == "pooled" and ln["amount"] == "1000001" for ln in invoice["lines"])
    # each owner settles the month: its statement has the pooled line (its dataset, the
    # consumer, its share) and its earnings count it
    cons_id = str(w.orgs["cons"].org_id)
    for owner in ("own_a", "own_b", "own_n"):
        st = ok(w.as_(owner).post(f"{API}/settlement/settle", json={"month": month}), 201)
        [line] = [ln for ln in st["lines"] if ln["kind"] == "pooled"]
        assert int(line["amount"]) == parts[owner] and line["dataset"] == "shots@1"
        assert line["contract_id"] == w.contracts[owner] and line["pooled_ref"] == f"pooled:{job}"
        assert float(line["share"]) == pytest.approx(shares[owner])
        assert line["consumer_org_id"] == int(cons_id)
        assert sum(int(ln["amount"]) for ln in st["lines"]) == int(st["revenue"])
        earned = ok(w.as_(owner).get(f"{API}/settlement/earnings"))
        assert int(earned["by_consumer"][cons_id]) >= parts[owner]
        assert int(earned["by_dataset"]["shots@1"]) >= parts[owner]
    # once an owner concerned has issued its statement, the month's payment is frozen
    refused(w.as_("cons").post(f"{API}/pooled/{job}/pay", json={"month": month,
            "amount": "5"}), 409, "sharing.settlement.issued")  # fmt: skip


def test_monte_carlo_beyond_the_exact_limit_records_standard_errors(w: World) -> None:
    pooled = w.kamp.sharing.pooled
    pooled.exact_up_to = 2  # three owners: beyond the limit
    try:
        ids = [w.contracts["own_a"], w.contracts["own_b"], w.contracts["own_n"]]
        job = ok(w.kept(w.as_("cons").post(f"{API}/pooled", json={
            **SPEC, "name": "pooled_mc", "contract_ids": ids})), 202)  # fmt: skip
        done = wait(w, "cons", job["id"])
    finally:
        pooled.exact_up_to = 10
    assert done["status"] == "done", done
    v = done["valuation"]
    assert v["method"] == "monte_carlo" and v["samples"] and v["samples"] >= 64
    assert all(o["std_error"] > 0 for o in v["owners"])
    assert abs(v["total"] - (v["full_value"] - v["empty_value"])) <= 1e-9
    # the estimate agrees with the exact values within a few standard errors
    exact = w.seen["shares"]
    for o in v["owners"]:
        assert abs(o["share"] - exact[o["name"]]) <= 4 * o["std_error"] + 1e-9


def test_the_consumer_may_value_the_owners_on_its_own_data(w: World) -> None:
    cons = w.orgs["cons"]
    mine = shots(1500, seed=50)
    w.kamp.datasets.create(cons, "my_shots", mine, COLUMNS)
    w.kamp.datasets.create(cons, "my_partial", mine.drop(columns=["보압"]),
                           [c for c in COLUMNS if c["name"] != "보압"])  # fmt: skip
    ids = [w.contracts["own_a"], w.contracts["own_b"], w.contracts["own_n"]]
    body = {**SPEC, "name": "pooled_own_val", "contract_ids": ids}
    err = refused(w.as_("cons").post(f"{API}/pooled", json={**body, "validation": "my_partial"}),
                  422, "sharing.pooled.validation_column")  # fmt: skip
    assert "보압" in err["message"]
    assert (
        w.as_("cons").post(f"{API}/pooled", json={**body, "validation": "nope"}).status_code == 404
    )
    job = ok(w.kept(w.as_("cons").post(f"{API}/pooled", json={**body,
                                                               "validation": "my_shots"})), 202)  # fmt: skip
    assert job["validation"] == "my_shots@1"
    done = wait(w, "cons", job["id"])
    assert done["status"] == "done", done
    v = done["valuation"]
    assert v["validation"] == "my_shots@1" and v["method"] == "exact"
    share = {o["name"]: o["share"] for o in v["owners"]}
    assert abs(sum(share.values()) - (v["full_value"] - v["empty_value"])) <= 1e-12
    assert share["own_n"] < 0.6 * min(share["own_a"], share["own_b"])
    assert abs(share["own_a"] - share["own_b"]) <= 0.02
    # an owner sees what the owners were valued on, not the consumer's rows
    seen = ok(w.kept(w.as_("own_a").get(f"{API}/valuations/{v['id']}")))
    assert seen["validation"] == "my_shots@1"
    leaks = find_rows({"owner's answer": w.bodies[-1]}, mine[[*PROCESS, TARGET]])
    assert leaks == []


def test_no_answer_of_the_pooled_path_carries_a_row(w: World) -> None:
    job = w.seen["job"]
    for path in (f"{API}/pooled", f"{API}/pooled/{job}", f"{API}/pooled/{job}/payments",
                 f"{API}/valuations/{w.seen['valuation']}", "/api/v1/models",
                 "/api/v1/models/pooled_defect/versions/1",
                 "/api/v1/models/pooled_defect/versions/1/card",
                 "/api/v1/models/pooled_defect/versions/1/report", f"/api/v1/jobs/{job}"):  # fmt: skip
        w.kept(w.as_("cons").get(path))
    assert len(w.bodies) > 10 and all(w.bodies)
    for owner in ("own_a", "own_b", "own_n"):
        frame = w.data[owner][[*PROCESS, TARGET]]
        leaks = find_rows({f"answer {i}": b for i, b in enumerate(w.bodies)}, frame)
        assert leaks == [], (owner, leaks[:3])


def test_revoking_one_contract_mid_job_stops_the_job(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The job is held while it reads the second owner's rows; owner B revokes meanwhile.
    reading, release = threading.Event(), threading.Event()
    read = w.kamp.datasets.read
    calls = []

    def held(principal: Principal, ref: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(principal.org_id)
        if len(calls) == 2:
            reading.set()
            release.wait(60)
        return read(principal, ref, *args, **kwargs)

    monkeypatch.setattr(w.kamp.datasets, "read", held)
    before = len(ok(w.as_("cons").get("/api/v1/models")))
    ids = [w.contracts["own_a"], w.contracts["own_b"], w.contracts["own_n"]]
    job = ok(w.as_("cons").post(f"{API}/pooled", json={**SPEC, "name": "pooled_cut",
                                                       "contract_ids": ids}), 202)  # fmt: skip
    assert reading.wait(60), "the job reads the owners' data"
    revoked = ok(w.as_("own_b").post(f"{API}/contracts/{w.contracts['own_b']}/revoke",
                                     json={"reason": "기술 유출 우려"}))  # fmt: skip
    assert revoked["state"] == "revoked"
    release.set()
    final = wait(w, "cons", job["id"])
    assert final["status"] == "cancelled", final
    assert final["result"] is None and final["valuation"] is None
    models = ok(w.as_("cons").get("/api/v1/models"))
    assert len(models) == before and "pooled_cut" not in [m["name"] for m in models]
    # and the revoked contract cannot be pooled again
    refused(w.as_("cons").post(f"{API}/pooled", json={**SPEC, "name": "pooled_again",
            "contract_ids": ids}), 403, "sharing.contract.not_active")  # fmt: skip
