"""Sparkplug B (Eclipse Tahu's protobuf schema): topics, decoding with alias tables, encoding.

**Topics.** ``spBv1.0/<group>/<TYPE>/<edge node>[/<device>]`` with TYPE one of NBIRTH, NDEATH,
NDATA, NCMD (node) or DBIRTH, DDEATH, DDATA, DCMD (device), and ``spBv1.0/STATE/<host id>``
(a host application's state). :func:`parse_topic` splits them.

**Decoding** (:class:`SparkplugHost`, one per subscription: it keeps what births declared):

* NBIRTH / DBIRTH declare every metric with its name, datatype and optionally an alias; aliases
  are unique within an edge node (its own and its devices' metrics), so the host keeps one alias
  table per edge node. An NBIRTH starts the node afresh (its devices must be born again).
* NDATA / DDATA may send a metric by alias only and without a datatype; the host fills both in.
  A metric whose alias no birth declared is left out (counted ``alias``) and a rebirth is due.
* Every message of an edge node after its NBIRTH carries ``seq`` = previous + 1 (mod 256); a gap
  means messages were lost: :attr:`SparkplugMessage.rebirth` is set, and the host application
  should publish ``NCMD`` with ``Node Control/Rebirth = true`` (:func:`rebirth_command`). A message
  from a node the host has seen no NBIRTH of also asks for a rebirth.
* Births and deaths are online / offline :class:`StateEvent` s (the node's devices go offline
  with it). An NDEATH whose ``bdSeq`` differs from the current NBIRTH's is a stale will of an
  earlier session and changes nothing.
* Numeric metrics (all int and uint types, float, double, boolean as 1 / 0) become
  :class:`~openkamp.connectors.payloads.Points` named by metric name; each takes the metric's
  timestamp (ms), else the payload's, else ``default_ts_us``. Strings, bytes, datasets and other
  types are counted as ``non_numeric``, nulls as ``value_null``. Signed 8/16/32-bit integers are
  read in both encodings found in the field (two's complement in the type's width, as pysparkplug
  writes them, or in 32 bits, as Tahu's Java library does).
* Bytes that are not a Sparkplug payload raise :class:`PayloadError` ``protobuf``; a topic outside
  the layout raises ``topic``.

**Encoding** (:class:`SparkplugEdgeNode`, for the simulator and tests): an edge node's NBIRTH
(``bdSeq``, ``Node Control/Rebirth``), DBIRTH with aliases and datatypes, DDATA by alias with a
timestamp per metric, DDEATH, and the NDEATH to register as the MQTT will, with ``seq`` and
``bdSeq`` kept as the specification asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from google.protobuf.message import DecodeError
from pysparkplug import DataType

from openkamp.connectors.payloads._points import PayloadError, Points

# The classes protoc generated from Tahu's sparkplug_b.proto, as pysparkplug ships them.
from pysparkplug._protobuf import Payload as PBPayload  # isort: skip

__all__ = [
    "NAMESPACE",
    "DataType",
    "MetricDef",
    "SparkplugEdgeNode",
    "SparkplugHost",
    "SparkplugMessage",
    "SparkplugTopic",
    "StateEvent",
    "is_rebirth_request",
    "parse_topic",
    "rebirth_command",
]

NAMESPACE = "spBv1.0"
NODE_TYPES = ("NBIRTH", "NDEATH", "NDATA", "NCMD")
DEVICE_TYPES = ("DBIRTH", "DDEATH", "DDATA", "DCMD")
BD_SEQ = "bdSeq"
REBIRTH = "Node Control/Rebirth"

# Datatypes whose values are numbers the platform stores (bool as 0/1).
_INT32 = {DataType.INT8: 8, DataType.INT16: 16, DataType.INT32: 32}
_UINT = {DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64}
_NUMERIC = (
    set(_INT32)
    | _UINT
    | {
        DataType.INT64,
        DataType.FLOAT,
        DataType.DOUBLE,
        DataType.BOOLEAN,
    }
)
_FIELD = {
    **dict.fromkeys((*_INT32, DataType.UINT8, DataType.UINT16, DataType.UINT32), "int_value"),
    DataType.INT64: "long_value",
    DataType.UINT64: "long_value",
    DataType.FLOAT: "float_value",
    DataType.DOUBLE: "double_value",
    DataType.BOOLEAN: "boolean_value",
}


@dataclass(frozen=True)
class SparkplugTopic:
    """A parsed topic; ``host_id`` only for STATE, ``device_id`` only for device messages."""

    message_type: str
    group_id: str | None = None
    edge_node_id: str | None = None
    device_id: str | None = None
    host_id: str | None = None

    def __str__(self) -> str:
        if self.message_type == "STATE":
            return f"{NAMESPACE}/STATE/{self.host_id}"
        tail = f"/{self.device_id}" if self.device_id is not None else ""
        return f"{NAMESPACE}/{self.group_id}/{self.message_type}/{self.edge_node_id}{tail}"


def parse_topic(topic: str) -> SparkplugTopic:
    """Split a Sparkplug B topic; raises :class:`PayloadError` ``topic`` outside the layout."""
    parts = topic.split("/")
    if parts[0] != NAMESPACE:
        raise PayloadError("topic", f"topic {topic!r} is not in the {NAMESPACE} namespace")
    if len(parts) == 3 and parts[1] == "STATE" and parts[2]:
        return SparkplugTopic("STATE", host_id=parts[2])
    if len(parts) in (4, 5) and all(parts[1:]):
        kind = parts[2]
        if kind in NODE_TYPES and len(parts) == 4:
            return SparkplugTopic(kind, parts[1], parts[3])
        if kind in DEVICE_TYPES and len(parts) == 5:
            return SparkplugTopic(kind, parts[1], parts[3], parts[4])
    raise PayloadError("topic", f"topic {topic!r} is not a Sparkplug B topic")


@dataclass(frozen=True)
class MetricDef:
    """A metric as a birth declares it."""

    name: str
    datatype: DataType
    alias: int | None = None


@dataclass(frozen=True)
class StateEvent:
    """An edge node (``device_id`` None) or device going online (birth) or offline (death)."""

    group_id: str
    edge_node_id: str
    device_id: str | None
    online: bool
    ts_us: int | None


@dataclass(frozen=True)
class SparkplugMessage:
    """One decoded message (see the module docstring)."""

    topic: SparkplugTopic
    seq: int | None
    timestamp_us: int | None
    points: Points
    #: Metrics a birth declared (empty for other messages).
    births: tuple[MetricDef, ...] = ()
    events: tuple[StateEvent, ...] = ()
    #: The edge node should be asked for a rebirth (seq gap, unknown node or alias).
    rebirth: bool = False
    #: Reason codes of what was wrong (``seq``, ``alias``); points may still be there.
    problems: tuple[str, ...] = ()


@dataclass
class _Node:
    bd_seq: int | None = None
    seq: int | None = None
    aliases: dict[int, tuple[str | None, str]] = field(default_factory=dict)
    types: dict[tuple[str | None, str], DataType] = field(default_factory=dict)
    devices: set[str] = field(default_factory=set)


class SparkplugHost:
    """Decodes a stream of Sparkplug B messages, keeping births, aliases and sequence numbers."""

    def __init__(self) -> None:
        self._nodes: dict[tuple[str, str], _Node] = {}

    def decode(
        self, topic: str, payload: bytes, *, default_ts_us: int | None = None
    ) -> SparkplugMessage:
        t = parse_topic(topic)
        if t.message_type == "STATE":
            return SparkplugMessage(t, None, None, Points.empty())
        pb = _parse(payload)
        key = (t.group_id or "", t.edge_node_id or "")
        node = self._nodes.get(key)
        ts_us = pb.timestamp * 1000 if pb.HasField("timestamp") else None
        seq = pb.seq if pb.HasField("seq") else None
        kind = t.message_type
        problems: list[str] = []
        rebirth = False
        events: list[StateEvent] = []
        births: tuple[MetricDef, ...] = ()
        device = t.device_id
        group, edge = key

        if kind == "NDEATH":
            bd = _bd_seq(pb)
            if node is not None and (node.bd_seq is None or bd is None or bd == node.bd_seq):
                events.append(StateEvent(group, edge, None, False, ts_us))
                events += [StateEvent(group, edge, d, False, ts_us) for d in sorted(node.devices)]
                del self._nodes[key]
            return SparkplugMessage(t, seq, ts_us, Points.empty(), events=tuple(events))
        if kind in ("NCMD", "DCMD"):
            return SparkplugMessage(t, seq, ts_us, Points.empty())

        if kind == "NBIRTH":
            node = self._nodes[key] = _Node(bd_seq=_bd_seq(pb), seq=seq)
            births = self._learn(node, None, pb)
            events.append(StateEvent(group, edge, None, True, ts_us))
        elif node is None:
            problems.append("seq")  # never saw this node's birth: its aliases are unknown
            rebirth = True
        else:
            if seq is None or node.seq is None or seq != (node.seq + 1) % 256:
                problems.append("seq")
                rebirth = True
            node.seq = seq
            if kind == "DBIRTH" and device is not None:
                births = self._learn(node, device, pb)
                node.devices.add(device)
                events.append(StateEvent(group, edge, device, True, ts_us))
            elif kind == "DDEATH" and device is not None:
                node.devices.discard(device)
                events.append(StateEvent(group, edge, device, False, ts_us))
        if node is None and kind == "DBIRTH" and device is not None:
            # Still report what it declares (numbers it carries are decoded below by name).
            births = tuple(_declared(pb))
            events.append(StateEvent(group, edge, device, True, ts_us))

        fallback = ts_us if ts_us is not None else default_ts_us
        points, unknown_alias = _points(pb, node, device, fallback)
        if unknown_alias:
            problems.append("alias")
            rebirth = True
        return SparkplugMessage(
            t, seq, ts_us, points, births, tuple(events), rebirth, tuple(problems)
        )

    def _learn(self, node: _Node, device: str | None, pb: Any) -> tuple[MetricDef, ...]:
        declared = tuple(_declared(pb))
        # A device's new birth replaces what its last one declared.
        for alias in [a for a, (d, _) in node.aliases.items() if d == device]:
            del node.aliases[alias]
        for m in declared:
            node.types[device, m.name] = m.datatype
            if m.alias is not None:
                node.aliases[m.alias] = (device, m.name)
        return declared

    def aliases(self, group_id: str, edge_node_id: str) -> dict[int, tuple[str | None, str]]:
        """The edge node's alias table: alias → (device or None for the node, metric name)."""
        node = self._nodes.get((group_id, edge_node_id))
        return dict(node.aliases) if node else {}

    def online(self) -> dict[tuple[str, str, str | None], bool]:
        """Nodes and devices born and not dead: (group, edge node, device or None) → True."""
        out: dict[tuple[str, str, str | None], bool] = {}
        for (g, e), node in self._nodes.items():
            out[g, e, None] = True
            for d in node.devices:
                out[g, e, d] = True
        return out


