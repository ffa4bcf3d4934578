"""Pure codecs of what sources send (no I/O): bytes in, columns of points out.

* :func:`decode_json` (``json_forms``): MQTT / HTTP JSON: single values, batches, compact series.
* :class:`SparkplugHost`, :class:`SparkplugEdgeNode`, :func:`parse_topic` (``sparkplug``):
  Sparkplug B topics, decoding with alias tables, sequence checks and birth / death events, and
  encoding for the simulator.
* :func:`parse_line_protocol` (``line_protocol``): InfluxDB line protocol, errors per line.
* ``modbus_registers``: 16-bit register words ↔ values (float32 word orders, scaled integers).

Every decoder returns :class:`Points` (names dictionary-encoded, µs timestamps, float64 values,
left-out readings counted by reason) or raises :class:`PayloadError` with a ``reason`` code.
"""

from openkamp.connectors.payloads._points import (
    REASONS,
    PayloadError,
    Points,
    concat,
    epoch_array_to_us,
    epoch_to_us,
    parse_ts,
)
from openkamp.connectors.payloads.json_forms import decode_json, encode_batch, encode_compact
from openkamp.connectors.payloads.line_protocol import (
    LineError,
    LineProtocolResult,
    SeriesField,
    parse_line_protocol,
)
from openkamp.connectors.payloads.sparkplug import (
    SparkplugEdgeNode,
    SparkplugHost,
    SparkplugMessage,
    SparkplugTopic,
    StateEvent,
    parse_topic,
)

__all__ = [
    "REASONS",
    "LineError",
    "LineProtocolResult",
    "PayloadError",
    "Points",
    "SeriesField",
    "SparkplugEdgeNode",
    "SparkplugHost",
    "SparkplugMessage",
    "SparkplugTopic",
    "StateEvent",
    "concat",
    "decode_json",
    "encode_batch",
    "encode_compact",
    "epoch_array_to_us",
    "epoch_to_us",
    "parse_line_protocol",
    "parse_topic",
    "parse_ts",
]
