"""The settlement service (issue 11): stores what consumers owe (charges) and the owners'
statements, scoped to the organisations concerned. The arithmetic is
:mod:`openkamp.sharing.settlement`'s; this module reads contracts and valuations, stores bills,
and issues statements.

- An **owner** (admin of the offering organisation) settles each of its contracts for a month
  (:meth:`SettlementService.settle_contract`: the contract's price applied to the month's usage,
  the active days taken from the contract's dates) and issues its statement for the month
  (:meth:`~SettlementService.issue`), after which the month's charges of that owner are frozen
  and the statement is immutable (the database refuses changes too). Issuing appends a
  ``settlement`` entry to the usage ledger (when the service has one) in the same transaction,
  with the statement's digest.
- A **consumer** records the valuation of a pooled model it trained
  (:meth:`~SettlementService.record_valuation`) and what it pays for that model
  (:meth:`~SettlementService.record_pooled`); the owners' shares come from the valuation. It
  sees its invoice for a month (:meth:`~SettlementService.invoice`).
- Reads are scoped: an owner sees its bills and statements, a consumer its bills and invoice;
  another organisation's statement is NotFound.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.sharing.pricing import _decimal
from openkamp.sharing.settlement import (
    DEFAULT_TZ,
    Bill,
    Charge,
    Invoice,
    Period,
    PooledPayment,
    Statement,
    StatementLine,
    Usage,
    charges_for,
    invoice,
    statement,
)
from openkamp.storage.metadata.base import MetadataStore, Record
from openkamp.storage.metadata.settlement import SettlementStore, settlement_store

__all__ = ["IssuedStatement", "SettlementService", "Valuation"]

METHODS = ("exact", "monte_carlo")


def _error(cls: type[Any], reason: str, **params: object) -> Any:
    from openkamp.i18n import MESSAGES, t

    code = f"sharing.settlement.{reason}"
    hint_key = f"err.{code}.hint"
    hint = t(hint_key, "en", **params) if hint_key in MESSAGES else None
    return cls(t(f"err.{code}", "en", **params), hint=hint, code=code, params=params)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Valuation:
    """A stored valuation of a pooled model: each owner's contribution share."""

    id: int
    consumer_org_id: int
    pooled_ref: str
    method: str
    shares: dict[int, float]
    std_errors: dict[int, float] | None
    metric: str
    full_value: float | None
    samples: int | None
    created_at: datetime


@dataclass(frozen=True)
class IssuedStatement:
    """A stored, issued statement: the statement and when, by whom, with which digest."""

    id: int
    statement: Statement
    digest: str
    issued_at: datetime
    issued_by: str
    ledger_index: int | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.statement.to_json(), "digest": self.digest,
                "issued_at": self.issued_at.isoformat(), "issued_by": self.issued_by,
                "ledger_index": self.ledger_index}  # fmt: skip


