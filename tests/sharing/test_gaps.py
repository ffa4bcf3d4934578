"""Gaps a sharing user met, closed in the library: a consumer withdraws its own request before
it is active; accepting a counter-offer keeps who accepted and when; a published offer is not
changed (the refusal says to withdraw it and make a new one) while a draft's every field is
changed with the checks of creation; what an offer's or a contract's industry clause asks of an
organisation whose KSIC code is not recorded (and whom to ask); migration 0013 down and up."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound, OpenKampError
from openkamp.core.tenancy import Principal, Role
from openkamp.i18n import error_text
from openkamp.sharing import policy as P
from openkamp.sharing.contracts import ContractEnded, ContractState, org_iri
from openkamp.sharing.policy import Access, Purpose
from openkamp.sharing.policy_jsonld import from_jsonld

from . import catalog_support
from .contract_support import DATASET, T0, World, world

S = ContractState
PLACEHOLDER = re.compile(r"\{[a-z_\[\]]+\}")


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path)


def texts(exc: OpenKampError) -> tuple[str, str, str | None, str | None]:
    """The error's message and hint in Korean and English (every placeholder filled)."""
    ko, ko_hint = error_text(exc, "ko")
    en, en_hint = error_text(exc, "en")
    assert ko != en and not PLACEHOLDER.search(ko + en), (ko, en)
    assert re.search(r"[\uac00-\ud7a3]", ko) and not re.search(r"[\uac00-\ud7a3]", en)
    return ko, en, ko_hint, en_hint


def as_user(who: Principal, name: str, role: Role = Role.ADMIN) -> Principal:
    return Principal(org_id=who.org_id, name=name, roles=frozenset({role}))


def narrower(offer: int, **clauses: Any) -> P.UsagePolicy:
    return P.offer(f"urn:openkamp:offer:{offer}", target=DATASET, assigner=org_iri("acme"),
                   **clauses)  # fmt: skip


# -- a consumer withdraws its request -------------------------------------------------------------


def test_the_consumer_withdraws_a_request_and_the_owner_sees_who_when_and_why(w: World) -> None:
    offer = w.offer(max_rows=100)
    kim = as_user(w.beta, "kim", Role.ENGINEER)  # who may request may take the request back
    c = w.contracts.request(kim, offer, Purpose.QUALITY, "불량 예측")
    entries = w.kamp.sharing.ledger.size()
    w.clock.move(hours=2)
    out = w.contracts.withdraw(kim, c.id, "  다른 공급처를 찾음 / found another source ")
    assert out.state is S.WITHDRAWN and out.ended_by == "kim"
    assert out.ended_at == T0 + timedelta(hours=2) == out.updated_at
    assert out.end_reason == "다른 공급처를 찾음 / found another source"
    assert out.terms is None and out.starts_at is None and out.decided_by is None
    # the owner sees it, with the same record, in its list of ended contracts and by state
    seen = w.contracts.get(w.acme, c.id)
    assert seen == out and seen.to_json()["state"] == "withdrawn"
    assert [x.id for x in w.contracts.list(w.acme, role="owner", state="withdrawn")] == [c.id]
    assert w.contracts.list(w.acme, role="owner", state="requested") == []
    # a final state: nothing moves it, nothing is used under it; a new request may follow
    with pytest.raises(ContractEnded):
        w.contracts.authorize(kim, c.id, Access.READ, rows=1)
    again = w.contracts.request(kim, offer, Purpose.QUALITY)
    assert again.state is S.REQUESTED and again.id != c.id
    # Like a request, a decision or a decline, a withdrawal is kept on the contract; the usage
    # ledger records uses of the data (and the refused read above), not lifecycle moves.
    assert w.kamp.sharing.ledger.size() == entries + 1


def test_a_counter_offer_is_withdrawn_too_and_the_reason_is_optional(w: World) -> None:
    offer = w.offer(max_rows=100)
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    c = w.contracts.approve(w.acme, c.id, terms=narrower(offer, max_rows=10))
    assert c.state is S.COUNTERED
    out = w.contracts.withdraw(w.beta, c.id)
    assert out.state is S.WITHDRAWN and out.end_reason == "" and out.decided_by == "local-admin"
    with pytest.raises(InvalidInput) as info:  # the limit of every note
        w.contracts.withdraw(w.beta, w.contracts.request(w.beta, offer, Purpose.QUALITY).id,
                             "x" * 2001)  # fmt: skip
    assert info.value.code == "sharing.contract.text_too_long"


