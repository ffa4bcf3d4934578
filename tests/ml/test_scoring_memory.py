"""Scoring a period holds one piece of it at a time, whatever its length (issue 9, finding 1).

A machine with 10 signals recorded every second for 210,000 seconds (2.1 M points) is scored
over the whole period through ``POST /api/v1/models/{name}/score`` (answering its first 100
rows) with an anomaly model, the kind that looks back (lags, smoothing, alarm filter). The
piece size is patched to 50,000 points: no read may hold more than that, and the process's peak
resident memory may grow by little (reading and scoring the whole table at once grew it by
about 520 MB here; pieces of 50,000 points by about 15 MB). Both failed before: the route read
the whole period in one table.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.storage.timeseries.base import TS_TYPE

T0 = datetime(2026, 3, 2, tzinfo=UTC)
SECONDS, SIGNALS = 210_000, 10
PIECE = 50_000
GROWTH_MB = 100.0
EQ = "p/l/m"


def _kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise LookupError(key)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, str]]:
    kamp = Platform.at(
        tmp_path_factory.mktemp("score-memory") / "data",
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
    )
    me = kamp.principal()
    names = [f"s{i}" for i in range(SIGNALS)]
    machine = EquipmentSpec("m", signals=[SignalSpec(n) for n in names])
    kamp.assets.apply_tree(me, [SiteSpec("p", lines=[LineSpec("l", equipment=[machine])])])
    ids = {s.name: s.id for s in kamp.query.signals(me, [f"{EQ}/{n}" for n in names])}
    rng = np.random.default_rng(0)
    ts = pa.array([T0 + timedelta(seconds=i) for i in range(SECONDS)], TS_TYPE)
    for n in names:
        values = rng.normal(size=SECONDS)
        table = pa.table({"signal_id": np.full(SECONDS, ids[n]), "ts": ts, "value": values})
        kamp.ts.write(me.org_id, table)
    kamp.ml.train(
        me,
        TrainSpec(task="anomaly", name="watch", equipment=EQ, start=T0,
                  end=T0 + timedelta(hours=1), time_budget_s=3,
                  options={"lags": 2, "smoothing": 5, "alarm_filter": 3}),
    )  # fmt: skip
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    token = kamp.accounts.create_token(kamp.accounts.principal_of(admin), "t", ["admin"])[1]
    yield kamp, token
    kamp.close()


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pieces of at most PIECE points, and the points of every table read."""
    import openkamp.ml.service as service
    import openkamp.ml.tables as tables

    monkeypatch.setattr(tables, "PIECE_POINTS", PIECE)
    monkeypatch.setattr(service, "PIECE_POINTS", PIECE, raising=False)
    reads: list[int] = []
    original = tables.read_table

    def counted(*args: Any, **kwargs: Any) -> Any:
        table = original(*args, **kwargs)
        reads.append(int(table.frame[table.signals].notna().to_numpy().sum()))
        return table

    monkeypatch.setattr(tables, "read_table", counted)
    monkeypatch.setattr(service, "read_table", counted, raising=False)
    return reads


def test_a_long_period_is_scored_a_piece_at_a_time(
    big: tuple[Platform, str], small_pieces: list[int]
) -> None:
    kamp, token = big
    end = T0 + timedelta(seconds=SECONDS)
    with TestClient(create_app(platform=kamp)) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")  # peak resident memory := current
        before = _kb("VmRSS")
        answer = c.post(
            "/api/v1/models/watch/score",
            json={"start": T0.isoformat(), "end": end.isoformat(), "limit": 100},
        )
        growth_mb = (_kb("VmHWM") - before) / 1024
    assert answer.status_code == 200, answer.text
    assert sum(small_pieces) == SECONDS * SIGNALS  # every point read once ...
    assert max(small_pieces) <= PIECE, max(small_pieces)  # ... a piece at a time
    assert growth_mb < GROWTH_MB, f"peak resident memory grew by {growth_mb:.0f} MB"
    body = answer.json()
    assert body["total"] == SECONDS and len(body["rows"]) == 100 and body["truncated"]
    assert body["summary"]["rows"] == SECONDS  # counted over every row
