"""Register words ↔ values, checked against pymodbus's own converters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymodbus.client import ModbusTcpClient

from openkamp.connectors.payloads.modbus_registers import decode_value, encode_value

DT = ModbusTcpClient.DATATYPE


@given(st.floats(width=32, allow_nan=False), st.sampled_from(["big", "little"]))
def test_float32_words_match_pymodbus(x: float, order: str) -> None:
    words = encode_value(x, "float32", word_order=order)  # type: ignore[arg-type]
    assert words == ModbusTcpClient.convert_to_registers(x, DT.FLOAT32, word_order=order)  # type: ignore[arg-type]
    assert decode_value(words, "float32", word_order=order) == x  # type: ignore[arg-type]


def test_word_orders_by_example() -> None:
    # 161.25 is 0x43214000: ABCD = [0x4321, 0x4000], CDAB = [0x4000, 0x4321].
    assert encode_value(161.25, "float32", word_order="big") == [0x4321, 0x4000]
    assert encode_value(161.25, "float32", word_order="little") == [0x4000, 0x4321]


@pytest.mark.parametrize(
    ("kind", "dt"),
    [("int16", DT.INT16), ("uint16", DT.UINT16), ("int32", DT.INT32), ("uint32", DT.UINT32)],
)
def test_scaled_integers_match_pymodbus(kind: str, dt: object) -> None:
    for value in (0.0, 1.5, 161.3, 3276.7):
        words = encode_value(value, kind, scale=10)  # type: ignore[arg-type]
        raw = round(value * 10)
        assert words == ModbusTcpClient.convert_to_registers(raw, dt)  # type: ignore[arg-type]
        assert decode_value(words, kind, scale=10) == pytest.approx(value)  # type: ignore[arg-type]
    assert decode_value(encode_value(-12.5, "int16", scale=10), "int16", scale=10) == -12.5
    # Out of range saturates, as a transmitter does, instead of wrapping around.
    assert decode_value(encode_value(1e9, "int16"), "int16") == 32767
    assert decode_value(encode_value(-1, "uint16"), "uint16") == 0
