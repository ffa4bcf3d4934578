"""File readers: CSV / text, Excel .xlsx and Parquet, each streamed as Arrow chunks.

A reader opens a file, reports its columns and a sample, then yields :class:`Chunk` objects with
bounded memory. Rows a reader cannot even split into fields (wrong number of fields, bytes that
do not decode) come out as ``bad_rows`` with a reason, so the importer can count and quarantine
them. Readers are plugins: the built-in ones are registered through the same hook a third party
would use (:func:`openkamp_file_readers`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import xxhash

from openkamp.core.errors import ImportRejected
from openkamp.core.parquet import parquet_batches
from openkamp.ingest.layout import SCAN_ROWS, HeaderLayout, detect_header
from openkamp.ingest.sniff import SAMPLE_BYTES, TextLayout, sniff_text, unique_columns
from openkamp.ingest.values import MISSING
from openkamp.plugins import hookimpl


@dataclass
class BadRow:
    row: int | None  # where a person finds it: the file's line (CSV), the sheet's row (Excel)
    raw: str
    reason: str


@dataclass
class Chunk:
    table: pa.Table  # one column per file column; typed where cheap, else strings
    first_row: int  # row number (see BadRow.row) of the table's first row
    bad_rows: list[BadRow] = field(default_factory=list)
    bytes_done: int = 0
    rows: np.ndarray | None = None  # row numbers of the table's rows when not consecutive
    # The rows as the file wrote them, by row number (see BadRow.row): what quarantine keeps.
    raw_lines: Callable[[np.ndarray], list[str]] | None = None

    def row_numbers(self, idx: np.ndarray) -> np.ndarray:
        """Row numbers of the table rows at positions ``idx``."""
        return self.rows[idx] if self.rows is not None else self.first_row + idx


@dataclass
class ReaderOptions:
    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: int = 0  # title lines above the header (the older option; header_row wins)
    header_row: int | None = None  # 0-based row of the header; None: detect
    header_rows: int | None = None  # 1 or 2 header rows; None: detect
    sheet: str | int | None = None
    chunk_bytes: int = 16 << 20
    max_columns: int = 2000
    max_uncompressed_bytes: int = 2 * 1024**3


class FileReader:
    """Base class of readers. ``open`` checks the whole file and raises ImportRejected early."""

    extensions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        self.path = path
        self.options = options
        self.columns: list[str] = []
        self.sample: dict[str, list[Any]] = {}
        self.details: dict[str, Any] = {}
        self.header: HeaderLayout | None = None  # where the header was found, and why
        # xxh3-128 identifies the file for re-import detection at ~10 GB/s; SHA-256 cost 8 %
        # of the import time and nothing here needs a cryptographic hash.
        self.checksum = xxhash.xxh3_128()

    @property
    def total_bytes(self) -> int:
        return self.path.stat().st_size

    def chunks(self, types: dict[str, pa.DataType]) -> Iterator[Chunk]:  # pragma: no cover
        raise NotImplementedError


class CsvReader(FileReader):
    """Delimited text, parsed by Arrow in byte chunks cut at line ends."""

    extensions = (".csv", ".txt", ".tsv", ".dat")

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        super().__init__(path, options)
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
        self.layout: TextLayout = sniff_text(
            head,
            encoding=options.encoding,
            delimiter=options.delimiter,
            skip_rows=options.skip_rows,
            header_row=options.header_row,
            header_rows=options.header_rows,
            max_columns=options.max_columns,
        )
        self.columns = self.layout.columns
        self.header = self.layout.header
        if not self.layout.sample_rows:
            raise ImportRejected(
                "The file has a header but no data rows.",
                hint="Check that the export is complete.",
                code="ingest.no_rows",
            )
        n = len(self.columns)
        self.sample = {
            c: [r[i] if i < len(r) else "" for r in self.layout.sample_rows]
            for i, c in enumerate(self.columns)
        }
        self.details = {
            "encoding": self.layout.encoding,
            "delimiter": self.layout.delimiter,
            "columns": n,
            "renamed_columns": self.layout.renamed,
            **_header_details(self.header, self.columns),
        }

    def _byte_chunks(self) -> Iterator[tuple[memoryview, int]]:
        """Chunks of whole lines (data part only) with the file position after each.

        Chunks are memoryviews: each byte is copied once (joining the previous tail), never
        again on the way to Arrow's parser.
        """
        size = self.options.chunk_bytes
        with open(self.path, "rb") as fh:
            head = fh.read(self.layout.header_bytes)
            self.checksum.update(head)
            rest = b""
            while True:
                buf = fh.read(size)
                self.checksum.update(buf)
                if not buf:
                    if rest:
                        yield memoryview(rest), fh.tell()
                    return
                data = rest + buf
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # a single line longer than a chunk: keep reading
                    rest = data
                    continue
                view = memoryview(data)
                rest = bytes(view[cut:])
                yield view[:cut], fh.tell() - len(rest)

    @staticmethod
    def _split_undecodable(data: bytes | memoryview, enc: str) -> tuple[bytes, list[BadRow]]:
        """Drop lines that do not decode; they become bad rows. Returns UTF-8 bytes."""
        good, bad = [], []
        for i, line in enumerate(bytes(data).split(b"\n")):
            try:
                good.append(line.decode(enc).encode("utf-8") + b"\n")
            except UnicodeDecodeError as exc:
                bad.append(
                    BadRow(
                        i,  # line index within the chunk; made absolute by chunks()
                        line.decode(enc, errors="replace").rstrip("\r\n"),
                        f"bytes: position {exc.start} cannot be decoded as {enc}",
                    )
                )
        joined = b"".join(good)
        return (joined[:-1] if not bytes(data).endswith(b"\n") else joined), bad

    def _decode(self, data: memoryview) -> tuple[bytes | memoryview, list[BadRow]]:
        """Convert a chunk to UTF-8 for Arrow; lines that do not decode become bad rows."""
        enc = self.layout.encoding
        try:
            if enc in ("utf-8", "utf-8-sig"):
                # Validate only (CPython's ASCII fast path: milliseconds per chunk). Arrow cannot
                # report a row with bad UTF-8, so such lines must be taken out before parsing.
                str(data, "utf-8")
                return data, []
            return str(data, enc).encode("utf-8"), []
        except UnicodeDecodeError:
            return self._split_undecodable(data, "utf-8" if enc == "utf-8-sig" else enc)

    def _parse(
        self, data: bytes | memoryview, types: dict[str, pa.DataType]
    ) -> tuple[pa.Table, list[BadRow]]:
        """Parse a chunk: typed if every cell fits, else as text; never raises on content."""
        names = self.columns
        invalid: list[BadRow] = []

        def on_invalid(r: Any) -> str:
            invalid.append(
                BadRow(
                    None,
                    r.text,
                    f"fields: row has {r.actual_columns} fields, expected {r.expected_columns}",
                )
            )
            return "skip"

        parse = pcsv.ParseOptions(delimiter=self.layout.delimiter, invalid_row_handler=on_invalid)
        read = pcsv.ReadOptions(column_names=names, block_size=max(1 << 20, len(data) // 2 + 1))

        def convert(column_types: dict[str, pa.DataType]) -> pcsv.ConvertOptions:
            return pcsv.ConvertOptions(
                column_types=column_types,
                null_values=MISSING,
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            )

        try:
            typed = convert({c: types.get(c, pa.string()) for c in names})
            return pcsv.read_csv(
                pa.BufferReader(pa.py_buffer(data)),
                read_options=read,
                parse_options=parse,
                convert_options=typed,
            ), invalid
        except pa.ArrowInvalid:
            pass
        # A cell does not fit its expected type: read everything as text and let the importer
        # find the offending cells row by row.
        invalid.clear()
        try:
            as_text = convert({c: pa.binary() for c in names})
            table = pcsv.read_csv(
                pa.BufferReader(pa.py_buffer(data)),
                read_options=read,
                parse_options=parse,
                convert_options=as_text,
            )
            return _binary_to_text(table), invalid
        except (pa.ArrowInvalid, UnicodeDecodeError):
            pass
        # Arrow itself cannot report the row (e.g. bad UTF-8 on a row with missing fields):
        # split this chunk line by line in Python. Slow, but only for damaged chunks.
        return self._parse_python(data)

    def _parse_python(self, data: bytes | memoryview) -> tuple[pa.Table, list[BadRow]]:
        import csv as pycsv

        n = len(self.columns)
        rows: list[list[str]] = []
        bad: list[BadRow] = []
        text = str(data, "utf-8", errors="replace")
        for line in text.splitlines():
            if not line.strip():
                continue
            fields = next(pycsv.reader([line], delimiter=self.layout.delimiter), [])
            if len(fields) != n:
                bad.append(
                    BadRow(None, line, f"fields: row has {len(fields)} fields, expected {n}")
                )
            else:
                rows.append(fields)
        cols = {
            c: pa.array([r[i] or None for r in rows], pa.string())
            for i, c in enumerate(self.columns)
        }
        return pa.table(cols), bad

    def chunks(self, types: dict[str, pa.DataType]) -> Iterator[Chunk]:
        assert self.header is not None
        line = self.header.data_row + 1  # file line (1-based) of the first data line
        for raw, pos in self._byte_chunks():
            n_lines = int(np.count_nonzero(np.frombuffer(raw, dtype=np.uint8) == 10))
            n_lines += 0 if raw[-1:] == b"\n" else 1
            data, undecodable = self._decode(raw)
            table, invalid = self._parse(data, types)
            lines = _RawLines(self.path, pos - len(raw), len(raw), line, self.layout.encoding)
            if undecodable or invalid or table.num_rows != n_lines:
                rows, bad = _line_numbers(raw, line, undecodable, invalid, table.num_rows)
                yield Chunk(table, line, bad, pos, rows, lines)
            else:  # every line a good row: numbers are consecutive
                yield Chunk(table, line, [], pos, None, lines)
            line += n_lines


class _RawLines:
    """A chunk's lines as the file wrote them, read back from the file only when a row is
    quarantined (holding every chunk's bytes for the rare bad row cost memory)."""

    def __init__(self, path: Path, start: int, size: int, first: int, encoding: str) -> None:
        self.path, self.start, self.size, self.first = path, start, size, first
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self._lines: list[bytes] | None = None

    def __call__(self, rows: np.ndarray) -> list[str]:
        if self._lines is None:
            with open(self.path, "rb") as fh:
                fh.seek(self.start)
                self._lines = fh.read(self.size).split(b"\n")
        out = []
        for r in rows.tolist():
            i = int(r) - self.first
            line = self._lines[i] if 0 <= i < len(self._lines) else b""
            out.append(line.rstrip(b"\r").decode(self.encoding, errors="replace"))
        return out


def _header_details(header: HeaderLayout | None, columns: list[str]) -> dict[str, Any]:
    """What the preview and the report show about where the table starts."""
    if header is None:
        return {}
    return {
        "header_row": header.header_row,
        "header_rows": header.header_rows,
        "title": header.title,
        "english_names": {columns[j]: en for j, en in header.english.items() if j < len(columns)},
        "notes": header.notes,
    }


def _line_numbers(
    raw: memoryview, first: int, undecodable: list[BadRow], invalid: list[BadRow], n_rows: int
) -> tuple[np.ndarray | None, list[BadRow]]:
    """File line numbers of a damaged chunk's parsed rows and bad rows (the slow path).

    Arrow skips blank lines and reports rows it could not split by their text only (when
    parsing in parallel), so lines are matched back by content, in order.
    """
    lines = bytes(raw).split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    removed = {b.row for b in undecodable}
    for b in undecodable:
        b.row = first + int(b.row or 0)
    candidates = [i for i, ln in enumerate(lines) if i not in removed and ln.strip(b"\r \t")]
    pending: dict[str, list[BadRow]] = {}
    for b in invalid:
        pending.setdefault(b.raw.rstrip("\r"), []).append(b)
    valid: list[int] = []
    for i in candidates:
        text = lines[i].decode("utf-8", errors="replace").rstrip("\r")
        if pending.get(text):
            pending[text].pop(0).row = first + i
        else:
            valid.append(i)
    rows = np.asarray(valid, dtype=np.int64) + first if len(valid) == n_rows else None
    return rows, undecodable + invalid


def _binary_to_text(table: pa.Table) -> pa.Table:
    """Cast binary columns to UTF-8; invalid byte sequences become U+FFFD (flagged later)."""
    cols = []
    for col in table.columns:
        try:
            cols.append(col.cast(pa.string()))
        except pa.ArrowInvalid:
            vals = [
                None if v is None else v.decode("utf-8", errors="replace") for v in col.to_pylist()
            ]
            cols.append(pa.array(vals, pa.string()))
    return pa.table(cols, names=table.column_names)


class ExcelReader(FileReader):
    """Excel .xlsx / .xlsm (via calamine, which also gives merged ranges). Guards against zip
    bombs before parsing. Without a sheet named, the sheet holding the most cells is read."""

    extensions = (".xlsx", ".xlsm")
    ROWS_PER_CHUNK = 100_000

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        super().__init__(path, options)
        self._check_container()
        from python_calamine import CalamineWorkbook

        sheet_names: list[str] = []
        try:
            book = CalamineWorkbook.from_path(str(path))
            sheet_names = list(book.sheet_names)
            ws, sheet, why = self._choose_sheet(book, options.sheet)
            rows = ws.to_python(skip_empty_area=False)
            merged = list(ws.merged_cell_ranges or [])
        except ImportRejected:
            raise
        except Exception as exc:  # calamine raises its own error types
            if sheet_names and "sheet" in str(exc).lower():
                raise ImportRejected(
                    f"There is no sheet {options.sheet!r} in the workbook.",
                    hint=f"Sheets in this file: {', '.join(sheet_names)}.",
                    code="ingest.no_sheet",
                    params={"sheet": options.sheet, "sheets": ", ".join(sheet_names)},
                ) from exc
            raise ImportRejected(
                f"The Excel file cannot be read: {exc}",
                hint="Open it in Excel and save it again as .xlsx.",
                code="ingest.excel_unreadable",
            ) from exc
        if not any(any(str(v).strip() for v in r) for r in rows[:SCAN_ROWS]):
            raise ImportRejected(
                "The sheet is empty.",
                hint="Choose the sheet that holds the data.",
                code="ingest.empty_sheet",
                params={"sheet": sheet},
            )
        header_row = options.header_row
        if header_row is None and options.skip_rows:
            header_row = options.skip_rows
        self.header = detect_header(
            rows, merged=merged, header_row=header_row, header_rows=options.header_rows
        )
        header = self.header.columns
        if len(header) > options.max_columns:
            raise ImportRejected(
                f"The sheet has {len(header):,} columns; at most {options.max_columns:,} are accepted.",
                hint="Split the sheet by equipment, or use the long layout (signal, timestamp, value).",
                code="ingest.too_many_columns",
                params={"columns": len(header), "max": options.max_columns},
            )
        self.columns, renamed = unique_columns(header)
        # Sheet rows as Excel numbers them (1-based), blank rows left out (they hold nothing).
        first = self.header.data_row
        keep = [i for i in range(first, len(rows)) if any(v not in (None, "") for v in rows[i])]
        self._rows = [rows[i] for i in keep]
        self._numbers = np.asarray(keep, dtype=np.int64) + 1
        if not self._rows:
            raise ImportRejected(
                "The sheet has a header but no data rows.",
                hint="Check that the export is complete.",
                code="ingest.no_rows",
            )
        self.sample = {
            c: [r[i] if i < len(r) else None for r in self._rows[:200]]
            for i, c in enumerate(self.columns)
        }
        self.details = {
            "sheet": sheet,
            "sheets": sheet_names,
            "columns": len(self.columns),
            "renamed_columns": renamed,
            **_header_details(self.header, self.columns),
        }
        if why:
            self.header.notes.insert(0, why)
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                self.checksum.update(block)

    @staticmethod
    def _choose_sheet(
        book: Any, wanted: str | int | None
    ) -> tuple[Any, str, dict[str, Any] | None]:
        """The sheet asked for, else the only one, else the one with the most cells (and why)."""
        if wanted is not None:
            ws = (
                book.get_sheet_by_index(wanted)
                if isinstance(wanted, int)
                else book.get_sheet_by_name(wanted)
            )
            return ws, ws.name, None
        names = list(book.sheet_names)
        if len(names) == 1:
            return book.get_sheet_by_index(0), names[0], None
        sizes = []
        for i in range(len(names)):
            ws = book.get_sheet_by_index(i)
            sizes.append((ws.height * ws.width, -i, ws))
        _, neg, ws = max(sizes, key=lambda x: (x[0], x[1]))
        note = {
            "code": "ingest.note.sheet",
            "params": {"sheet": names[-neg], "sheets": ", ".join(names)},
        }
        return ws, names[-neg], note

    def _check_container(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRejected(
                "The file is not a valid .xlsx workbook (it is not a zip container).",
                hint="Open it in Excel and save it as 'Excel Workbook (.xlsx)'.",
                code="ingest.not_xlsx",
            ) from exc
        total = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if total > self.options.max_uncompressed_bytes or (
            total > 100 << 20 and total / packed > 100
        ):
            raise ImportRejected(
                f"The workbook would expand to {total / 1e9:.1f} GB from {packed / 1e6:.1f} MB "
                "(compression ratio {:.0f}:1); this looks like a zip bomb.".format(total / packed),
                hint="Export the data as CSV instead, or split the workbook.",
                code="ingest.zip_bomb",
                params={"gb": round(total / 1e9, 1), "mb": round(packed / 1e6, 1)},
            )
        if not any(i.filename.startswith("xl/") for i in infos):
            raise ImportRejected(
                "The zip file is not an Excel workbook (no xl/ part).",
                hint="Upload a real .xlsx file.",
                code="ingest.zip_not_excel",
            )

    def chunks(self, types: dict[str, pa.DataType]) -> Iterator[Chunk]:
        n = len(self.columns)
        step = self.ROWS_PER_CHUNK
        total = max(1, len(self._rows))
        for start in range(0, len(self._rows), step):
            block = self._rows[start : start + step]
            cols = []
            for i in range(n):
                vals = [r[i] if i < len(r) else None for r in block]
                cols.append(_excel_column(vals))
            done = int(self.total_bytes * min(1.0, (start + len(block)) / total))
            numbers = self._numbers[start : start + len(block)]
            yield Chunk(
                pa.table(cols, names=self.columns),
                int(numbers[0]),
                [],
                done,
                numbers,
                self._raw_lines,
            )

    def _raw_lines(self, numbers: np.ndarray) -> list[str]:
        """A sheet row as its cells read, tab-separated (what quarantine keeps)."""
        pos = np.searchsorted(self._numbers, numbers)
        return ["\t".join("" if v is None else str(v) for v in self._rows[int(p)]) for p in pos]


def _excel_column(values: list[Any]) -> pa.Array:
    """Typed where the sheet is consistent (numbers, datetimes), otherwise text."""
    # Excel shows midnight as a date: calamine returns date for those cells, datetime for others.
    values = [
        datetime(v.year, v.month, v.day)
        if isinstance(v, date) and not isinstance(v, datetime)
        else v
        for v in values
    ]
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, datetime) for v in present):
        return pa.array(
            [v if isinstance(v, datetime) else None for v in values], pa.timestamp("us")
        )
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.array(
            [float(v) if isinstance(v, int | float) else None for v in values], pa.float64()
        )
    return pa.array([None if v is None or v == "" else str(v) for v in values], pa.string())