class SettlementService:
    """Charges and statements over a metadata store (module docstring). ``ledger`` (optional)
    receives a ``settlement`` entry per issued statement; ``clock`` gives the time; ``tz`` is the
    zone whose calendar months are settled."""

    def __init__(
        self,
        meta: MetadataStore,
        *,
        ledger: Any = None,
        clock: Callable[[], datetime] | None = None,
        tz: str = DEFAULT_TZ,
    ) -> None:
        self.meta = meta
        self.ledger = ledger
        self.clock: Callable[[], datetime] = clock or _utcnow
        self.tz = tz
        self.store: SettlementStore = settlement_store(meta)

    # -- the owner: bills and statements -----------------------------------------------------------

    def settle_contract(
        self,
        principal: Principal,
        contract_id: int,
        period: Period | str,
        *,
        rows: int = 0,
        queries: int = 0,
        trainings: int = 0,
        revenue: Decimal | str | int = 0,
    ) -> Bill:
        """Compute and store what the consumer owes under the principal's contract for
        ``period`` from the month's usage (rows delivered, queries, trainings, and for a royalty
        the revenue the consumer reported); active days and activation come from the contract's
        dates. Replaces the month's earlier bill of the contract, until the owner's statement of
        the month is issued (then Conflict ``sharing.settlement.issued``)."""
        require(principal, Role.ADMIN)
        period = Period.parse(period)
        rec = self.store.contract(contract_id)
        if rec is None or rec["org_id"] != principal.org_id:
            raise _error(NotFound, "contract", id=contract_id)
        end = _end_of(rec)
        usage = Usage.of_contract(period, starts_at=rec.get("starts_at"), ends_at=end, rows=rows,
                                  queries=queries, trainings=trainings, revenue=revenue,
                                  tz=self.tz)  # fmt: skip
        offer = self.store.offer(rec["offer_id"])
        dataset = None if offer is None else f"{offer['dataset_name']}@{offer['dataset_version']}"
        bill = charges_for(rec.get("price") or "{}", usage, period, contract_id=int(rec["id"]),
                           owner_org_id=int(rec["org_id"]),
                           consumer_org_id=int(rec["consumer_org_id"]), dataset=dataset)  # fmt: skip
        now = self.clock()
        with self.meta.transaction():
            self._not_issued(int(rec["org_id"]), period)
            self.store.put_charge(
                {"contract_id": bill.contract_id, "period": period.key},
                {"kind": "contract", "org_id": bill.owner_org_id,
                 "consumer_org_id": bill.consumer_org_id, "dataset": dataset,
                 "price": _canonical(bill.price), "usage": _canonical(_usage_json(usage)),
                 "charges": _canonical([c.to_json() for c in bill.charges]),
                 "total": str(bill.total), "created_at": now, "updated_at": now},
            )  # fmt: skip
        return bill

    def preview(
        self, principal: Principal, period: Period | str, *, fee_rate: Decimal | str = "0"
    ) -> Statement:
        """The statement the principal's organisation would get for ``period`` now (not
        stored)."""
        require(principal, Role.VIEWER)
        period = Period.parse(period)
        bills, pooled = self._period_of(period, owner=principal.org_id)
        return statement(principal.org_id, period, bills, pooled=pooled, fee_rate=fee_rate)

    def issue(
        self, principal: Principal, period: Period | str, *, fee_rate: Decimal | str = "0"
    ) -> IssuedStatement:
        """Issue the owner's statement for ``period`` from the stored charges: stored with its
        lines and digest, a ``settlement`` ledger entry appended, all in one transaction. Once
        issued it is immutable and the month's charges of the owner are frozen; a second issue
        for the month is Conflict ``sharing.settlement.issued``."""
        require(principal, Role.ADMIN)
        period = Period.parse(period)
        owner = principal.org_id
        who = _who(principal)
        with self.meta.transaction():
            self._not_issued(owner, period)
            bills, pooled = self._period_of(period, owner=owner)
            st = statement(owner, period, bills, pooled=pooled, fee_rate=fee_rate)
            doc = st.to_json()
            digest = hashlib.sha256(_canonical(doc).encode("utf-8")).hexdigest()
            now = self.clock()
            index = None
            if self.ledger is not None:
                from openkamp.sharing.ledger import Entry

                consumers = sorted({ln.consumer_org_id for ln in st.owner_lines
                                    if ln.consumer_org_id is not None})  # fmt: skip
                details = {"period": period.key, "revenue": str(st.revenue), "fee": str(st.fee),
                           "payout": str(st.payout), "digest": digest,
                           "lines": len(st.lines)}  # fmt: skip
                [(index, _)] = self.ledger.append(
                    owner, [Entry("settlement", details=details, parties=consumers, at=now)]
                )
            row = self.store.insert_statement(
                {"org_id": owner, "period": period.key, "state": "issued",
                 "fee_rate": str(st.fee_rate), "revenue": str(st.revenue), "fee": str(st.fee),
                 "payout": str(st.payout), "digest": digest, "issued_by": who, "issued_at": now,
                 "ledger_index": index},
                [_line_values(ln) for ln in st.lines],
            )  # fmt: skip
        return IssuedStatement(int(row["id"]), st, digest, row["issued_at"], who, index)

    def statement(self, principal: Principal, statement_id: int) -> IssuedStatement:
        """An issued statement of the principal's organisation (another's is NotFound)."""
        require(principal, Role.VIEWER)
        found = self.store.statement(statement_id)
        if found is None or found[0]["org_id"] != principal.org_id:
            raise _error(NotFound, "statement", id=statement_id)
        return _issued(*found)

    def statements(
        self, principal: Principal, *, period: Period | str | None = None
    ) -> list[IssuedStatement]:
        """The principal's organisation's issued statements, oldest month first."""
        require(principal, Role.VIEWER)
        key = None if period is None else Period.parse(period).key
        out = []
        for rec in self.store.statements(owner=principal.org_id, period=key):
            found = self.store.statement(int(rec["id"]))
            assert found is not None
            out.append(_issued(*found))
        return out

    def earnings(self, principal: Principal) -> dict[str, dict[str, str]]:
        """The owner's earnings (net of the platform fee) over its issued statements, per
        dataset and per consumer organisation (whole won, as text)."""
        by_dataset: dict[str, Decimal] = {}
        by_consumer: dict[str, Decimal] = {}
        for issued in self.statements(principal):
            for k, v in issued.statement.by_dataset().items():
                by_dataset[str(k or "")] = by_dataset.get(str(k or ""), Decimal(0)) + v
            for c, v in issued.statement.by_consumer().items():
                by_consumer[str(c or "")] = by_consumer.get(str(c or ""), Decimal(0)) + v
        return {"by_dataset": {k: str(v) for k, v in by_dataset.items()},
                "by_consumer": {k: str(v) for k, v in by_consumer.items()}}  # fmt: skip

    def bills(
        self, principal: Principal, period: Period | str, *, role: str = "owner"
    ) -> list[Bill]:
        """The month's contract bills of the principal's organisation as ``owner`` or
        ``consumer``."""
        require(principal, Role.VIEWER)
        if role not in ("owner", "consumer"):
            raise _error(InvalidInput, "role", value=role)
        key = Period.parse(period).key
        recs = self.store.charges(
            period=key, kind="contract",
            owner=principal.org_id if role == "owner" else None,
            consumer=principal.org_id if role == "consumer" else None,
        )  # fmt: skip
        return [_bill(r) for r in recs]

    # -- the consumer: valuations, pooled payments, invoices ------------------------------------

    def record_valuation(
        self,
        principal: Principal,
        pooled_ref: str,
        shares: Mapping[int, float],
        *,
        method: str,
        metric: str = "",
        std_errors: Mapping[int, float] | None = None,
        full_value: float | None = None,
        samples: int | None = None,
    ) -> Valuation:
        """Store the contribution shares (Shapley values, floats) of the owners of a pooled model
        the principal's organisation trained. Shares are weights, not money: they are kept as
        their exact shortest text (``repr``), and money is split from them in whole won."""
        require(principal, Role.ENGINEER)
        if method not in METHODS:
            raise _error(InvalidInput, "method", value=method, allowed=", ".join(METHODS))
        if not shares:
            raise _error(InvalidInput, "no_owners", amount="-")
        ref = _ref(pooled_ref)
        now = self.clock()
        rec = self.store.insert_valuation({
            "consumer_org_id": principal.org_id, "pooled_ref": ref, "metric": str(metric)[:64],
            "method": method, "shares": _canonical(_floats_text(shares, "share")),
            "std_errors": None if std_errors is None
            else _canonical(_floats_text(std_errors, "std_error")),
            "full_value": None if full_value is None else _float_text(full_value, "full_value"),
            "samples": samples, "created_at": now,
        })  # fmt: skip
        return _valuation(rec)

    def valuation(self, principal: Principal, valuation_id: int) -> Valuation:
        """A valuation the principal's organisation recorded, or whose shares name it."""
        require(principal, Role.VIEWER)
        rec = self.store.valuation(valuation_id)
        v = None if rec is None else _valuation(rec)
        if v is None or (
            v.consumer_org_id != principal.org_id and principal.org_id not in v.shares
        ):
            raise _error(NotFound, "valuation", id=valuation_id)
        return v

    def record_pooled(
        self,
        principal: Principal,
        valuation_id: int,
        period: Period | str,
        amount: Decimal | str | int,
        *,
        contracts: Mapping[int, int] | None = None,
        datasets: Mapping[int, str] | None = None,
    ) -> PooledPayment:
        """Record what the principal's organisation pays for ``period`` for a pooled model,
        split over the owners by the shares of its valuation ``valuation_id``; ``contracts`` and
        ``datasets`` name, per owner, the contract and dataset (shown on statements). Refused
        once an owner concerned has issued its statement of the month."""
        require(principal, Role.ADMIN)
        period = Period.parse(period)
        v = self.valuation(principal, valuation_id)
        if v.consumer_org_id != principal.org_id:
            raise _error(Forbidden, "not_consumer", id=valuation_id)
        payment = PooledPayment(v.pooled_ref, principal.org_id, amount, v.shares,  # type: ignore[arg-type]
                                contracts=dict(contracts or {}), datasets=dict(datasets or {}),
                                period=period)  # fmt: skip
        now = self.clock()
        with self.meta.transaction():
            for owner in v.shares:
                self._not_issued(owner, period)
            self.store.put_charge(
                {"consumer_org_id": principal.org_id, "pooled_ref": v.pooled_ref,
                 "period": period.key},
                {"kind": "pooled", "org_id": None, "valuation_id": v.id,
                 "pooled": _canonical({
                     "shares": {str(k): repr(float(s)) for k, s in v.shares.items()},
                     "contracts": {str(k): int(c) for k, c in payment.contracts.items()},
                     "datasets": {str(k): str(d) for k, d in payment.datasets.items()},
                 }),
                 "charges": _canonical([{"kind": "pooled", "amount": str(payment.amount),
                                         "basis": {"valuation_id": v.id, "method": v.method}}]),
                 "total": str(payment.amount), "created_at": now, "updated_at": now},
            )  # fmt: skip
        return payment

    def invoice(self, principal: Principal, period: Period | str) -> Invoice:
        """The principal's organisation's invoice for ``period`` (as consumer)."""
        require(principal, Role.VIEWER)
        period = Period.parse(period)
        recs = self.store.charges(period=period.key, consumer=principal.org_id)
        bills = [_bill(r) for r in recs if r["kind"] == "contract"]
        pooled = [_pooled(r) for r in recs if r["kind"] == "pooled"]
        return invoice(principal.org_id, period, bills, pooled=pooled)

    # -- helpers ----------------------------------------------------------------------------------

    def _not_issued(self, owner: int, period: Period) -> None:
        if self.store.statements(owner=owner, period=period.key):
            raise _error(Conflict, "issued", period=period.key)

    def _period_of(self, period: Period, *, owner: int) -> tuple[list[Bill], list[PooledPayment]]:
        bills = [_bill(r) for r in self.store.charges(period=period.key, owner=owner)]
        pooled = [
            p
            for p in (_pooled(r) for r in self.store.charges(period=period.key, kind="pooled"))
            if owner in p.shares
        ]
        return bills, pooled


