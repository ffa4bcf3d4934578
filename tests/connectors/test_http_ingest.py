"""HTTP ingest against a real uvicorn server: every format, the answer's counts, limits, tokens
and organisations."""

from __future__ import annotations

import gzip
import io
import itertools
from typing import Any

import httpx
import pyarrow as pa
import pytest

from openkamp.storage.timeseries.base import TS_TYPE

from .conftest import PRESS, Served, signal_id

COUNTER = itertools.count(1)


def fresh_us() -> int:
    """A start time no other test of the module wrote at (the module shares one server)."""
    return 1_780_000_000_000_000 + next(COUNTER) * 10_000_000_000


def post(served: Served, path: str, body: Any, who: str = "kim", **kw: Any) -> httpx.Response:
    headers = {**served.auth(who), **kw.pop("headers", {})}
    if isinstance(body, (dict, list)):
        return httpx.post(f"{served.base}{path}", json=body, headers=headers, timeout=60, **kw)
    return httpx.post(f"{served.base}{path}", content=body, headers=headers, timeout=60, **kw)


def stored(served: Served, name: str, start_us: int, end_us: int) -> list[tuple[int, float]]:
    from datetime import UTC, datetime

    sid = signal_id(served.kamp, name)
    t = served.kamp.ts.read(
        served.kamp.default_org_id,
        [sid],
        datetime.fromtimestamp(start_us / 1e6, UTC),
        datetime.fromtimestamp(end_us / 1e6, UTC),
    )
    return list(
        zip(t.column("ts").cast(pa.int64()).to_pylist(), t.column("value").to_pylist(), strict=True)
    )


def adds_up(answer: dict[str, Any]) -> None:
    assert answer["received"] == answer["stored"] + answer["rejected"], answer
    assert answer["rejected"] == sum(answer["reasons"].values()), answer


def test_json_single_batch_values_and_compact(served: Served) -> None:
    t0 = fresh_us()
    single = {"equipment": PRESS, "signal": "pressure", "ts": t0, "value": 1.5}
    r = post(served, "/ingest/json?precision=us", single)
    assert r.status_code == 200, r.text
    assert r.json() == {"received": 1, "stored": 1, "rejected": 0, "reasons": {}, "samples": {}}
    batch = {"points": [
        {"equipment": PRESS, "signal": "사출압력", "ts": t0 + 1, "value": 2},  # display name
        {"equipment": PRESS, "signal": "oil_temp", "ts": t0 + 1, "value": 40.5},
        {"equipment": PRESS, "signal": "nope", "ts": t0 + 2, "value": 3},  # unknown signal
        {"equipment": PRESS, "signal": "pressure", "ts": t0 + 3, "value": "high"},  # not a number
        {"equipment": "plant1/line1/ghost", "signal": "pressure", "ts": t0 + 4, "value": 1},
    ]}  # fmt: skip
    answer = post(served, "/ingest/json?precision=us", batch).json()
    adds_up(answer)
    assert answer["stored"] == 2
    assert answer["reasons"] == {
        "signal.unknown": 1, "value.not_a_number": 1, "equipment.unknown": 1,
    }  # fmt: skip
    values = {"ts": t0 + 5, "values": {"pressure": 7.0, "유온(℃)": 41.0}}
    answer = post(served, f"/ingest/json?precision=us&equipment={PRESS}", values).json()
    assert answer["stored"] == 2 and answer["rejected"] == 0
    compact = {"t0": (t0 + 10_000) // 1000, "dt": 1, "s": {"pressure": [1.0, 2.0, None]}}
    answer = post(served, f"/ingest/json?equipment={PRESS}", compact).json()
    adds_up(answer)
    assert answer["stored"] == 2 and answer["rejected"] == 1
    got = stored(served, "pressure", t0, t0 + 20_000)
    assert got == [(t0, 1.5), (t0 + 1, 2.0), (t0 + 5, 7.0), (t0 + 10_000, 1.0), (t0 + 11_000, 2.0)]


def test_json_iso_times_and_refusals(served: Served) -> None:
    """ISO times with and without an offset (the installation's zone, Asia/Seoul); a body
    that is not JSON is a 422 in the caller's language; nothing of it is stored."""
    body = [
        {"equipment": PRESS, "signal": "pressure", "ts": "2026-06-01T09:00:00+09:00", "value": 1},
        {"equipment": PRESS, "signal": "pressure", "ts": "2026-06-01T09:00:01", "value": 2},
        {"equipment": PRESS, "signal": "pressure", "ts": "yesterday", "value": 3},
    ]
    answer = post(served, "/ingest/json", body).json()
    assert answer["stored"] == 2 and answer["reasons"] == {"time.unreadable": 1}
    t = 1_780_272_000_000_000  # 2026-06-01T00:00:00Z
    assert stored(served, "pressure", t, t + 2_000_000) == [(t, 1.0), (t + 1_000_000, 2.0)]
    bad = post(served, "/ingest/json", b"{not json", headers={"Accept-Language": "ko"})
    assert bad.status_code == 422
    err = bad.json()["error"]
    assert err["code"] == "ingest.not_json" and "JSON" in err["message"]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in err["message"])  # Korean words


