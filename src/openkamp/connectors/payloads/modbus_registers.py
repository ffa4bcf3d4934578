"""Modbus register words ↔ values: 32-bit floats in either word order, scaled 16-bit integers.

A Modbus register is one 16-bit word. Devices send wider values in two words, most significant
byte first inside each word (Modbus is big-endian), but disagree on the order of the words:

* ``word_order="big"`` (``ABCD``): the high word first, as the Modbus application protocol's own
  examples and most PLCs (Siemens, Schneider) do;
* ``word_order="little"`` (``CDAB``, "word swapped"): the low word first, as many meters and
  drives do.

Scaled integers carry ``value × scale`` rounded into one signed (``int16``) or unsigned
(``uint16``) word, so ``value = raw / scale``: 161.3 bar at scale 10 is 1613.

These are the same conversions as pymodbus's ``convert_to_registers`` /
``convert_from_registers`` (the tests check them against it), without a client object.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Literal

RegisterType = Literal["float32", "int16", "uint16", "int32", "uint32"]
WordOrder = Literal["big", "little"]

#: Registers each type takes.
WIDTH: dict[str, int] = {"float32": 2, "int16": 1, "uint16": 1, "int32": 2, "uint32": 2}
_FMT = {"float32": ">f", "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I"}
_LIMITS = {
    "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
}


def encode_value(
    value: float, kind: RegisterType, *, word_order: WordOrder = "big", scale: float = 1.0
) -> list[int]:
    """The register words of ``value`` (integers: ``round(value × scale)``, saturated)."""
    if kind == "float32":
        raw = struct.pack(">f", value * scale if scale != 1.0 else value)
    else:
        lo, hi = _LIMITS[kind]
        raw = struct.pack(_FMT[kind], min(hi, max(lo, round(value * scale))))
    words = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
    return words[::-1] if word_order == "little" else words


def decode_value(
    words: Sequence[int], kind: RegisterType, *, word_order: WordOrder = "big", scale: float = 1.0
) -> float:
    """The value of ``WIDTH[kind]`` register words (``raw / scale``)."""
    if len(words) != WIDTH[kind]:
        raise ValueError(f"{kind} takes {WIDTH[kind]} registers, got {len(words)}")
    ordered = list(words)[::-1] if word_order == "little" else list(words)
    raw = b"".join(int(w).to_bytes(2, "big") for w in ordered)
    (x,) = struct.unpack(_FMT[kind], raw)
    return float(x) / scale if scale != 1.0 else float(x)
