"""Sparkplug B: decoding what pysparkplug's encoder and the raw Tahu schema classes produce,
alias tables, sequence gaps, births and deaths; our encoder read back by pysparkplug."""

from __future__ import annotations

import pysparkplug as spb
import pytest
from pysparkplug._protobuf import Payload as PB  # the classes protoc made from Tahu's schema

from openkamp.connectors.payloads import PayloadError, SparkplugEdgeNode, SparkplugHost, parse_topic
from openkamp.connectors.payloads.sparkplug import is_rebirth_request, rebirth_command

T = 1_772_323_200_000  # ms
G, E = "plant1", "edge1"


def _metric(
    name: str | None, dt: spb.DataType, value: object, alias: int | None = None, ts: int | None = T
) -> spb.Metric:
    return spb.Metric(timestamp=ts, name=name, datatype=dt, value=value, alias=alias)  # type: ignore[arg-type]


def _nbirth(seq: int = 0, bd: int = 0) -> bytes:
    return spb.NBirth(
        timestamp=T,
        seq=seq,
        metrics=[
            _metric("bdSeq", spb.DataType.INT64, bd),
            _metric("Node Control/Rebirth", spb.DataType.BOOLEAN, False),
            _metric("uptime", spb.DataType.UINT32, 5, alias=1),
        ],
    ).encode()


def _dbirth(seq: int) -> bytes:
    return spb.DBirth(
        timestamp=T,
        seq=seq,
        metrics=[
            _metric("pressure", spb.DataType.DOUBLE, 160.5, alias=10),
            _metric("count", spb.DataType.INT16, -3, alias=11),
            _metric("running", spb.DataType.BOOLEAN, True, alias=12),
            _metric("tool", spb.DataType.STRING, "T01", alias=13),
            _metric("temp", spb.DataType.FLOAT, 48.25, alias=14),
        ],
    ).encode()


def test_topics() -> None:
    t = parse_topic("spBv1.0/plant1/DDATA/edge1/press01")
    assert (t.message_type, t.group_id, t.edge_node_id, t.device_id) == (
        "DDATA",
        "plant1",
        "edge1",
        "press01",
    )
    assert str(t) == "spBv1.0/plant1/DDATA/edge1/press01"
    assert parse_topic("spBv1.0/STATE/scada1").host_id == "scada1"
    assert parse_topic("spBv1.0/g/NBIRTH/e").device_id is None
    for bad in (
        "spBv1.0/g/DDATA/e",
        "spBv1.0/g/NDATA/e/d",
        "spBv1.0/g/XDATA/e",
        "spAv1.0/g/NDATA/e",
        "spBv1.0//NDATA/e",
        "x",
    ):
        with pytest.raises(PayloadError) as err:
            parse_topic(bad)
        assert err.value.reason == "topic"


def test_births_by_pysparkplug_teach_aliases_and_datatypes_for_alias_only_data() -> None:
    host = SparkplugHost()
    nb = host.decode(f"spBv1.0/{G}/NBIRTH/{E}", _nbirth())
    assert [(e.device_id, e.online) for e in nb.events] == [(None, True)]
    assert nb.points.as_tuples() == [("uptime", T * 1000, 5.0)]
    db = host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(1))
    assert [(e.device_id, e.online) for e in db.events] == [("press01", True)]
    assert {m.name: m.alias for m in db.births} == {
        "pressure": 10,
        "count": 11,
        "running": 12,
        "tool": 13,
        "temp": 14,
    }
    assert dict(db.points.rejected) == {"non_numeric": 1}  # the string metric
    assert host.aliases(G, E)[10] == ("press01", "pressure")
    # DDATA as pysparkplug sends it: aliases only, no names, no datatypes (include_dtypes=False).
    data = spb.DData(
        timestamp=T + 1000,
        seq=2,
        metrics=[
            spb.Metric(
                timestamp=T + 500, name=None, datatype=spb.DataType.DOUBLE, value=161.0, alias=10
            ),
            spb.Metric(timestamp=None, name=None, datatype=spb.DataType.INT16, value=-7, alias=11),
            spb.Metric(
                timestamp=T + 900, name=None, datatype=spb.DataType.BOOLEAN, value=False, alias=12
            ),
        ],
    ).encode()
    msg = host.decode(f"spBv1.0/{G}/DDATA/{E}/press01", data)
    assert not msg.rebirth and msg.problems == ()
    assert msg.points.as_tuples() == [
        ("pressure", (T + 500) * 1000, 161.0),
        ("count", (T + 1000) * 1000, -7.0),  # no metric time: the payload's
        ("running", (T + 900) * 1000, 0.0),
    ]


def test_raw_tahu_messages_int_encodings_and_unknown_aliases() -> None:
    host = SparkplugHost()
    host.decode(f"spBv1.0/{G}/NBIRTH/{E}", _nbirth())
    birth = PB()
    birth.timestamp, birth.seq = T, 1
    for name, alias, dt in (
        ("a", 1, 1),
        ("b", 2, 8),
        ("c", 3, 10),
        ("d", 4, 4),
    ):  # INT8, UINT64, DOUBLE, INT64
        m = birth.metrics.add()
        m.name, m.alias, m.datatype = name, alias, dt
        m.is_null = True
    host.decode(f"spBv1.0/{G}/DBIRTH/{E}/dev", birth.SerializeToString())
    data = PB()
    data.timestamp, data.seq = T, 2
    for alias, fieldname, raw in (
        (1, "int_value", 2**32 - 5),  # INT8 −5 as Tahu's Java library writes it (32-bit)
        (1, "int_value", 256 - 6),  # INT8 −6 in the 8-bit two's complement pysparkplug writes
        (2, "long_value", 2**64 - 1),  # UINT64 max
        (3, "double_value", 2.5),
        (4, "long_value", 2**64 - 2),  # INT64 −2
        (99, "double_value", 1.0),  # an alias no birth declared
    ):
        m = data.metrics.add()
        m.alias = alias
        setattr(m, fieldname, raw)
    msg = host.decode(f"spBv1.0/{G}/DDATA/{E}/dev", data.SerializeToString())
    assert msg.points.values.tolist() == [-5.0, -6.0, float(2**64 - 1), 2.5, -2.0]
    assert msg.rebirth and msg.problems == ("alias",)
    assert msg.points.rejected == {"alias": 1}


