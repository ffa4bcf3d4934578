"""UCUM codes for the units engineers type (``°C``, ``rpm``, ``m³/h``).

The platform keeps a signal's unit as the text the engineer typed: that is what the screens show.
Standards that exchange units by machine (AAS concept descriptions) want UCUM, the Unified Code
for Units of Measure, whose codes are case-sensitive ASCII (``Cel``, ``/min``, ``m3/h``).

:func:`ucum_code` spells the display text the UCUM way, then keeps the result only if a UCUM
parser (ucumvert, a declared dependency) accepts it: a unit that cannot be mapped has no code,
and no invalid code is ever written.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

__all__ = ["ucum_code"]

# Spellings seen on factory screens and in PLC tags that are not UCUM, with their UCUM code;
# looked up after NFKC normalisation (so "℃" is "°C", "m³/h" is "m3/h", "㎜" is "mm").
# Case matters in UCUM and sometimes here: "Nm" is a torque, "nm" stays nanometres.
_EXACT = {
    "°C": "Cel",
    "°F": "[degF]",
    "°": "deg",
    "KW": "kW",
    "KWh": "kW.h",
    "kWh": "kW.h",
    "Wh": "W.h",
    "kVA": "kV.A",
    "Nm": "N.m",
    "N·m": "N.m",
    "kNm": "kN.m",
    "kN·m": "kN.m",
    "Nm3/h": "m3/h",  # normal cubic metres: UCUM has no reference state, the unit is m3/h
    "μm": "um",
    "μs": "us",
    "μA": "uA",
    "μV": "uV",
    "Ω": "Ohm",
    "kΩ": "kOhm",
    "MΩ": "MOhm",
    "mΩ": "mOhm",
    "dBA": "dB",  # the A-weighting is a measurement condition, not part of the unit
    "dB(A)": "dB",
    "%RH": "%",
    "l": "L",
}
# Spellings whose case carries no meaning (compared case-folded).
_ANY_CASE = {
    "degc": "Cel",
    "degf": "[degF]",
    "rpm": "/min",
    "r/min": "/min",
    "min-1": "/min",
    "spm": "/min",  # strokes per minute
    "cpm": "/min",  # cycles per minute
    "rps": "/s",
    "psi": "[psi]",
    "ppm": "[ppm]",
    "ppb": "[ppb]",
    "sec": "s",
    "hr": "h",
    "lpm": "L/min",
    "l/min": "L/min",
    "l/h": "L/h",
    "ea": "{ea}",
    "pcs": "{pcs}",
    "개": "{pcs}",
    "ea/h": "{ea}/h",
    "pcs/h": "{pcs}/h",
    "shot": "{shot}",
    "shots": "{shot}",
    "ohm": "Ohm",
    "lux": "lx",
}
# Texts that are UCUM but mean something else on a factory screen: "C" is usually degrees
# Celsius (UCUM: coulomb), "F" degrees Fahrenheit (UCUM: farad). Better no code than a wrong one.
_AMBIGUOUS = frozenset({"C", "F"})


def ucum_code(unit: str) -> str | None:
    """The UCUM code of a display unit, or ``None`` when there is none (or no unit at all)."""
    text = unicodedata.normalize("NFKC", unit).strip()
    if not text or text in _AMBIGUOUS:
        return None
    code = _EXACT.get(text) or _ANY_CASE.get(text.casefold()) or text
    return code if _is_ucum(code) else None


@functools.lru_cache(maxsize=4096)
def _is_ucum(code: str) -> bool:
    from ucumvert import InvalidUcumError, parse_ucum

    if not code.isascii():  # UCUM codes are printable ASCII; the grammar would say so too
        return False
    try:
        parse_ucum(code, _parser())
    except InvalidUcumError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    from ucumvert import get_ucum_parser

    return get_ucum_parser()  # builds the grammar once per process (under a second)