# ---------------------------------------------------------------------------------------------
# rows <-> objects


def _end_of(rec: Record) -> datetime | None:
    """When a contract stopped being active: its end (revoked, completed …) or the end of its
    time window, whichever came first; None while open-ended."""
    ends = [t for t in (rec.get("ended_at"), rec.get("ends_at")) if t is not None]
    return min(ends) if ends else None


def _who(principal: Principal) -> str:
    return principal.name if principal.user_id is None else f"{principal.name}#{principal.user_id}"


def _ref(value: object) -> str:
    text = str(value).strip()
    if not text or len(text) > 128:
        raise _error(InvalidInput, "pooled_ref", value=text[:40])
    return text


def _float_text(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error(InvalidInput, "share", owner=field, value=repr(value))
    if not math.isfinite(value):
        raise _error(InvalidInput, "share", owner=field, value=repr(value))
    return repr(float(value))


def _floats_text(values: Mapping[int, float], field: str) -> dict[str, str]:
    out = {}
    for k, v in values.items():
        if isinstance(k, bool) or not isinstance(k, int):
            raise _error(InvalidInput, "count", field="owner", value=repr(k))
        out[str(k)] = _float_text(v, f"{field} {k}")
    return out


def _usage_json(usage: Usage) -> dict[str, Any]:
    return {"rows": usage.rows, "queries": usage.queries, "trainings": usage.trainings,
            "active_days": usage.active_days, "activated": usage.activated,
            "revenue": str(usage.revenue)}  # fmt: skip


def _bill(rec: Record) -> Bill:
    return Bill(
        period=Period.parse(rec["period"]),
        charges=tuple(Charge.from_json(c) for c in json.loads(rec["charges"])),
        price=json.loads(rec["price"]), contract_id=rec["contract_id"],
        owner_org_id=rec["org_id"], consumer_org_id=rec["consumer_org_id"],
        dataset=rec["dataset"],
    )  # fmt: skip


def _pooled(rec: Record) -> PooledPayment:
    doc = json.loads(rec["pooled"])
    return PooledPayment(
        ref=rec["pooled_ref"], consumer_org_id=int(rec["consumer_org_id"]),
        amount=_decimal(rec["total"], "total"),
        shares={int(k): float(v) for k, v in doc.get("shares", {}).items()},
        contracts={int(k): int(v) for k, v in doc.get("contracts", {}).items()},
        datasets={int(k): str(v) for k, v in doc.get("datasets", {}).items()},
        period=Period.parse(rec["period"]),
    )  # fmt: skip


def _valuation(rec: Record) -> Valuation:
    errors = rec.get("std_errors")
    return Valuation(
        id=int(rec["id"]), consumer_org_id=int(rec["consumer_org_id"]),
        pooled_ref=rec["pooled_ref"], method=rec["method"],
        shares={int(k): float(v) for k, v in json.loads(rec["shares"]).items()},
        std_errors=None if errors is None
        else {int(k): float(v) for k, v in json.loads(errors).items()},
        metric=rec.get("metric") or "",
        full_value=None if rec.get("full_value") is None else float(rec["full_value"]),
        samples=rec.get("samples"), created_at=rec["created_at"],
    )  # fmt: skip


def _line_values(line: StatementLine) -> dict[str, Any]:
    return {"kind": line.kind, "contract_id": line.contract_id,
            "consumer_org_id": line.consumer_org_id, "dataset": line.dataset,
            "pooled_ref": line.pooled_ref, "share": line.share, "gross": str(line.gross),
            "fee": str(line.fee), "amount": str(line.amount),
            "charges": _canonical([c.to_json() for c in line.charges])}  # fmt: skip


def _issued(rec: Record, lines: list[Record]) -> IssuedStatement:
    st = Statement(
        owner_org_id=int(rec["org_id"]), period=Period.parse(rec["period"]),
        lines=tuple(StatementLine.from_json({**ln, "charges": json.loads(ln["charges"])})
                    for ln in lines),
        fee_rate=Decimal(rec["fee_rate"]),
    )  # fmt: skip
    return IssuedStatement(int(rec["id"]), st, rec["digest"], rec["issued_at"],
                           rec["issued_by"], rec.get("ledger_index"))  # fmt: skip
