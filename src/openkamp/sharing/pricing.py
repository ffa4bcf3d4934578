"""Price models of shared manufacturing data (issue 11): the four ways to pay of Korea's
manufacturing data sharing rules (제조데이터 공유규범), in Korean won with exact decimal arithmetic.

=============  ==============  ===============================================================
model          공유규범 name    what the consumer owes
=============  ==============  ===============================================================
``flat``       정액제           ``amount`` won per month, prorated by the days the contract was
                               active in the month (rule below)
``metered``    종량제           per unit of use: per 1,000 rows delivered (``rows_1000``), per
                               query (``query``), per training (``training``); each rate may
                               include free units per month (``included``) and the month's
                               metered total may be capped (``cap``)
``lump_sum``   일시불           ``amount`` won once, in the month the contract becomes active
``royalty``    로열티·수익배분   ``rate`` (0..1) of the revenue the consumer reports for the
                               product made with the data, with an optional minimum guarantee
                               per month (``minimum``, prorated like a flat fee)
=============  ==============  ===============================================================

A price is stored and exchanged as a JSON object whose numbers are **strings** (``"500"``,
``"0.03"``), never JSON floats: ``{"model": "metered", "currency": "KRW", "rates": [{"unit":
"rows_1000", "amount": "500", "included": 10000}], "cap": "1000000"}``. :func:`parse_price`
validates one into a frozen :data:`PriceModel`; ``to_json()`` gives the canonical object back
(``parse_price(p.to_json()) == p``).

Rules:

- **VAT.** Every price is VAT-exclusive (부가가치세 별도): statements and invoices show the
  supply value; VAT is added by the invoicing system of the parties, not here.
- **Exact.** Amounts are :class:`decimal.Decimal` built from strings (or ints / Decimals given
  in Python); a float is refused (``err.sharing.price.float``) because 0.1 won as a binary
  float is not 0.1 won. Fixed amounts (flat fee, lump sum, minimum guarantee, cap) are whole
  won; a unit price may have up to 4 decimal places (0.5 won per query); a royalty rate up to
  6 (0.025 = 2.5 %).
- **Proration of monthly amounts** (flat fee, minimum guarantee): ``amount × active days /
  days in the month``, where a day counts as active when the contract was active for any part
  of it (the day of activation and the day of its end both count), so a contract active for a
  whole month pays exactly ``amount``. Rounded once, to the won, half up (see settlement).
- **Metered quantities** are prorated exactly: 1,500 rows at 500 won per 1,000 rows is 750 won
  (no rounding up to a started block); the ``included`` quantity is in the counter's own unit
  (rows, queries, trainings) and is free each month.

The charges themselves (what a consumer owes for a month from its usage counters) are computed
by :mod:`openkamp.sharing.settlement`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from openkamp.core.errors import InvalidInput

__all__ = [
    "MODELS",
    "PERIODS",
    "UNITS",
    "FlatFee",
    "LumpSum",
    "MeterRate",
    "Metered",
    "PriceModel",
    "Royalty",
    "describe",
    "format_won",
    "parse_price",
]

MODELS = ("flat", "metered", "lump_sum", "royalty")
PERIODS = ("month",)
# unit -> (the usage counter it meters, how many of the counter make one unit)
UNITS: dict[str, tuple[str, int]] = {
    "rows_1000": ("rows", 1000),
    "query": ("queries", 1),
    "training": ("trainings", 1),
}
CURRENCY = "KRW"
# Highest amount accepted (10^15 won, a thousand trillion): beyond it is a typo, and it keeps
# every product of the settlement well inside Decimal's default 28 digits.
MAX_AMOUNT = Decimal(10) ** 15
MAX_INCLUDED = 10**15
UNIT_PRICE_PLACES = 4
RATE_PLACES = 6

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def _error(reason: str, **params: object) -> InvalidInput:
    """An :class:`InvalidInput` with code ``sharing.price.<reason>``, its English text from the
    catalogue (the edges show it in the user's language)."""
    from openkamp.i18n import MESSAGES, t

    code = f"sharing.price.{reason}"
    hint_key = f"err.{code}.hint"
    hint = t(hint_key, "en", **params) if hint_key in MESSAGES else None
    return InvalidInput(t(f"err.{code}", "en", **params), hint=hint, code=code, params=params)


def format_won(amount: Decimal) -> str:
    """``1234567`` -> ``"1,234,567"``; a fraction keeps its digits (``"0.5"``), no exponent."""
    text = format(amount, "f")
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    frac = frac.rstrip("0")
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


def _percent(rate: Decimal) -> str:
    return format_won(rate * 100)


def _text(key: str, lang: str, **params: object) -> str:
    from openkamp.i18n import t

    return t(key, lang, **params)


# ---------------------------------------------------------------------------------------------
# the four models


@dataclass(frozen=True)
class FlatFee:
    """정액제: ``amount`` won per ``period`` (a month), prorated by active days."""

    amount: Decimal
    period: str = "month"
    model: ClassVar[str] = "flat"

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "currency": CURRENCY, "amount": str(self.amount),
                "period": self.period}  # fmt: skip

    def describe(self, lang: str = "ko", *, vat: bool = True) -> str:
        return describe(self, lang, vat=vat)


