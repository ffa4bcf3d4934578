"""JSON over MQTT into the store: the three documented forms land with the right signals, times
and values; topic levels name the equipment and the signal."""

from __future__ import annotations

import json

import pyarrow as pa

from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import Broker

from .conftest import INJ, PRESS, Publisher, mqtt_connection, sid, status, wait_for

T0 = 1_780_000_000_000  # ms


def stored(kamp: Platform, ids: list[int]) -> dict[tuple[int, int], float]:
    got = kamp.ts.read(kamp.default_org_id, ids)
    ts = got.column("ts").cast(pa.int64()).to_pylist()
    return dict(zip(zip(got.column("signal_id").to_pylist(), ts, strict=True),
                    got.column("value").to_pylist(), strict=True))  # fmt: skip


def test_json_single_batch_and_compact_land_in_the_store(kamp: Platform, broker: Broker) -> None:
    conn = mqtt_connection(
        kamp,
        broker,
        [
            # one value per message, the signal named by the last topic level
            {
                "topic": "factory/{line}/{machine}/{signal}",
                "equipment": "plant1/{line}/{machine}",
                "signal": "{signal}",
            },
            # batches and compact series of one machine, names in the payload (one renamed)
            {
                "topic": "gw/{machine}/data",
                "equipment": "plant1/line2/{machine}",
                "signals": {"p": "pressure"},
            },
        ],
    )
    wait_for(lambda: status(kamp, conn)["state"] == "running", what="running")
    pub = Publisher(broker)
    try:
        pub.publish("factory/line1/press01/pressure", json.dumps({"ts": T0, "value": 1.5}), 1)
        pub.publish("factory/line1/press01/oil_temp", "42.25", 2)  # bare number: stamped on receipt
        pub.publish(
            "gw/inj01/data",
            json.dumps([{"ts": T0, "values": {"p": 10.0, "speed": 3}},
                        {"ts": T0 + 1000, "values": {"p": 11.0, "speed": 4}}]),
            3,
        )  # fmt: skip
        pub.publish("gw/inj01/data", json.dumps({"t0": T0 + 5000, "dt": 10,
                                                 "s": {"oil_temp": [1.0, 2.0, 3.0]}}), 4)  # fmt: skip
        pub.wait_acked(4)
    finally:
        pub.close()
    ids = [sid(kamp, p, s) for p in (PRESS, INJ) for s in ("pressure", "oil_temp", "speed")]
    wait_for(lambda: len(stored(kamp, ids)) == 9, what="9 points stored")
    got = stored(kamp, ids)
    us = T0 * 1000
    assert got[sid(kamp, PRESS, "pressure"), us] == 1.5
    assert got[sid(kamp, INJ, "pressure"), us] == 10.0
    assert got[sid(kamp, INJ, "pressure"), us + 1_000_000] == 11.0
    assert got[sid(kamp, INJ, "speed"), us + 1_000_000] == 4.0
    assert [got[sid(kamp, INJ, "oil_temp"), us + 5_000_000 + k * 10_000] for k in range(3)] == [
        1.0, 2.0, 3.0,
    ]  # fmt: skip
    (oil_key,) = [k for k in got if k[0] == sid(kamp, PRESS, "oil_temp")]
    assert got[oil_key] == 42.25
    st = status(kamp, conn)
    assert st["points"] == 9 and st["rejected_total"] == 0, st


def test_compact_fast_path_reads_exactly_what_the_codec_reads() -> None:
    """The connector turns a batch's compact messages into arrays at once; every point must be
    the one json_forms.decode_json gives (times to the microsecond), and anything else is left
    to the codec."""
    import numpy as np

    from openkamp.connectors.mqtt import _Batch, compact_doc
    from openkamp.connectors.payloads import decode_json

    docs = [
        {"t0": T0, "dt": 10, "s": {"a": [1, 2.5, 3], "b": [4.0]}},
        {"t0": "2026-03-01T09:00:00.250+09:00", "dt": 0.333, "s": {"a": [1.0] * 7}},
        {"t0": T0 * 1000 + 7, "dt": 1000.5, "s": {"b": [0, -1, 2**40]}},
    ]
    ids = {"a": 11, "b": 22}
    batch = _Batch()
    want = []
    for doc in docs:
        body = json.dumps(doc).encode()
        t0, step, series = compact_doc(body)  # type: ignore[misc]
        for name, values in series.items():
            batch.add_series(ids[name], t0, step, values)
        pts = decode_json(body)
        want += [(ids[n], t, v) for n, t, v in pts.as_tuples()]
    tbl = batch.table()
    got = list(zip(tbl.column("signal_id").to_pylist(),
                   tbl.column("ts").cast(pa.int64()).to_pylist(),
                   tbl.column("value").to_pylist(), strict=True))  # fmt: skip
    assert sorted(got) == sorted(want) and len(got) == 14
    assert np.isfinite(tbl.column("value").to_numpy()).all()
    # left to the codec (which reports what is wrong): text values, nulls, bad dt, 1980
    for doc in [
        {"t0": T0, "dt": 10, "s": {"a": [1, "x"]}},
        {"t0": T0, "dt": 10, "s": {"a": [1, None]}},
        {"t0": T0, "dt": 0, "s": {"a": [1]}},
        {"t0": 315532800000, "dt": 10, "s": {"a": [1]}},
        {"t0": T0, "dt": True, "s": {"a": [1]}},
        {"t0": T0, "dt": 10, "s": {"a": [True]}},
        {"ts": T0, "values": {"a": 1}},
    ]:
        assert compact_doc(json.dumps(doc).encode()) is None, doc
