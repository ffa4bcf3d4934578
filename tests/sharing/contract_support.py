"""Shared by the contract tests: a platform with three organisations (a factory that offers a
dataset, a supplier that uses it, a third that is never a party) and published offers written
straight into the catalog's table (the catalog service is tested on its own)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from openkamp.core.tenancy import Principal, system_principal
from openkamp.platform import Platform
from openkamp.sharing import policy as P
from openkamp.sharing.contracts import ContractService, org_iri
from openkamp.sharing.policy_jsonld import to_jsonld
from openkamp.storage.metadata.schema import deliveries, offers, orgs
from openkamp.storage.testing.sql_backends import metadata_url

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DATASET = "urn:openkamp:dataset:press-shots@3"


class Clock:
    """A clock the test moves."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class World:
    kamp: Platform
    acme: Principal  # the factory that owns the data
    beta: Principal  # the supplier that uses it
    gamma: Principal  # never a party
    clock: Clock

    @property
    def contracts(self) -> ContractService:
        return self.kamp.sharing.contracts

    def offer(self, owner: Principal | None = None, *, state: str = "published",
              price: dict[str, Any] | None = None, **clauses: Any) -> int:  # fmt: skip
        """A published offer of ``owner`` (acme) with a policy of these clauses."""
        owner = owner or self.acme
        name = str(self.kamp.meta.get_org(owner.org_id)["name"])
        n = len(_rows(self.kamp, offers)) + 1
        policy = P.offer(f"urn:openkamp:offer:{n}", target=DATASET, assigner=org_iri(name),
                         **clauses)  # fmt: skip
        return insert_offer(self.kamp, owner.org_id, n, json.dumps(to_jsonld(policy)),
                            state=state, price=price or {"model": "flat", "amount": "100000"})  # fmt: skip

    def active(self, **clauses: Any) -> int:
        """An active contract of beta on a new offer with these clauses; its id."""
        c = self.contracts.request(self.beta, self.offer(**clauses), P.Purpose.QUALITY, "품질")
        self.contracts.approve(self.acme, c.id)
        return c.id

    def set_industry(self, who: Principal, code: str | None) -> None:
        with self.kamp.meta._write() as conn:  # type: ignore[attr-defined]
            conn.execute(update(orgs).where(orgs.c.id == who.org_id).values(industry=code))

    def deliver(self, contract_id: int, at: datetime, deleted: bool = False,
                kind: str = "export") -> None:  # fmt: skip
        """A delivered copy (as the export path records it), deleted or not."""
        with self.kamp.meta._write() as conn:  # type: ignore[attr-defined]
            conn.execute(deliveries.insert().values(
                org_id=self.acme.org_id, contract_id=contract_id, kind=kind, rows=10,
                columns="[]", sha256="0" * 64, watermark="{}", delivered_at=at,
                deleted_at=at + timedelta(days=1) if deleted else None, ledger_index=0,
            ))  # fmt: skip


def _rows(kamp: Platform, table: Any) -> list[Any]:
    with kamp.meta._read() as conn:  # type: ignore[attr-defined]
        return list(conn.execute(table.select()))


def insert_offer(kamp: Platform, org_id: int, n: int, policy: str, *, state: str = "published",
                 price: dict[str, Any] | None = None) -> int:  # fmt: skip
    now = datetime.now(UTC)
    found = kamp.meta.find(org_id, "dataset", name="press-shots", version=3)
    dataset = found[0] if found else kamp.meta.insert(org_id, "dataset", {
        "name": "press-shots", "version": 3, "origin": "records", "rows": 100,
        "schema_hash": "s" * 16, "content_sha256": "c" * 64, "file_key": "datasets/x.parquet",
    })  # fmt: skip
    values: dict[str, Any] = {
        "org_id": org_id, "name": f"press-shots-{n}", "dataset_id": dataset["id"],
        "dataset_name": "press-shots", "dataset_version": 3, "schema_hash": "s" * 16,
        "content_hash": "c" * 16, "title_ko": "프레스 타발 데이터", "title_en": "Press shots",
        "description_ko": "설명", "description_en": "About", "equipment_type": "press",
        "industry": "C29", "problem": "defect", "coverage": "{}", "preview": "{}",
        "certificate": "{}", "price": json.dumps(price or {}), "policy": policy, "state": state,
        "golden": 0, "created_by": "test", "created_at": now, "updated_at": now,
    }  # fmt: skip
    values = {k: v for k, v in values.items() if k in offers.c}
    with kamp.meta._write() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(offers.insert().values(**values).returning(offers.c.id)).scalar())


def world(
    tmp_path: Path, clock: Clock | None = None, *, backend: str = "sqlite"
) -> Iterator[World]:
    """The three organisations on a platform whose metadata is a SQLite file in the data folder
    or a fresh PostgreSQL database (``backend``)."""
    if backend != "sqlite":
        with metadata_url(backend, tmp_path) as url:
            yield from _world(tmp_path, clock, metadata_url=url)
    else:
        yield from _world(tmp_path, clock)


def _world(tmp_path: Path, clock: Clock | None, **settings: Any) -> Iterator[World]:
    kamp = Platform.at(tmp_path / "data", duckdb_memory_limit="256MB", **settings)
    try:
        acme, beta, gamma = (kamp.principal(n) for n in ("acme", "beta", "gamma"))
        clock = clock or Clock()
        kamp.sharing.contracts.clock = clock
        w = World(kamp, system_principal(acme.org_id), system_principal(beta.org_id),
                  system_principal(gamma.org_id), clock)  # fmt: skip
        w.set_industry(w.beta, "C29")
        yield w
    finally:
        kamp.close()