def _parse(payload: bytes) -> Any:
    try:
        pb = PBPayload.FromString(bytes(payload))
    except (DecodeError, ValueError, TypeError) as exc:
        raise PayloadError("protobuf", "the payload is not a Sparkplug B protobuf") from exc
    return pb


def _bd_seq(pb: Any) -> int | None:
    for m in pb.metrics:
        if m.name == BD_SEQ and m.WhichOneof("value") is not None:
            return int(getattr(m, m.WhichOneof("value")))
    return None


def _declared(pb: Any) -> Iterable[MetricDef]:
    for m in pb.metrics:
        if m.name and m.name != BD_SEQ:
            try:
                dt = DataType(m.datatype)
            except ValueError:
                dt = DataType.UNKNOWN
            yield MetricDef(m.name, dt, m.alias if m.HasField("alias") else None)


def _points(
    pb: Any, node: _Node | None, device: str | None, fallback_us: int | None
) -> tuple[Points, int]:
    codes: dict[str, int] = {}
    idx: list[int] = []
    tss: list[int] = []
    vals: list[float] = []
    rejected: dict[str, int] = {}
    unknown_alias = 0
    aliases = node.aliases if node is not None else {}
    types = node.types if node is not None else {}
    for m in pb.metrics:
        name = m.name
        if not name:
            hit = aliases.get(m.alias) if m.HasField("alias") else None
            if hit is None or hit[0] != device:
                unknown_alias += 1
                continue
            name = hit[1]
        if name in (BD_SEQ, REBIRTH):
            continue
        dt = m.datatype or types.get((device, name), 0)
        which = m.WhichOneof("value")
        if m.is_null or which is None:
            rejected["value_null"] = rejected.get("value_null", 0) + 1
            continue
        if dt not in _NUMERIC and not (dt == 0 and which in _AUTO):
            rejected["non_numeric"] = rejected.get("non_numeric", 0) + 1
            continue
        raw = getattr(m, which)
        if which == "int_value" and dt in _INT32:
            bits = _INT32[dt]
            raw = (
                raw - 2**32 if raw >= 2**31 else (raw - 2**bits if raw >= 2 ** (bits - 1) else raw)
            )
        elif which == "long_value" and dt == DataType.INT64 and raw >= 2**63:
            raw -= 2**64
        if m.HasField("timestamp"):
            ts = m.timestamp * 1000
        elif fallback_us is not None:
            ts = fallback_us
        else:
            rejected["ts_missing"] = rejected.get("ts_missing", 0) + 1
            continue
        code = codes.get(name)
        if code is None:
            code = codes[name] = len(codes)
        idx.append(code)
        tss.append(ts)
        vals.append(float(raw))
    if unknown_alias:
        rejected["alias"] = unknown_alias
    values = np.array(vals, dtype=np.float64)
    ok = np.isfinite(values)
    i, t = np.array(idx, dtype=np.int32), np.array(tss, dtype=np.int64)
    if not ok.all():
        rejected["value_range"] = int((~ok).sum())
        i, t, values = i[ok], t[ok], values[ok]
    return Points(tuple(codes), i, t, values, rejected), unknown_alias


