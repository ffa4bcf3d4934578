"""Settlement of shared manufacturing data (issue 11): what a consumer owes under a contract for
a month, an owner's settlement statement and a consumer's invoice, to the won.

- :func:`charges_for` applies a contract's price model (:mod:`openkamp.sharing.pricing`) to the
  month's :class:`Usage` (rows delivered, queries, trainings, active days, reported revenue) and
  gives a :class:`Bill`: one :class:`Charge` per component of the price, each with its basis
  (the quantities and rates it was computed from).
- :func:`split_by_shares` splits a whole-won amount by contribution shares (the Shapley values
  of :mod:`openkamp.sharing.valuation`) with the largest-remainder method.
- :func:`statement` gives an owner's :class:`Statement` for a month: a line per contract (its
  dataset and consumer), a line per pooled model the owner's data went into, and the platform
  fee as its own line. :func:`invoice` gives the same money from the consumer's side.
- :class:`SettlementService` stores bills (charges) and statements; an issued statement is
  immutable.

Arithmetic is exact: amounts are :class:`~decimal.Decimal` (never float), ratios
(proration, shares, per-1,000-row prices) are :class:`~fractions.Fraction`, and each charge
is rounded **once**, to the won, half up (``ROUND_HALF_UP``: 0.5 won goes up, as on Korean tax
invoices; the law leaves the rounding of a supply value to the parties and half-up is the
customary choice). A bill's total is the sum of its rounded charges.

Invariants (tested with hypothesis):

- every statement line is a whole, non-negative number of won; the lines of a statement
  (owner lines plus the platform fee line) sum exactly to its revenue, the sum of what the
  owner's consumers paid for the month;
- a pooled payment's split sums exactly to the amount paid; owners of identical shares get
  amounts differing by at most 1 won. **Negative shares are clipped to 0** (a Shapley value
  below zero means the owner's data made the model worse: it earns nothing, and it pays
  nothing either); when no share is positive the amount is split equally;
- the platform fee is ``round_half_up(revenue × fee_rate)``, divided over the owner's lines in
  proportion to their gross amounts, again by largest remainder, so no line goes negative.

Months are calendar months in the platform's time zone (Asia/Seoul unless given): a contract
is active on a day when it was active for any part of it (see :mod:`openkamp.sharing.pricing`
for the proration rule).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from openkamp.core.errors import InvalidInput
from openkamp.sharing.pricing import (
    _NUMBER,
    FlatFee,
    LumpSum,
    Metered,
    PriceModel,
    Royalty,
    _decimal,
    _rate,
    format_won,
    parse_price,
)

__all__ = [
    "Bill",
    "Charge",
    "Invoice",
    "InvoiceLine",
    "Period",
    "PooledPayment",
    "Statement",
    "StatementLine",
    "Usage",
    "charges_for",
    "invoice",
    "round_won",
    "split_by_shares",
    "statement",
]

DEFAULT_TZ = "Asia/Seoul"
K = TypeVar("K")


def _error(reason: str, **params: object) -> InvalidInput:
    from openkamp.i18n import MESSAGES, t

    code = f"sharing.settlement.{reason}"
    hint_key = f"err.{code}.hint"
    hint = t(hint_key, "en", **params) if hint_key in MESSAGES else None
    return InvalidInput(t(f"err.{code}", "en", **params), hint=hint, code=code, params=params)


def round_won(x: Fraction | Decimal | int) -> Decimal:
    """``x`` rounded to the won, half away from zero (Decimal's ``ROUND_HALF_UP``), exactly."""
    q = Fraction(x)
    n = math.floor(abs(q) + Fraction(1, 2))
    return Decimal(n if q >= 0 else -n)


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


def _whole_won(value: object, field_name: str) -> Decimal:
    d = _decimal(value, field_name)
    if d != d.to_integral_value():
        raise _error("whole_won", field=field_name, value=str(value))
    return Decimal(int(d))


def _count(value: object, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error("count", field=field_name, value=repr(value))
    if value < 0:
        raise _error("count", field=field_name, value=repr(value))
    return value


def _org(value: object, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error("count", field=field_name, value=repr(value))
    return value


# ---------------------------------------------------------------------------------------------
# periods and usage


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, the settlement period (``Period.parse("2026-12")``)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (isinstance(self.year, int) and isinstance(self.month, int)) or not (
            2000 <= self.year <= 9999 and 1 <= self.month <= 12
        ):
            raise _error("period", value=f"{self.year}-{self.month}")

    @classmethod
    def parse(cls, value: str | Period) -> Period:
        if isinstance(value, Period):
            return value
        text = str(value).strip()
        year, sep, month = text.partition("-")
        if not sep or not (year.isdigit() and month.isdigit()) or len(month) != 2:
            raise _error("period", value=text)
        return cls(int(year), int(month))

    @classmethod
    def of(cls, at: datetime, tz: str = DEFAULT_TZ) -> Period:
        """The month containing the moment ``at`` (aware) in ``tz``."""
        day = _local_date(at, tz)
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end_day(self) -> date:
        """The first day of the next month (exclusive end)."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def days(self) -> int:
        return (self.end_day - self.first_day).days

    def bounds(self, tz: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
        """The month as [start, end) in UTC, midnight to midnight in ``tz``."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first_day, datetime.min.time(), zone)
        end = datetime.combine(self.end_day, datetime.min.time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def active_days(
        self, starts_at: datetime | None, ends_at: datetime | None = None, tz: str = DEFAULT_TZ
    ) -> int:
        """Days of the month on which a contract active from ``starts_at`` until ``ends_at``
        (exclusive; None: still active) was active for any part of the day, in ``tz``."""
        if starts_at is None:
            return 0
        first = max(_local_date(starts_at, tz), self.first_day)
        if ends_at is None:
            last = self.end_day - timedelta(days=1)
        else:
            if ends_at <= starts_at:
                return 0
            # the end is exclusive: a contract ending at midnight was not active that day
            last = min(_local_date(ends_at - timedelta(microseconds=1), tz),
                       self.end_day - timedelta(days=1))  # fmt: skip
        return max(0, (last - first).days + 1)

    def contains(self, at: datetime, tz: str = DEFAULT_TZ) -> bool:
        return Period.of(at, tz) == self


def _local_date(at: datetime, tz: str) -> date:
    if at.tzinfo is None:
        raise _error("naive_time", value=at.isoformat())
    return at.astimezone(ZoneInfo(tz)).date()


@dataclass(frozen=True)
class Usage:
    """A contract's use in one month: rows delivered, queries, trainings (from the usage ledger
    or the difference of ``contract_usage`` counters over the month), the days it was active,
    whether it became active in the month (the lump sum is charged then), and the revenue the
    consumer reported for the product made with the data (KRW, VAT-exclusive)."""

    rows: int = 0
    queries: int = 0
    trainings: int = 0
    active_days: int = 0
    activated: bool = False
    revenue: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("rows", "queries", "trainings", "active_days"):
            _count(getattr(self, name), name)
        if not isinstance(self.activated, bool):
            raise _error("count", field="activated", value=repr(self.activated))
        object.__setattr__(self, "revenue", _decimal(self.revenue, "revenue"))

    @classmethod
    def of_contract(
        cls,
        period: Period,
        *,
        starts_at: datetime | None,
        ends_at: datetime | None = None,
        rows: int = 0,
        queries: int = 0,
        trainings: int = 0,
        revenue: Decimal | str | int = 0,
        tz: str = DEFAULT_TZ,
    ) -> Usage:
        """The month's usage of a contract active from ``starts_at`` to ``ends_at``: active
        days and activation computed from them."""
        return cls(rows=rows, queries=queries, trainings=trainings,
                   active_days=period.active_days(starts_at, ends_at, tz),
                   activated=starts_at is not None and period.contains(starts_at, tz),
                   revenue=revenue)  # type: ignore[arg-type]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# charges


@dataclass(frozen=True)
class Charge:
    """One component of what a consumer owes: ``kind`` (``flat``, ``metered``, ``cap``,
    ``lump_sum``, ``royalty``, ``minimum``), ``amount`` in whole won (a ``cap`` is the negative
    adjustment down to the cap) and ``basis``, the quantities it was computed from (strings
    for decimals, JSON-safe)."""

    kind: str
    amount: Decimal
    basis: Mapping[str, Any] = field(default_factory=dict)

    def label(self, lang: str = "ko") -> str:
        from openkamp.i18n import t

        return t(f"sharing.charge.{self.kind}", lang)

    def explain(self, lang: str = "ko") -> str:
        """The basis in words, for invoices and statements: ``2,345행 × 1,000행당 500원 (이용
        12,345행, 무료 10,000행)``."""
        from openkamp.i18n import MESSAGES, t

        basis = dict(self.basis)
        key = f"sharing.charge.basis.{self.kind}"
        if self.kind == "metered":
            key += f".{basis.get('unit')}"
        if key not in MESSAGES:
            return ""
        params: dict[str, object] = {}
        for k, v in basis.items():
            if k == "rate":
                params[k] = format_won(Decimal(str(v)) * 100)
            elif isinstance(v, int) and not isinstance(v, bool):
                params[k] = f"{v:,}"
            elif isinstance(v, str) and _is_number(v):
                params[k] = format_won(Decimal(v))
            else:
                params[k] = v
        try:
            return t(key, lang, **params)
        except (KeyError, IndexError):  # a stored basis of another shape: no words, no error
            return ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "amount": str(self.amount), "basis": dict(self.basis)}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Charge:
        return cls(kind=str(obj["kind"]), amount=Decimal(str(obj["amount"])),
                   basis=dict(obj.get("basis") or {}))  # fmt: skip


@dataclass(frozen=True)
class Bill:
    """What a consumer owes under one contract for one month: the charges and their total."""

    period: Period
    charges: tuple[Charge, ...]
    price: Mapping[str, Any]
    contract_id: int | None = None
    owner_org_id: int | None = None
    consumer_org_id: int | None = None
    dataset: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.key, "contract_id": self.contract_id,
            "owner_org_id": self.owner_org_id, "consumer_org_id": self.consumer_org_id,
            "dataset": self.dataset, "price": dict(self.price),
            "charges": [c.to_json() for c in self.charges], "total": str(self.total),
        }  # fmt: skip


def _prorated(amount: Decimal, usage: Usage, period: Period) -> Fraction:
    return Fraction(amount) * usage.active_days / period.days


def _price_charges(price: PriceModel, usage: Usage, period: Period) -> list[Charge]:
    days = {"active_days": usage.active_days, "days": period.days}
    if isinstance(price, FlatFee):
        if not usage.active_days:
            return []
        amount = round_won(_prorated(price.amount, usage, period))
        return [Charge("flat", amount, {"monthly": str(price.amount), **days})]
    if isinstance(price, LumpSum):
        if not usage.activated:
            return []
        return [Charge("lump_sum", price.amount, {"amount": str(price.amount)})]
    if isinstance(price, Royalty):
        royalty = round_won(Fraction(price.rate) * Fraction(usage.revenue))
        out = [Charge("royalty", royalty, {"rate": str(price.rate), "revenue": str(usage.revenue)})]
        if price.minimum is not None and usage.active_days:
            minimum = round_won(_prorated(price.minimum, usage, period))
            if minimum > royalty:
                out.append(Charge("minimum", minimum - royalty,
                                  {"minimum": str(price.minimum), "prorated": str(minimum),
                                   "royalty": str(royalty), **days}))  # fmt: skip
        return out
    assert isinstance(price, Metered)
    out = []
    for rate in price.rates:
        used = getattr(usage, rate.counter)
        if not used and not usage.active_days:
            continue
        billable = max(0, used - rate.included)
        exact = Fraction(billable) * Fraction(rate.amount) / rate.per
        out.append(Charge("metered", round_won(exact), {
            "unit": rate.unit, "counter": rate.counter, "used": used, "included": rate.included,
            "billable": billable, "unit_price": str(rate.amount), "per": rate.per,
        }))  # fmt: skip
    metered = sum((c.amount for c in out), Decimal(0))
    if price.cap is not None and metered > price.cap:
        out.append(
            Charge("cap", price.cap - metered, {"cap": str(price.cap), "metered": str(metered)})
        )
    return out


def charges_for(
    price: PriceModel | Mapping[str, Any] | str,
    usage: Usage,
    period: Period | str,
    *,
    contract_id: int | None = None,
    owner_org_id: int | None = None,
    consumer_org_id: int | None = None,
    dataset: str | None = None,
) -> Bill:
    """What a consumer owes under one contract for ``period`` (a month) given its ``usage``.

    - flat fee: ``round(amount × active_days / days)``, nothing when not active in the month;
    - metered: per rate ``round(max(0, used − included) × unit price / per)`` (one charge per
      rate), then a negative ``cap`` charge bringing the total down to the cap;
    - lump sum: the amount, in the month the contract became active only;
    - royalty: ``round(rate × revenue)``, plus a ``minimum`` top-up up to the prorated minimum
      guarantee when that is higher.
    """
    model = parse_price(price)
    period = Period.parse(period)
    if not isinstance(usage, Usage):
        raise _error("usage", value=type(usage).__name__)
    if usage.active_days > period.days:
        raise _error("active_days", value=usage.active_days, days=period.days, period=period.key)
    return Bill(period=period, charges=tuple(_price_charges(model, usage, period)),
                price=model.to_json(), contract_id=contract_id, owner_org_id=owner_org_id,
                consumer_org_id=consumer_org_id, dataset=dataset)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# splitting by contribution


def _share(value: object, key: object) -> Fraction:
    """A contribution share as an exact fraction: a float is taken at its exact binary value
    (no rounding), negatives clip to 0, NaN and infinities are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise _error("share", owner=str(key), value=repr(value))
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise _error("share", owner=str(key), value=repr(value))
    share = Fraction(value)
    return share if share > 0 else Fraction(0)


def _largest_remainder(total: int, weights: Sequence[Fraction]) -> list[int]:
    """``total`` split in proportion to ``weights`` (not all zero) into whole numbers that sum
    exactly to ``total``: each gets the floor of its quota, and the units left go one each to the
    largest remainders (ties: the earlier position first)."""
    w_sum = sum(weights, Fraction(0))
    quotas = [total * w / w_sum for w in weights]
    floors = [math.floor(q) for q in quotas]
    left = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def split_by_shares(amount: Decimal | int | str, shares: Mapping[K, object]) -> dict[K, Decimal]:
    """Split a whole-won ``amount`` over owners by their contribution ``shares`` (floats from the
    valuation are fine here: they are weights, not money). Negative shares are clipped to 0;
    when no share is positive the amount is split equally. The parts are whole won, never
    negative, and sum exactly to ``amount``; equal shares get parts differing by at most 1 won."""
    total = _whole_won(amount, "amount")
    if not shares:
        if total:
            raise _error("no_owners", amount=format_won(total))
        return {}
    keys = list(shares)
    weights = [_share(shares[k], k) for k in keys]
    if not any(weights):
        weights = [Fraction(1)] * len(keys)
    parts = _largest_remainder(int(total), weights)
    return {k: Decimal(p) for k, p in zip(keys, parts, strict=True)}


@dataclass(frozen=True)
class PooledPayment:
    """A consumer's payment (whole won, for the month) for a model trained on data pooled from
    several owners, split by the owners' contribution ``shares`` (owner org id -> Shapley value);
    ``contracts`` and ``datasets`` name, per owner, the contract and dataset its data came
    under (shown on the statement lines)."""

    ref: str
    consumer_org_id: int
    amount: Decimal
    shares: Mapping[int, float]
    contracts: Mapping[int, int] = field(default_factory=dict)
    datasets: Mapping[int, str] = field(default_factory=dict)
    period: Period | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _whole_won(self.amount, "amount"))
        _org(self.consumer_org_id, "consumer_org_id")
        for k in self.shares:
            _org(k, "owner")
            _share(self.shares[k], k)

    def split(self) -> dict[int, Decimal]:
        return split_by_shares(self.amount, self.shares)

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "consumer_org_id": self.consumer_org_id,
            "amount": str(self.amount),
            "shares": {str(k): repr(float(v)) for k, v in self.shares.items()},
            "contracts": {str(k): v for k, v in self.contracts.items()},
            "datasets": {str(k): v for k, v in self.datasets.items()},
            "split": {str(k): str(v) for k, v in self.split().items()},
        }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# statements and invoices


@dataclass(frozen=True)
class StatementLine:
    """A line of an owner's statement. ``kind``: ``contract`` (a contract's bill), ``pooled``
    (the owner's part of a pooled model's payment, with its ``share``) or ``platform_fee``.
    ``gross`` is what the consumer paid for it, ``fee`` the part of the platform fee it bears,
    ``amount`` the owner's (for the fee line: the fee)."""

    kind: str
    gross: Decimal
    fee: Decimal
    amount: Decimal
    contract_id: int | None = None
    dataset: str | None = None
    consumer_org_id: int | None = None
    pooled_ref: str | None = None
    share: str | None = None
    charges: tuple[Charge, ...] = ()

    def label(self, lang: str = "ko") -> str:
        from openkamp.i18n import t

        return t(f"sharing.statement.line.{self.kind}", lang)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "gross": str(self.gross), "fee": str(self.fee),
            "amount": str(self.amount), "contract_id": self.contract_id,
            "dataset": self.dataset, "consumer_org_id": self.consumer_org_id,
            "pooled_ref": self.pooled_ref, "share": self.share,
            "charges": [c.to_json() for c in self.charges],
        }  # fmt: skip

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> StatementLine:
        return cls(
            kind=str(obj["kind"]), gross=Decimal(obj["gross"]), fee=Decimal(obj["fee"]),
            amount=Decimal(obj["amount"]), contract_id=obj.get("contract_id"),
            dataset=obj.get("dataset"), consumer_org_id=obj.get("consumer_org_id"),
            pooled_ref=obj.get("pooled_ref"), share=obj.get("share"),
            charges=tuple(Charge.from_json(c) for c in obj.get("charges") or ()),
        )  # fmt: skip


