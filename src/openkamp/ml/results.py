"""Scored results kept for a day: every row of a scored file or period, for pages and downloads.

A result lives under an unguessable token in the organisation's own folder
(``<data>/scored/<org>/<token>/``): the scored rows as Parquet parts written while the job
scores (:class:`PartWriter`, a bounded number of rows in memory), and ``meta.json`` with what
the page shows (source, headers, counts). Reading never loads the whole result: the rows a page
shows (riskiest first, or only the flagged ones) and the rows of a download come from DuckDB
over the parts, which sorts in bounded memory (spilling to disk past its limit) and hands the
rows over in batches::

    store = ScoreResults.of(kamp)
    token = store.create(me)
    with store.writer(me, token) as write:
        write(scores)                                       # piece by piece
    store.save_meta(me, token, {...})
    top = store.rows(me, token, risk="probability", limit=200)   # riskiest first
    for batch in store.batches(me, token):                         # file order
        ...
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from openkamp.core.errors import NotFound
from openkamp.core.tenancy import Principal, Role, require

if TYPE_CHECKING:
    from openkamp.platform import Platform

__all__ = ["KEEP_HOURS", "PartWriter", "ScoreResults", "Where", "numbered"]

KEEP_HOURS = 24
_TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
#: The column of a row's place among the rows scored (file order, or time order of a period).
ROW = "_row"
#: Rows a part holds (and a writer keeps in memory before writing one).
PART_ROWS = 50_000
#: A filter of rows: ``(column, None)`` rows where the column is set (an alarm), or
#: ``(column, value)`` rows where the column, as text, is ``value`` (a predicted class).
Where = tuple[str, str | None]


class PartWriter:
    """Writes consecutive frames (same columns) as Parquet parts of at most
    :data:`PART_ROWS` rows; a callable, and a context manager that writes the rest at exit."""

    def __init__(self, folder: Path, part_rows: int = PART_ROWS) -> None:
        self.folder = folder
        self.part_rows = part_rows
        self._frames: list[pd.DataFrame] = []
        self._held = 0
        self.parts = 0
        self.rows = 0

    def __call__(self, frame: pd.DataFrame) -> None:
        if not len(frame):
            return
        self._frames.append(frame)
        self._held += len(frame)
        self.rows += len(frame)
        if self._held >= self.part_rows:
            self.flush()

    def flush(self) -> None:
        if not self._frames:
            return
        frame = (
            pd.concat(self._frames, ignore_index=True)
            if len(self._frames) > 1
            else (self._frames[0])
        )
        frame.columns = [str(c) for c in frame.columns]
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, self.folder / f"part-{self.parts:05d}.parquet")
        self.parts += 1
        self._frames, self._held = [], 0

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.flush()


def numbered(sink: Callable[[pd.DataFrame], None]) -> Callable[[pd.DataFrame], None]:
    """A sink for a scored period's pieces: each piece's time (its index) as a column and the
    row's place among all rows (``_row``) in front, then ``sink``."""
    seen = 0

    def take(scores: pd.DataFrame) -> None:
        nonlocal seen
        frame = scores.reset_index()
        frame.insert(0, ROW, range(seen + 1, seen + len(frame) + 1))
        seen += len(frame)
        sink(frame)

    return take


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