# A metric without a datatype anywhere: numbers by the field they came in.
_AUTO = {"int_value", "long_value", "float_value", "double_value", "boolean_value"}


# --------------------------------------------------------------------------- commands


def rebirth_command(group_id: str, edge_node_id: str, ts_ms: int) -> tuple[str, bytes]:
    """The NCMD a host sends to ask an edge node for a rebirth (topic, payload)."""
    pb = PBPayload()
    pb.timestamp = ts_ms
    m = pb.metrics.add()
    m.name = REBIRTH
    m.datatype = DataType.BOOLEAN
    m.timestamp = ts_ms
    m.boolean_value = True
    return f"{NAMESPACE}/{group_id}/NCMD/{edge_node_id}", pb.SerializeToString()


def is_rebirth_request(payload: bytes) -> bool:
    """Whether an NCMD payload asks for a rebirth (``Node Control/Rebirth`` true)."""
    try:
        pb = PBPayload.FromString(bytes(payload))
    except (DecodeError, ValueError, TypeError):
        return False
    return any(m.name == REBIRTH and m.boolean_value for m in pb.metrics)


# --------------------------------------------------------------------------- edge node


class SparkplugEdgeNode:
    """Sparkplug B messages of one edge node and its devices (pure: returns topic and bytes).

    ``devices`` maps each device id to its metrics' names (all DOUBLE unless given as
    ``(name, DataType)``). Aliases are numbered 1, 2, … across the devices in order. Use:
    :meth:`new_session` before each MQTT connect (its NDEATH is the connection's will), then
    :meth:`nbirth` and :meth:`dbirth` for every device, then :meth:`ddata`; :meth:`rebirth`
    after an NCMD rebirth request (births again, same ``bdSeq``).
    """

    def __init__(
        self,
        group_id: str,
        edge_node_id: str,
        devices: Mapping[str, Sequence[str | tuple[str, DataType]]],
    ) -> None:
        self.group_id = group_id
        self.edge_node_id = edge_node_id
        self.metrics: dict[str, list[MetricDef]] = {}
        alias = 0
        for device, names in devices.items():
            defs = []
            for item in names:
                name, dt = (item, DataType.DOUBLE) if isinstance(item, str) else item
                alias += 1
                defs.append(MetricDef(name, dt, alias))
            self.metrics[device] = defs
        self._alias = {d: {m.name: m for m in defs} for d, defs in self.metrics.items()}
        self.bd_seq = -1
        self._seq = 0

    def topic(self, kind: str, device: str | None = None) -> str:
        tail = f"/{device}" if device is not None else ""
        return f"{NAMESPACE}/{self.group_id}/{kind}/{self.edge_node_id}{tail}"

    def _next_seq(self) -> int:
        seq = self._seq
        self._seq = (self._seq + 1) % 256
        return seq

    def new_session(self, ts_ms: int) -> tuple[str, bytes]:
        """Start a session: the next ``bdSeq``, and the NDEATH to register as the MQTT will."""
        self.bd_seq = (self.bd_seq + 1) % 256
        return self.ndeath(ts_ms)

    def ndeath(self, ts_ms: int) -> tuple[str, bytes]:
        """The NDEATH of the current session (published by the node itself on a clean stop)."""
        pb = PBPayload()
        pb.timestamp = ts_ms
        _bd_metric(pb, self.bd_seq, ts_ms)
        return self.topic("NDEATH"), pb.SerializeToString()

    def nbirth(self, ts_ms: int) -> tuple[str, bytes]:
        if self.bd_seq < 0:
            raise RuntimeError("call new_session() (and set its NDEATH as the will) first")
        self._seq = 0
        pb = PBPayload()
        pb.timestamp = ts_ms
        pb.seq = self._next_seq()
        _bd_metric(pb, self.bd_seq, ts_ms)
        m = pb.metrics.add()
        m.name = REBIRTH
        m.datatype = DataType.BOOLEAN
        m.timestamp = ts_ms
        m.boolean_value = False
        return self.topic("NBIRTH"), pb.SerializeToString()

    def dbirth(
        self, device: str, ts_ms: int, values: Mapping[str, float] | None = None
    ) -> tuple[str, bytes]:
        """A device's birth: every metric with name, alias, datatype and its current value."""
        pb = PBPayload()
        pb.timestamp = ts_ms
        pb.seq = self._next_seq()
        values = values or {}
        for d in self.metrics[device]:
            m = pb.metrics.add()
            m.name = d.name
            m.alias = d.alias or 0
            m.datatype = d.datatype
            m.timestamp = ts_ms
            v = values.get(d.name)
            if v is None:
                m.is_null = True
            else:
                _set_value(m, d.datatype, v)
        return self.topic("DBIRTH", device), pb.SerializeToString()

    def ddata(
        self,
        device: str,
        ts_ms: Sequence[int] | np.ndarray,
        values: Mapping[str, Sequence[float] | np.ndarray],
        *,
        with_names: bool = False,
    ) -> tuple[str, bytes]:
        """Readings of a device by alias: ``values[name][i]`` taken at ``ts_ms[i]``.

        The payload's timestamp is the newest reading's; each metric carries its own.
        """
        pb = PBPayload()
        ts_list = [int(t) for t in ts_ms]
        pb.timestamp = max(ts_list) if ts_list else 0
        pb.seq = self._next_seq()
        defs = self._alias[device]
        for i, t in enumerate(ts_list):
            for name, series in values.items():
                d = defs[name]
                m = pb.metrics.add()
                m.alias = d.alias or 0
                if with_names:
                    m.name = name
                m.timestamp = t
                _set_value(m, d.datatype, float(series[i]))
        return self.topic("DDATA", device), pb.SerializeToString()

    def ddeath(self, device: str, ts_ms: int) -> tuple[str, bytes]:
        pb = PBPayload()
        pb.timestamp = ts_ms
        pb.seq = self._next_seq()
        return self.topic("DDEATH", device), pb.SerializeToString()

    def rebirth(
        self, ts_ms: int, values: Mapping[str, Mapping[str, float]] | None = None
    ) -> list[tuple[str, bytes]]:
        """NBIRTH and every DBIRTH again (after a rebirth request), same session."""
        values = values or {}
        return [self.nbirth(ts_ms)] + [self.dbirth(d, ts_ms, values.get(d)) for d in self.metrics]


def _bd_metric(pb: Any, bd_seq: int, ts_ms: int) -> None:
    m = pb.metrics.add()
    m.name = BD_SEQ
    m.datatype = DataType.INT64
    m.timestamp = ts_ms
    m.long_value = bd_seq


def _set_value(m: Any, dt: DataType, v: float) -> None:
    which = _FIELD.get(dt)
    if which is None:
        raise ValueError(f"the encoder writes numbers only, not {dt.name}")
    if which == "boolean_value":
        m.boolean_value = bool(v)
    elif which in ("float_value", "double_value"):
        setattr(m, which, float(v))
    else:
        x = round(v)
        if dt in _INT32 and x < 0:
            x += 2 ** _INT32[dt]
        elif dt == DataType.INT64 and x < 0:
            x += 2**64
        setattr(m, which, x)