def test_sequence_gaps_and_unknown_nodes_ask_for_a_rebirth() -> None:
    host = SparkplugHost()
    early = host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(4))
    assert early.rebirth  # no NBIRTH seen: the node must be born again
    host.decode(f"spBv1.0/{G}/NBIRTH/{E}", _nbirth(seq=0))
    assert not host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(1)).rebirth
    gap = host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(3))  # 2 was lost
    assert gap.rebirth and gap.problems == ("seq",)
    assert not host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(4)).rebirth
    # Wrap-around 255 → 0 is no gap.
    host.decode(f"spBv1.0/{G}/NBIRTH/{E}", _nbirth(seq=0))
    host._nodes[G, E].seq = 255
    assert not host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(0)).rebirth


def test_deaths_take_node_and_devices_offline_unless_the_will_is_stale() -> None:
    host = SparkplugHost()
    host.decode(f"spBv1.0/{G}/NBIRTH/{E}", _nbirth(bd=7))
    host.decode(f"spBv1.0/{G}/DBIRTH/{E}/press01", _dbirth(1))
    assert host.online() == {(G, E, None): True, (G, E, "press01"): True}
    stale = spb.NDeath(timestamp=T, bd_seq_metric=_metric("bdSeq", spb.DataType.INT64, 6)).encode()
    assert host.decode(f"spBv1.0/{G}/NDEATH/{E}", stale).events == ()
    death = spb.NDeath(timestamp=T, bd_seq_metric=_metric("bdSeq", spb.DataType.INT64, 7)).encode()
    msg = host.decode(f"spBv1.0/{G}/NDEATH/{E}", death)
    assert [(e.device_id, e.online) for e in msg.events] == [(None, False), ("press01", False)]
    assert host.online() == {}


def test_garbage_is_a_protobuf_error() -> None:
    host = SparkplugHost()
    with pytest.raises(PayloadError) as err:
        host.decode(f"spBv1.0/{G}/NBIRTH/{E}", b"\xff\xff\xff\xff not protobuf")
    assert err.value.reason == "protobuf"


def test_our_edge_node_is_read_by_pysparkplug() -> None:
    node = SparkplugEdgeNode(
        G, E, {"press01": ["pressure", ("count", spb.DataType.INT32)], "cnc01": ["load"]}
    )
    will_topic, will = node.new_session(T)
    assert will_topic == f"spBv1.0/{G}/NDEATH/{E}"
    assert spb.NDeath.decode(will).bd_seq_metric.value == 0
    topic, nb = node.nbirth(T)
    nbirth = spb.NBirth.decode(nb)
    assert nbirth.seq == 0
    assert {m.name for m in nbirth.metrics} == {"bdSeq", "Node Control/Rebirth"}
    topic, db = node.dbirth("press01", T, {"pressure": 160.5, "count": -3})
    assert topic == f"spBv1.0/{G}/DBIRTH/{E}/press01"
    dbirth = spb.DBirth.decode(db)
    assert dbirth.seq == 1
    assert {(m.name, m.alias, m.datatype, m.value) for m in dbirth.metrics} == {
        ("pressure", 1, spb.DataType.DOUBLE, 160.5),
        ("count", 2, spb.DataType.INT32, -3),
    }
    topic, dd = node.ddata(
        "press01", [T + 10, T + 20], {"pressure": [161.0, 162.0], "count": [4, -5]}
    )
    ddata = spb.DData.decode(
        dd, birth=dbirth
    )  # names and types from the birth, as pysparkplug does it
    assert ddata.seq == 2
    assert [(m.name, m.timestamp, m.value) for m in ddata.metrics] == [
        ("pressure", T + 10, 161.0),
        ("count", T + 10, 4),
        ("pressure", T + 20, 162.0),
        ("count", T + 20, -5),
    ]
    assert node.dbirth("cnc01", T)[1]  # seq 3
    assert spb.DDeath.decode(node.ddeath("cnc01", T)[1]).seq == 4
    # A rebirth (same session) is read by our own host as a clean start: no gaps, all online.
    host = SparkplugHost()
    decoded = [
        host.decode(topic, payload) for topic, payload in node.rebirth(T, {"cnc01": {"load": 3.5}})
    ]
    assert not any(m.rebirth for m in decoded)
    assert host.online() == {(G, E, None): True, (G, E, "press01"): True, (G, E, "cnc01"): True}
    assert decoded[-1].points.as_tuples() == [("load", T * 1000, 3.5)]
    msg = host.decode(*node.ddata("cnc01", [T + 5], {"load": [4.5]}))
    assert not msg.rebirth and msg.points.as_tuples() == [("load", (T + 5) * 1000, 4.5)]


def test_rebirth_command_round_trip() -> None:
    topic, payload = rebirth_command(G, E, T)
    assert topic == f"spBv1.0/{G}/NCMD/{E}"
    assert is_rebirth_request(payload)
    cmd = spb.NCmd.decode(payload)
    assert [(m.name, m.value) for m in cmd.metrics] == [("Node Control/Rebirth", True)]
    assert not is_rebirth_request(b"junk")