def test_wrong_withdrawals_are_refused_with_coded_texts_in_korean_and_english(w: World) -> None:
    offer = w.offer()
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY).id
    # the owner cannot withdraw the consumer's request (it rejects it, with a reason)
    with pytest.raises(Forbidden) as owner:
        w.contracts.withdraw(w.acme, c)
    assert owner.value.code == "sharing.contract.not_party"
    ko, en, _, _ = texts(owner.value)
    assert "데이터 이용 기관만" in ko and "요청 철회" in ko and "Only the consumer" in en
    # a viewer of the consumer reads, but does not withdraw; a third organisation sees nothing
    with pytest.raises(Forbidden):
        w.contracts.withdraw(as_user(w.beta, "v", Role.VIEWER), c)
    with pytest.raises(NotFound):
        w.contracts.withdraw(w.gamma, c)
    # an active contract is completed, not withdrawn: a conflict naming both states
    w.contracts.approve(w.acme, c)
    with pytest.raises(Conflict) as active:
        w.contracts.withdraw(w.beta, c)
    assert active.value.code == "sharing.contract.state"
    ko, en, _, _ = texts(active.value)
    assert "유효" in ko and "요청 철회" in ko and "요청됨, 조건 변경 제안됨" in ko
    assert "is active: it cannot withdraw" in en and "requested or countered" in en
    assert w.contracts.get(w.beta, c).state is S.ACTIVE
    # and a withdrawn one cannot be withdrawn (or accepted) again
    d = w.contracts.request(w.beta, w.offer(), Purpose.QUALITY).id
    w.contracts.withdraw(w.beta, d)
    for move in (w.contracts.withdraw, w.contracts.accept):
        with pytest.raises(Conflict) as twice:
            move(w.beta, d)
        ko, en, _, _ = texts(twice.value)
        assert "요청 철회됨" in ko and "is withdrawn" in en


# -- who accepted a counter-offer ------------------------------------------------------------------


def test_accepting_a_counter_offer_records_who_accepted_and_when(w: World) -> None:
    offer = w.offer(max_rows=100)
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY)
    w.clock.move(hours=1)
    c = w.contracts.approve(as_user(w.acme, "lee"), c.id, terms=narrower(offer, max_rows=10),
                            note="10행까지")  # fmt: skip
    assert (c.accepted_by, c.accepted_at) == (None, None)
    w.clock.move(hours=3)
    park = as_user(w.beta, "park")
    c = w.contracts.accept(park, c.id)
    assert c.state is S.ACTIVE and c.accepted_by == "park"
    assert c.accepted_at == c.starts_at == T0 + timedelta(hours=4)
    assert (c.decided_by, c.decided_at) == ("lee", T0 + timedelta(hours=1))  # the owner's part
    doc = w.contracts.get(w.acme, c.id).to_json()  # the owner sees it too
    assert doc["accepted_by"] == "park" and doc["accepted_at"] == "2026-12-01T13:00:00+00:00"
    # approved as offered: active at the owner's approval, nobody accepted anything
    d = w.contracts.approve(w.acme, w.contracts.request(w.beta, w.offer(), Purpose.QUALITY).id)
    assert d.state is S.ACTIVE and (d.accepted_by, d.accepted_at) == (None, None)


# -- a published offer is not edited; a draft is, with the checks of creation ----------------------


@pytest.fixture
def cw(tmp_path: Path) -> Iterator[catalog_support.World]:
    yield from catalog_support.world(tmp_path)