@dataclass(frozen=True)
class Statement:
    """An owner's settlement statement for a month. ``revenue`` is what its consumers paid
    (the sum of the gross of its lines); the lines' ``amount`` (the owner's lines and the fee
    line) sum exactly to it; ``payout`` is what the owner receives (revenue − fee)."""

    owner_org_id: int
    period: Period
    lines: tuple[StatementLine, ...]
    fee_rate: Decimal = Decimal(0)

    @property
    def owner_lines(self) -> tuple[StatementLine, ...]:
        return tuple(line for line in self.lines if line.kind != "platform_fee")

    @property
    def revenue(self) -> Decimal:
        return sum((line.gross for line in self.owner_lines), Decimal(0))

    @property
    def fee(self) -> Decimal:
        return sum((line.fee for line in self.owner_lines), Decimal(0))

    @property
    def payout(self) -> Decimal:
        return sum((line.amount for line in self.owner_lines), Decimal(0))

    def by_dataset(self) -> dict[str | None, Decimal]:
        """The owner's earnings (net of the fee) per dataset."""
        return _group(self.owner_lines, lambda line: line.dataset)

    def by_consumer(self) -> dict[int | None, Decimal]:
        """The owner's earnings (net of the fee) per consumer organisation."""
        return _group(self.owner_lines, lambda line: line.consumer_org_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "owner_org_id": self.owner_org_id, "period": self.period.key,
            "fee_rate": str(self.fee_rate), "revenue": str(self.revenue), "fee": str(self.fee),
            "payout": str(self.payout), "lines": [line.to_json() for line in self.lines],
            "vat": "excluded",
        }  # fmt: skip


