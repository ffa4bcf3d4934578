"""HTTP ingest: machine data sent to ``POST /api/v1/ingest/...`` with an API token.

Four formats, each read in bounded memory (the body is spooled, then read a piece at a time)
and written through the live buffer (:class:`~openkamp.connectors.sink.Sink`), so a request is
answered 2xx only once its points are durable:

* **JSON** (``/ingest/json``), any of::

      {"equipment": "plant1/line1/press01", "signal": "pressure", "ts": "…", "value": 1.5}
      {"points": [{"equipment": …, "signal": …, "ts": …, "value": …}, …]}   (or a bare list)
      {"equipment": "plant1/line1/press01", "ts": "…", "values": {"pressure": 1.5, "유온": 41}}
      {"t0": 1772323200000, "dt": 10, "s": {"pressure": [1.0, 1.1, null]}}   (compact, as MQTT)
      {"equipment": "plant1/line1/press01", "signals": ["pressure", "oil_temp"],
       "rows": [["2026-03-02T09:00:00+09:00", 151.2, 40.1], …]}      (table: irregular times)

  The single, batch (``values``) and compact (``t0``/``dt``/``s``, ``dt`` in ms) forms are the
  ones MQTT sources send (:mod:`~openkamp.connectors.payloads.json_forms`), here with the
  equipment added. ``signal_id`` may replace ``equipment`` + ``signal``; ``equipment`` may come
  from the query.
* **CSV** (``/ingest/csv``): a header, the time in the first column (or one named ``ts``,
  ``time``, ``timestamp``, ``일시``, ``시간``); either one column per signal (wide) or the
  columns ``signal`` and ``value`` (and optionally ``equipment``) (long).
* **Arrow IPC stream** (``/ingest/arrow``): columns ``ts`` (timestamp, or integers in
  ``precision``), ``value`` and ``signal_id`` (or ``signal`` names with ``equipment``).
* **InfluxDB line protocol** (``/ingest/influx``, and ``/ingest/influx/api/v2/write`` as
  Telegraf's ``outputs.influxdb_v2`` and Node-RED send it, gzip included): the measurement
  names the equipment (its key path, ``/`` or ``.`` between the parts), or a mapping in the
  connection's config, or the tag named by ``equipment_tag``, or ``equipment=`` in the query;
  each field is a signal (key or display name); timestamps in ``precision`` (``ns`` default).

Timestamps: ISO 8601 text (without an offset: the installation's time zone) or numbers in
``precision`` (``ns``, ``us``, ``ms`` or ``s``; without it, JSON, CSV and Arrow numbers are read
as seconds to nanoseconds by magnitude, line protocol as ``ns``); none: the time of arrival.
Signals are found by key or display name; unknown ones are rejected as ``signal.unknown`` unless
the named connection has ``auto_create_signals``. Every point read is either stored or rejected
with a reason, and the answer says so: ``received == stored + rejected``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from openkamp.connectors.base import (
    Connector,
    ConnectorConfig,
    ConnectorContext,
    Counters,
    now_us,
    points_table,
    screen,
)
from openkamp.connectors.names import Names
from openkamp.connectors.payloads._points import epoch_array_to_us, epoch_to_us
from openkamp.connectors.sink import Sink
from openkamp.core.errors import InvalidInput, NotFound, TooLarge
from openkamp.core.uploads import MAX_JSON_DEPTH, size_text
from openkamp.storage.timeseries.base import TS_TYPE

#: Largest JSON body (parsed as a whole; send larger amounts in several requests, or as CSV,
#: Arrow or line protocol, which are read a piece at a time).
JSON_MAX_BYTES = 16 * 1024 * 1024
#: Points written to the buffer at a time while a body is read.
FLUSH_POINTS = 100_000
#: Bytes of text read at a time (CSV, line protocol).
TEXT_CHUNK = 1 << 20

PRECISION_US = {"ns": 0.001, "us": 1.0, "ms": 1_000.0, "s": 1_000_000.0}
TIME_COLUMNS = ("ts", "time", "timestamp", "datetime", "일시", "시간", "시각")


class HttpConfig(ConnectorConfig):
    """An HTTP ingest source (Telegraf, Node-RED, a gateway): the settings its requests use
    when they name the connection (``?connection=<name>``)."""

    equipment: str = Field(
        "", description="Equipment (site/line/equipment) of points that name none"
    )
    measurements: dict[str, str] = Field(
        default_factory=dict,
        description="Line protocol: measurement → equipment key path",
    )
    equipment_tag: str = Field(
        "", description="Line protocol: the tag whose value is the equipment key path"
    )


class HttpConnector(Connector):
    """HTTP ingest as a connection: requests naming it use its settings and count on it; while
    it is stopped its requests are refused (409), which cuts one sender off."""

    kind: ClassVar[str] = "http"
    Config: ClassVar[type[ConnectorConfig]] = HttpConfig
    title: ClassVar[dict[str, str]] = {"ko": "HTTP 수신", "en": "HTTP ingest"}

    async def run(self, ctx: ConnectorContext) -> None:
        await ctx.stopping.wait()  # requests come through the API; nothing to poll


@dataclass
class IngestReport:
    """What one request did: every point read is stored or rejected (with its reason)."""

    received: int = 0
    stored: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    def reject(self, reason: str, n: int = 1, sample: object = None) -> None:
        if n > 0:
            self.reasons[reason] = self.reasons.get(reason, 0) + n
            if sample is not None and reason not in self.samples:
                self.samples[reason] = str(sample)[:200]

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
            "samples": dict(self.samples),
        }


def _bad(message: str, code: str, **params: object) -> InvalidInput:
    return InvalidInput(message, code=f"ingest.{code}", params=params)


class Ingest:
    """One request's points: names resolved, screened, written in pieces, reported."""

    def __init__(
        self,
        *,
        org_id: int,
        names: Names,
        sink: Sink,
        tz: ZoneInfo,
        precision: str | None = None,
        equipment: str = "",
        config: HttpConfig | None = None,
        counters: Counters | None = None,
        max_future_s: float = 86_400.0,
    ) -> None:
        if precision is not None and precision not in PRECISION_US:
            raise _bad(
                f"Unknown precision {precision!r}: use ns, us, ms or s.",
                "precision",
                precision=precision,
            )
        self.org_id = org_id
        self.names = names
        self.sink = sink
        self.tz = tz
        self.precision = precision
        self.scale = None if precision is None else PRECISION_US[precision]
        self.config = config or HttpConfig()
        self.create = self.config.auto_create_signals
        self.equipment = equipment or self.config.equipment
        self.counters = counters
        self.max_future_s = max_future_s
        self.report = IngestReport()
        self._arrival = now_us()
        self._ids: dict[tuple[str, str], int | None] = {}
        self._eq: dict[str, int | None] = {}
        self._sig: list[int] = []
        self._ts: list[int] = []
        self._val: list[float] = []
        self._why: dict[tuple[str, str], str] = {}  # (equipment, key) -> reason it has no id
        self._pending: list[Future[int]] = []  # pieces handed to the sink, not yet durable
        self._newest = -(2**62)
        if self.equipment:
            self.names.equipment(self.equipment)  # a wrong one refuses the request (404)

    # -- one point at a time ------------------------------------------------------------------

    def equipment_id(self, path: str) -> int | None:
        key = path.strip("/")
        if key not in self._eq:
            try:
                self._eq[key] = self.names.equipment(key)
            except NotFound:
                self._eq[key] = None
        return self._eq[key]

    def signal_id(self, equipment: str | None, key: str) -> int | None:
        """The id of ``key`` on ``equipment``, or None after counting why not."""
        eq_path = equipment or self.equipment
        hit = self._ids.get((eq_path, key), -1)
        if hit != -1:
            return hit
        sid: int | None = None
        if not eq_path:
            reason = "equipment.missing"
        else:
            eq = self.equipment_id(eq_path)
            if eq is None:
                reason = "equipment.unknown"
            else:
                try:
                    sid = self.names.signal(eq, str(key), self.create)
                except InvalidInput:
                    sid = None
                reason = "signal.unknown"
        self._ids[(eq_path, key)] = sid
        if sid is None:
            self._why[(eq_path, key)] = reason
        return sid

    def add(
        self, equipment: str | None, key: str, ts: object, value: object, ts_us: int | None = None
    ) -> None:
        """One point named by equipment and signal key (``ts_us``: a time already read)."""
        self.report.received += 1
        sid = self.signal_id(equipment, key)
        if sid is None:
            reason = self._why.get((equipment or self.equipment, key), "signal.unknown")
            self.report.reject(reason, 1, f"{equipment or self.equipment}/{key}")
            return
        self.add_id(sid, ts, value, counted=True, ts_us=ts_us)

    def add_id(
        self,
        sid: int,
        ts: object,
        value: object,
        *,
        counted: bool = False,
        ts_us: int | None = None,
    ) -> None:
        if not counted:
            self.report.received += 1
        number = _number(value)
        if number is None:
            self.report.reject("value.not_a_number", 1, value)
            return
        us = ts_us if ts_us is not None else self.time_us(ts)
        if us is None:
            self.report.reject("time.unreadable", 1, ts)
            return
        self._sig.append(sid)
        self._ts.append(us)
        self._val.append(number)
        if len(self._sig) >= FLUSH_POINTS:
            self.flush()

    def time_us(self, ts: object) -> int | None:
        if ts is None or ts == "":
            return self._arrival
        if isinstance(ts, bool):
            return None
        if isinstance(ts, (int, float)):
            if not math.isfinite(ts):
                return None
            if self.scale is None:  # seconds … nanoseconds, told apart by magnitude
                return epoch_to_us(ts)
            return int(ts * self.scale) if self.scale >= 1 else int(ts) // 1000
        if isinstance(ts, str):
            text = ts.strip()
            if text.lstrip("-").isdecimal():
                return self.time_us(int(text))
            try:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=self.tz)
            return int(dt.timestamp() * 1_000_000) if _in_range(dt) else None
        return None

    # -- many points at a time ----------------------------------------------------------------

    def add_table(self, table: pa.Table) -> None:
        """Points with ``signal_id`` (checked to be the organisation's), ``ts`` and ``value``."""
        n = table.num_rows
        self.report.received += n
        if n == 0:
            return
        ids = table.column("signal_id")
        unknown = self.names.unknown_ids(
            int(i) for i in pc.unique(ids).to_pylist() if i is not None
        )
        keep = pc.invert(pc.is_null(ids))
        if unknown:
            keep = pc.and_(keep, pc.invert(pc.is_in(ids, value_set=pa.array(sorted(unknown)))))
        keep = pc.fill_null(keep, False)
        kept = table.filter(keep)
        self.report.reject("signal.unknown", n - kept.num_rows, sorted(unknown)[:5] or None)
        self.write(kept)

    def flush(self) -> None:
        if not self._sig:
            return
        tbl = points_table(self._sig, self._ts, self._val)
        self._sig, self._ts, self._val = [], [], []
        self.write(tbl)

    def write(self, table: pa.Table) -> None:
        good, reasons = screen(table, self.max_future_s)
        for reason, n in reasons.items():
            self.report.reject(reason, n)
        if good.num_rows:
            # Parsing goes on while the store writes; finish() waits for every piece.
            self._pending.extend(self.sink.submit(self.org_id, good))
            self._newest = max(self._newest, pc.max(good.column("ts").cast(pa.int64())).as_py())

    def finish(self) -> IngestReport:
        """Write what is left and wait until every point handed over is durable (the moment
        the request may be answered 2xx)."""
        self.flush()
        pending, self._pending = self._pending, []
        for future in pending:
            n = future.result()
            self.report.stored += n
            if self.counters is not None:
                self.counters.wrote(n, self._newest)
        if self.counters is not None:
            for reason, n in self.report.reasons.items():
                self.counters.reject(reason, n, self.report.samples.get(reason))
        return self.report

    # -- formats ------------------------------------------------------------------------------

    def json(self, body: IO[bytes]) -> None:
        raw = body.read(JSON_MAX_BYTES + 1)
        if len(raw) > JSON_MAX_BYTES:
            raise TooLarge(
                f"A JSON body may hold at most {size_text(JSON_MAX_BYTES)}.",
                code="ingest.json_too_large",
                params={"limit": size_text(JSON_MAX_BYTES)},
            )
        try:
            doc = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _bad(f"The body is not JSON: {exc}", "not_json", problem=str(exc)[:200]) from exc
        if _depth(doc) > MAX_JSON_DEPTH:
            raise _bad("The JSON is nested too deeply.", "not_json", problem="depth")
        items: Iterable[Any]
        if isinstance(doc, list):
            items = doc
        elif isinstance(doc, dict) and isinstance(doc.get("points"), list):
            items = doc["points"]
        elif isinstance(doc, dict):
            items = [doc]
        else:
            raise _bad("The JSON is neither a point, a list of points nor a batch.", "json_form")
        outer = doc.get("equipment") if isinstance(doc, dict) else None
        if isinstance(doc, list) and doc and all(_shared_form(x) for x in doc):
            self._json_shared(raw, None)  # MQTT's batch form, a list of {ts, values}
            return
        for item in items:
            self._json_item(item, outer if isinstance(outer, str) else None)

    def _json_item(self, item: Any, outer: str | None) -> None:
        if not isinstance(item, dict):
            self.report.received += 1
            self.report.reject("json.not_a_point", 1, item)
            return
        eq = item.get("equipment", outer)
        eq = eq if isinstance(eq, str) else None
        ts = item.get("ts", item.get("time", item.get("timestamp")))
        if "t0" in item and "s" in item:  # the compact form
            self._json_shared(json.dumps({k: v for k, v in item.items() if k != "equipment"}), eq)
        elif isinstance(item.get("values"), dict):
            for key, value in item["values"].items():
                self.add(eq, str(key), ts, value)
        elif isinstance(item.get("signals"), list) and isinstance(item.get("rows"), list):
            keys = [str(k) for k in item["signals"]]
            for row in item["rows"]:
                if not isinstance(row, list) or len(row) != len(keys) + 1:
                    self.report.received += max(1, len(keys))
                    self.report.reject("json.bad_row", max(1, len(keys)), row)
                    continue
                for key, value in zip(keys, row[1:], strict=True):
                    if value is not None:
                        self.add(eq, key, row[0], value)
        elif "signal_id" in item:
            sid = item["signal_id"]
            if not isinstance(sid, int) or isinstance(sid, bool) or self.names.unknown_ids([sid]):
                self.report.received += 1
                self.report.reject("signal.unknown", 1, sid)
                return
            self.add_id(sid, ts, item.get("value"))
        elif "signal" in item:
            self.add(eq, str(item["signal"]), ts, item.get("value"))
        else:
            self.report.received += 1
            self.report.reject("json.not_a_point", 1, item)

    def _json_shared(self, payload: bytes | str, equipment: str | None) -> None:
        """A payload in the forms MQTT sources send (:mod:`~openkamp.connectors.payloads.json_forms`)."""
        from openkamp.connectors.payloads import _points, json_forms

        try:
            pts = json_forms.decode_json(payload, default_ts_us=self._arrival, tz=self.tz)
        except _points.PayloadError as exc:
            self.report.received += 1
            self.report.reject(f"json.{exc.reason}", 1, exc.message)
            return
        for reason, n in pts.rejected.items():
            self.report.received += n
            self.report.reject(f"json.{reason}", n)
        for name, ts, value in pts.as_tuples():
            self.add(equipment, name, None, value, ts_us=ts)

    def csv(self, body: IO[bytes]) -> None:
        text = io.TextIOWrapper(body, encoding="utf-8-sig", errors="strict", newline="")
        try:
            rows = csv.reader(text)
            header = next(rows, None)
            if not header:
                raise _bad("The CSV has no header row.", "csv_header")
            names = [h.strip() for h in header]
            lowered = [h.casefold() for h in names]
            t_col = next((i for i, h in enumerate(lowered) if h in TIME_COLUMNS), 0)
            if "signal" in lowered and "value" in lowered:
                s_col, v_col = lowered.index("signal"), lowered.index("value")
                e_col = lowered.index("equipment") if "equipment" in lowered else None
                for row in rows:
                    if len(row) != len(names):
                        self.report.received += 1
                        self.report.reject("csv.fields", 1, row)
                        continue
                    eq = row[e_col] if e_col is not None else None
                    self.add(eq or None, row[s_col], row[t_col], row[v_col])
            else:
                cols = [i for i in range(len(names)) if i != t_col]
                for row in rows:
                    if len(row) != len(names):
                        self.report.received += len(cols)
                        self.report.reject("csv.fields", len(cols), row)
                        continue
                    for i in cols:
                        if row[i].strip() != "":
                            self.add(None, names[i], row[t_col], row[i])
        except UnicodeDecodeError as exc:
            raise _bad("The CSV is not UTF-8 text.", "not_utf8") from exc
        except csv.Error as exc:
            raise _bad(f"The CSV cannot be read: {exc}", "csv_broken", problem=str(exc)) from exc
        finally:
            text.detach()

    def arrow(self, body: IO[bytes]) -> None:
        try:
            reader = pa.ipc.open_stream(body)
        except (pa.ArrowInvalid, OSError) as exc:
            raise _bad(f"The body is not an Arrow IPC stream: {exc}", "not_arrow") from exc
        schema = reader.schema
        if "ts" not in schema.names or "value" not in schema.names:
            raise _bad("The Arrow stream needs the columns ts and value.", "arrow_columns")
        if "signal_id" not in schema.names and "signal" not in schema.names:
            raise _bad("The Arrow stream needs a signal_id or a signal column.", "arrow_columns")
        try:
            for batch in reader:
                self._arrow_batch(pa.Table.from_batches([batch]))
        except pa.ArrowInvalid as exc:
            raise _bad(f"The Arrow stream is broken: {exc}", "not_arrow") from exc

    def _arrow_batch(self, tbl: pa.Table) -> None:
        ts = tbl.column("ts")
        if pa.types.is_timestamp(ts.type):
            if ts.type.tz is None:  # a naive time is the installation's local time
                ts = pc.assume_timezone(ts, str(self.tz))
            ts = ts.cast(TS_TYPE)
        elif pa.types.is_integer(ts.type) or pa.types.is_floating(ts.type):
            if self.scale is None:
                raw = ts.to_numpy() if isinstance(ts, pa.Array) else ts.combine_chunks().to_numpy()
                ts = pa.array(epoch_array_to_us(raw)).cast(TS_TYPE)
            else:
                scaled = pc.multiply(ts.cast(pa.float64()), self.scale)
                ts = pc.cast(pc.round(scaled), pa.int64()).cast(TS_TYPE)
        else:
            raise _bad("The Arrow column ts must hold times or numbers.", "arrow_columns")
        try:
            value = tbl.column("value").cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise _bad("The Arrow column value must hold numbers.", "arrow_columns") from exc
        if "signal_id" in tbl.column_names:
            ids = tbl.column("signal_id").cast(pa.int64())
        else:
            keys = tbl.column("signal").cast(pa.string())
            eqs = (
                tbl.column("equipment").cast(pa.string())
                if "equipment" in tbl.column_names
                else None
            )
            pairs = zip(
                eqs.to_pylist() if eqs is not None else [None] * tbl.num_rows,
                keys.to_pylist(),
                strict=True,
            )
            looked: list[int | None] = []
            for eq, key in pairs:
                sid = self.signal_id(eq, key) if key is not None else None
                looked.append(sid)
            ids = pa.chunked_array([pa.array(looked, pa.int64())])
            missing = sum(1 for s in looked if s is None)
            if missing:
                self.report.received += missing
                self.report.reject("signal.unknown", missing)
                keep = pc.invert(pc.is_null(ids))
                ids, ts, value = ids.filter(keep), ts.filter(keep), value.filter(keep)
        nulls = pc.or_(pc.is_null(ts), pc.is_null(value))
        n_null = pc.sum(nulls).as_py() or 0
        table = pa.table({"signal_id": ids, "ts": ts, "value": value})
        if n_null:
            self.report.received += n_null
            self.report.reject("value.missing", n_null)
            table = table.filter(pc.invert(nulls))
        self.add_table(table)

    def line_protocol(self, body: IO[bytes]) -> None:
        from openkamp.connectors.payloads.line_protocol import parse_line_protocol

        precision = self.precision or "ns"
        for chunk in _line_chunks(body):
            res = parse_line_protocol(chunk, precision, default_ts_us=self._arrival)
            for err in res.errors:  # a bad line is one point that could not be read
                self.report.received += 1
                self.report.reject(f"line.{err.reason}", 1, err.text)
            for reason, n in res.points.rejected.items():
                self.report.received += n
                self.report.reject(f"line.{reason}", n)
            pts = res.points
            if not len(pts):
                continue
            self.report.received += len(pts)
            ids = np.full(len(res.series), -1, dtype=np.int64)
            for k, sf in enumerate(res.series):
                eq = self._measurement_equipment(sf.measurement, dict(sf.tags))
                sid = self.signal_id(eq, sf.field)
                if sid is not None:
                    ids[k] = sid
            per_point = ids[pts.name_index]
            known = per_point >= 0
            if not known.all():
                counts = np.bincount(pts.name_index[~known], minlength=len(res.series))
                for j in np.flatnonzero(counts).tolist():
                    sf = res.series[j]
                    eq = self._measurement_equipment(sf.measurement, dict(sf.tags)) or ""
                    reason = self._why.get((eq or self.equipment, sf.field), "signal.unknown")
                    self.report.reject(reason, int(counts[j]), f"{eq}/{sf.field}")
            self.write(points_table(per_point[known], pts.ts_us[known], pts.values[known]))

    def _measurement_equipment(self, measurement: str, tags: dict[str, str]) -> str | None:
        if self.config.equipment_tag and tags.get(self.config.equipment_tag):
            return tags[self.config.equipment_tag]
        if measurement in self.config.measurements:
            return self.config.measurements[measurement]
        if self.equipment:
            return self.equipment
        path = measurement if "/" in measurement else measurement.replace(".", "/")
        return path


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = (
            value.strip().replace(",", "") if value.count(",") and "." in value else value.strip()
        )
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _shared_form(item: object) -> bool:
    """An item of MQTT's batch form (``{"ts": …, "values": {…}}``, no equipment named)."""
    return isinstance(item, dict) and "values" in item and "equipment" not in item


def _in_range(dt: datetime) -> bool:
    return 1 <= dt.year <= 9998


def _depth(doc: Any, limit: int = MAX_JSON_DEPTH + 1) -> int:
    """Nesting depth of parsed JSON, counted up to ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d >= limit:
            return d
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest


def _line_chunks(body: IO[bytes]) -> Iterator[str]:
    """The text of ``body`` in pieces of about :data:`TEXT_CHUNK` bytes, cut after a newline."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    rest = ""
    while True:
        data = body.read(TEXT_CHUNK)
        text = rest + decoder.decode(data, final=not data)
        if not data:
            if text.strip():
                yield text
            return
        cut = text.rfind("\n")
        if cut < 0:
            rest = text
            continue
        yield text[: cut + 1]
        rest = text[cut + 1 :]
