"""InfluxDB line protocol: the reference's examples, escaping, types, errors per line, and a
property test against an independent writer of the grammar."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from openkamp.connectors.payloads import SeriesField, parse_line_protocol

RECEIVED_US = 1_772_323_200_000_000


def test_examples_from_the_influxdb_and_telegraf_documentation() -> None:
    # Lines as the InfluxDB line protocol reference and Telegraf's output examples write them.
    body = "\n".join(
        [
            "# Telegraf's cpu and mem inputs",
            "cpu,cpu=cpu0,host=localhost usage_idle=99.5,usage_user=0.3,usage_system=0.2 1600000000000000000",
            "mem,host=localhost active=123456i,available_percent=70.5 1600000000000000000",
            "disk,device=sda1,fstype=ext4,host=h,mode=rw,path=/ free=1000u,inodes_used=3i 1600000000000000000",
            'system,host=localhost uptime_format="3 days,  4:05",load1=0.25 1600000000000000000',
            "weather,location=us-midwest temperature=82 1465839830100400200",
            'cpu,host=server\\ 01,region=uswest value=1.0,msg="all systems nominal" 1434055562000000000',
            'myMeasurement,tag1=value1,tag2=value2 fieldKey="fieldValue" 1556813561098000000',
            "",
            "   ",
        ]
    )
    r = parse_line_protocol(body)
    assert r.errors == ()
    got = {(s.measurement, s.tags, s.field): None for s in r.series}
    assert ("cpu", (("cpu", "cpu0"), ("host", "localhost")), "usage_idle") in got
    assert ("cpu", (("host", "server 01"), ("region", "uswest")), "value") in got
    pts = dict(zip(r.points.name_of().tolist(), r.points.values.tolist(), strict=True))
    assert pts["cpu,cpu=cpu0,host=localhost usage_idle"] == 99.5
    assert pts["mem,host=localhost active"] == 123456.0
    assert pts["disk,device=sda1,fstype=ext4,host=h,mode=rw,path=/ free"] == 1000.0
    assert pts["system,host=localhost load1"] == 0.25
    assert pts["cpu,host=server\\ 01,region=uswest value"] == 1.0
    # String fields are valid but not numbers: counted, not stored, the line still counts.
    assert dict(r.points.rejected) == {"string_field": 3}
    assert r.lines == 7
    ts = dict(zip(r.points.name_of().tolist(), r.points.ts_us.tolist(), strict=True))
    assert ts["weather,location=us-midwest temperature"] == 1465839830100400  # ns floored to µs


def test_special_characters_example_of_the_reference() -> None:
    # The "special characters" example of InfluxDB's line protocol reference.
    line = (
        '"measurement\\ with\\ quo⚡️es\\ and\\ emoji",tag\\ key\\ with\\ sp🚀ces=tag\\,value\\,with'
        '"commas" field_k\\ey="string field value, only \\" need be esc🍭ped",n=1'
    )
    r = parse_line_protocol(line, default_ts_us=RECEIVED_US)
    assert r.errors == ()
    (s,) = r.series
    assert s == SeriesField(
        '"measurement with quo⚡️es and emoji"',
        (("tag key with sp🚀ces", 'tag,value,with"commas"'),),
        "n",
    )
    assert r.points.rejected == {"string_field": 1}
    # A backslash before a character that needs no escape stays (field_k\ey is a field key).
    r2 = parse_line_protocol("m field_k\\ey=2", default_ts_us=RECEIVED_US)
    assert r2.series[0].field == "field_k\\ey"


def test_value_types_and_precisions() -> None:
    r = parse_line_protocol(
        "m a=1,b=-1.5e3,c=7i,d=18446744073709551615u,e=t,f=FALSE,g=True,h=.5 1641024000",
        precision="s",
    )
    vals = dict(zip([s.field for s in r.series], r.points.values.tolist(), strict=True))
    assert vals == {
        "a": 1.0,
        "b": -1500.0,
        "c": 7.0,
        "d": float(2**64 - 1),
        "e": 1.0,
        "f": 0.0,
        "g": 1.0,
        "h": 0.5,
    }
    assert set(r.points.ts_us.tolist()) == {1641024000 * 1_000_000}
    for precision, ts, us in (
        ("ms", "1641024000123", 1641024000123000),
        ("us", "1641024000123456", 1641024000123456),
    ):
        assert parse_line_protocol(f"m a=1 {ts}", precision).points.ts_us.tolist() == [us]
    # The InfluxDB get-started sample, in seconds.
    home = parse_line_protocol("home,room=Living\\ Room temp=21.1,hum=35.9,co=0i 1641024000", "s")
    assert home.series[0].tags == (("room", "Living Room"),)
    assert home.points.values.tolist() == [21.1, 35.9, 0.0]


def test_bad_lines_are_reported_with_their_number_and_never_stop_good_ones() -> None:
    body = "\n".join(
        [
            "ok a=1 1600000000000000000",  # 1
            "no_fields",  # 2
            "m a=nan 1600000000000000000",  # 3: NaN is no line protocol float
            "m a=inf 1600000000000000000",  # 4
            "m a=1_0 1600000000000000000",  # 5: Python reads this, line protocol does not
            "m a=99999999999999999999i 1600000000000000000",  # 6: over int64
            "m a=-1u 1600000000000000000",  # 7
            "m,t= a=1 1600000000000000000",  # 8: empty tag value
            "m a=1 1600000000000000000 extra",  # 9
            "m a=1 16000000000000000x0",  # 10
            "m a=1 1",  # 11: 1970
            'm a="unterminated',  # 12
            "m a=1",  # 13: no timestamp, no receive time
            "m =1 1600000000000000000",  # 14
            "ok a=2 1600000000000000001",  # 15
        ]
    )
    r = parse_line_protocol(body)
    assert [(e.line, e.reason) for e in r.errors] == [
        (2, "line"),
        (3, "line"),
        (4, "line"),
        (5, "line"),
        (6, "line"),
        (7, "line"),
        (8, "line"),
        (9, "line"),
        (10, "ts_format"),
        (11, "ts_range"),
        (12, "line"),
        (13, "ts_missing"),
        (14, "line"),
    ]
    assert r.points.values.tolist() == [1.0, 2.0]
    assert r.lines == 2
    assert r.errors[0].text == "no_fields"


def test_crlf_line_endings_and_receive_time() -> None:
    r = parse_line_protocol("m a=1\r\nm a=2\r\n", default_ts_us=RECEIVED_US)
    assert r.errors == ()
    assert r.points.ts_us.tolist() == [RECEIVED_US, RECEIVED_US]


# --------------------------------------------------------------------------- property test
# An independent writer of the grammar (the reference's escaping rules), then parse it back.

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r\t"),
    min_size=1,
    max_size=12,
)


def _esc(s: str, chars: str) -> str:
    out = []
    for c in s:
        if c == "\\" or c in chars:
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


_number = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda x: ("float", x)),
    st.integers(-(2**63), 2**63 - 1).map(lambda x: ("int", x)),
    st.integers(0, 2**64 - 1).map(lambda x: ("uint", x)),
    st.booleans().map(lambda x: ("bool", x)),
    _text.map(lambda x: ("string", x)),
)


def _write(kind: str, x: object) -> str:
    if kind == "float":
        return repr(x)
    if kind == "int":
        return f"{x}i"
    if kind == "uint":
        return f"{x}u"
    if kind == "bool":
        return "true" if x else "F"
    return '"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=300, deadline=None)
@given(
    measurement=_text.filter(lambda s: not s.lstrip(" ").startswith("#") and not s.startswith(" ")),
    tags=st.dictionaries(_text, _text, max_size=3),
    fields=st.dictionaries(_text, _number, min_size=1, max_size=4),
    ts=st.one_of(st.none(), st.integers(946_684_800_000_000_000, 4_102_444_799_000_000_000)),
)
def test_property_written_lines_parse_back(
    measurement: str, tags: dict[str, str], fields: dict[str, tuple[str, object]], ts: int | None
) -> None:
    line = _esc(measurement, ", ")
    line += "".join(f",{_esc(k, ',= ')}={_esc(v, ',= ')}" for k, v in tags.items())
    line += " " + ",".join(f"{_esc(k, ',= ')}={_write(*v)}" for k, v in fields.items())
    if ts is not None:
        line += f" {ts}"
    r = parse_line_protocol(line, default_ts_us=RECEIVED_US)
    assert r.errors == (), (line, r.errors)
    numeric = {k: v for k, v in fields.items() if v[0] != "string"}
    assert {s.field for s in r.series} == set(numeric)
    for s, value, t in zip(
        r.series, r.points.values.tolist(), r.points.ts_us.tolist(), strict=True
    ):
        assert s.measurement == measurement
        assert s.tags == tuple(sorted(tags.items()))
        kind, x = numeric[s.field]
        expected = float(x) if kind != "bool" else (1.0 if x else 0.0)  # type: ignore[arg-type]
        assert value == expected or (math.isnan(value) and math.isnan(expected))
        assert t == (RECEIVED_US if ts is None else ts // 1000)
    assert r.points.rejected.get("string_field", 0) == len(fields) - len(numeric)
