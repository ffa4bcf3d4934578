"""Contracts (issue 11, item 3): every transition and every wrong one, who may act and see, the
check of every access through ``authorize`` (counters, industry and time handed to the policy,
the clause named on refusal), one ledger entry per access, and revocation stopping a running
job."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound, OpenKampError
from openkamp.core.tenancy import Principal, Role
from openkamp.i18n import error_text, t
from openkamp.sharing import policy as P
from openkamp.sharing.contracts import ContractEnded, ContractState, contract_iri, org_iri
from openkamp.sharing.policy import Access, Purpose
from openkamp.sharing.policy_jsonld import from_jsonld

from .contract_support import T0, Clock, World, world

S = ContractState
PLACEHOLDER = re.compile(r"\{[a-z_\[\]]+\}")


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path)


def texts(exc: OpenKampError) -> tuple[str, str]:
    ko, _ = error_text(exc, "ko")
    en, _ = error_text(exc, "en")
    assert ko != en and not PLACEHOLDER.search(ko + en), (ko, en)
    return ko, en


# -- the lifecycle --------------------------------------------------------------------------


def test_request_then_approve_unchanged_is_active_with_the_agreement(w: World) -> None:
    offer = w.offer(purposes=[Purpose.QUALITY], max_rows=100)
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY, "불량 예측 모델 / defect model")
    assert c.state is S.REQUESTED and c.terms is None and c.requested_by == "local-admin"
    assert (c.owner_org_id, c.consumer_org_id) == (w.acme.org_id, w.beta.org_id)
    assert c.dataset == "press-shots@3" and c.created_at == T0 and len(c.secret_id) == 32
    w.clock.move(hours=1)
    c = w.contracts.approve(w.acme, c.id, note="OK")
    assert c.state is S.ACTIVE and c.starts_at == c.decided_at == T0 + timedelta(hours=1)
    assert c.decided_by == "local-admin" and c.decision_note == "OK" and c.ends_at is None
    agreement = c.policy()
    assert agreement.kind is P.PolicyKind.AGREEMENT and agreement.uid == contract_iri(c.id)
    assert agreement.assignee == org_iri("beta") and agreement.assigner == org_iri("acme")
    clauses = {x.uid for p in agreement.permissions for x in p.constraints}
    assert clauses == {f"{contract_iri(c.id)}#purpose", f"{contract_iri(c.id)}#max-rows"}
    # both parties see it, the same
    assert w.contracts.get(w.beta, c.id) == w.contracts.get(w.acme, c.id) == c
    assert [x.id for x in w.contracts.list(w.acme, role="owner")] == [c.id]
    assert [x.id for x in w.contracts.list(w.beta, role="consumer")] == [c.id]
    assert w.contracts.list(w.acme, role="consumer") == []
    assert c.to_json()["state"] == "active" and "secret_id" not in c.to_json()


def test_changed_terms_counter_then_accept_or_decline(w: World) -> None:
    offer = w.offer(purposes=[Purpose.QUALITY], max_rows=1000)
    narrower = P.offer(f"urn:openkamp:offer:{offer}", target="urn:openkamp:dataset:press-shots@3",
                       assigner=org_iri("acme"), purposes=[Purpose.QUALITY], max_rows=10)  # fmt: skip
    a = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    a = w.contracts.approve(w.acme, a.id, terms=narrower, note="10행까지")
    assert a.state is S.COUNTERED and a.starts_at is None
    limits = [x for p in a.policy().permissions for x in p.constraints if isinstance(x, P.MaxCount)]
    assert [x.limit for x in limits] == [10]
    with pytest.raises(ContractEnded):  # not active yet: nothing may be read
        w.contracts.authorize(w.beta, a.id, Access.READ, rows=1)
    w.clock.move(minutes=5)
    a = w.contracts.accept(w.beta, a.id)
    assert a.state is S.ACTIVE and a.starts_at == T0 + timedelta(minutes=5)
    w.contracts.complete(w.beta, a.id)

    b = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    metered = {"model": "metered", "rates": [{"unit": "rows_1000", "amount": "500"}]}
    with pytest.raises(InvalidInput) as bad:  # a price the pricing module refuses
        w.contracts.approve(w.acme, b.id, price={"model": "metered", "per_row": 0.5})
    assert (bad.value.code or "").startswith("sharing.price.")
    b = w.contracts.approve(w.acme, b.id, price=metered)
    assert b.state is S.COUNTERED and b.price is not None and b.price["model"] == "metered"
    assert b.price["rates"] == [{"unit": "rows_1000", "amount": "500", "included": 0}]
    b = w.contracts.decline(w.beta, b.id, "too expensive")
    assert b.state is S.REJECTED and b.end_reason == "too expensive" and b.ended_at == w.clock()

    c = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    offered = w.contracts.store.offer(offer)
    assert offered is not None
    same = from_jsonld(offered["policy"])
    c = w.contracts.approve(
        w.acme, c.id, terms=same, price={"model": "flat", "amount": "100000", "currency": "KRW"}
    )
    assert c.state is S.ACTIVE  # the same terms and price as offered: nothing to accept


def test_changed_terms_must_keep_the_dataset_and_owner(w: World) -> None:
    offer = w.offer(max_rows=10)
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    other = P.offer("urn:openkamp:offer:x", target="urn:openkamp:dataset:other@1",
                    assigner=org_iri("acme"), max_rows=10)  # fmt: skip
    with pytest.raises(InvalidInput) as info:
        w.contracts.approve(w.acme, c.id, terms=other)
    assert info.value.code == "sharing.contract.terms_target" and "target" in texts(info.value)[1]
    assert w.contracts.get(w.acme, c.id).state is S.REQUESTED


def test_reject_needs_a_reason_and_ends_the_request(w: World) -> None:
    c = w.contracts.request(w.beta, w.offer(), Purpose.RESEARCH)
    with pytest.raises(InvalidInput) as info:
        w.contracts.reject(w.acme, c.id, "  ")
    assert info.value.code == "sharing.contract.reason_required"
    assert "사유" in texts(info.value)[0]
    c = w.contracts.reject(w.acme, c.id, "경쟁사 / competitor")
    assert c.state is S.REJECTED and c.decision_note == c.end_reason == "경쟁사 / competitor"
    assert c.decided_by == c.ended_by == "local-admin"


def test_revoke_and_complete_end_an_active_contract(w: World) -> None:
    a = w.active()
    with pytest.raises(InvalidInput):
        w.contracts.revoke(w.acme, a, "")
    w.clock.move(days=1)
    r = w.contracts.revoke(w.acme, a, "기술 유출 우려 / leak risk")
    assert r.state is S.REVOKED and r.ended_at == T0 + timedelta(days=1)
    assert r.end_reason == "기술 유출 우려 / leak risk"
    b = w.active()
    assert w.contracts.complete(w.beta, b, "done").state is S.COMPLETED
    c = w.active()
    assert w.contracts.complete(w.acme, c).state is S.COMPLETED


# every action from every state: only the lifecycle's moves are allowed
MOVES: dict[str, tuple[set[ContractState], Callable[[World, int], Any]]] = {
    "approve": ({S.REQUESTED}, lambda w, c: w.contracts.approve(w.acme, c)),
    "reject": ({S.REQUESTED, S.COUNTERED}, lambda w, c: w.contracts.reject(w.acme, c, "no")),
    "accept": ({S.COUNTERED}, lambda w, c: w.contracts.accept(w.beta, c)),
    "decline": ({S.COUNTERED}, lambda w, c: w.contracts.decline(w.beta, c)),
    "revoke": ({S.ACTIVE}, lambda w, c: w.contracts.revoke(w.acme, c, "why")),
    "complete": ({S.ACTIVE}, lambda w, c: w.contracts.complete(w.beta, c)),
    "withdraw": ({S.REQUESTED, S.COUNTERED}, lambda w, c: w.contracts.withdraw(w.beta, c)),
}


def _in_state(w: World, state: ContractState) -> int:
    offer = w.offer(max_rows=5, valid_until=T0 + timedelta(days=30))
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY).id
    narrower = P.offer(f"urn:openkamp:offer:{offer}", target="urn:openkamp:dataset:press-shots@3",
                       assigner=org_iri("acme"), max_rows=2)  # fmt: skip
    if state is S.COUNTERED:
        w.contracts.approve(w.acme, c, terms=narrower)
    elif state is S.REJECTED:
        w.contracts.reject(w.acme, c, "no")
    elif state is S.WITHDRAWN:
        w.contracts.withdraw(w.beta, c, "not needed")
    elif state is not S.REQUESTED:
        w.contracts.approve(w.acme, c)
        if state is S.REVOKED:
            w.contracts.revoke(w.acme, c, "why")
        elif state is S.COMPLETED:
            w.contracts.complete(w.acme, c)
    return c


@pytest.mark.parametrize("state", list(ContractState))
def test_every_wrong_move_is_a_conflict_naming_the_state(w: World, state: ContractState) -> None:
    for action, (allowed, move) in MOVES.items():
        if state is S.EXPIRED:
            w.clock.at = T0
            c = _in_state(w, S.ACTIVE)
            w.clock.move(days=31)  # past the window: reads expired before any sweep
            assert w.contracts.get(w.beta, c).state is S.EXPIRED
        else:
            w.clock.at = T0
            c = _in_state(w, state)
            assert w.contracts.get(w.beta, c).state is state
        if state in allowed:
            move(w, c)
            continue
        with pytest.raises(Conflict) as info:
            move(w, c)
        assert info.value.code == "sharing.contract.state", action
        ko, en = texts(info.value)
        assert str(c) in ko and t_state(state, "ko") in ko and t_state(state, "en") in en
        assert w.contracts.get(w.beta, c).state is state  # nothing changed


def t_state(state: ContractState, lang: str) -> str:
    return t(f"sharing.contract.state.{state.value}", lang)


def test_roles_owner_decides_consumer_accepts(w: World) -> None:
    c = w.contracts.request(w.beta, w.offer(), Purpose.QUALITY).id
    for move in (
        lambda: w.contracts.approve(w.beta, c),
        lambda: w.contracts.reject(w.beta, c, "x"),
    ):
        with pytest.raises(Forbidden) as info:
            move()
        assert info.value.code == "sharing.contract.not_party"
        assert "제공 기관" in texts(info.value)[0]
    w.contracts.approve(w.acme, c)
    with pytest.raises(Forbidden):
        w.contracts.revoke(w.beta, c, "mine now")
    viewer = Principal(org_id=w.beta.org_id, name="v", roles=frozenset({Role.VIEWER}))
    with pytest.raises(Forbidden):
        w.contracts.complete(viewer, c)


def test_a_third_organisation_sees_nothing_and_cannot_act(w: World) -> None:
    c = w.active(max_rows=10)
    w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    assert w.contracts.list(w.gamma) == []
    for act in (
        lambda: w.contracts.get(w.gamma, c),
        lambda: w.contracts.usage(w.gamma, c),
        lambda: w.contracts.revoke(w.gamma, c, "x"),
        lambda: w.contracts.complete(w.gamma, c),
        lambda: w.contracts.authorize(w.gamma, c, Access.READ, rows=1),
        lambda: w.contracts.register_job(w.gamma, c, 1),
        lambda: w.contracts.get(w.gamma, 10**30),
    ):
        with pytest.raises(NotFound) as info:
            act()
        assert info.value.code == "sharing.contract.not_found"
    assert w.kamp.sharing.usage(w.gamma).entries == []
    assert w.contracts.usage(w.beta, c).rows == 1  # gamma's attempt was not counted


def test_request_errors(w: World) -> None:
    with pytest.raises(InvalidInput) as info:
        w.contracts.request(w.acme, w.offer(), Purpose.QUALITY)
    assert info.value.code == "sharing.contract.own_offer"
    for offer in (w.offer(state="draft"), 10**6):
        with pytest.raises(NotFound) as nf:
            w.contracts.request(w.beta, offer, Purpose.QUALITY)
        assert nf.value.code == "sharing.contract.offer_not_found"
    with pytest.raises(InvalidInput) as bad:
        w.contracts.request(w.beta, w.offer(), "spying")
    assert bad.value.code == "sharing.contract.purpose" and "quality" in texts(bad.value)[1]
    offer = w.offer()
    first = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    with pytest.raises(Conflict) as dup:
        w.contracts.request(w.beta, offer, Purpose.RESEARCH)
    assert dup.value.code == "sharing.contract.duplicate" and str(first.id) in texts(dup.value)[0]
    w.contracts.reject(w.acme, first.id, "no")
    assert w.contracts.request(w.beta, offer, Purpose.RESEARCH).state is S.REQUESTED
    for wrong in (
        lambda: w.contracts.list(w.beta, role="thief"),
        lambda: w.contracts.list(w.beta, state="lost"),
        lambda: w.contracts.authorize(w.beta, first.id, "steal"),
        lambda: w.contracts.authorize(w.beta, first.id, Access.READ, rows=-1),
    ):
        with pytest.raises(InvalidInput) as info:
            wrong()
        assert (
            info.value.code == "sharing.contract.bad_value" and "가능한 값" in texts(info.value)[0]
        )


def test_time_window_expires_on_read_and_by_sweep(w: World) -> None:
    c = w.active(valid_from=T0 + timedelta(days=1), valid_until=T0 + timedelta(days=10))
    con = w.contracts.get(w.beta, c)
    assert con.state is S.ACTIVE and con.ends_at == T0 + timedelta(days=10)
    # before the window: the clause valid-from is named
    with pytest.raises(Forbidden) as early:
        w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    assert early.value.params["clause"] == f"{contract_iri(c)}#valid-from"
    w.clock.move(days=2)
    w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    w.clock.move(days=8)  # the window's end is excluded
    assert w.contracts.get(w.acme, c).state is S.EXPIRED
    assert [x.id for x in w.contracts.list(w.acme, state="expired")] == [c]
    assert w.contracts.list(w.acme, state="active") == []
    with pytest.raises(Forbidden) as late:
        w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    assert late.value.params["clause"] == f"{contract_iri(c)}#valid-until"
    assert w.contracts.sweep() == [c] and w.contracts.sweep() == []
    ended = w.contracts.get(w.beta, c)
    assert ended.state is S.EXPIRED and ended.ended_at == T0 + timedelta(days=10)
    assert ended.ended_by == "system" and "기간" in (ended.end_reason or "")
    with pytest.raises(ContractEnded) as gone:
        w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    assert gone.value.code == "sharing.contract.not_active" and "만료" in texts(gone.value)[0]


# -- authorize: what it hands the policy, what it records ------------------------------------


def refused(w: World, c: int, clause: str, kind: str, access: Access = Access.READ,
            **kw: Any) -> None:  # fmt: skip
    kw.setdefault("anonymised", True)
    before = w.contracts.usage(w.beta, c)
    with pytest.raises(Forbidden) as info:
        w.contracts.authorize(w.beta, c, access, **kw)
    assert info.value.code == f"policy.refused.{kind}"
    assert info.value.params["clause"] == f"{contract_iri(c)}#{clause}"
    ko, en = texts(info.value)
    assert f"{contract_iri(c)}#{clause}" in ko and f"#{clause}" in en
    assert w.contracts.usage(w.beta, c) == before  # a refusal uses nothing
    last = w.kamp.sharing.usage(w.beta).entries[-1]
    assert last.kind == "access" and last.details["allowed"] is False
    assert last.details["clause"] == f"{contract_iri(c)}#{clause}"


def test_max_rows_stops_the_row_past_the_limit_over_repeated_calls(w: World) -> None:
    c = w.active(max_rows=10)
    for _ in range(3):
        w.contracts.authorize(w.beta, c, Access.READ, rows=3)
    assert w.contracts.usage(w.beta, c).rows == 9
    refused(w, c, "max-rows", "max_rows", rows=2)  # 9 + 2 > 10
    w.contracts.authorize(w.beta, c, Access.EXPORT, rows=1)  # the 10th row is the last
    refused(w, c, "max-rows", "max_rows", rows=1)
    w.contracts.authorize(w.beta, c, Access.COMPUTE_TO_DATA)  # delivers no row
    u = w.contracts.usage(w.beta, c)
    assert (u.rows, u.queries, u.trainings) == (10, 5, 1)


def test_max_queries_and_trainings_count_across_calls(w: World) -> None:
    c = w.active(max_queries=3)
    for access in (Access.READ, Access.EXPORT, Access.TRAIN):
        w.contracts.authorize(w.beta, c, access, rows=1)
    refused(w, c, "max-queries", "max_queries", Access.COMPUTE_TO_DATA)
    t = w.active(max_trainings=2)
    w.contracts.authorize(w.beta, t, Access.TRAIN, rows=5)
    w.contracts.authorize(w.beta, t, Access.READ, rows=5)  # not a training
    w.contracts.authorize(w.beta, t, Access.COMPUTE_TO_DATA)
    refused(w, t, "max-trainings", "max_trainings", Access.TRAIN, rows=1)
    assert w.contracts.usage(w.beta, t).trainings == 2


def test_industry_is_the_consumers_from_its_organisation(w: World) -> None:
    c = w.active(industries=["C29", "C30"])
    w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    w.set_industry(w.beta, "C10")
    refused(w, c, "industries", "industry", rows=1)
    w.set_industry(w.beta, None)
    refused(w, c, "industries", "industry_unknown", rows=1)
    x = w.active(excluded_industries=["C29"])
    w.set_industry(w.beta, "C29")
    refused(w, x, "excluded-industries", "industry_excluded", rows=1)


def test_purpose_recipients_channel_duties_and_redistribution(w: World) -> None:
    offer = w.offer(purposes=[Purpose.MAINTENANCE])
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY).id  # stated: quality
    w.contracts.approve(w.acme, c)
    refused(w, c, "purpose", "purpose", rows=1)
    r = w.active(excluded_recipients=[org_iri("beta")])
    refused(w, r, "excluded-recipients", "recipient_excluded", rows=1)
    ok = w.active(recipients=[org_iri("beta")])
    w.contracts.authorize(w.beta, ok, Access.READ, rows=1)
    ctd = w.active(compute_to_data_only=True)
    refused(w, ctd, "compute-to-data-only", "channel", Access.EXPORT, rows=1)
    w.contracts.authorize(w.beta, ctd, Access.COMPUTE_TO_DATA)
    anon = w.active(anonymise=True)
    refused(w, anon, "anonymise", "anonymise", rows=1, anonymised=False)
    decision = w.contracts.authorize(w.beta, anon, Access.READ, rows=1, anonymised=True)
    assert [o.kind for o in decision.obligations] == ["anonymise"]
    red = w.active()
    refused(w, red, "no-redistribution", "prohibition", Access.REDISTRIBUTE, rows=1)


def test_delete_duty_uses_the_oldest_undeleted_delivery(w: World) -> None:
    c = w.active(delete_within_days=7)
    w.deliver(c, T0 - timedelta(days=20), deleted=True)  # deleted in time: no matter
    w.deliver(c, T0 - timedelta(days=30), kind="compute")  # a model, not a copy of rows
    w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    w.deliver(c, T0 - timedelta(days=8))  # kept past its 7 days
    refused(w, c, "delete", "delete", rows=1)
    assert w.contracts.get(w.beta, c).state is S.ACTIVE  # a duty broken is no end


def test_every_access_is_one_ledger_entry_of_its_kind_between_the_parties(w: World) -> None:
    c = w.active(max_rows=100)
    kinds = {Access.READ: "access", Access.EXPORT: "export", Access.TRAIN: "training",
             Access.COMPUTE_TO_DATA: "training"}  # fmt: skip
    for access in kinds:
        w.contracts.authorize(w.beta, c, access, rows=4, details={"file": "a.parquet"})
    # the owner's own audit read, on the consumer's contract, is recorded as the owner's act
    w.contracts.authorize(w.acme, c, Access.READ, rows=2)
    with pytest.raises(Forbidden):
        w.contracts.authorize(w.beta, c, Access.READ, rows=1000)
    entries = w.kamp.sharing.ledger.entries(w.acme.org_id)
    assert [e.kind for e in entries] == [*kinds.values(), "access", "access"]
    for e, access in zip(entries, kinds, strict=False):
        assert e.org == "beta" and e.parties == ("acme", "beta")
        assert e.contract == str(c) and e.dataset == "press-shots@3" and e.at == T0
        assert e.details["access"] == access.value and e.details["allowed"] is True
        assert e.details["rows"] == (0 if access is Access.COMPUTE_TO_DATA else 4)
        assert e.details["file"] == "a.parquet" and e.details["purpose"] == "quality"
        assert e.details["permission"] == f"{contract_iri(c)}#use"
    assert entries[4].org == "acme" and entries[4].details["on_behalf_of"] == "beta"
    assert entries[5].details["allowed"] is False and entries[5].details["reason"] == "max_rows"
    assert w.kamp.sharing.ledger.entries(w.beta.org_id) == entries
    assert w.kamp.sharing.ledger.entries(w.gamma.org_id) == []
    assert w.kamp.sharing.ledger.verify().ok
    u = w.contracts.usage(w.acme, c)
    assert (u.rows, u.queries, u.trainings) == (4 * 3 + 2, 5, 2)


def test_after_revocation_every_access_is_refused_and_recorded(w: World) -> None:
    c = w.active()
    w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    w.contracts.revoke(w.acme, c, "leak")
    for access in Access:
        with pytest.raises(ContractEnded) as info:
            w.contracts.authorize(w.beta, c, access, rows=1)
        assert "해지" in texts(info.value)[0]
    last = w.kamp.sharing.ledger.entries(w.acme.org_id)[-1]
    assert last.details["allowed"] is False and last.details["state"] == "revoked"
    assert w.contracts.usage(w.beta, c).queries == 1


# -- revocation mid-job ----------------------------------------------------------------------


def test_revocation_stops_a_running_job_at_its_next_step(tmp_path: Path) -> None:
    # real time here: the reads and the revocation race as they would in production
    gen = world(tmp_path, Clock())
    w = next(gen)
    try:
        w.kamp.sharing.contracts.clock = lambda: datetime.now(UTC)
        c = w.active(max_rows=1_000_000)
        reading = threading.Event()
        reads: list[datetime] = []

        def reader(ctx: Any) -> dict[str, Any]:
            with w.contracts.contract_guard(c, ctx) as guard:
                while True:
                    guard()
                    w.kamp.sharing.authorize(w.beta, c, Access.READ, rows=10)
                    reads.append(datetime.now(UTC))
                    reading.set()
                    time.sleep(0.002)

        def plain(ctx: Any) -> None:  # checks only its own cancel flag
            while True:
                ctx.check()
                time.sleep(0.005)

        job = w.kamp.jobs.submit(w.beta, "train", "reads under the contract", reader)
        other = w.kamp.jobs.submit(w.acme, "compute", "compute-to-data", plain)
        w.contracts.register_job(w.beta, c, job["id"])
        w.contracts.register_job(w.acme, c, other["id"])
        with pytest.raises(NotFound):  # another organisation's job
            w.contracts.register_job(w.beta, c, other["id"])
        assert reading.wait(10)
        while len(reads) < 5:
            time.sleep(0.005)
        revoked = w.contracts.revoke(w.acme, c, "기술 유출 의심 / suspected leak")
        done = w.kamp.jobs.wait(w.beta, job["id"], timeout=10)
        assert done["status"] == "cancelled"
        assert "suspected leak" in done["message"] and "해지" in done["message"]
        assert "suspected leak" in done["log"]
        assert w.kamp.jobs.wait(w.acme, other["id"], timeout=10)["status"] == "cancelled"
        # no read succeeded after the revocation: every allowed entry precedes it
        entries = w.kamp.sharing.ledger.entries(w.acme.org_id, limit=100_000)
        allowed = [e for e in entries if e.details["allowed"]]
        assert len(allowed) == len(reads) >= 5
        assert revoked.ended_at is not None
        assert all(e.at <= revoked.ended_at for e in allowed)
        assert all(at <= datetime.now(UTC) for at in reads)
        assert w.contracts.usage(w.beta, c).rows == 10 * len(reads)
        with pytest.raises(ContractEnded):
            w.kamp.sharing.authorize(w.beta, c, Access.READ, rows=1)
        with pytest.raises(ContractEnded):  # nothing new runs under it either
            w.contracts.register_job(w.beta, c, job["id"])
        assert w.kamp.sharing.ledger.verify().ok
    finally:
        gen.close()


def test_the_guard_stops_a_job_between_checks(w: World) -> None:
    """A revocation that lands between the guard's check and the read: the refused read ends
    the job cancelled (with the reason), not failed."""
    c = w.active()
    steps: list[str] = []

    def fn(ctx: Any) -> None:
        with w.contracts.contract_guard(c, ctx) as guard:
            guard()
            steps.append("checked")
            w.contracts.revoke(w.acme, c, "between checks")
            w.contracts.authorize(w.beta, c, Access.READ, rows=1)
            steps.append("read")  # never

    job = w.kamp.jobs.submit(w.beta, "train", "t", fn)
    done = w.kamp.jobs.wait(w.beta, job["id"], timeout=10)
    assert done["status"] == "cancelled" and "between checks" in done["message"]
    assert steps == ["checked"]


def test_every_error_of_the_module_has_its_texts() -> None:
    """Each ``_error(cls, "reason", …)`` of contracts.py has Korean and English texts, and
    every placeholder of those texts is a parameter the module passes."""
    import openkamp.sharing.contracts as module
    from openkamp.i18n import MESSAGES

    source = Path(module.__file__).read_text("utf-8")
    reasons = set(re.findall(r'_error\(\s*\w+,\s*"(\w+)"', source))
    assert {"state", "not_party", "not_found", "not_active", "duplicate"} <= reasons
    for reason in reasons:
        entry = MESSAGES[f"err.sharing.contract.{reason}"]
        assert entry["ko"] and entry["en"] and entry["ko"] != entry["en"]