def test_a_published_or_withdrawn_offer_is_not_changed_and_the_hint_says_why(
    cw: catalog_support.World,
) -> None:
    cw.dataset()
    oid = cw.offer()["id"]
    cw.catalog.publish(cw.acme, oid)
    before = cw.catalog.get(cw.acme, oid)
    for state, ko_state, en_state in (("published", "공개", "published"),
                                      ("withdrawn", "철회", "withdrawn")):  # fmt: skip
        if state == "withdrawn":
            cw.catalog.withdraw(cw.acme, oid)
        with pytest.raises(Conflict) as info:
            cw.catalog.update(cw.acme, oid, description_en="Changed after publishing")
        assert info.value.code == "sharing.catalog.not_draft"
        ko, en, ko_hint, en_hint = texts(info.value)
        assert f"{ko_state} 상태라 고칠 수 없습니다" in ko and f"is {en_state}: only a draft" in en
        assert ko_hint and "철회하고" in ko_hint and "새 제공" in ko_hint
        assert en_hint and "withdraw this offer" in en_hint and "create a new one" in en_hint
        assert "contracts refer to" in en_hint and info.value.hint == en_hint
    after = cw.catalog.get(cw.acme, oid)
    assert after["description_en"] == before["description_en"]


BAD_EDITS: list[tuple[dict[str, Any], str]] = [
    ({"description_ko": "  "}, "sharing.catalog.text"),
    ({"description_en": "x" * 4001}, "sharing.catalog.text"),
    ({"equipment_type": "Press Machine"}, "sharing.catalog.equipment_type"),
    ({"industry": "29"}, "sharing.catalog.industry"),
    ({"problem": "magic"}, "sharing.catalog.problem"),
    ({"price": {"model": "metered", "per_row": 0.5}}, "sharing.price."),
    ({"price": {"model": "barter"}}, "sharing.price."),
    ({"policy": {"max_rows": -1}}, "sharing.catalog.policy_value"),
    ({"policy": {"industries": ["29"]}}, "sharing.catalog.policy_value"),
    ({"policy": {"colour": "red"}}, "sharing.catalog.policy_field"),
    ({"dataset": "nothing@1"}, "datasets."),
]


def test_a_draft_edit_is_checked_as_creation_and_changes_nothing_when_refused(
    cw: catalog_support.World,
) -> None:
    cw.dataset()
    oid = cw.offer()["id"]
    before = cw.catalog.get(cw.acme, oid)
    for changes, code in BAD_EDITS:
        with pytest.raises(OpenKampError) as info:
            cw.catalog.update(cw.acme, oid, **changes)
        assert (info.value.code or "").startswith(code), (changes, info.value.code)
        texts(info.value)
    assert cw.catalog.get(cw.acme, oid) == before


def test_every_field_of_a_draft_is_changed(cw: catalog_support.World) -> None:
    cw.dataset()
    oid = cw.offer()["id"]
    cw.clock[0] = catalog_support.T0 + timedelta(hours=2)
    cw.kamp.datasets.create(cw.acme, "shots", catalog_support.shots(n=250, seed=4),
                            catalog_support.COLUMNS)  # fmt: skip
    out = cw.catalog.update(
        cw.acme, oid, description_ko="새 설명", description_en="New description",
        equipment_type="press", industry="C2919", problem="quality",
        price={"model": "royalty", "rate": "0.05", "minimum": "10000"},
        policy={"purposes": ["research"], "industries": ["C29", "C30"], "max_trainings": 3},
        dataset="shots@2",  # coverage, certificate and preview computed again
    )  # fmt: skip
    assert (out["description_ko"], out["description_en"]) == ("새 설명", "New description")
    assert (out["equipment_type"], out["industry"], out["problem"]) == ("press", "C2919",
                                                                        "quality")  # fmt: skip
    assert out["price"] == {"model": "royalty", "currency": "KRW", "rate": "0.05",
                            "period": "month", "minimum": "10000"}  # fmt: skip
    policy = from_jsonld(out["policy"])
    kinds = {c.uid.rsplit("#", 1)[1] for c in policy.permissions[0].constraints}
    assert kinds == {"purpose", "industries", "max-trainings"}
    assert policy.target.endswith("/shots@2") and out["coverage"]["rows"] == 250
    assert out["state"] == "draft" and out["updated_at"] == cw.clock[0]


# -- the industry an industry clause needs ---------------------------------------------------------