def _group(lines: Iterable[StatementLine], key: Any) -> dict[Any, Decimal]:
    out: dict[Any, Decimal] = {}
    for line in lines:
        out[key(line)] = out.get(key(line), Decimal(0)) + line.amount
    return out


def _pooled_of_period(pooled: Iterable[PooledPayment], period: Period) -> list[PooledPayment]:
    out = []
    for p in pooled:
        if not isinstance(p, PooledPayment):
            raise _error("pooled", value=type(p).__name__)
        if p.period is not None and p.period != period:
            raise _error("other_period", value=p.period.key, period=period.key)
        out.append(p)
    return out


def _bills_of_period(bills: Iterable[Bill], period: Period) -> list[Bill]:
    out = []
    for b in bills:
        if not isinstance(b, Bill):
            raise _error("bill", value=type(b).__name__)
        if b.period != period:
            raise _error("other_period", value=b.period.key, period=period.key)
        out.append(b)
    return out


def statement(
    owner_org_id: int,
    period: Period | str,
    bills: Iterable[Bill] = (),
    *,
    pooled: Iterable[PooledPayment] = (),
    fee_rate: Decimal | str = "0",
) -> Statement:
    """The settlement statement of ``owner_org_id`` for ``period``: a line per bill of its
    contracts (bills of other owners are skipped), a line per pooled payment its data had a
    share in (its part by :func:`split_by_shares`), and the platform fee line. The fee
    (``round(revenue × fee_rate)``, ``fee_rate`` a Decimal 0..1 given as a string or Decimal)
    is divided over the lines in proportion to their gross amounts by largest remainder, so
    every line stays whole won and non-negative and the lines sum to the revenue exactly."""
    owner = _org(owner_org_id, "owner_org_id")
    period = Period.parse(period)
    rate = _rate(fee_rate, "fee_rate")
    gross: list[StatementLine] = []
    for b in _bills_of_period(bills, period):
        if b.owner_org_id != owner:
            continue
        if b.total < 0:  # a bill is never negative (a cap only lowers metered charges)
            raise _error("negative", value=str(b.total))
        gross.append(StatementLine("contract", b.total, Decimal(0), b.total,
                                   contract_id=b.contract_id, dataset=b.dataset,
                                   consumer_org_id=b.consumer_org_id, charges=b.charges))  # fmt: skip
    for p in _pooled_of_period(pooled, period):
        if owner not in p.shares:
            continue
        part = p.split()[owner]
        gross.append(StatementLine("pooled", part, Decimal(0), part,
                                   contract_id=p.contracts.get(owner), dataset=p.datasets.get(owner),
                                   consumer_org_id=p.consumer_org_id, pooled_ref=p.ref,
                                   share=repr(float(p.shares[owner]))))  # fmt: skip
    revenue = sum((line.gross for line in gross), Decimal(0))
    fee = round_won(Fraction(revenue) * Fraction(rate))
    if fee:
        fees = _largest_remainder(int(fee), [Fraction(line.gross) for line in gross])
    else:
        fees = [0] * len(gross)
    lines = [
        StatementLine(line.kind, line.gross, Decimal(f), line.gross - f,
                      contract_id=line.contract_id, dataset=line.dataset,
                      consumer_org_id=line.consumer_org_id, pooled_ref=line.pooled_ref,
                      share=line.share, charges=line.charges)
        for line, f in zip(gross, fees, strict=True)
    ]  # fmt: skip
    lines.append(StatementLine("platform_fee", Decimal(0), Decimal(0), fee))
    return Statement(owner_org_id=owner, period=period, lines=tuple(lines), fee_rate=rate)


