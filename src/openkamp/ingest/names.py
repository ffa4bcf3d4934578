"""Column headers as people write them: a display name, a unit, and a key for matching.

Factory exports spell the same column in many ways — ``사출압력``, ``사출 압력``, ``사출_압력``,
fullwidth ``ＡＢＣ`` from Korean input methods, ``사출압력(bar)`` with its unit, ``압력 (MPa)``,
``온도[℃]``. Import, scoring and the preview all use these two functions, so that a file a model
was trained on is read the same way when it is scored.
"""

from __future__ import annotations

import re
import unicodedata

# A unit in brackets at the end of a header: '온도(℃)', '사출압력[bar]', '압력 (MPa)', '속도{mm/s}'.
_UNIT = re.compile(r"^(?P<name>.*?)\s*[\(\[\{](?P<unit>[^\(\)\[\]\{\}]{1,16})[\)\]\}]\s*$")
# Characters that do not make two headers different: spaces of every kind and underscores.
_NOT_KEY = re.compile(r"[\s_]+")


def normalise_text(text: str) -> str:
    """NFKC (fullwidth letters, digits and brackets become ordinary ones), single spaces.

    ``℃`` is kept as written (NFKC would turn it into ``°C``).
    """
    kept = str(text).replace("℃", "\0")  # NFKC would write it '°C'; keep the header's own sign
    return " ".join(unicodedata.normalize("NFKC", kept).replace("\0", "℃").split())


def header_name(header: str) -> tuple[str, str]:
    """``'온도(℃)'`` → ``('온도', '℃')``; ``'압력 (MPa)'`` → ``('압력', 'MPa')``.

    The header is NFKC-normalised first (``'온도（℃）'`` reads the same); a header without a
    unit comes back as its normalised self with ``''``. A bracket that is the whole header is a
    name, not a unit.
    """
    text = normalise_text(header)
    m = _UNIT.match(text)
    if m and m.group("name").strip():
        return m.group("name").strip(), m.group("unit").strip()
    return text, ""


def match_key(header: str) -> str:
    """The key under which two spellings of one column meet.

    NFKC, case-folded, without its unit, spaces and underscores: ``사출압력``, ``사출 압력``,
    ``사출_압력``, ``사출압력(bar)`` and ``ＡＢＣ`` / ``abc`` meet. Used by import (column → signal)
    and by scoring (file column → model input).
    """
    name, _ = header_name(header)
    return _NOT_KEY.sub("", name).casefold()