@dataclass(frozen=True)
class MeterRate:
    """One metered rate: ``amount`` won per ``unit`` (``rows_1000``, ``query``, ``training``);
    the first ``included`` of the counter (rows, queries or trainings) each month are free."""

    unit: str
    amount: Decimal
    included: int = 0

    @property
    def counter(self) -> str:
        """The usage counter this rate meters: ``rows``, ``queries`` or ``trainings``."""
        return UNITS[self.unit][0]

    @property
    def per(self) -> int:
        """How many of the counter make one priced unit (1,000 rows; 1 query; 1 training)."""
        return UNITS[self.unit][1]

    def to_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "amount": str(self.amount), "included": self.included}


@dataclass(frozen=True)
class Metered:
    """종량제: one or more :class:`MeterRate` (at most one per unit), the month's total capped
    at ``cap`` won when set."""

    rates: tuple[MeterRate, ...]
    cap: Decimal | None = None
    period: str = "month"
    model: ClassVar[str] = "metered"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "currency": CURRENCY,
                               "rates": [r.to_json() for r in self.rates], "period": self.period}  # fmt: skip
        if self.cap is not None:
            out["cap"] = str(self.cap)
        return out

    def describe(self, lang: str = "ko", *, vat: bool = True) -> str:
        return describe(self, lang, vat=vat)


@dataclass(frozen=True)
class LumpSum:
    """일시불: ``amount`` won once, charged in the month the contract becomes active."""

    amount: Decimal
    model: ClassVar[str] = "lump_sum"

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "currency": CURRENCY, "amount": str(self.amount)}

    def describe(self, lang: str = "ko", *, vat: bool = True) -> str:
        return describe(self, lang, vat=vat)


@dataclass(frozen=True)
class Royalty:
    """로열티·수익배분: ``rate`` of the revenue the consumer reports for the month (for the
    product made with the data), at least ``minimum`` won per month when set (prorated)."""

    rate: Decimal
    minimum: Decimal | None = None
    period: str = "month"
    model: ClassVar[str] = "royalty"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.model, "currency": CURRENCY,
                               "rate": str(self.rate), "period": self.period}  # fmt: skip
        if self.minimum is not None:
            out["minimum"] = str(self.minimum)
        return out

    def describe(self, lang: str = "ko", *, vat: bool = True) -> str:
        return describe(self, lang, vat=vat)


PriceModel = FlatFee | Metered | LumpSum | Royalty


# ---------------------------------------------------------------------------------------------
# parsing


