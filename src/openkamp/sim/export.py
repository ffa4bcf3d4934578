"""Writing simulated data as a factory would export it: wide or long; CSV, Excel or Parquet.

Layouts (one set of files per equipment)
----------------------------------------
* ``wide``: ``<equipment>.<ext>`` with ``timestamp``, one column per signal, one per label.
* ``long``: ``<equipment>.<ext>`` with ``signal, timestamp, value``, ordered by time and then by
  the machine's signal order, as historians export. Labels are not numbers, so they go to a second,
  wide file ``<equipment>_labels.<ext>`` (``timestamp`` and one column per label).

Formats
-------
* ``csv``: timestamps as ``YYYY-MM-DD HH:MM:SS`` local time (milliseconds added only when the
  data has them), no quoting, ``\\n`` line ends; ``encoding`` is ``utf-8``, ``utf-8-sig`` (with
  the BOM Excel looks for) or a legacy code page such as ``cp949``.
* ``xlsx``: one sheet; timestamps as local date-times without zone (Excel has none); at most
  1 048 575 data rows, Excel's limit, else :class:`InvalidInput`.
* ``parquet``: timestamps keep their time zone. ``encoding`` does not apply to binary formats.

``korean_headers=True`` uses Korean headers as Korean factory software does: ``일시`` for the
timestamp and each signal's / label's ``name_ko``; in the long layout the columns are ``신호, 일시,
값`` and the signal column holds the Korean signal names. It usually goes with ``cp949``.
"""

from __future__ import annotations

import codecs
import io
import pathlib
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from openkamp.core.errors import InvalidInput
from openkamp.sim.machine import Machine

LAYOUTS = ("wide", "long")
FORMATS = ("csv", "xlsx", "parquet")
EXCEL_MAX_ROWS = 1_048_575  # data rows under one header row
TIMESTAMP_KO = "일시"
LONG_COLUMNS = ("signal", "timestamp", "value")
LONG_COLUMNS_KO = ("신호", TIMESTAMP_KO, "값")


def check_encoding(encoding: str) -> str:
    """The canonical codec name of ``encoding``, or :class:`InvalidInput` if Python has no codec."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(
            f"Unknown text encoding {encoding!r}.", hint="Use utf-8, utf-8-sig or cp949."
        ) from None


def csv_timestamps(ts: pd.Series | pd.DatetimeIndex) -> pa.Array:
    """Local wall-clock times as an Arrow array that CSV prints as ``YYYY-MM-DD HH:MM:SS``."""
    idx = pd.DatetimeIndex(ts)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    values = idx.as_unit("ns").asi8
    # Arrow prints fractional seconds for sub-second units, so use seconds unless they are needed.
    unit = "s" if (values % 1_000_000_000 == 0).all() else "ms"
    return pa.array(idx.as_unit(unit).to_numpy())


def csv_header(columns: list[str], encoding: str) -> bytes:
    """The header line, unquoted (as factory exports write it), in ``encoding`` (BOM included)."""
    for name in columns:
        if any(c in name for c in ',"\r\n'):
            raise InvalidInput(f"Column name {name!r} cannot be written unquoted to CSV.")
    return (",".join(columns) + "\n").encode(encoding)


def csv_body(table: pa.Table, encoding: str = "utf-8") -> bytes:
    """``table``'s rows as CSV in ``encoding``, unquoted, without a header.

    Arrow's writer is fast but only writes UTF-8, so rows are transcoded, and only when they hold
    non-ASCII text (all-ASCII bytes are the same in UTF-8 and CP949).
    """
    buf = io.BytesIO()
    # quoting_style="none" makes Arrow refuse values with commas or quotes rather than quote them.
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    data = buf.getvalue()
    if check_encoding(encoding) not in ("utf-8", "utf-8-sig") and not data.isascii():
        data = data.decode("utf-8").encode(encoding)
    return data


def write_frames(
    frames: Mapping[str, pd.DataFrame],
    machines: Mapping[str, Machine],
    out_dir: pathlib.Path,
    *,
    layout: str = "wide",
    fmt: str = "csv",
    encoding: str = "utf-8",
    korean_headers: bool = False,
) -> list[pathlib.Path]:
    """Write each equipment's frame (as from ``Factory.generate``); return the paths written."""
    if layout not in LAYOUTS:
        raise InvalidInput(f"Unknown layout {layout!r}.", hint=f"Use one of {LAYOUTS}.")
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown file format {fmt!r}.", hint=f"Use one of {FORMATS}.")
    check_encoding(encoding)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[pathlib.Path] = []
    for name, df in frames.items():
        m = machines[name]
        ko = {s.name: s.name_ko for s in m.signal_defs} | {
            lab.name: lab.name_ko for lab in m.label_specs
        }
        if layout == "wide":
            outputs = [(name, df)]
        else:
            outputs = [(name, _long(df, m, korean_headers))]
            if m.label_names:
                outputs.append((f"{name}_labels", df[["timestamp", *m.label_names]]))
        for stem, frame in outputs:
            if korean_headers:
                frame = frame.rename(columns={"timestamp": TIMESTAMP_KO, **ko})
                frame = frame.rename(columns=dict(zip(LONG_COLUMNS, LONG_COLUMNS_KO, strict=True)))
            path = out_dir / f"{stem}.{fmt}"
            _write(frame, path, fmt, encoding, sheet=name)
            paths.append(path)
    return paths


def _long(df: pd.DataFrame, m: Machine, korean: bool) -> pd.DataFrame:
    names = m.signal_names
    shown = [s.name_ko for s in m.signal_defs] if korean else names
    n, k = len(df), len(names)
    return pd.DataFrame({
        "signal": np.tile(np.array(shown, dtype=object), n),
        "timestamp": pd.DatetimeIndex(df["timestamp"]).repeat(k),
        "value": df[names].to_numpy(dtype=np.float64).reshape(-1),
    })  # fmt: skip


def _write(frame: pd.DataFrame, path: pathlib.Path, fmt: str, encoding: str, sheet: str) -> None:
    ts_col = frame.columns[frame.columns.isin(["timestamp", TIMESTAMP_KO])]
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
        return
    if fmt == "xlsx":
        if len(frame) > EXCEL_MAX_ROWS:
            raise InvalidInput(
                f"{path.name}: {len(frame):,} rows do not fit in one Excel sheet "
                f"(at most {EXCEL_MAX_ROWS:,}).",
                hint="Write a shorter period, use the wide layout, or use csv or parquet.",
            )
        out = frame.copy()
        for c in ts_col:
            out[c] = pd.DatetimeIndex(out[c]).tz_localize(None)
        out.to_excel(path, index=False, sheet_name=sheet[:31], engine="openpyxl")
        return
    columns = [str(c) for c in frame.columns]
    table = pa.Table.from_pandas(frame.drop(columns=ts_col), preserve_index=False)
    for c in ts_col:
        table = table.add_column(list(frame.columns).index(c), str(c), csv_timestamps(frame[c]))
    with path.open("wb") as fh:
        fh.write(csv_header(columns, encoding))
        fh.write(csv_body(table, encoding))
