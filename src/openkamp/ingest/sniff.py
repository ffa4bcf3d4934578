"""Guess how a text file is written: encoding, delimiter, header.

Korean factory software often exports CP949 (EUC-KR's superset) rather than UTF-8, sometimes
with a UTF-8 BOM for Excel, with commas, semicolons or tabs. Detection looks at the first
megabyte; everything it decides can be overridden by the caller.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openkamp.core.errors import ImportRejected

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


def detect_encoding(sample: bytes, declared: str | None = None) -> str:
    """Return the encoding of ``sample``; raise ImportRejected when none decodes it."""
    if declared:
        try:
            sample.decode(declared, errors="strict") if len(sample) < SAMPLE_BYTES else None
        except LookupError as exc:
            raise ImportRejected(
                f"Unknown encoding {declared!r}.", hint="Use utf-8 or cp949."
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
                )
            return enc
    if b"\x00" in sample[:65536]:
        raise ImportRejected(
            "The file contains binary data (NUL bytes), not text.",
            hint="Upload a CSV, an Excel .xlsx or a Parquet file.",
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
    )


def detect_delimiter(lines: list[str], declared: str | None = None) -> str:
    if declared:
        return declared
    try:
        return csv.Sniffer().sniff("\n".join(lines[:50]), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines[:50] if ln.strip()]
        if not counts or max(counts) == 0:
            continue
        consistency = sum(c == counts[0] for c in counts) / len(counts)
        score = consistency * 10 + counts[0] / 100
        if score > best_score:
            best, best_score = d, score
    return best


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
    max_columns: int = 2000,
) -> TextLayout:
    """Detect the layout of a delimited text file from its first bytes."""
    if not sample.strip():
        raise ImportRejected("The file is empty.", hint="Choose the file that holds the data.")
    enc = detect_encoding(sample, encoding)
    text = sample.decode(enc, errors="replace")
    lines = text.splitlines()
    if len(lines) <= skip_rows:
        raise ImportRejected("The file has no header line.", hint="Check skip_rows.")
    body = lines[skip_rows:]
    delim = detect_delimiter(body, delimiter)
    header = next(csv.reader(io.StringIO(body[0]), delimiter=delim))
    if len(header) > max_columns:
        raise ImportRejected(
            f"The file has {len(header):,} columns; at most {max_columns:,} are accepted.",
            hint="Split the file by equipment, or export it in long layout (signal, timestamp, value).",
        )
    columns, renamed = unique_columns(header)
    rows = list(csv.reader(io.StringIO("\n".join(body[1:200])), delimiter=delim))
    # Bytes to skip: the encoded length of the lines before data, with their line endings.
    head_text_len = 0
    for ln in text.splitlines(keepends=True)[: skip_rows + 1]:
        head_text_len += len(ln)
    header_bytes = len(text[:head_text_len].encode(enc if enc != "utf-8-sig" else "utf-8"))
    if enc == "utf-8-sig":
        header_bytes += 3 if not text.startswith("\ufeff") else 0
    return TextLayout(enc, delim, columns, header_bytes, [r for r in rows if r], renamed)