def test_the_industry_check_of_an_offer_and_whom_to_ask(w: World) -> None:
    w.kamp.accounts.create_user(w.beta, "supplier_admin", "correct horse battery", role=Role.ADMIN,
                                display_name="박 관리자")  # fmt: skip
    w.kamp.accounts.create_user(w.beta, "supplier_eng", "correct horse battery",
                                role=Role.ENGINEER)  # fmt: skip
    sharing = w.kamp.sharing
    allowed = w.offer(industries=["C29", "C30"])
    excluded = w.offer(excluded_industries=["C29"])
    plain = w.offer(max_rows=10)
    w.set_industry(w.beta, None)
    check = sharing.offer_industry_check(w.beta, allowed)
    assert check is not None and check.met is None and check.industry is None
    assert check.allowed == ("C29", "C30") and check.excluded == () and check.can_set
    assert check.administrators == ("박 관리자 (supplier_admin)",)
    engineer = as_user(w.beta, "supplier_eng", Role.ENGINEER)
    seen = sharing.offer_industry_check(engineer, excluded)
    assert seen is not None and seen.excluded == ("C29",) and seen.met is None
    assert seen.to_json() == {"industry": None, "allowed": [], "excluded": ["C29"], "met": None,
                              "can_set": False,
                              "administrators": ["박 관리자 (supplier_admin)"]}  # fmt: skip
    assert sharing.offer_industry_check(w.beta, plain) is None
    # what the check says is what authorize does: refused while unknown, allowed once recorded
    c = w.contracts.request(w.beta, allowed, Purpose.QUALITY).id
    w.contracts.approve(w.acme, c)
    with pytest.raises(Forbidden) as refused:
        w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    assert refused.value.code == "policy.refused.industry_unknown"
    sharing.set_industry(w.beta, "C29")
    after = sharing.contract_industry_check(w.beta, c)
    assert after is not None and after.met is True and after.industry == "C29"
    w.contracts.authorize(w.beta, c, Access.READ, rows=1)
    miss = sharing.offer_industry_check(w.beta, excluded)
    assert miss is not None and miss.met is False
    # another organisation's unpublished offer stays "not found"
    draft = w.offer(state="draft", industries=["C29"])
    with pytest.raises(NotFound):
        sharing.offer_industry_check(w.beta, draft)


def test_a_contract_is_checked_against_its_agreed_terms(w: World) -> None:
    offer = w.offer(industries=["C29"])
    w.set_industry(w.beta, "C29")
    c = w.contracts.request(w.beta, offer, Purpose.QUALITY).id
    before = w.kamp.sharing.contract_industry_check(w.beta, c)  # the offer's, not yet decided
    assert before is not None and before.allowed == ("C29",) and before.met is True
    w.contracts.approve(w.acme, c, terms=narrower(offer, industries=["C30"]))
    after = w.kamp.sharing.contract_industry_check(w.beta, c)
    assert after is not None and after.allowed == ("C30",) and after.met is False
    with pytest.raises(NotFound):
        w.kamp.sharing.contract_industry_check(w.gamma, c)


# -- migration 0013 --------------------------------------------------------------------------------


def test_migration_0013_goes_down_and_up(w: World) -> None:
    from alembic import command

    from openkamp.storage.metadata.migrate import alembic_config

    offer = w.offer(max_rows=100)
    gone = w.contracts.request(w.beta, offer, Purpose.QUALITY).id
    w.contracts.withdraw(w.beta, gone, "not needed")
    kept = w.contracts.request(w.beta, offer, Purpose.QUALITY).id
    w.contracts.approve(w.acme, kept, terms=narrower(offer, max_rows=5))
    w.contracts.accept(w.beta, kept)
    engine = w.kamp.meta.engine  # type: ignore[attr-defined]
    db = engine.url.database
    cfg = alembic_config(engine)
    command.downgrade(cfg, "0012")
    con = sqlite3.connect(db)
    try:
        columns = {r[1] for r in con.execute("PRAGMA table_info(contracts)")}
        states = dict(con.execute("SELECT id, state FROM contracts").fetchall())
    finally:
        con.close()
    assert not {"accepted_by", "accepted_at"} & columns
    assert states == {gone: "rejected", kept: "active"}  # older code knows no 'withdrawn'
    command.upgrade(cfg, "head")
    again = w.contracts.get(w.beta, kept)
    assert again.state is S.ACTIVE and (again.accepted_by, again.accepted_at) == (None, None)
