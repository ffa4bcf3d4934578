"""Price models of shared data (openkamp.sharing.pricing): the four payment types of the
manufacturing data sharing rules, parsed and validated in exact Decimal won, described in Korean
and English."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from openkamp.core.errors import InvalidInput
from openkamp.i18n import MESSAGES, error_text
from openkamp.sharing import pricing
from openkamp.sharing.pricing import (
    FlatFee,
    LumpSum,
    Metered,
    MeterRate,
    Royalty,
    describe,
    format_won,
    parse_price,
)


def test_each_model_parses_to_exact_decimals_and_round_trips() -> None:
    flat = parse_price({"model": "flat", "amount": "300000"})
    assert flat == FlatFee(amount=Decimal(300000), period="month")
    metered = parse_price(
        {"model": "metered", "cap": "1000000",
         "rates": [{"unit": "rows_1000", "amount": "500", "included": 10000},
                   {"unit": "query", "amount": "0.5"}]}
    )  # fmt: skip
    assert metered == Metered(
        rates=(MeterRate("rows_1000", Decimal(500), 10000), MeterRate("query", Decimal("0.5"))),
        cap=Decimal(1000000),
    )
    lump = parse_price({"model": "lump_sum", "amount": "5000000", "currency": "KRW"})
    assert lump == LumpSum(amount=Decimal(5000000))
    royalty = parse_price({"model": "royalty", "rate": "0.025", "minimum": "100000"})
    assert royalty == Royalty(rate=Decimal("0.025"), minimum=Decimal(100000))
    for p in (flat, metered, lump, royalty):
        as_json = p.to_json()
        assert parse_price(as_json) == p
        assert parse_price(json.dumps(as_json)) == p  # the stored text form too
        # numbers travel as strings, never JSON numbers
        assert all(not isinstance(v, float) for v in _leaves(as_json))
        assert as_json["currency"] == "KRW"


def _leaves(obj: object) -> list[object]:
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _leaves(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _leaves(v)]
    return [obj]


def test_a_single_metered_rate_may_be_written_inline() -> None:
    p = parse_price({"model": "metered", "unit": "training", "amount": "20000", "cap": "50000"})
    assert p == Metered(rates=(MeterRate("training", Decimal(20000)),), cap=Decimal(50000))
    assert p.to_json()["rates"] == [{"unit": "training", "amount": "20000", "included": 0}]


def test_equivalent_spellings_give_equal_models() -> None:
    assert parse_price({"model": "flat", "amount": "1000.00"}) == parse_price(
        {"model": "flat", "amount": 1000}
    )
    a = parse_price({"model": "royalty", "rate": "0.0300"})
    assert a == parse_price({"model": "royalty", "rate": Decimal("0.03")})
    assert a.to_json()["rate"] == "0.03"
    one = parse_price({"model": "royalty", "rate": "1"})
    assert one.to_json()["rate"] == "1"


@pytest.mark.parametrize(
    ("price", "ko", "en"),
    [
        ({"model": "flat", "amount": "300000"}, "정액제: 월 300,000원", "Flat fee: KRW 300,000 per month"),
        ({"model": "metered", "unit": "rows_1000", "amount": "500"},
         "종량제: 1,000행당 500원", "Metered: KRW 500 per 1,000 rows"),
        ({"model": "metered", "cap": "1000000",
          "rates": [{"unit": "rows_1000", "amount": "500", "included": 10000},
                    {"unit": "query", "amount": "0.5"}, {"unit": "training", "amount": "20000"}]},
         "종량제: 1,000행당 500원 (월 10,000행 무료), 조회 1회당 0.5원, 학습 1회당 20,000원, 월 최대 1,000,000원",
         "Metered: KRW 500 per 1,000 rows (10,000 rows a month free), KRW 0.5 per query, "
         "KRW 20,000 per training, at most KRW 1,000,000 per month"),
        ({"model": "lump_sum", "amount": "5000000"}, "일시불: 1회 5,000,000원", "Lump sum: KRW 5,000,000 once"),
        ({"model": "royalty", "rate": "0.025", "minimum": "100000"},
         "로열티·수익배분: 매출의 2.5% (월 최소 보장 100,000원)",
         "Royalty / revenue share: 2.5% of revenue (minimum KRW 100,000 per month)"),
    ],
)  # fmt: skip
def test_describe_in_korean_and_english(price: dict[str, object], ko: str, en: str) -> None:
    p = parse_price(price)
    assert describe(p, "ko", vat=False) == ko
    assert describe(p, "en", vat=False) == en
    # prices are VAT-exclusive, and the UI says so
    assert p.describe("ko") == ko + " (부가세 별도)"
    assert p.describe("en") == en + " (excl. VAT)"


def test_format_won() -> None:
    assert format_won(Decimal("1234567")) == "1,234,567"
    assert format_won(Decimal("0.50")) == "0.5"
    assert format_won(Decimal("1E+3")) == "1,000"
    assert format_won(Decimal(0)) == "0"


@pytest.mark.parametrize(
    ("price", "code", "field"),
    [
        ({"model": "flat", "amount": 1000.0}, "float", "amount"),
        ({"model": "royalty", "rate": 0.03}, "float", "rate"),
        ('{"model": "flat", "amount": 1000.5}', "float", "amount"),  # JSON text with a float
        ({"model": "metered", "rates": [{"unit": "query", "amount": 0.5}]}, "float", "rates[0].amount"),
        ({"model": "flat", "amount": "1000.5"}, "whole_won", "amount"),
        ({"model": "lump_sum", "amount": "0.1"}, "whole_won", "amount"),
        ({"model": "royalty", "rate": "0.1", "minimum": "10.5"}, "whole_won", "minimum"),
        ({"model": "metered", "unit": "query", "amount": "1", "cap": "9.9"}, "whole_won", "cap"),
        ({"model": "flat", "amount": "-1"}, "negative", "amount"),
        ({"model": "metered", "unit": "query", "amount": "-0.5"}, "negative", "amount"),
        ({"model": "royalty", "rate": "1.01"}, "rate", "rate"),
        ({"model": "royalty", "rate": "-0.1"}, "negative", "rate"),
        ({"model": "royalty", "rate": "0.1234567"}, "precision", "rate"),
        ({"model": "metered", "unit": "query", "amount": "0.00001"}, "precision", "amount"),
        ({"model": "flat", "amount": "1e6"}, "number", "amount"),
        ({"model": "flat", "amount": "NaN"}, "number", "amount"),
        ({"model": "flat", "amount": Decimal("Infinity")}, "number", "amount"),
        ({"model": "flat", "amount": "1,000"}, "number", "amount"),
        ({"model": "flat", "amount": True}, "number", "amount"),
        ({"model": "flat", "amount": None}, "number", "amount"),
        ({"model": "flat", "amount": "10000000000000000"}, "too_large", "amount"),
        ({"model": "flat"}, "missing", "amount"),
        ({"model": "flat", "amout": "1"}, "unknown_field", "amout"),
        ({"model": "metered", "rates": [{"unit": "query", "amount": "1", "free": 3}]},
         "unknown_field", "rates[0].free"),
        ({"model": "metered", "rates": [{"unit": "query", "amount": "1", "included": "2.5"}]},
         "count", "rates[0].included"),
    ],
)  # fmt: skip
def test_invalid_prices_are_refused_with_the_field(price: object, code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_price(price)
    assert info.value.code == f"sharing.price.{code}"
    assert info.value.params["field"] == field
    ko, _ = error_text(info.value, "ko")
    assert field in ko and not ko.startswith("err.")


@pytest.mark.parametrize(
    ("price", "code"),
    [
        ([1, 2], "invalid"),
        ("not json", "invalid"),
        ({"amount": "1"}, "model"),
        ({"model": "subscription", "amount": "1"}, "model"),
        ({"model": "flat", "amount": "1", "currency": "USD"}, "currency"),
        ({"model": "flat", "amount": "1", "period": "week"}, "period"),
        ({"model": "metered", "unit": "row", "amount": "1"}, "unit"),
        ({"model": "metered", "rates": []}, "no_rates"),
        ({"model": "metered", "rates": [{"unit": "query", "amount": "1"},
                                        {"unit": "query", "amount": "2"}]}, "duplicate_unit"),
    ],
)  # fmt: skip
def test_invalid_price_shapes(price: object, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_price(price)
    assert info.value.code == f"sharing.price.{code}"


def test_a_float_is_refused_with_the_reason_in_both_languages() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_price({"model": "metered", "unit": "rows_1000", "amount": 0.1})
    ko, ko_hint = error_text(info.value, "ko")
    en, en_hint = error_text(info.value, "en")
    assert "실수" in ko and "float" in en
    assert ko_hint and "0.1원" in ko_hint and en_hint and "0.1 won" in en_hint


def test_zero_prices_are_allowed() -> None:
    # data offered free of charge is a flat fee of 0 won
    assert parse_price({"model": "flat", "amount": "0"}).amount == 0
    assert parse_price({"model": "royalty", "rate": "0"}).rate == 0


def test_every_price_error_code_has_korean_and_english_texts() -> None:
    import openkamp.sharing.settlement as settlement
    import openkamp.sharing.settlement_service as service
    import openkamp.storage.metadata.settlement as storage

    codes: set[str] = set()
    for module, prefix in ((pricing, "sharing.price"), (settlement, "sharing.settlement"),
                           (service, "sharing.settlement")):  # fmt: skip
        text = Path(str(module.__file__)).read_text(encoding="utf-8")
        found = re.findall(r'_error\(\s*(?:[A-Za-z]+,\s*)?"([a-z_]+)"', text)
        codes |= {f"{prefix}.{r}" for r in found}
    text = Path(str(storage.__file__)).read_text(encoding="utf-8")
    codes |= set(re.findall(r'code="(sharing\.settlement\.[a-z_]+)"', text))
    assert {"sharing.price.float", "sharing.price.whole_won", "sharing.settlement.share",
            "sharing.settlement.issued", "sharing.settlement.not_consumer"} <= codes  # fmt: skip
    for code in codes:
        entry = MESSAGES[f"err.{code}"]
        assert entry["ko"] and entry["en"], code
    for key, entry in MESSAGES.items():
        if key.startswith(("sharing.price.", "sharing.charge.", "sharing.statement.")):
            assert entry.get("ko") and entry.get("en"), key