class ScoreResults:
    """Scored results of each organisation, kept for :data:`KEEP_HOURS` hours (see the module
    docstring). ``memory_limit``: what DuckDB may hold while it sorts a result."""

    def __init__(self, root: Path, *, memory_limit: str = "256MB") -> None:
        self.root = Path(root)
        self.memory_limit = memory_limit

    @classmethod
    def of(cls, kamp: Platform) -> ScoreResults:
        return cls(
            Path(kamp.settings.data_dir) / "scored",
            memory_limit=str(kamp.settings.duckdb_memory_limit),
        )

    # -- writing ----------------------------------------------------------------------------------

    def _org(self, principal: Principal) -> Path:
        return self.root / str(principal.org_id)

    def create(self, principal: Principal) -> str:
        """A new empty result; returns its token (results older than a day are removed)."""
        require(principal, Role.VIEWER)
        root = self._org(principal)
        root.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - KEEP_HOURS * 3600
        for old in root.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink(missing_ok=True) if old.is_file() else shutil.rmtree(old, True)
            except OSError:  # removed meanwhile by another request
                continue
        token = secrets.token_urlsafe(18)
        (root / token).mkdir()
        return token

    def folder(self, principal: Principal, token: str) -> Path:
        """The result's folder (where a job may also keep the file it scores)."""
        require(principal, Role.VIEWER)
        path = self._org(principal) / token
        if (
            not token
            or not set(token) <= _TOKEN_CHARS
            or not (path.is_dir() or path.with_suffix(".parquet").is_file())
        ):
            raise NotFound("The scored result is gone.", code="web_data.score_gone")
        return path

    def writer(self, principal: Principal, token: str) -> PartWriter:
        return PartWriter(self.folder(principal, token))

    def save_meta(self, principal: Principal, token: str, meta: dict[str, Any]) -> None:
        path = self.folder(principal, token) / "meta.json"
        path.write_text(json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8")

    def meta(self, principal: Principal, token: str) -> dict[str, Any]:
        folder = self.folder(principal, token)
        for path in (folder / "meta.json", folder.with_suffix(".json")):  # the latter: before parts
            if path.is_file():
                return dict(json.loads(path.read_text(encoding="utf-8")))
        return {}

    # -- reading ----------------------------------------------------------------------------------

    def _parts(self, principal: Principal, token: str) -> list[str]:
        folder = self.folder(principal, token)
        single = folder.with_suffix(".parquet")  # a result kept as one file (older versions)
        if single.is_file():
            return [str(single)]
        return [str(p) for p in sorted(folder.glob("part-*.parquet"))]

    def _connect(self) -> Any:
        import duckdb

        spill = self.root / ".spill"
        spill.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            config={
                "memory_limit": self.memory_limit,
                "threads": 1,
                "temp_directory": str(spill),
            }
        )
        con.execute("SET TimeZone = 'UTC'")
        return con

    def columns(self, principal: Principal, token: str) -> list[str]:
        """The result's columns (in the order they were written)."""
        parts = self._parts(principal, token)
        if not parts:
            return []
        con = self._connect()
        try:
            return self._columns(con, parts)
        finally:
            con.close()

    def _query(
        self,
        parts: list[str],
        columns: Sequence[str],
        where: Where | None,
        risk: str | None,
        limit: int | None,
    ) -> tuple[str, list[Any]]:
        sql = "SELECT * FROM read_parquet(?, union_by_name = true)"
        params: list[Any] = [parts]
        if where is not None and where[0] in columns:
            col = _quote(where[0])
            if where[1] is None:
                sql += f" WHERE COALESCE(CAST({col} AS DOUBLE), 0) <> 0"
            else:
                sql += f" WHERE CAST({col} AS VARCHAR) = ?"
                params.append(str(where[1]))
        elif where is not None:
            sql += " WHERE false"
        keys = [f"{_quote(risk)} DESC NULLS LAST"] if risk is not None and risk in columns else []
        if ROW in columns:  # then file (or time) order: a stable sort, as the page's was
            keys.append(f"{_quote(ROW)} ASC")
        if keys:
            sql += " ORDER BY " + ", ".join(keys)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return sql, params

    def rows(
        self,
        principal: Principal,
        token: str,
        *,
        where: Where | None = None,
        risk: str | None = None,
        limit: int = 200,
    ) -> pd.DataFrame:
        """At most ``limit`` rows of those ``where`` keeps: the largest ``risk`` first (missing
        last), then in file (or time) order."""
        parts = self._parts(principal, token)
        if not parts:
            return pd.DataFrame()
        con = self._connect()
        try:
            columns = self._columns(con, parts)
            sql, params = self._query(parts, columns, where, risk, limit)
            return con.execute(sql, params).df()
        finally:
            con.close()

    def count(self, principal: Principal, token: str, where: Where | None = None) -> int:
        parts = self._parts(principal, token)
        if not parts:
            return 0
        con = self._connect()
        try:
            columns = self._columns(con, parts)
            sql, params = self._query(parts, columns, where, None, None)
            row = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
            return int(row[0]) if row else 0
        finally:
            con.close()

    def batches(
        self,
        principal: Principal,
        token: str,
        *,
        where: Where | None = None,
        risk: str | None = None,
        size: int = 20_000,
    ) -> Iterator[pd.DataFrame]:
        """Every row ``where`` keeps, ordered as :meth:`rows` orders them, ``size`` at a time
        (one empty frame with the columns when no row is kept)."""
        parts = self._parts(principal, token)
        if not parts:
            return
        con = self._connect()
        try:
            columns = self._columns(con, parts)
            sql, params = self._query(parts, columns, where, risk, None)
            reader = con.sql(sql, params=params).to_arrow_reader(size)
            empty = True
            for batch in reader:
                empty = False
                yield batch.to_pandas()
            if empty:  # no row: still the columns (a download's header)
                yield reader.schema.empty_table().to_pandas()
        finally:
            con.close()

    @staticmethod
    def _columns(con: Any, parts: list[str]) -> list[str]:
        rel = con.execute("SELECT * FROM read_parquet(?, union_by_name = true) LIMIT 0", [parts])
        return [d[0] for d in rel.description]
