"""/api/v1/retention: the organisation's default and per-signal policies, scoped and checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.api.conftest import END, START, World


@pytest.fixture
def signal_id(world: World) -> Iterator[int]:
    me = world.kamp.principal()
    sid = world.kamp.assets.list_signals(me)[0].id
    yield sid
    # Leave the session's world as found: no policy kept, nothing ever applied here.
    world.kamp.retention.set_organisation(me, None, None, None)
    world.kamp.retention.clear_signal(me, sid)


def test_default_and_signal_policies(world: World, signal_id: int) -> None:
    api = world.client("kim")
    got = api.get("/api/v1/retention")
    assert got.status_code == 200 and got.json()["raw_days"] is None
    put = api.put("/api/v1/retention", json={"raw_days": 30, "minute_days": 180})
    assert put.status_code == 200, put.text
    assert put.json() | {"updated_at": None} == {
        "raw_days": 30, "minute_days": 180, "hour_days": None, "source": "organisation",
        "signal_id": None, "updated_at": None,
    }  # fmt: skip
    follows = api.get(f"/api/v1/retention/signals/{signal_id}").json()
    assert (follows["source"], follows["raw_days"], follows["signal_id"]) == (
        "organisation", 30, signal_id,
    )  # fmt: skip
    own = api.put(f"/api/v1/retention/signals/{signal_id}", json={"raw_days": 7, "minute_days": 7})
    assert own.status_code == 200 and own.json()["source"] == "signal"
    assert [p["signal_id"] for p in api.get("/api/v1/retention/signals").json()] == [signal_id]
    cleared = api.delete(f"/api/v1/retention/signals/{signal_id}")
    assert cleared.status_code == 200 and cleared.json()["source"] == "organisation"
    assert api.get("/api/v1/retention/signals").json() == []


def test_refusals(world: World, signal_id: int) -> None:
    api = world.client("kim")
    bad = api.put("/api/v1/retention", json={"raw_days": 90, "minute_days": 30})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "retention.order"
    assert api.put("/api/v1/retention", json={"raw_days": 0}).status_code == 422
    assert api.put("/api/v1/retention", json={"days": 3}).status_code == 422  # closed body
    reader = world.client("park")  # a read-only token reads, never changes
    assert reader.get("/api/v1/retention").status_code == 200
    assert reader.put("/api/v1/retention", json={"raw_days": 3}).status_code == 403
    other = world.client("lee")  # another organisation's admin
    assert other.get(f"/api/v1/retention/signals/{signal_id}").status_code == 404
    assert other.put(f"/api/v1/retention/signals/{signal_id}", json={}).status_code == 404
    assert other.get("/api/v1/retention").json()["source"] == "settings"
    assert world.client(None).get("/api/v1/retention").status_code == 401


def test_charts_and_buckets_say_which_tier_answered(world: World) -> None:
    """The explorer's chart of three days reads per-minute aggregates, a wide chart raw
    points; the buckets agree with the raw answer where whole aggregates fill them."""
    api = world.client("kim")
    me = world.kamp.principal()
    sig = world.kamp.assets.list_signals(me)[0]
    path = world.kamp.assets.path_of(me, sig.equipment_id) + "/" + sig.name
    span = {"signal": path, "start": START.isoformat(), "end": END.isoformat()}
    tiers = {
        width: api.get("/api/v1/data/chart", params={**span, "width": width}).json()["tier"]
        for width in (10, 1000, 5000)
    }
    assert tiers == {10: "hour", 1000: "minute", 5000: "raw"}
    hourly = api.get("/api/v1/data/downsample", params={**span, "buckets": 36}).json()
    assert {b["tier"] for b in hourly} == {"hour"}
    raw = world.kamp.ts.downsample(me.org_id, [sig.id], START, END, 36)
    assert [b["count"] for b in hourly] == raw.column("count").to_pylist()
    assert [b["max"] for b in hourly] == raw.column("max").to_pylist()


def test_run_applies_the_policies_now(world: World, signal_id: int) -> None:
    """A policy whose days reach past the stored data drops nothing; a run is for admins."""
    assert world.client("park").post("/api/v1/retention/run").status_code == 403
    api = world.client("kim")  # (the world's one client, now with kim's token)
    before = world.kamp.ts.count(world.kamp.principal().org_id)
    api.put("/api/v1/retention", json={"raw_days": 36_000})  # about a century: nothing is older
    run = api.post("/api/v1/retention/run")
    assert run.status_code == 200, run.text
    assert run.json()["dropped"] == {"raw": 0, "minute": 0, "hour": 0}
    assert run.json()["signals"] > 0
    assert world.kamp.ts.count(world.kamp.principal().org_id) == before
