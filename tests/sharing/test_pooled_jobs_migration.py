"""Migration 0015 (issue 11, item 6): ``sharing_jobs`` keyed by job and contract, so a pooled
job is registered under every contract it pools, while a single-contract job still works under
one; down keeps each job's first contract, up again registers under several. On SQLite and on
the test PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from openkamp.core.errors import Conflict
from openkamp.core.tenancy import Principal, system_principal
from openkamp.platform import Platform
from openkamp.sharing import policy as P
from openkamp.sharing.contracts import org_iri
from openkamp.sharing.policy_jsonld import to_jsonld
from openkamp.storage.metadata.migrate import alembic_config
from openkamp.storage.metadata.schema import sharing_jobs
from openkamp.storage.testing.sql_backends import BACKENDS, metadata_url

from .contract_support import DATASET, insert_offer


@pytest.fixture(params=BACKENDS)
def kamp(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Platform]:
    with metadata_url(request.param, tmp_path / "meta") as url:
        k = Platform.at(tmp_path / "data", duckdb_memory_limit="256MB", metadata_url=url)
        try:
            yield k
        finally:
            k.close()


def _contracts(kamp: Platform, n: int) -> tuple[Principal, list[int]]:
    consumer = system_principal(kamp.principal("consumer").org_id)
    ids = []
    for i in range(n):
        owner = system_principal(kamp.principal(f"owner{i}").org_id)
        policy = P.offer(f"urn:openkamp:offer:{i + 1}", target=DATASET,
                         assigner=org_iri(f"owner{i}"))  # fmt: skip
        offer = insert_offer(kamp, owner.org_id, i + 1, json.dumps(to_jsonld(policy)))
        c = kamp.sharing.contracts.request(consumer, offer, P.Purpose.QUALITY, "공동")
        ids.append(kamp.sharing.contracts.approve(owner, c.id).id)
    return consumer, ids


def _rows(kamp: Platform) -> list[tuple[int, int]]:
    with kamp.meta._read() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(sharing_jobs.c.job_id, sharing_jobs.c.contract_id)).all()
    return sorted((int(a), int(b)) for a, b in rows)


def _job(kamp: Platform, consumer: Principal) -> int:
    rec = kamp.meta.insert(consumer.org_id, "job", {"kind": "pooled", "title": "t",
                           "status": "running", "params": {}, "created_by": "test"})  # fmt: skip
    return int(rec["id"])


def test_a_pooled_job_works_under_every_contract_and_others_under_one(kamp: Platform) -> None:
    contracts = kamp.sharing.contracts
    consumer, (a, b, c) = _contracts(kamp, 3)
    pooled, single = _job(kamp, consumer), _job(kamp, consumer)
    for cid in (a, b, c):
        contracts.register_job(consumer, cid, pooled, pooled=True)
    contracts.register_job(consumer, a, pooled, pooled=True)  # again: harmless
    contracts.register_job(consumer, b, single)
    with pytest.raises(Conflict) as err:  # a single-contract job stays under its contract
        contracts.register_job(consumer, c, single)
    assert err.value.code == "sharing.contract.job_taken"
    assert _rows(kamp) == sorted([(pooled, a), (pooled, b), (pooled, c), (single, b)])
    assert contracts.store.jobs(c) == [pooled] and contracts.store.jobs(b) == [pooled, single]
    assert contracts.store.contract_of_job(pooled) == a

    cfg = alembic_config(kamp.meta.engine)  # type: ignore[attr-defined]
    command.downgrade(cfg, "0014")  # one row a job: its first contract's
    assert _rows(kamp) == sorted([(pooled, a), (single, b)])
    command.upgrade(cfg, "head")
    contracts.register_job(consumer, c, pooled, pooled=True)
    assert _rows(kamp) == sorted([(pooled, a), (pooled, c), (single, b)])
