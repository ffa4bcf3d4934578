"""Whatever a source sends, a codec answers with points or a typed error, never a crash."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openkamp.connectors.payloads import (
    PayloadError,
    SparkplugHost,
    decode_json,
    parse_line_protocol,
)

RECEIVED_US = 1_772_323_200_000_000

_json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["ts", "value", "values", "s", "t0", "dt", "signal", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), _json_values.map(lambda v: json.dumps(v).encode())))
def test_json_decoder_never_crashes(payload: bytes) -> None:
    try:
        p = decode_json(payload, signal="s", default_ts_us=RECEIVED_US)
    except PayloadError as exc:
        assert exc.reason and exc.code == f"payload.{exc.reason}"
    else:
        assert len(p.ts_us) == len(p.values) == len(p.name_index)
        assert all(0 <= i < len(p.names) for i in p.name_index.tolist())


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from(["NBIRTH", "DBIRTH", "DDATA", "NDATA", "NDEATH", "DDEATH", "NCMD"]),
)
def test_sparkplug_decoder_never_crashes(payload: bytes, kind: str) -> None:
    topic = f"spBv1.0/g/{kind}/e" + ("/d" if kind.startswith("D") else "")
    try:
        m = SparkplugHost().decode(topic, payload, default_ts_us=RECEIVED_US)
    except PayloadError as exc:
        assert exc.reason == "protobuf"
    else:
        assert len(m.points.ts_us) == len(m.points.values)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_line_protocol_never_crashes(text: str) -> None:
    r = parse_line_protocol(text, default_ts_us=RECEIVED_US)
    assert all(e.line >= 1 and e.reason for e in r.errors)
    assert len(r.series) == len(r.points.names)
