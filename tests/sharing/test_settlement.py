"""Settlement (openkamp.sharing.settlement): each price model's charges on known usage, computed
by hand; pooled payments split by contribution; statements and invoices that add up to the won
for any amounts and shares (hypothesis); floats refused everywhere money is given."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, system_principal
from openkamp.i18n import error_text
from openkamp.sharing.ledger import Ledger
from openkamp.sharing.settlement import (
    Bill,
    Charge,
    Period,
    PooledPayment,
    Usage,
    charges_for,
    invoice,
    round_won,
    split_by_shares,
    statement,
)
from openkamp.sharing.settlement_service import SettlementService
from openkamp.storage import open_metadata
from openkamp.storage.metadata.migrate import alembic_config
from openkamp.storage.metadata.schema import contracts, offers
from openkamp.storage.testing.sql_backends import BACKENDS, RawConnection, metadata_url

KST = timezone(timedelta(hours=9))
DEC = Period(2026, 12)  # 31 days
NOV = Period(2026, 11)  # 30 days

METERED = {
    "model": "metered",
    "rates": [
        {"unit": "rows_1000", "amount": "500", "included": 10000},
        {"unit": "query", "amount": "0.5"},
        {"unit": "training", "amount": "20000"},
    ],
}


def kinds(bill: Bill) -> list[tuple[str, Decimal]]:
    return [(c.kind, c.amount) for c in bill.charges]


# -- periods ------------------------------------------------------------------------------------


def test_period_parsing_and_days() -> None:
    assert Period.parse("2026-12") == DEC and DEC.key == "2026-12" and DEC.days == 31
    assert Period.parse("2028-02").days == 29 and Period.parse("2026-02").days == 28
    assert NOV.days == 30
    for bad in ("2026-13", "2026/12", "2026-1", "december", "1999-12"):
        with pytest.raises(InvalidInput) as info:
            Period.parse(bad)
        assert info.value.code == "sharing.settlement.period"


def test_active_days_count_any_part_of_a_day_in_korean_time() -> None:
    # 22 Dec 10:00 KST (01:00 UTC): 22..31 December
    assert DEC.active_days(datetime(2026, 12, 22, 1, tzinfo=UTC)) == 10
    # 30 Nov 16:00 UTC is 1 Dec 01:00 in Seoul: not active in November, all of December
    start = datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert NOV.active_days(start) == 0 and DEC.active_days(start) == 31
    assert DEC.active_days(start, tz="UTC") == 31 and NOV.active_days(start, tz="UTC") == 1
    # the end is exclusive: ending at midnight of the 16th leaves 1..15 active
    assert (
        DEC.active_days(datetime(2026, 11, 1, tzinfo=KST), datetime(2026, 12, 16, tzinfo=KST)) == 15
    )
    # ending one second after midnight counts the 16th
    end = datetime(2026, 12, 16, 0, 0, 1, tzinfo=KST)
    assert DEC.active_days(datetime(2026, 11, 1, tzinfo=KST), end) == 16
    # active within one day
    assert (
        DEC.active_days(datetime(2026, 12, 5, 9, tzinfo=KST), datetime(2026, 12, 5, 10, tzinfo=KST))
        == 1
    )
    # ended before the month / not started
    assert (
        DEC.active_days(datetime(2026, 10, 1, tzinfo=KST), datetime(2026, 11, 5, tzinfo=KST)) == 0
    )
    assert DEC.active_days(None) == 0
    with pytest.raises(InvalidInput) as info:
        DEC.active_days(datetime(2026, 12, 1))
    assert info.value.code == "sharing.settlement.naive_time"


# -- each price model on known usage ------------------------------------------------------------


def test_flat_fee_prorated_by_active_days() -> None:
    flat = {"model": "flat", "amount": "310000"}
    whole = Usage.of_contract(DEC, starts_at=datetime(2026, 11, 3, tzinfo=KST))
    assert kinds(charges_for(flat, whole, DEC)) == [("flat", Decimal(310000))]
    part = Usage.of_contract(DEC, starts_at=datetime(2026, 12, 22, 1, tzinfo=UTC))
    bill = charges_for(flat, part, DEC)
    assert kinds(bill) == [("flat", Decimal(100000))]  # 310,000 × 10 / 31
    assert dict(bill.charges[0].basis) == {"monthly": "310000", "active_days": 10, "days": 31}
    # 1,000,000 × 1 / 30 = 33,333.33… -> 33,333
    assert (
        charges_for({"model": "flat", "amount": "1000000"}, Usage(active_days=1), NOV).total
        == 33333
    )
    # 3 × 5 / 30 = 0.5 -> 1 (half up); 3 × 4 / 30 = 0.4 -> 0
    assert charges_for({"model": "flat", "amount": "3"}, Usage(active_days=5), NOV).total == 1
    assert charges_for({"model": "flat", "amount": "3"}, Usage(active_days=4), NOV).total == 0
    # not active in the month: nothing owed
    assert charges_for(flat, Usage(), DEC).charges == ()


def test_metered_per_unit_with_included_units_and_a_cap() -> None:
    usage = Usage(rows=12345, queries=7, trainings=2, active_days=31)
    bill = charges_for(METERED, usage, DEC)
    # rows: (12,345 − 10,000) × 500 / 1,000 = 1,172.5 -> 1,173; queries 7 × 0.5 = 3.5 -> 4;
    # trainings 2 × 20,000 = 40,000
    assert kinds(bill) == [
        ("metered", Decimal(1173)),
        ("metered", Decimal(4)),
        ("metered", Decimal(40000)),
    ]
    assert bill.total == 41177
    rows = dict(bill.charges[0].basis)
    assert rows == {"unit": "rows_1000", "counter": "rows", "used": 12345, "included": 10000,
                    "billable": 2345, "unit_price": "500", "per": 1000}  # fmt: skip
    capped = charges_for({**METERED, "cap": "30000"}, usage, DEC)
    assert kinds(capped)[-1] == ("cap", Decimal(-11177)) and capped.total == 30000
    # under the cap: no cap line
    assert kinds(charges_for({**METERED, "cap": "50000"}, usage, DEC))[-1][0] == "metered"
    # within the included rows: 0 won
    small = charges_for(METERED, Usage(rows=5000, active_days=3), DEC)
    assert small.charges[0].amount == 0 and small.total == 0
    # one row at 500 won per 1,000 rows = 0.5 -> 1 (half up)
    one = charges_for(
        {"model": "metered", "unit": "rows_1000", "amount": "500"}, Usage(rows=1), DEC
    )
    assert one.total == 1


def test_each_charge_explains_its_basis_in_korean_and_english() -> None:
    usage = Usage(rows=12345, queries=7, trainings=2, active_days=10, revenue="12345678")
    rows, _, _, cap = charges_for({**METERED, "cap": "30000"}, usage, DEC).charges
    assert rows.explain("ko") == "2,345행 × 1,000행당 500원 (이용 12,345행, 무료 10,000행)"
    assert rows.explain("en") == "2,345 rows × KRW 500 per 1,000 rows (used 12,345, 10,000 free)"
    assert cap.explain("ko") == "월 상한 30,000원 적용 (종량 합계 41,177원)"
    flat = charges_for({"model": "flat", "amount": "310000"}, usage, DEC).charges[0]
    assert flat.explain("ko") == "월 310,000원 × 10/31일" and flat.label("en") == "Flat fee"
    royalty = {"model": "royalty", "rate": "0.025", "minimum": "1000000"}
    r, m = charges_for(royalty, usage, DEC).charges
    assert r.explain("en") == "reported revenue KRW 12,345,678 × 2.5%"
    assert m.explain("ko") == (
        "월 최소 보장 1,000,000원 × 10/31일 = 322,581원, 로열티 308,642원과의 차액"
    )
    assert Charge("other", Decimal(1)).explain("ko") == ""


def test_lump_sum_only_in_the_month_of_activation() -> None:
    lump = {"model": "lump_sum", "amount": "5000000"}
    start = datetime(2026, 11, 20, tzinfo=KST)
    assert charges_for(lump, Usage.of_contract(NOV, starts_at=start), NOV).total == 5000000
    assert charges_for(lump, Usage.of_contract(DEC, starts_at=start), DEC).charges == ()


def test_royalty_with_a_minimum_guarantee() -> None:
    royalty = {"model": "royalty", "rate": "0.03", "minimum": "500000"}
    # 3 % of 12,345,678 = 370,370.34 -> 370,370; topped up to the minimum 500,000
    bill = charges_for(royalty, Usage(active_days=31, revenue=Decimal("12345678")), DEC)
    assert kinds(bill) == [("royalty", Decimal(370370)), ("minimum", Decimal(129630))]
    assert bill.total == 500000
    # above the minimum: no top-up
    big = charges_for(royalty, Usage(active_days=31, revenue="20000000"), DEC)
    assert kinds(big) == [("royalty", Decimal(600000))]
    # the minimum is prorated: 10 of 31 days -> 161,290.32… -> 161,290
    part = charges_for(royalty, Usage(active_days=10, revenue="0"), DEC)
    assert part.total == 161290
    # revenue with fractions of a won: 0.03 × 16.5 = 0.495 -> 0
    assert charges_for({"model": "royalty", "rate": "0.03"}, Usage(revenue="16.5"), DEC).total == 0


def test_charges_for_checks_its_inputs() -> None:
    with pytest.raises(InvalidInput) as info:
        charges_for({"model": "flat", "amount": "1"}, Usage(active_days=31), NOV)
    assert info.value.code == "sharing.settlement.active_days"
    with pytest.raises(InvalidInput) as info:
        Usage(rows=-1)
    assert info.value.code == "sharing.settlement.count"
    with pytest.raises(InvalidInput):
        Usage(rows=True)  # type: ignore[arg-type]


def test_round_won_is_half_up_and_exact() -> None:
    assert round_won(Decimal("0.5")) == 1 and round_won(Decimal("1.4999999999")) == 1
    assert round_won(Decimal("2.5")) == 3  # not banker's rounding
    assert round_won(Decimal("-0.5")) == -1  # away from zero, as ROUND_HALF_UP
    assert round_won(Decimal("123456789012345678.5")) == Decimal("123456789012345679")


# -- floats are refused wherever money is given -------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: charges_for({"model": "flat", "amount": 100.0}, Usage(), DEC),
        lambda: Usage(revenue=1000.5),  # type: ignore[arg-type]
        lambda: split_by_shares(100.0, {1: 1.0}),  # type: ignore[arg-type]
        lambda: PooledPayment("m", 2, 1000.0, {1: 1.0}),  # type: ignore[arg-type]
        lambda: statement(1, DEC, [], fee_rate=0.1),  # type: ignore[arg-type]
    ],
)
def test_a_float_amount_is_refused(call: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        call()
    assert info.value.code == "sharing.price.float"
    assert "float" in error_text(info.value, "en")[0]


# -- pooled payments, statements and invoices -----------------------------------------------------


def test_pooled_payment_split_by_contribution() -> None:
    # owner 5's share is negative: clipped to 0
    pooled = PooledPayment("model:7", 2, Decimal(1000000), {1: 0.5, 9: 0.3, 5: -0.2, 6: 0.2})
    assert pooled.split() == {1: 500000, 9: 300000, 5: 0, 6: 200000}
    # 100 won over three equal shares: 34, 33, 33 (the tie goes to the first)
    assert split_by_shares(100, {"a": 1.0, "b": 1.0, "c": 1.0}) == {"a": 34, "b": 33, "c": 33}
    # nobody contributed: equal split
    assert split_by_shares(10, {1: 0.0, 2: -1.0, 3: 0.0}) == {1: 4, 2: 3, 3: 3}
    assert split_by_shares(0, {}) == {}
    with pytest.raises(InvalidInput) as info:
        split_by_shares(10, {})
    assert info.value.code == "sharing.settlement.no_owners"
    for bad in (float("nan"), float("inf"), "0.5"):
        with pytest.raises(InvalidInput) as info:
            split_by_shares(10, {1: bad})
        assert info.value.code == "sharing.settlement.share"


def _world() -> tuple[list[Bill], list[PooledPayment]]:
    full = Usage(rows=12345, queries=7, trainings=2, active_days=31)
    bills = [
        charges_for({"model": "flat", "amount": "100000"}, Usage(active_days=31), DEC,
                    contract_id=10, owner_org_id=1, consumer_org_id=2, dataset="press@3"),
        charges_for({"model": "flat", "amount": "50000"}, Usage(active_days=31), DEC,
                    contract_id=11, owner_org_id=1, consumer_org_id=3, dataset="press@3"),
        charges_for(METERED, full, DEC, contract_id=12, owner_org_id=9, consumer_org_id=2,
                    dataset="cnc@1"),
    ]  # fmt: skip
    pooled = [PooledPayment("model:7", 2, Decimal(1000000), {1: 0.5, 9: 0.3, 5: -0.2, 6: 0.2},
                            contracts={1: 13, 9: 14}, datasets={1: "welding@2"})]  # fmt: skip
    return bills, pooled


def test_owner_statement_lines_fee_and_views() -> None:
    bills, pooled = _world()
    s = statement(1, DEC, bills, pooled=pooled, fee_rate="0.1")
    owner = [(line.kind, line.contract_id, line.gross, line.fee, line.amount) for line in s.lines]
    # fee 10 % of 650,000 = 65,000, divided in proportion to the lines' gross
    assert owner == [
        ("contract", 10, 100000, 10000, 90000),
        ("contract", 11, 50000, 5000, 45000),
        ("pooled", 13, 500000, 50000, 450000),
        ("platform_fee", None, 0, 0, 65000),
    ]
    assert (s.revenue, s.fee, s.payout) == (650000, 65000, 585000)
    assert sum(line.amount for line in s.lines) == s.revenue
    assert s.lines[2].share == "0.5" and s.lines[2].pooled_ref == "model:7"
    assert s.lines[0].charges == bills[0].charges  # each line keeps its basis
    assert s.by_dataset() == {"press@3": 135000, "welding@2": 450000}
    assert s.by_consumer() == {2: 540000, 3: 45000}
    doc = s.to_json()
    assert doc["revenue"] == "650000" and doc["vat"] == "excluded"
    assert not _floats(doc)
    # the other owner: its metered bill and its pooled part, no fee by default
    other = statement(9, DEC, bills, pooled=pooled)
    assert [(line.kind, line.amount) for line in other.lines] == [
        ("contract", 41177), ("pooled", 300000), ("platform_fee", 0)]  # fmt: skip
    # an owner with nothing this month: only the (zero) fee line
    assert statement(42, DEC, bills, pooled=pooled).revenue == 0


def test_consumer_invoice_matches_the_owners_statements() -> None:
    bills, pooled = _world()
    inv = invoice(2, DEC, bills, pooled=pooled)
    assert [(line.kind, line.amount) for line in inv.lines] == [
        ("contract", 100000), ("contract", 41177), ("pooled", 1000000)]  # fmt: skip
    assert inv.total == 1141177 and not _floats(inv.to_json())
    assert invoice(3, DEC, bills, pooled=pooled).total == 50000
    owners = (1, 9, 5, 6)
    paid = sum(invoice(c, DEC, bills, pooled=pooled).total for c in (2, 3))
    assert sum(statement(o, DEC, bills, pooled=pooled).revenue for o in owners) == paid


def test_statement_refuses_bills_of_another_month() -> None:
    bills, _ = _world()
    with pytest.raises(InvalidInput) as info:
        statement(1, NOV, bills)
    assert info.value.code == "sharing.settlement.other_period"
    with pytest.raises(InvalidInput) as info:
        statement(1, DEC, bills, fee_rate="1.5")
    assert info.value.code == "sharing.price.rate"


def _floats(obj: object) -> bool:
    if isinstance(obj, float):
        return True
    if isinstance(obj, dict):
        return any(_floats(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(_floats(v) for v in obj)
    return False


# -- properties -----------------------------------------------------------------------------------

shares_st = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 0.1, 1 / 3, -0.5, 1e-300, 5e-324]),
    st.integers(min_value=-5, max_value=5),
)
amount_st = st.integers(min_value=0, max_value=10**15)


@settings(max_examples=300, deadline=None)
@given(amount=amount_st, shares=st.lists(shares_st, min_size=1, max_size=30))
def test_split_is_whole_non_negative_and_exact(amount: int, shares: list[float]) -> None:
    parts = split_by_shares(Decimal(amount), dict(enumerate(shares)))
    assert sum(parts.values()) == amount
    assert all(p >= 0 and p == p.to_integral_value() for p in parts.values())
    if any(s > 0 for s in shares):  # a clipped share earns nothing
        assert all(parts[i] == 0 for i, s in enumerate(shares) if s <= 0)


@settings(max_examples=300, deadline=None)
@given(
    amount=amount_st,
    others=st.lists(shares_st, max_size=25),
    tie=shares_st,
    ties=st.integers(min_value=2, max_value=5),
    data=st.data(),
)
def test_identical_shares_get_amounts_within_one_won(
    amount: int, others: list[float], tie: float, ties: int, data: st.DataObject
) -> None:
    shares = list(others)
    for _ in range(ties):  # the tied owners anywhere in the list
        shares.insert(data.draw(st.integers(min_value=0, max_value=len(shares))), tie)
    parts = split_by_shares(amount, dict(enumerate(shares)))
    tied = [parts[i] for i, s in enumerate(shares) if s == tie]
    assert max(tied) - min(tied) <= 1


@settings(max_examples=150, deadline=None)
@given(
    bills=st.lists(
        st.tuples(st.integers(1, 30), st.integers(100, 103), st.integers(0, 10**12)), max_size=40
    ),
    payments=st.lists(
        st.tuples(
            st.integers(100, 103),
            st.integers(0, 10**12),
            st.dictionaries(st.integers(1, 30), shares_st, min_size=1, max_size=30),
        ),
        max_size=5,
    ),
    fee=st.decimals(min_value=0, max_value=1, places=4),
)
def test_statements_add_up_to_the_won(
    bills: list[tuple[int, int, int]],
    payments: list[tuple[int, int, dict[int, float]]],
    fee: Decimal,
) -> None:
    flat = [
        charges_for({"model": "flat", "amount": str(a)}, Usage(active_days=31), DEC,
                    contract_id=i, owner_org_id=o, consumer_org_id=c, dataset=f"d{o}")
        for i, (o, c, a) in enumerate(bills)
    ]  # fmt: skip
    pooled = [PooledPayment(f"m{i}", c, Decimal(a), s) for i, (c, a, s) in enumerate(payments)]
    revenue = Decimal(0)
    for owner in range(1, 31):
        s = statement(owner, DEC, flat, pooled=pooled, fee_rate=fee)
        for line in s.lines:
            assert line.amount >= 0 and line.amount == line.amount.to_integral_value()
            assert line.fee <= line.gross or line.kind == "platform_fee"
        assert sum(line.amount for line in s.lines) == s.revenue
        assert s.fee == round_won(s.revenue * fee)
        revenue += s.revenue
    # everything consumers paid reaches exactly one owner's statement
    assert revenue == sum(invoice(c, DEC, flat, pooled=pooled).total for c in range(100, 104))
    assert revenue == sum(a for _, _, a in bills) + sum(a for _, a, _ in payments)


# -- the settlement service: stored bills, issued statements, scoping ----------------------------


@dataclass
class Store:
    meta: Any
    ledger: Any
    svc: SettlementService
    acme: Principal  # the factory offering data
    beta: Principal  # the supplier using it
    gamma: Principal  # another factory
    offer: int

    def contract(self, price: dict[str, Any], *, owner: Principal | None = None,
                 consumer: Principal | None = None, starts_at: datetime | None = None,
                 ends_at: datetime | None = None, state: str = "active") -> int:  # fmt: skip
        """A contract row as the contract service leaves it (written straight into the table)."""
        owner, consumer = owner or self.acme, consumer or self.beta
        # stored in UTC, as the contract store does (SQLite keeps no offset)
        starts_at, ends_at = (
            None if t is None else t.astimezone(UTC) for t in (starts_at, ends_at)
        )
        with self.meta._write() as conn:
            return int(conn.execute(contracts.insert().values(
                org_id=owner.org_id, offer_id=self.offer, consumer_org_id=consumer.org_id,
                purpose="quality", state=state, price=json.dumps(price), starts_at=starts_at,
                ends_at=ends_at, secret_id=uuid.uuid4().hex, created_at=T0, updated_at=T0,
            ).returning(contracts.c.id)).scalar())  # fmt: skip


T0 = datetime(2026, 11, 20, tzinfo=KST)


@pytest.fixture(params=BACKENDS)
def s(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    with metadata_url(request.param, tmp_path) as url:
        yield from _store(url, tmp_path)


def _store(url: str, tmp_path: Path) -> Iterator[Store]:
    meta = open_metadata(url)
    ids = [int(meta.create_org(n)["id"]) for n in ("acme", "beta", "gamma")]
    dataset = meta.insert(ids[0], "dataset", {
        "name": "press-shots", "version": 3, "origin": "records", "rows": 100,
        "schema_hash": "s" * 16, "content_sha256": "c" * 64, "file_key": "datasets/x.parquet",
    })  # fmt: skip
    with meta._write() as conn:
        offer = conn.execute(offers.insert().values(
            org_id=ids[0], name="press", dataset_id=dataset["id"], dataset_name="press-shots",
            dataset_version=3, schema_hash="s" * 16, content_hash="c" * 16, state="published",
            created_at=T0, updated_at=T0,
        ).returning(offers.c.id)).scalar()  # fmt: skip
    ledger = Ledger.at(meta, tmp_path)
    acme, beta, gamma = (system_principal(i) for i in ids)
    try:
        yield Store(meta, ledger, SettlementService(meta, ledger=ledger, clock=lambda: T0),
                    acme, beta, gamma, int(offer))  # fmt: skip
    finally:
        meta.close()


def test_owner_settles_a_contract_from_its_dates(s: Store) -> None:
    # active from 22 Dec 10:00 KST: 10 of 31 days of 310,000 won
    cid = s.contract({"model": "flat", "amount": "310000"},
                     starts_at=datetime(2026, 12, 22, 1, tzinfo=UTC))  # fmt: skip
    bill = s.svc.settle_contract(s.acme, cid, "2026-12")
    assert bill.total == 100000 and bill.dataset == "press-shots@3"
    assert (bill.owner_org_id, bill.consumer_org_id) == (s.acme.org_id, s.beta.org_id)
    assert s.svc.settle_contract(s.acme, cid, "2026-11").charges == ()  # not active yet
    # revoked on 27 Jan 00:00 KST: 26 days of January
    ended = s.contract({"model": "flat", "amount": "310000"}, starts_at=T0, state="revoked")
    with s.meta._write() as conn:
        conn.execute(contracts.update().where(contracts.c.id == ended)
                     .values(ended_at=datetime(2027, 1, 27, tzinfo=KST).astimezone(UTC)))  # fmt: skip
    assert s.svc.settle_contract(s.acme, ended, "2027-01").total == 260000
    # settling again replaces the month's bill: one per contract and month
    metered = s.contract({"model": "metered", "unit": "rows_1000", "amount": "500"}, starts_at=T0)
    s.svc.settle_contract(s.acme, metered, "2026-12", rows=4000)
    s.svc.settle_contract(s.acme, metered, "2026-12", rows=6000)
    stored = {b.contract_id: b.total for b in s.svc.bills(s.acme, "2026-12")}
    assert stored == {cid: 100000, metered: 3000}
    # the consumer sees the same bills from its side; a third organisation sees none
    assert {b.contract_id for b in s.svc.bills(s.beta, "2026-12", role="consumer")} == {
        cid,
        metered,
    }
    assert s.svc.bills(s.gamma, "2026-12", role="consumer") == []
    assert s.svc.bills(s.beta, "2026-12") == []  # beta owns nothing


def test_only_the_owners_admin_settles(s: Store) -> None:
    cid = s.contract({"model": "flat", "amount": "1000"}, starts_at=T0)
    for who in (s.beta, s.gamma):
        with pytest.raises(NotFound) as info:
            s.svc.settle_contract(who, cid, "2026-12")
        assert info.value.code == "sharing.settlement.contract"
    viewer = Principal(org_id=s.acme.org_id, name="v", roles=frozenset({Role.VIEWER}))
    with pytest.raises(Forbidden):
        s.svc.settle_contract(viewer, cid, "2026-12")


def test_issued_statement_is_stored_in_the_ledger_and_immutable(s: Store) -> None:
    c1 = s.contract({"model": "flat", "amount": "310000"}, starts_at=T0)
    c2 = s.contract({"model": "royalty", "rate": "0.03", "minimum": "100000"}, starts_at=T0)
    s.svc.settle_contract(s.acme, c1, "2026-12")
    s.svc.settle_contract(s.acme, c2, "2026-12", revenue="12345678")  # 370,370 won
    preview = s.svc.preview(s.acme, "2026-12", fee_rate="0.05")
    issued = s.svc.issue(s.acme, "2026-12", fee_rate="0.05")
    st = issued.statement
    assert st == preview
    assert (st.revenue, st.fee, st.payout) == (680370, 34019, 646351)  # 5 % of 680,370 = 34,018.5
    assert sum(line.amount for line in st.lines) == st.revenue
    # the ledger holds a settlement entry with the statement's digest
    entry = s.ledger.entry(issued.ledger_index)
    assert entry.kind == "settlement" and entry.details["digest"] == issued.digest
    assert entry.details["payout"] == "646351" and "beta" in entry.parties
    assert s.ledger.verify().ok
    # read back as stored, only by the owner
    again = s.svc.statement(s.acme, issued.id)
    assert again.statement == st and again.digest == issued.digest
    assert [i.id for i in s.svc.statements(s.acme)] == [issued.id]
    for who in (s.beta, s.gamma):
        with pytest.raises(NotFound):
            s.svc.statement(who, issued.id)
    assert s.svc.earnings(s.acme) == {"by_dataset": {"press-shots@3": "646351"},
                                      "by_consumer": {str(s.beta.org_id): "646351"}}  # fmt: skip
    # the month is closed: no second statement, no changed charges
    for call in (lambda: s.svc.issue(s.acme, "2026-12"),
                 lambda: s.svc.settle_contract(s.acme, c1, "2026-12")):  # fmt: skip
        with pytest.raises(Conflict) as info:
            call()
        assert info.value.code == "sharing.settlement.issued"
        assert "발행" in error_text(info.value, "ko")[0]
    # and the database refuses to change the stored statement
    with RawConnection(s.meta.url) as raw:
        for sql in ("UPDATE statements SET payout = '1'", "DELETE FROM statement_lines"):
            with pytest.raises(raw.refused, match="immutable"):
                raw.execute(sql)
    # the next month is open
    s.svc.settle_contract(s.acme, c1, "2027-01")


def test_pooled_payment_split_by_a_stored_valuation(s: Store) -> None:
    shares = {s.acme.org_id: 0.7, s.gamma.org_id: 0.3}
    v = s.svc.record_valuation(s.beta, "model:7", {**shares}, method="exact", metric="f1",
                               full_value=0.91)  # fmt: skip
    assert v.shares == shares and v.method == "exact"
    # an owner named in the valuation may read it; a stranger may not
    assert s.svc.valuation(s.gamma, v.id).pooled_ref == "model:7"
    paid = s.svc.record_pooled(s.beta, v.id, "2026-12", "1000001",
                               contracts={}, datasets={s.acme.org_id: "press-shots@3"})  # fmt: skip
    assert paid.split() == {s.acme.org_id: 700001, s.gamma.org_id: 300000}
    with pytest.raises(Forbidden):  # only the consumer that trained it records the payment
        s.svc.record_pooled(s.acme, v.id, "2026-12", "5")
    acme = s.svc.preview(s.acme, "2026-12")
    gamma = s.svc.preview(s.gamma, "2026-12")
    assert [(ln.kind, ln.amount) for ln in acme.owner_lines] == [("pooled", 700001)]
    assert [(ln.kind, ln.amount) for ln in gamma.owner_lines] == [("pooled", 300000)]
    assert acme.owner_lines[0].dataset == "press-shots@3"
    inv = s.svc.invoice(s.beta, "2026-12")
    assert inv.total == 1000001 == acme.revenue + gamma.revenue
    # once gamma issued its December statement, the payment cannot change
    s.svc.issue(s.gamma, "2026-12")
    with pytest.raises(Conflict):
        s.svc.record_pooled(s.beta, v.id, "2026-12", "2000000")
    with pytest.raises(InvalidInput) as info:
        s.svc.record_valuation(s.beta, "model:8", {s.acme.org_id: float("nan")}, method="exact")
    assert info.value.code == "sharing.settlement.share"
    with pytest.raises(InvalidInput) as info:
        s.svc.record_valuation(s.beta, "model:8", shares, method="guess")
    assert info.value.code == "sharing.settlement.method"


def test_migration_0011_goes_down_and_up(s: Store) -> None:
    cfg = alembic_config(s.meta.engine)
    command.downgrade(cfg, "0010")
    with RawConnection(s.meta.url) as raw:
        assert not raw.tables() & {"charges", "statements", "statement_lines", "valuations"}
    command.upgrade(cfg, "head")
    cid = s.contract({"model": "lump_sum", "amount": "5000000"}, starts_at=T0)
    s.svc.settle_contract(s.acme, cid, "2026-11")
    assert s.svc.issue(s.acme, "2026-11").statement.revenue == 5000000
