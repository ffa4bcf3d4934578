"""Shared by the catalog and certificate tests: a platform with two factories (acme offers, beta
looks), an operator, and datasets of injection moulding shots with every column role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openkamp.core.tenancy import Principal, Role, system_principal
from openkamp.datasets._version import DatasetVersion
from openkamp.platform import Platform
from openkamp.sharing.catalog import CatalogService

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BASE = "https://kamp.example.kr"
COLUMNS = [
    {"name": "timestamp", "kind": "time", "role": "time"},
    {"name": "part_id", "kind": "text", "role": "id"},
    {"name": "lot", "kind": "text", "role": "group"},
    {"name": "pressure", "kind": "number", "role": "input", "unit": "bar"},
    {"name": "melt_temp", "kind": "number", "role": "input", "unit": "degC"},
    {"name": "note", "kind": "text", "role": "input"},
    {"name": "result", "kind": "text", "role": "label"},
    {"name": "sensor_raw", "kind": "number", "role": "ignore"},
]


def shots(n: int = 400, seed: int = 0, missing: float = 0.0) -> pd.DataFrame:
    """Shots every 10 s from 2026-02-01 09:00:07 UTC; ``missing`` of pressure and melt_temp
    left empty (a poorer dataset)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-02-01 09:00:07", periods=n, freq="10s", tz="UTC"),
            "part_id": [f"SN-{700000 + i}" for i in range(n)],
            "lot": [f"LOT-{i // 50:03d}" for i in range(n)],
            "pressure": rng.normal(1234.5678, 3.0, n),
            "melt_temp": rng.normal(231.234, 0.8, n),
            "note": [f"작업자 홍길동 확인 {i}" for i in range(n)],
            "result": np.where(rng.random(n) < 0.1, "NG", "OK"),
            "sensor_raw": rng.normal(0, 1, n),
        }
    )
    if missing:
        for col in ("pressure", "melt_temp"):
            frame.loc[rng.random(n) < missing, col] = np.nan
    return frame


@dataclass
class World:
    kamp: Platform
    catalog: CatalogService
    acme: Principal  # the factory that offers (its administrator)
    beta: Principal  # another factory
    operator: Principal  # the platform operator
    clock: list[datetime]

    def dataset(self, name: str = "shots", **kw: Any) -> DatasetVersion:
        return self.kamp.datasets.create(self.acme, name, shots(**kw), COLUMNS)

    def offer(self, name: str = "injection-feb", dataset: str = "shots", **changes: Any) -> Any:
        fields: dict[str, Any] = {
            "title_ko": "사출성형 불량 판정 데이터 (2월)",
            "title_en": "Injection moulding defects (February)",
            "description_ko": "사출기 샷별 공정 변수와 양품/불량 판정.",
            "description_en": "Process variables and pass/fail of each shot.",
            "equipment_type": "injection_moulding",
            "industry": "C22",
            "problem": "defect",
            "price": {"model": "flat", "amount": "300000"},
            "policy": {"purposes": ["quality"], "max_rows": 100_000},
        }
        fields.update(changes)
        return self.catalog.create(self.acme, name, dataset, **fields)


def world(tmp_path: Path) -> Iterator[World]:
    kamp = Platform.at(tmp_path / "data", duckdb_memory_limit="256MB")
    try:
        acme, beta, ops = (kamp.principal(n) for n in ("acme", "beta", "platform-ops"))
        clock = [T0]
        catalog = CatalogService(
            kamp.meta, kamp.datasets, kamp.sharing.ledger.keys, base_url=BASE,
            now=lambda: clock[0],
        )  # fmt: skip
        operator = Principal(ops.org_id, "operator", frozenset({Role.OPERATOR}))
        yield World(kamp, catalog, system_principal(acme.org_id),
                    system_principal(beta.org_id), operator, clock)  # fmt: skip
    finally:
        kamp.close()