def _decimal(value: object, field: str) -> Decimal:
    """A Decimal from a string of digits (``"500"``, ``"0.03"``), an int or a Decimal; never a
    float, a bool, an exponent, NaN or infinity."""
    if isinstance(value, float):
        raise _error("float", field=field, value=repr(value))
    if isinstance(value, bool) or value is None:
        raise _error("number", field=field, value=repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _error("number", field=field, value=str(value))
        value = format(value, "f")
    if not isinstance(value, str) or not _NUMBER.match(value.strip()):
        raise _error("number", field=field, value=str(value))
    d = Decimal(value.strip())
    if d < 0:
        raise _error("negative", field=field, value=value)
    if d > MAX_AMOUNT:
        raise _error("too_large", field=field, value=value, limit=format_won(MAX_AMOUNT))
    return d + 0  # -0 -> 0


def _places(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def _won(value: object, field: str) -> Decimal:
    d = _decimal(value, field)
    if _places(d) > 0:
        raise _error("whole_won", field=field, value=str(value))
    return d.quantize(Decimal(1))


def _unit_price(value: object, field: str) -> Decimal:
    d = _decimal(value, field)
    if _places(d) > UNIT_PRICE_PLACES:
        raise _error("precision", field=field, value=str(value), places=UNIT_PRICE_PLACES)
    return d.normalize() if _places(d) else d.quantize(Decimal(1))


def _rate(value: object, field: str) -> Decimal:
    d = _decimal(value, field)
    if d > 1:
        raise _error("rate", field=field, value=str(value))
    if _places(d) > RATE_PLACES:
        raise _error("precision", field=field, value=str(value), places=RATE_PLACES)
    return d.normalize() if _places(d) else d.quantize(Decimal(1))


def _count(value: object, field: str) -> int:
    d = _decimal(value, field)
    if _places(d) > 0 or d > MAX_INCLUDED:
        raise _error("count", field=field, value=str(value))
    return int(d)


def _fields(obj: Mapping[str, Any], allowed: set[str], required: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise _error("unknown_field", field=f"{where}{unknown[0]}",
                     allowed=", ".join(sorted(allowed)))  # fmt: skip
    missing = sorted(required - set(obj))
    if missing:
        raise _error("missing", field=f"{where}{missing[0]}")


def _period(obj: Mapping[str, Any]) -> str:
    period = obj.get("period", "month")
    if period not in PERIODS:
        raise _error("period", value=str(period), allowed=", ".join(PERIODS))
    return str(period)


def parse_price(obj: object) -> PriceModel:
    """Validate a price object (a mapping, or its JSON text) into a :data:`PriceModel`.

    Raises :class:`InvalidInput` with a code ``sharing.price.<reason>`` naming the field:
    ``invalid`` (not an object), ``model``, ``currency``, ``unknown_field``, ``missing``,
    ``float``, ``number``, ``negative``, ``too_large``, ``whole_won``, ``precision``, ``rate``,
    ``count``, ``unit``, ``duplicate_unit``, ``no_rates``, ``period``.
    """
    if isinstance(obj, PriceModel):
        return obj
    if isinstance(obj, str | bytes):
        try:
            # parse_float=float keeps a JSON float a float, which _decimal then refuses
            obj = json.loads(obj, parse_float=float)
        except ValueError as exc:
            raise _error("invalid", detail=str(exc)) from exc
    if not isinstance(obj, Mapping):
        raise _error("invalid", detail=type(obj).__name__)
    model = obj.get("model")
    if model not in MODELS:
        raise _error("model", value=str(model), allowed=", ".join(MODELS))
    currency = obj.get("currency", CURRENCY)
    if currency != CURRENCY:
        raise _error("currency", value=str(currency))
    common = {"model", "currency"}
    if model == "flat":
        _fields(obj, common | {"amount", "period"}, {"amount"}, "")
        return FlatFee(amount=_won(obj["amount"], "amount"), period=_period(obj))
    if model == "lump_sum":
        _fields(obj, common | {"amount"}, {"amount"}, "")
        return LumpSum(amount=_won(obj["amount"], "amount"))
    if model == "royalty":
        _fields(obj, common | {"rate", "minimum", "period"}, {"rate"}, "")
        minimum = obj.get("minimum")
        return Royalty(rate=_rate(obj["rate"], "rate"),
                       minimum=None if minimum is None else _won(minimum, "minimum"),
                       period=_period(obj))  # fmt: skip
    # metered: a list of rates, or one rate written inline (unit, amount, included)
    inline = {"unit", "amount", "included"}
    if "rates" in obj:
        _fields(obj, common | {"rates", "cap", "period"}, {"rates"}, "")
        raw = obj["rates"]
        if not isinstance(raw, list | tuple) or not raw:
            raise _error("no_rates")
        items = list(raw)
    else:
        _fields(obj, common | inline | {"cap", "period"}, {"unit", "amount"}, "")
        items = [{k: obj[k] for k in inline if k in obj}]
    rates: list[MeterRate] = []
    for i, item in enumerate(items):
        where = f"rates[{i}]." if "rates" in obj else ""  # name the field as it was written
        if not isinstance(item, Mapping):
            raise _error("invalid", detail=f"rates[{i}]")
        _fields(item, inline, {"unit", "amount"}, where)
        unit = item["unit"]
        if unit not in UNITS:
            raise _error("unit", value=str(unit), allowed=", ".join(UNITS))
        if any(r.unit == unit for r in rates):
            raise _error("duplicate_unit", value=str(unit))
        rates.append(MeterRate(unit=str(unit), amount=_unit_price(item["amount"], where + "amount"),
                               included=_count(item.get("included", 0), where + "included")))  # fmt: skip
    cap = obj.get("cap")
    return Metered(rates=tuple(rates), cap=None if cap is None else _won(cap, "cap"),
                   period=_period(obj))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# describing, for the UI


def describe(price: PriceModel, lang: str = "ko", *, vat: bool = True) -> str:
    """One line for the UI: ``종량제: 1,000행당 500원`` / ``Metered: KRW 500 per 1,000 rows``;
    with ``vat`` the note that the price excludes VAT (부가세 별도)."""
    name = _text(f"sharing.price.model.{price.model}", lang)
    if isinstance(price, FlatFee):
        body = _text(f"sharing.price.describe.flat.{price.period}", lang,
                     amount=format_won(price.amount))  # fmt: skip
    elif isinstance(price, LumpSum):
        body = _text("sharing.price.describe.lump_sum", lang, amount=format_won(price.amount))
    elif isinstance(price, Royalty):
        body = _text("sharing.price.describe.royalty", lang, rate=_percent(price.rate))
        if price.minimum is not None:
            body += _text(f"sharing.price.describe.minimum.{price.period}", lang,
                          amount=format_won(price.minimum))  # fmt: skip
    else:
        parts = []
        for r in price.rates:
            part = _text(f"sharing.price.describe.unit.{r.unit}", lang, amount=format_won(r.amount))
            if r.included:
                part += _text(f"sharing.price.describe.included.{r.unit}.{price.period}", lang,
                              count=f"{r.included:,}")  # fmt: skip
            parts.append(part)
        body = ", ".join(parts)
        if price.cap is not None:
            body += _text(f"sharing.price.describe.cap.{price.period}", lang,
                          amount=format_won(price.cap))  # fmt: skip
    text = f"{name}: {body}"
    return text + _text("sharing.price.describe.vat", lang) if vat else text
