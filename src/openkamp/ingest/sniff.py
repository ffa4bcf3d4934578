"""Guess how a text file is written: encoding, delimiter, header.

Korean factory software often exports CP949 (EUC-KR's superset) rather than UTF-8, sometimes
with a UTF-8 BOM for Excel, with commas, semicolons or tabs. Detection looks at the first
megabyte; everything it decides can be overridden by the caller.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from openkamp.core.errors import ImportRejected
from openkamp.ingest.layout import SCAN_ROWS, HeaderLayout, detect_header

SAMPLE_BYTES = 1 << 20
DELIMITERS = [",", ";", "\t", "|"]
_BOMS = {
    b"\xef\xbb\xbf": "utf-8-sig",
    b"\xff\xfe": "utf-16",
    b"\xfe\xff": "utf-16",
}


@dataclass
class TextLayout:
    encoding: str
    delimiter: str
    columns: list[str]
    header_bytes: int  # bytes up to and including the header line (data starts here)
    sample_rows: list[list[str]] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # duplicate headers made unique
    header: HeaderLayout | None = None  # where the header is, and why


def detect_encoding(sample: bytes, declared: str | None = None) -> str:
    """Return the encoding of ``sample``; raise ImportRejected when none decodes it."""
    if declared:
        try:
            sample.decode(declared, errors="strict") if len(sample) < SAMPLE_BYTES else None
        except LookupError as exc:
            raise ImportRejected(
                f"Unknown encoding {declared!r}.",
                hint="Use utf-8 or cp949.",
                code="ingest.unknown_encoding",
                params={"encoding": declared},
            ) from exc
        except UnicodeDecodeError:
            pass  # a sample cut mid-character or a few bad bytes: rows will tell
        return declared
    for bom, enc in _BOMS.items():
        if sample.startswith(bom):
            if enc == "utf-16":
                raise ImportRejected(
                    "The file is UTF-16 text, which this importer does not read.",
                    hint="Save it again as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8).",
                    code="ingest.utf16",
                )
            return enc
    if b"\x00" in sample[:65536]:
        raise ImportRejected(
            "The file contains binary data (NUL bytes), not text.",
            hint="Upload a CSV, an Excel .xlsx or a Parquet file.",
            code="ingest.binary",
        )
    # Cut at the last newline so a multi-byte character split by the sample end is not blamed.
    cut = sample.rfind(b"\n")
    body = sample[: cut + 1] if cut > 0 and len(sample) >= SAMPLE_BYTES else sample
    for enc in ("utf-8", "cp949"):
        try:
            body.decode(enc, errors="strict")
            return enc
        except UnicodeDecodeError:
            continue
    # Mostly decodable? Then a few bad bytes are row problems, not a file problem.
    for enc in ("utf-8", "cp949"):
        text = body.decode(enc, errors="replace")
        if text.count("\ufffd") <= max(1, len(text) // 1000):
            return enc
    raise ImportRejected(
        "The file's bytes cannot be decoded as text (tried UTF-8 and CP949/EUC-KR).",
        hint="Export the data again as CSV (UTF-8 or CP949), or pass the right --encoding.",
        code="ingest.undecodable",
    )


def detect_delimiter(lines: list[str], declared: str | None = None) -> str:
    """The delimiter that splits the most lines into the same number of fields.

    Lines are split as CSV (quotes respected, so ``"1,234.5"`` is one field); title lines above
    the header and a few broken rows do not decide, the most common field count does.
    """
    if declared:
        return declared
    body = [ln for ln in lines[:200] if ln.strip()]
    best, best_score = ",", (-1.0, 0)
    for d in DELIMITERS:
        counts = [len(split_line(ln, d)) for ln in body]
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        if mode < 2:
            continue
        share = counts.count(mode) / len(counts)
        score = (round(share, 2), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def split_line(line: str, delimiter: str) -> list[str]:
    """One line's fields as CSV reads them (quotes respected); plain split if it is broken."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a stray CR or NUL: the rows will tell, the sniffer must not fail
        return line.split(delimiter)


def unique_columns(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """Make header names unique and non-empty (Excel exports repeat and omit headers)."""
    seen: dict[str, int] = {}
    out, renamed = [], {}
    for i, raw in enumerate(names):
        name = raw.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            new = f"{name}_{seen[name]}"
            renamed[new] = name
            name = new
        else:
            seen[name] = 1
        out.append(name)
    return out, renamed


def sniff_text(
    sample: bytes,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    skip_rows: int = 0,
    header_row: int | None = None,
    header_rows: int | None = None,
    max_columns: int = 2000,
) -> TextLayout:
    """Detect the layout of a delimited text file from its first bytes.

    ``skip_rows`` (title lines above the header, the older option) is the same as
    ``header_row=skip_rows``; with neither, the header is found by :func:`detect_header`.
    """
    if not sample.strip():
        raise ImportRejected(
            "The file is empty.", hint="Choose the file that holds the data.", code="ingest.empty"
        )
    enc = detect_encoding(sample, encoding)
    text = sample.decode(enc, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    # Lines exactly as the reader will count them (LF ends a line; CR is part of CRLF).
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    if len(sample) >= SAMPLE_BYTES and len(lines) > 1:
        lines.pop()  # maybe cut in the middle
    if header_row is None and skip_rows:
        header_row = skip_rows
    if header_row is not None and len(lines) <= header_row:
        raise ImportRejected(
            "The file has no header line.",
            hint="Check the header row.",
            code="ingest.header_row_missing",
            params={"row": header_row + 1},
        )
    delim = detect_delimiter(lines[header_row or 0 :], delimiter)
    grid = [split_line(ln, delim) for ln in lines[:SCAN_ROWS]]
    head = detect_header(grid, header_row=header_row, header_rows=header_rows)
    header = head.columns
    if len(header) > max_columns:
        raise ImportRejected(
            f"The file has {len(header):,} columns; at most {max_columns:,} are accepted.",
            hint="Split the file by equipment, or export it in long layout (signal, timestamp, value).",
            code="ingest.too_many_columns",
            params={"columns": len(header), "max": max_columns},
        )
    columns, renamed = unique_columns(header)
    body = lines[head.data_row : head.data_row + 200]
    rows = [split_line(ln, delim) for ln in body]
    # Bytes to skip: the encoded length of the lines before the data, with their line ends.
    head_text = "".join(ln + "\n" for ln in text.split("\n")[: head.data_row])
    header_bytes = len(head_text.encode("utf-8" if enc == "utf-8-sig" else enc))
    if enc == "utf-8-sig":
        header_bytes += 3
    return TextLayout(
        enc, delim, columns, header_bytes, [r for r in rows if any(c.strip() for c in r)],
        renamed, head,
    )  # fmt: skip