def test_csv_wide_and_long(served: Served) -> None:
    t0 = fresh_us()
    iso = [f"{t}" for t in (t0, t0 + 1000)]
    wide = f"ts,pressure,유온(℃)\n{iso[0]},1.0,40\n{iso[1]},,41\n{iso[1]},x,42\nshort\n"
    answer = post(served, f"/ingest/csv?equipment={PRESS}&precision=us", wide.encode()).json()
    adds_up(answer)
    assert answer["stored"] == 4
    assert answer["reasons"] == {"value.not_a_number": 1, "csv.fields": 2}
    long_form = f"time,equipment,signal,value\n{t0 + 5},{PRESS},pressure,5\n{t0 + 6},,pressure,6\n"
    answer = post(served, "/ingest/csv?precision=us", long_form.encode()).json()
    assert answer["stored"] == 1 and answer["reasons"] == {"equipment.missing": 1}
    assert stored(served, "pressure", t0, t0 + 10_000) == [(t0, 1.0), (t0 + 5, 5.0)]
    assert stored(served, "oil_temp", t0, t0 + 10_000)[-1] == (t0 + 1000, 42.0)


def _arrow(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=1000):
            writer.write_batch(batch)
    return sink.getvalue()


def test_arrow_stream_by_ids_and_by_names(served: Served) -> None:
    kamp = served.kamp
    sid = signal_id(kamp)
    t0 = fresh_us()
    n = 5_000
    table = pa.table({
        "signal_id": pa.array([sid] * n, pa.int64()),
        "ts": pa.array(range(t0, t0 + n), pa.int64()).cast(TS_TYPE),
        "value": pa.array([float(i) for i in range(n)]),
    })  # fmt: skip
    r = post(served, "/ingest/arrow", _arrow(table),
             headers={"Content-Type": "application/vnd.apache.arrow.stream"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == n
    by_name = pa.table({
        "signal": ["pressure", "oil_temp", "nope"],
        "ts": pa.array([t0 + n, t0 + n, t0 + n], pa.int64()),
        "value": [1.0, 2.0, 3.0],
    })  # fmt: skip
    answer = post(served, f"/ingest/arrow?equipment={PRESS}&precision=us", _arrow(by_name)).json()
    adds_up(answer)
    assert answer["stored"] == 2 and answer["reasons"] == {"signal.unknown": 1}
    assert len(stored(served, "pressure", t0, t0 + n + 1)) == n + 1
    broken = post(served, "/ingest/arrow", b"\x00" * 100)
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "ingest.not_arrow"


def test_line_protocol_as_telegraf_sends_it(served: Served) -> None:
    """Measurement = equipment path (``.`` or ``/``), fields = signals, timestamps in the
    precision asked for; gzip; InfluxDB 2's write path with ``Token`` auth; bad lines and
    string fields counted, the rest stored."""
    t0_s = fresh_us() // 1_000_000
    body = (
        f"plant1.line1.press01,host=gw1 pressure=1.5,oil_temp=40i {t0_s}\n"
        f'plant1/line1/press01 사출압력=2.5,status="ok" {t0_s + 1}\n'
        f"plant1.line1.ghost pressure=1 {t0_s + 2}\n"
        "this is not line protocol\n"
        f"plant1.line1.press01 pressure=3.5 {t0_s + 3}\n"
    )
    answer = post(served, "/ingest/influx?precision=s", body.encode()).json()
    adds_up(answer)
    assert answer["stored"] == 4
    assert answer["reasons"]["equipment.unknown"] == 1
    assert answer["reasons"]["line.string_field"] == 1
    assert sum(v for k, v in answer["reasons"].items() if k.startswith("line.")) == 2
    t0 = t0_s * 1_000_000
    assert stored(served, "pressure", t0, t0 + 10**7) == [
        (t0, 1.5), (t0 + 1_000_000, 2.5), (t0 + 3_000_000, 3.5),
    ]  # fmt: skip
    # Telegraf's outputs.influxdb_v2: gzip, Authorization: Token, /api/v2/write?org&bucket
    lines = f"plant1.line1.press01 pressure=9 {(t0_s + 5) * 10**9}\n".encode()
    r = httpx.post(
        f"{served.base}/ingest/influx/api/v2/write?org=x&bucket=y&precision=ns",
        content=gzip.compress(lines),
        headers={"Authorization": f"Token {served.tokens['kim']}", "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 1
    assert stored(served, "pressure", t0 + 5_000_000, t0 + 5_000_001) == [(t0 + 5_000_000, 9.0)]
    nobody = httpx.post(f"{served.base}/ingest/influx/api/v2/write", content=lines, timeout=30)
    assert nobody.status_code == 401
    read_only = httpx.post(
        f"{served.base}/ingest/influx/api/v2/write", content=lines, timeout=30,
        headers={"Authorization": f"Token {served.tokens['park']}"},
    )  # fmt: skip
    assert read_only.status_code == 403


def test_tokens_roles_and_limits(served: Served) -> None:
    point = {"equipment": PRESS, "signal": "pressure", "ts": fresh_us(), "value": 1}
    assert httpx.post(f"{served.base}/ingest/json", json=point, timeout=30).status_code == 401
    assert post(served, "/ingest/json", point, who="park").status_code == 403  # read-only token
    assert post(served, "/ingest/json", point, who="park_w").status_code == 200
    big = b"x" * (3 * 1024 * 1024)  # over ingest_max_bytes (2 MB here)
    r = post(served, "/ingest/influx", big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "ingest.too_large"
    bomb = gzip.compress(b"plant1.line1.press01 pressure=1\n" * 200_000)  # 6.4 MB inflated
    r = post(served, "/ingest/influx", bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 413
    r = post(served, "/ingest/json?equipment=plant1/line1/ghost", point)
    assert r.status_code == 404 and r.json()["error"]["code"] == "connectors.no_equipment"


def test_one_organisation_cannot_write_into_another(served: Served) -> None:
    """Organisation B's token names A's signal ids: refused as unknown, nothing stored in A;
    the same path names B's own press, whose points stay in B."""
    kamp = served.kamp
    sid_a = signal_id(kamp)
    t0 = fresh_us()
    by_id = {"signal_id": sid_a, "ts": t0, "value": 666.0}
    answer = post(served, "/ingest/json?precision=us", by_id, who="lee").json()
    assert answer["stored"] == 0 and answer["reasons"] == {"signal.unknown": 1}
    table = pa.table({"signal_id": [sid_a], "ts": pa.array([t0], pa.int64()), "value": [6.0]})
    answer = post(served, "/ingest/arrow?precision=us", _arrow(table), who="lee").json()
    assert answer["stored"] == 0 and answer["reasons"] == {"signal.unknown": 1}
    by_path = {"equipment": PRESS, "signal": "pressure", "ts": t0, "value": 7.0}
    assert post(served, "/ingest/json?precision=us", by_path, who="lee").json()["stored"] == 1
    assert stored(served, "pressure", t0, t0 + 1) == []
    from openkamp.core.tenancy import system_principal

    sid_b = kamp.assets.resolve(system_principal(served.org_b), f"{PRESS}/pressure").id
    assert kamp.ts.count(served.org_b, [sid_b]) == 1


def test_an_http_connection_maps_counts_and_can_be_stopped(served: Served) -> None:
    """A request naming an http connection uses its settings (measurement mapping, new
    signals) and counts on it; once the connection is stopped its requests are refused."""
    kamp = served.kamp
    kim = {**served.auth("kim")}
    config = {"measurements": {"modbus": PRESS}, "auto_create_signals": True}
    r = httpx.post(f"{served.base}/connections", json={"name": "telegraf", "kind": "http",
                   "config": config}, headers=kim, timeout=30)  # fmt: skip
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    t0_s = fresh_us() // 1_000_000
    body = f"modbus,unit=1 pressure=1,spindle_speed=1200 {t0_s}\n".encode()
    answer = post(served, "/ingest/influx?precision=s&connection=telegraf", body).json()
    assert answer["stored"] == 2 and answer["rejected"] == 0
    created = kamp.assets.resolve(kamp.principal(), f"{PRESS}/spindle_speed")
    assert created.name == "spindle_speed"
    status = httpx.get(f"{served.base}/connections/{cid}/status", headers=kim, timeout=30).json()
    assert status["state"] == "running" and status["points"] == 2
    assert status["last_value_at"].startswith(str(2026 + 0)[:3])
    stop = httpx.post(f"{served.base}/connections/{cid}/stop", headers=kim, timeout=30)
    assert stop.status_code == 200 and stop.json()["status"]["state"] == "stopped"
    refused = post(served, "/ingest/influx?precision=s&connection=telegraf", body)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ingest.stopped"
    assert (
        httpx.delete(f"{served.base}/connections/{cid}", headers=kim, timeout=30).status_code == 204
    )


@pytest.mark.parametrize("who", ["park", "lee"])
def test_connection_routes_refuse_readers_and_strangers(served: Served, who: str) -> None:
    kim = served.auth("kim")
    r = httpx.post(f"{served.base}/connections", json={"name": f"c{who}", "kind": "http"},
                   headers=kim, timeout=30)  # fmt: skip
    cid = r.json()["id"]
    try:
        got = httpx.get(f"{served.base}/connections/{cid}", headers=served.auth(who), timeout=30)
        stop = httpx.post(f"{served.base}/connections/{cid}/stop", headers=served.auth(who),
                          timeout=30)  # fmt: skip
        if who == "park":  # same organisation, read-only token: reads, may not change
            assert got.status_code == 200 and stop.status_code == 403
        else:  # another organisation: not found, unchanged
            assert got.status_code == 404 and stop.status_code == 404
            listed = httpx.get(f"{served.base}/connections", headers=served.auth(who), timeout=30)
            assert all(c["id"] != cid for c in listed.json())
    finally:
        httpx.delete(f"{served.base}/connections/{cid}", headers=kim, timeout=30)


def test_json_table_form_for_irregular_times(served: Served) -> None:
    t0 = fresh_us()
    body = {
        "equipment": PRESS, "signals": ["pressure", "oil_temp"],
        "rows": [[t0, 1.0, 40.0], [t0 + 7, None, 41.0], [t0 + 9, 2.0]],  # the last is short
    }  # fmt: skip
    answer = post(served, "/ingest/json?precision=us", body).json()
    adds_up(answer)
    assert answer["stored"] == 3 and answer["reasons"] == {"json.bad_row": 2}
    assert stored(served, "oil_temp", t0, t0 + 10) == [(t0, 40.0), (t0 + 7, 41.0)]
