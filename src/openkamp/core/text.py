"""Names users type, compared as people read them (issue 9, finding 8).

* :func:`nfc`: the one stored form of a name (``한`` typed as three jamo on one keyboard and as
  one syllable on another is the same name).
* :func:`skeleton`: what a name looks like: fullwidth letters and digits as ASCII (NFKC), and
  Cyrillic / Greek letters that look Latin as those Latin letters. Two different names with the
  same skeleton are look-alikes (``press1``, ``ｐｒｅｓｓ1``, ``prеss1`` with a Cyrillic е).
* :func:`look_alike`: the existing name a new name would be confused with, if any.

A small table of confusables, not the whole of Unicode's ``confusables.txt``: the letters that
keyboards in a Korean factory actually produce by accident (fullwidth input mode, Cyrillic or
Greek layouts).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_LOOKS_LATIN = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ь": "b",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
        # Greek
        "α": "a", "ο": "o", "ρ": "p", "τ": "t", "ι": "i", "κ": "k", "ν": "v", "υ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def skeleton(text: str) -> str:
    """What ``text`` looks like (see the module's note); equal skeletons look alike."""
    return unicodedata.normalize("NFKC", text).translate(_LOOKS_LATIN)


def look_alike(name: str, existing: Iterable[str]) -> str | None:
    """An existing name that differs from ``name`` but looks like it, else None."""
    own = nfc(name)
    shape = skeleton(own)
    for other in existing:
        if nfc(other) != own and skeleton(other) == shape:
            return other
    return None


def refuse_look_alike(name: str, existing: Iterable[str], what: str = "name") -> None:
    """Raise :class:`Conflict` (``names.confusable``) when ``name`` looks like an existing one."""
    from openkamp.core.errors import Conflict

    other = look_alike(name, existing)
    if other is not None:
        raise Conflict(
            f"The {what} {name!r} looks like the existing {other!r}.",
            hint="Use the existing name, or a name that reads differently (check for fullwidth "
            "or Cyrillic letters).",
            code="names.confusable",
            params={"name": name, "existing": other},
        )
