"""Shared by the migration and backup tests: an installation with something of everything
(assets in two organisations, an import with labels, points past a retention horizon, a dataset,
a model, an offer, a contract, ledger entries, a signed-in session) and a snapshot of its time
series to compare a copy with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.linear_model import LogisticRegression

from openkamp.core.assets import EquipmentSpec, LabelSpec, LabelType, LineSpec, SignalSpec, SiteSpec
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.sharing.policy import Access, Purpose
from openkamp.storage.timeseries.base import POINT_SCHEMA, TIERS

FAST_HASH = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
PASSWORD = "correct horse battery"
PRESS = "plant1/line1/press01"
DAY = datetime(2026, 3, 2, tzinfo=UTC)
COLUMNS = [
    {"name": "timestamp", "kind": "time", "role": "time"},
    {"name": "pressure", "kind": "number", "role": "input", "unit": "bar"},
    {"name": "result", "kind": "text", "role": "label"},
]


def embedded(data: Path) -> Settings:
    return Settings(
        data_dir=data,
        metadata_url=f"sqlite:///{data / 'metadata.sqlite'}",
        timeseries_url=f"duckdb:///{data / 'timeseries.duckdb'}",
        duckdb_memory_limit="256MB",
        **FAST_HASH,
    )


def on_postgres(data: Path, url: str, timeseries_url: str | None = None, **more: Any) -> Settings:
    return Settings(
        data_dir=data,
        metadata_url=url,
        timeseries_url=timeseries_url or url,
        **{**FAST_HASH, **more},
    )


def _tree() -> list[SiteSpec]:
    signals = [
        SignalSpec("pressure", "압력", "Pressure", "bar"),
        SignalSpec("vibration", "진동", "Vibration", "mm/s"),
    ]
    label = LabelSpec("result", "판정", "Result", LabelType.CATEGORY, ["OK", "NG"])
    press = EquipmentSpec("press01", "프레스 1호기", "Press 1", signals=signals, labels=[label])
    return [
        SiteSpec("plant1", "본사공장", "Main plant", lines=[LineSpec("line1", equipment=[press])])
    ]


def build(settings: Settings, tmp: Path) -> dict[str, Any]:
    """Fill the installation ``settings`` name; what it holds, read before it closes."""
    kamp = Platform(settings)
    try:
        me = kamp.principal()
        beta = kamp.principal("beta")
        kamp.assets.apply_tree(me, _tree())
        kamp.assets.apply_tree(beta, _tree())
        kamp.accounts.create_first_admin(kamp.default_org_id, "admin", PASSWORD)
        _, cookie, _ = kamp.accounts.login("admin", PASSWORD)
        # an import: points and labels
        n = 600
        frame = pd.DataFrame({
            "timestamp": [(DAY + timedelta(seconds=10 * i)).isoformat() for i in range(n)],
            "pressure": [100.0 + (i % 17) * 0.37 for i in range(n)],
            "result": ["OK" if i % 9 else "NG" for i in range(n)],
        })  # fmt: skip
        csv = tmp / "press.csv"
        frame.to_csv(csv, index=False)
        report = kamp.imports.import_file(me, csv, ImportOptions(equipment=PRESS))
        assert report.rows_stored == n and report.labels_written == n
        # three days of a vibration signal, 10 s apart, in each organisation
        rng = np.random.default_rng(7)
        for who in (me, beta):
            sid = kamp.assets.resolve(who, f"{PRESS}/vibration").id
            ts = [DAY + timedelta(seconds=10 * i) for i in range(3 * 8640)]
            kamp.ts.write(
                who.org_id,
                pa.table(
                    {"signal_id": [sid] * len(ts), "ts": ts, "value": rng.normal(3, 1, len(ts))},
                    schema=POINT_SCHEMA,
                ),
            )
        # retention dropped the first day's raw points and half a day of minutes; then a late
        # point came in there: the roll-ups are no longer what the raw points add up to
        vib = kamp.assets.resolve(me, f"{PRESS}/vibration").id
        kamp.ts.expire(me.org_id, "raw", [vib], DAY + timedelta(days=1))
        kamp.ts.expire(me.org_id, "minute", [vib], DAY + timedelta(hours=12))
        late = pa.table(
            {"signal_id": [vib], "ts": [DAY + timedelta(hours=3, seconds=5)], "value": [99.5]},
            schema=POINT_SCHEMA,
        )
        kamp.ts.write(me.org_id, late)
        # a dataset, a model, an offer, a contract and ledger entries
        shots = frame.assign(timestamp=pd.to_datetime(frame["timestamp"]))
        kamp.datasets.create(me, "press-shots", shots, COLUMNS)
        model = LogisticRegression().fit(np.c_[frame["pressure"]], frame["result"] == "NG")
        kamp.models.register(me, model, name="quality", task="classify")
        offer = kamp.sharing.catalog.create(
            me, "press-feb", "press-shots", title_ko="프레스 데이터", title_en="Press data",
            description_ko="타발", description_en="Shots", equipment_type="press",
            industry="C29", problem="defect", price={"model": "flat", "amount": "300000"},
            policy={"purposes": ["quality"], "max_rows": 100_000},
        )  # fmt: skip
        kamp.sharing.catalog.publish(me, offer["id"])
        contract = kamp.sharing.contracts.request(beta, offer["id"], Purpose.QUALITY, "품질")
        kamp.sharing.contracts.approve(me, contract.id)
        for rows in (4, 5):
            kamp.sharing.authorize(beta, contract.id, Access.READ, rows=rows)
        assert kamp.sharing.ledger.verify().ok
        return {
            "cookie": cookie,
            "contract": contract.id,
            "ledger_size": kamp.sharing.ledger.size(),
            "stores": snapshot(kamp),
        }
    finally:
        kamp.close()


def snapshot(kamp: Platform) -> dict[str, Any]:
    """Every organisation's points, roll-ups and horizons, per signal, as plain values."""
    out: dict[str, Any] = {}
    for org in kamp.meta.list_orgs():
        o = int(org["id"])
        for s in kamp.meta.find(o, "signal"):
            sid = int(s["id"])
            key = f"{org['name']}/{sid}"
            out[key] = {
                "points": kamp.ts.read(o, [sid]).to_pydict(),
                **{t: kamp.ts.rollups(o, [sid], t).to_pydict() for t in ("minute", "hour")},
                "horizons": [kamp.ts.retained_from(o, [sid], t) for t in TIERS],
            }
        for c in kamp.meta.find(o, "label_column"):
            out[f"{org['name']}/labels/{c['id']}"] = kamp.ts.read_labels(o, [c["id"]]).to_pydict()
    return out