class ParquetReader(FileReader):
    extensions = (".parquet", ".pq")

    def __init__(self, path: Path, options: ReaderOptions) -> None:
        super().__init__(path, options)
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several kinds here
            raise ImportRejected(
                f"The Parquet file cannot be read: {exc}",
                hint="Write it again with a Parquet library.",
                code="ingest.parquet_unreadable",
            ) from exc
        self.columns = self._file.schema_arrow.names
        if len(self.columns) > options.max_columns:
            raise ImportRejected(
                f"The file has {len(self.columns):,} columns; at most {options.max_columns:,} are accepted.",
                hint="Split the file by equipment, or write it in long layout (signal, timestamp, value).",
                code="ingest.too_many_columns",
                params={"columns": len(self.columns), "max": options.max_columns},
            )
        if self._file.metadata.num_rows == 0:
            raise ImportRejected(
                "The Parquet file has no rows.",
                hint="Check that the export is complete.",
                code="ingest.no_rows",
            )
        first = next(self._file.iter_batches(batch_size=200))
        self.sample = {c: first.column(c).to_pylist() for c in self.columns}
        self.details = {"columns": len(self.columns), "rows": self._file.metadata.num_rows}
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                self.checksum.update(block)

    def chunks(self, types: dict[str, pa.DataType]) -> Iterator[Chunk]:
        row = 1
        total = self._file.metadata.num_rows
        # one row group at a time: the whole-file reader keeps every group it read until the
        # end, so an import of a large file would grow by about the file's size
        for table in parquet_batches(self._file, None, 200_000):
            done = min(1.0, (row + table.num_rows) / total)
            yield Chunk(table, row, [], int(self.total_bytes * done))
            row += table.num_rows


@hookimpl
def openkamp_file_readers() -> list[type[FileReader]]:
    return [CsvReader, ExcelReader, ParquetReader]


def reader_for(
    path: Path, readers: list[type[FileReader]]
) -> Callable[[Path, ReaderOptions], FileReader]:
    suffix = path.suffix.lower()
    for cls in readers:
        if suffix in cls.extensions:
            return cls
    known = sorted({e for cls in readers for e in cls.extensions})
    if suffix == ".xls":
        raise ImportRejected(
            "Old Excel .xls files are not supported.",
            hint="Open the file in Excel and save it as .xlsx or CSV.",
            code="ingest.old_xls",
        )
    raise ImportRejected(
        f"Files ending in {suffix or '(no extension)'!r} cannot be imported.",
        hint=f"Supported: {', '.join(known)}.",
        code="ingest.file_type",
        params={"suffix": suffix or "-", "known": ", ".join(known)},
    )
