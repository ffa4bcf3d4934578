"""Cells written to CSV / Excel for people: the one rule against formula injection.

A spreadsheet runs a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP "CSV injection"). Every download and CLI export that writes CSV or
Excel passes its cells through :func:`neutralise` (or :func:`neutralise_frame`): such a text cell
is written with a leading apostrophe, which spreadsheets show as text. Numbers are never touched
(a negative number stays a number); only text cells and column titles change.

The quarantine download (:func:`neutralise_csv`) keeps the raw lines of the file recoverable:
there, a cell beginning with an apostrophe is escaped too, so the original cell is always the
downloaded one with one leading apostrophe removed, if it starts with one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

__all__ = ["FORMULA_START", "neutralise", "neutralise_csv", "neutralise_frame"]

#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any, *, lossless: bool = False) -> Any:
    """A text cell a spreadsheet would run as a formula, with a leading apostrophe.

    With ``lossless`` a cell already beginning with an apostrophe gets one more, so removing one
    leading apostrophe always gives the original back. Anything but text is returned unchanged.
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_START) or (lossless and value.startswith("'"))
    ):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame, *, headers: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and, with ``headers``, column titles) are neutralised;
    numeric, boolean and time columns are kept as they are."""
    out = frame.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if (
            s.dtype == object
            or pd.api.types.is_string_dtype(s.dtype)
            or isinstance(s.dtype, pd.CategoricalDtype)
        ):
            out.isetitem(i, s.astype(object).map(neutralise, na_action="ignore"))
    if headers:
        out.columns = [neutralise(c) for c in out.columns]
    return out


def neutralise_csv(chunks: Iterable[bytes], encoding: str = "utf-8-sig") -> Iterator[bytes]:
    """A CSV file (as byte pieces) re-written with every cell neutralised losslessly
    (see the module's note); read and written row by row, so memory stays bounded."""
    text = io.TextIOWrapper(io.BufferedReader(_Reader(iter(chunks))), encoding=encoding, newline="")
    buf = io.StringIO()
    writer = csv.writer(buf)
    first = True
    for row in csv.reader(text):
        writer.writerow([neutralise(c, lossless=True) for c in row])
        if buf.tell() > 1 << 16:
            yield _encode(buf, first)
            first = False
    if buf.tell() or first:
        yield _encode(buf, first)


def _encode(buf: io.StringIO, first: bool) -> bytes:
    data = ("\ufeff" if first else "") + buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return data.encode("utf-8")


class _Reader(io.RawIOBase):
    """Byte pieces as a readable stream."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces, self._rest = pieces, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._rest:
            try:
                self._rest = next(self._pieces)
            except StopIteration:
                return 0
        n = min(len(b), len(self._rest))
        b[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n
