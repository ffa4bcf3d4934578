"""Settling a month from the usage ledger (issue 11, item 6): what the owner's consumers owe
under each contract, the owner's statement, the consumer's invoices, the owner's earnings.

::

    kamp.sharing.settle(factory, "2026-12")     # every contract of the month, then the statement
    kamp.sharing.statements(factory)            # issued statements, oldest month first
    kamp.sharing.invoices(supplier)             # the consumer's invoices, per month
    kamp.sharing.earnings(factory)              # per dataset and per consumer

**The month's usage comes from the ledger**, not from the contracts' cumulative counters: the
allowed ``access`` / ``export`` / ``training`` entries of the contract whose time falls in the
month (calendar month in the settlement's time zone) are counted as the counters count them
(each allowed use is one query; its ``rows``; a ``training`` entry is one training). So a
statement can be recomputed by anyone holding the ledger entries, and a use lies in exactly one
month. The contracts settled are those of the owner active for any part of the month
(:meth:`Period.active_days` > 0). A royalty's revenue is the consumer's report, given as
``revenue={contract_id: "won"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from openkamp.core.tenancy import Principal, Role, require
from openkamp.sharing.ledger import Ledger
from openkamp.sharing.settlement import Invoice, Period
from openkamp.sharing.settlement_service import IssuedStatement, SettlementService, _end_of

__all__ = ["MonthUsage", "invoices", "month_usage", "settle"]

_PAGE = 5000


@dataclass
class MonthUsage:
    """A contract's uses in one month, counted from its ledger entries."""

    rows: int = 0
    queries: int = 0
    trainings: int = 0
    entries: int = 0


def month_usage(
    ledger: Ledger, owner_org_id: int, period: Period, tz: str
) -> dict[int, MonthUsage]:
    """Per contract of the owner: the allowed uses whose ledger time lies in ``period``."""
    start, end = period.bounds(tz)
    out: dict[int, MonthUsage] = {}
    after = -1
    while True:
        page = ledger.entries(owner_org_id, after=after, limit=_PAGE)
        for e in page:
            if e.kind not in ("access", "export", "training") or e.contract is None:
                continue
            if e.details.get("allowed", True) is False or not start <= e.at < end:
                continue
            u = out.setdefault(int(e.contract), MonthUsage())
            rows = e.details.get("rows", 0)
            u.rows += rows if isinstance(rows, int) and not isinstance(rows, bool) else 0
            u.queries += 1
            u.trainings += 1 if e.kind == "training" else 0
            u.entries += 1
        if len(page) < _PAGE:
            return out
        after = page[-1].index


def settle(
    settlement: SettlementService,
    ledger: Ledger,
    principal: Principal,
    month: Period | str,
    *,
    fee_rate: Decimal | str = "0",
    revenue: Mapping[int, Decimal | str | int] | None = None,
) -> IssuedStatement:
    """Bill every contract of the principal's organisation active in ``month`` from the month's
    ledger entries, then issue the owner's statement (immutable; its digest in the ledger)."""
    require(principal, Role.ADMIN)
    period = Period.parse(month)
    usage = month_usage(ledger, principal.org_id, period, settlement.tz)
    reported = dict(revenue or {})
    for rec in _contracts_of(settlement, principal.org_id):
        starts = rec.get("starts_at")
        if starts is None or period.active_days(starts, _end_of(rec), settlement.tz) <= 0:
            continue
        u = usage.get(int(rec["id"]), MonthUsage())
        settlement.settle_contract(
            principal, int(rec["id"]), period, rows=u.rows, queries=u.queries,
            trainings=u.trainings, revenue=reported.get(int(rec["id"]), 0),
        )  # fmt: skip
    return settlement.issue(principal, period, fee_rate=fee_rate)


def invoices(settlement: SettlementService, principal: Principal) -> list[Invoice]:
    """The consumer's invoices, one per month it was billed in, oldest first."""
    require(principal, Role.VIEWER)
    months = sorted({str(r["period"]) for r in settlement.store.charges(consumer=principal.org_id)})
    return [settlement.invoice(principal, m) for m in months]


def _contracts_of(settlement: SettlementService, owner: int) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from openkamp.storage.metadata.schema import contracts

    c = contracts.c
    with settlement.meta._read() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(contracts).where(c.org_id == int(owner), c.starts_at.is_not(None)).order_by(c.id)
        ).all()
    out = []
    for r in rows:
        rec = dict(r._mapping)
        for key, value in rec.items():
            if isinstance(value, datetime) and value.tzinfo is None:
                rec[key] = value.replace(tzinfo=UTC)
        out.append(rec)
    return out
