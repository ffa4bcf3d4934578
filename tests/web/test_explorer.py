"""The signal explorer's data: each signal's own spacing for the gap rule, the view from the
URL, defect markers and the download of the view."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import timedelta

import pytest

from .support import END, INJ, START, Site, sign_in


def config_of(page: str) -> dict:
    found = re.search(r'data-config="([^"]*)"', page)
    assert found
    return json.loads(html.unescape(found.group(1)))


def test_the_page_carries_spacing_view_and_markers(site: Site) -> None:
    client = site.client()
    sign_in(client)
    me = site.kamp.principal()
    inj = site.kamp.assets.resolve(me, INJ)
    press = site.kamp.assets.resolve(me, "plant1/line2/press01")
    start, end = START + timedelta(hours=5), START + timedelta(hours=6)
    page = client.get(
        "/signals", params={"equipment": inj.id, "from": start.isoformat(), "to": end.isoformat()}
    )
    assert page.status_code == 200
    cfg = config_of(page.text)
    # the injection machine logs one row per shot, about every 42 s: that is its spacing
    assert all(30 < s["spacing"] < 60 for s in cfg["signals"]), cfg["signals"]
    assert cfg["view"] == {"start": start.isoformat(), "end": end.isoformat()}
    assert cfg["markers"] is True and cfg["equipment"] == inj.id
    pressed = config_of(client.get("/signals", params={"equipment": press.id}).text)
    assert all(s["spacing"] and s["spacing"] <= 10 for s in pressed["signals"])
    assert pressed["markers"] is True  # its fault-kind labels mark the chart
    assert pressed["view"] == {"start": None, "end": None}
    # a mangled link falls back to the whole range instead of failing
    bad = client.get("/signals", params={"equipment": inj.id, "from": "yesterday", "to": "x"})
    assert bad.status_code == 200 and config_of(bad.text)["view"]["start"] is None


def test_defect_markers_are_the_ng_labels_of_the_window(site: Site) -> None:
    client = site.client()
    sign_in(client)
    me = site.kamp.principal()
    inj = site.kamp.assets.resolve(me, INJ)
    start, end = START + timedelta(hours=2), START + timedelta(hours=14)
    got = client.get(
        "/api/v1/data/markers",
        params={"equipment": inj.id, "start": start.isoformat(), "end": end.isoformat()},
    ).json()
    labels = site.kamp.query.labels(me, [f"{INJ}/pass_fail"], start, end).to_pylist()
    expected = [r["ts"] for r in labels if r["value"] == "NG"]
    assert got["column"] == "pass_fail" and got["count"] == len(expected) > 0
    assert [t.rstrip("Z") for t in got["t"]] == [t.isoformat() for t in expected]
    assert all(start <= r for r in expected)
    assert got["v"] == ["NG"] * len(expected)
    # a machine without a pass / fail column: its event column's non-normal values (faults)
    press = site.kamp.assets.resolve(me, "plant1/line2/press01")
    faults = client.get(
        "/api/v1/data/markers",
        params={"equipment": press.id, "start": START.isoformat(), "end": END.isoformat()},
    ).json()
    kinds = site.kamp.query.labels(me, ["plant1/line2/press01/fault_kind"], START, END)
    events = [v for v in kinds.column("value").to_pylist() if v != "none"]
    assert faults["column"] == "fault_kind" and faults["count"] == len(events)
    assert "none" not in faults["v"]
    # a machine whose labels are only ids (tool numbers) and yes / no alarms: the alarms
    cnc = site.kamp.assets.resolve(me, "plant1/line2/cnc01")
    alarms = client.get(
        "/api/v1/data/markers",
        params={"equipment": cnc.id, "start": START.isoformat(), "end": END.isoformat()},
    ).json()
    assert alarms["column"] == "alarm"
    assert client.get("/api/v1/data/markers", params={
        "equipment": 99999, "start": start.isoformat(), "end": end.isoformat()
    }).status_code == 404  # fmt: skip


def test_the_view_downloads_as_csv_in_local_time(site: Site) -> None:
    client = site.client()
    sign_in(client)
    start, end = START + timedelta(hours=1), START + timedelta(hours=2)
    got = client.get(
        "/api/v1/data/export",
        params={
            "signal": [f"{INJ}/cushion", f"{INJ}/hold_pressure"],
            "start": start.isoformat(),
            "end": end.isoformat(),
            "lang": "ko",
        },
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    text = got.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "시간" and "[mm]" in rows[0][1] and "[bar]" in rows[0][2]
    n = site.kamp.ts.count(
        site.kamp.default_org_id,
        [site.kamp.assets.resolve(site.kamp.principal(), f"{INJ}/cushion").id],
        start,
        end,
    )
    assert len(rows) - 1 == n > 60  # one row per shot of the hour
    assert rows[1][0].startswith("2026-03-02 01:")  # START is midnight in Seoul: local times


def test_markers_and_download_read_in_windows_give_the_same_answer(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markers and the download read a window at a time (bounded memory, issue 9 finding 1):
    cut into many small windows, they answer exactly what one window answers."""
    from openkamp.api.routers import explore

    client = site.client()
    sign_in(client)
    me = site.kamp.principal()
    inj = site.kamp.assets.resolve(me, INJ)
    press = site.kamp.assets.resolve(me, "plant1/line2/press01")
    whole = {"start": START.isoformat(), "end": END.isoformat()}
    asks = [
        ("/api/v1/data/markers", {"equipment": inj.id, **whole}),
        ("/api/v1/data/markers", {"equipment": press.id, **whole}),
        ("/api/v1/data/export", {"signal": [f"{INJ}/cushion", f"{INJ}/hold_pressure"], **whole}),
    ]
    at_once = [client.get(url, params=p).content for url, p in asks]
    monkeypatch.setattr(explore, "MARKER_WINDOW", 37)
    monkeypatch.setattr(explore, "EXPORT_WINDOW", 301)
    windowed = [client.get(url, params=p).content for url, p in asks]
    assert windowed == at_once
    assert json.loads(at_once[0])["count"] > 37  # the window really cut the markers
    assert at_once[2].count(b"\n") > 301