@dataclass(frozen=True)
class InvoiceLine:
    """A line of a consumer's invoice: a contract's bill or its payment for a pooled model."""

    kind: str
    amount: Decimal
    contract_id: int | None = None
    owner_org_id: int | None = None
    dataset: str | None = None
    pooled_ref: str | None = None
    charges: tuple[Charge, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "amount": str(self.amount), "contract_id": self.contract_id,
            "owner_org_id": self.owner_org_id, "dataset": self.dataset,
            "pooled_ref": self.pooled_ref, "charges": [c.to_json() for c in self.charges],
        }  # fmt: skip


@dataclass(frozen=True)
class Invoice:
    """What a consumer owes for a month (VAT-exclusive): its bills and pooled payments."""

    consumer_org_id: int
    period: Period
    lines: tuple[InvoiceLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        return {"consumer_org_id": self.consumer_org_id, "period": self.period.key,
                "total": str(self.total), "lines": [line.to_json() for line in self.lines],
                "vat": "excluded"}  # fmt: skip


def invoice(
    consumer_org_id: int,
    period: Period | str,
    bills: Iterable[Bill] = (),
    *,
    pooled: Iterable[PooledPayment] = (),
) -> Invoice:
    """The consumer's invoice for ``period``: the same charges as the owners' statements, from
    the consumer's side (bills and pooled payments of other consumers are skipped). Summed over
    all consumers, the invoices equal the owners' statements' revenue."""
    consumer = _org(consumer_org_id, "consumer_org_id")
    period = Period.parse(period)
    lines = [
        InvoiceLine("contract", b.total, contract_id=b.contract_id, owner_org_id=b.owner_org_id,
                    dataset=b.dataset, charges=b.charges)
        for b in _bills_of_period(bills, period) if b.consumer_org_id == consumer
    ]  # fmt: skip
    lines += [
        InvoiceLine("pooled", p.amount, pooled_ref=p.ref)
        for p in _pooled_of_period(pooled, period) if p.consumer_org_id == consumer
    ]  # fmt: skip
    return Invoice(consumer_org_id=consumer, period=period, lines=tuple(lines))
