"""Storage of data-sharing contracts: the tables ``contracts``, ``contract_usage``,
``deliveries`` and ``sharing_jobs`` of migration 0010 (keyed by job and contract since 0015),
and reads of ``offers`` and ``orgs``.

A contract concerns two organisations (the owner, ``org_id``, and the consumer,
``consumer_org_id``), so it is not an organisation-scoped record kind: the generic
``MetadataStore.find`` sees one organisation only. This store reads by id or by either party and
leaves the question of who may see what to :mod:`openkamp.sharing.contracts` (STYLE: access is
checked in services, in one place). Like :mod:`openkamp.storage.metadata.ledger` it writes
through its metadata store's single writer and joins a transaction the caller has open, so a
contract's change, its usage counters and its ledger entry commit together.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from openkamp.core.errors import InvalidInput
from openkamp.storage.metadata.base import MetadataStore, Record
from openkamp.storage.metadata.dialect import insert_on_conflict
from openkamp.storage.metadata.rows import aware as _utc
from openkamp.storage.metadata.rows import row_out as _out
from openkamp.storage.metadata.rows import values_in as _in
from openkamp.storage.metadata.schema import (
    contract_usage,
    contracts,
    deliveries,
    offers,
    sharing_jobs,
)

__all__ = ["ContractStore", "UsageRow", "contract_store"]


@dataclass(frozen=True, slots=True)
class UsageRow:
    """What a contract has used so far (its ``contract_usage`` row) and the oldest delivered
    copy whose deletion is not confirmed yet."""

    rows: int = 0
    queries: int = 0
    trainings: int = 0
    oldest_undeleted: datetime | None = None


class ContractStore:
    """The contract tables of a SQL metadata store (SQLite or PostgreSQL)."""

    def __init__(self, meta: Any) -> None:
        self.meta = meta

    # -- offers (read only: the catalog owns them) -------------------------------------------

    def offer(self, offer_id: int) -> Record | None:
        with self.meta._read() as conn:
            row = conn.execute(select(offers).where(offers.c.id == int(offer_id))).first()
        return None if row is None else _out(row)

    # -- contracts ------------------------------------------------------------------------------

    def insert(self, values: Record) -> Record:
        with self.meta._write() as conn:
            row = conn.execute(
                contracts.insert().values(**_in(values)).returning(*contracts.c)
            ).one()
        return _out(row)

    def get(self, contract_id: int) -> Record | None:
        if not -(2**63) <= int(contract_id) < 2**63:
            return None
        with self.meta._read() as conn:
            row = conn.execute(select(contracts).where(contracts.c.id == int(contract_id))).first()
        return None if row is None else _out(row)

    def update(self, contract_id: int, state: str, values: Record) -> Record | None:
        """Change a contract that is still in ``state``; None if it no longer is (another
        transition came first)."""
        c = contracts.c
        with self.meta._write() as conn:
            row = conn.execute(
                contracts.update()
                .where(c.id == int(contract_id), c.state == state)
                .values(**_in(values))
                .returning(*contracts.c)
            ).first()
        return None if row is None else _out(row)

    def list(
        self,
        *,
        owner: int | None = None,
        consumer: int | None = None,
        either: int | None = None,
        states: Sequence[str] | None = None,
        offer_id: int | None = None,
        limit: int = 500,
    ) -> builtins.list[Record]:
        """Contracts by id, newest first: of an owner, of a consumer, or where ``either`` is a
        party; ``states`` filters by stored state."""
        c = contracts.c
        stmt = select(contracts)
        if owner is not None:
            stmt = stmt.where(c.org_id == int(owner))
        if consumer is not None:
            stmt = stmt.where(c.consumer_org_id == int(consumer))
        if either is not None:
            stmt = stmt.where((c.org_id == int(either)) | (c.consumer_org_id == int(either)))
        if states is not None:
            stmt = stmt.where(c.state.in_(list(states)))
        if offer_id is not None:
            stmt = stmt.where(c.offer_id == int(offer_id))
        stmt = stmt.order_by(c.id.desc()).limit(max(0, int(limit)))
        with self.meta._read() as conn:
            return [_out(r) for r in conn.execute(stmt)]

    def ended_by_time(self, now: datetime) -> builtins.list[Record]:
        """Active contracts whose time window ended before ``now``."""
        c = contracts.c
        stmt = select(contracts).where(
            c.state == "active", c.ends_at.is_not(None), c.ends_at <= now.astimezone(UTC)
        )
        with self.meta._read() as conn:
            return [_out(r) for r in conn.execute(stmt.order_by(c.id))]

    # -- usage ------------------------------------------------------------------------------

    def usage(self, contract_id: int) -> UsageRow:
        u, d = contract_usage.c, deliveries.c
        with self.meta._read() as conn:
            row = conn.execute(
                select(u.rows, u.queries, u.trainings).where(u.contract_id == int(contract_id))
            ).first()
            oldest = conn.execute(
                # copies of rows only: a compute-to-data delivery hands over no row
                select(func.min(d.delivered_at)).where(
                    d.contract_id == int(contract_id), d.kind == "export", d.deleted_at.is_(None)
                )
            ).scalar()
        if row is None:
            return UsageRow(oldest_undeleted=_utc(oldest))
        return UsageRow(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), _utc(oldest))

    def add_usage(
        self, contract_id: int, *, rows: int, queries: int, trainings: int, at: datetime
    ) -> UsageRow:
        """Add to the counters (inside the caller's transaction); returns the new counters.
        One statement adds to what is stored, so two processes adding at once lose nothing."""
        if min(rows, queries, trainings) < 0:
            raise InvalidInput("Usage counters only grow.")
        u = contract_usage.c
        with self.meta._write() as conn:
            ins = insert_on_conflict(conn, contract_usage).values(
                contract_id=int(contract_id), rows=rows, queries=queries, trainings=trainings,
                updated_at=at.astimezone(UTC),
            )  # fmt: skip
            new = conn.execute(
                ins.on_conflict_do_update(
                    index_elements=[u.contract_id],
                    set_={
                        "rows": u.rows + ins.excluded.rows,
                        "queries": u.queries + ins.excluded.queries,
                        "trainings": u.trainings + ins.excluded.trainings,
                        "updated_at": ins.excluded.updated_at,
                    },
                ).returning(u.rows, u.queries, u.trainings)
            ).one()
        return UsageRow(int(new[0]), int(new[1]), int(new[2]))

    # -- jobs under a contract ----------------------------------------------------------------

    def add_job(self, contract_id: int, job_id: int, *, shared: bool = False) -> bool:
        """Record a job under a contract; False if it is recorded under another one already
        (a job works under one contract), unless ``shared``: a pooled job works under each
        contract whose data it pools (the table is keyed by job and contract, migration
        0015). Recording it twice under the same contract is harmless."""
        j = sharing_jobs.c
        with self.meta._write() as conn:
            others = conn.execute(
                select(j.contract_id).where(
                    j.job_id == int(job_id), j.contract_id != int(contract_id)
                )
            ).first()
            if others is not None and not shared:
                return False
            conn.execute(
                insert_on_conflict(conn, sharing_jobs)
                .values(job_id=int(job_id), contract_id=int(contract_id))
                .on_conflict_do_nothing(index_elements=[j.job_id, j.contract_id])
            )
        return True

    def jobs(self, contract_id: int) -> builtins.list[int]:
        j = sharing_jobs.c
        with self.meta._read() as conn:
            rows = conn.execute(
                select(j.job_id).where(j.contract_id == int(contract_id)).order_by(j.job_id)
            )
            return [int(r[0]) for r in rows]

    def contract_of_job(self, job_id: int) -> int | None:
        """The contract a job works under (a pooled job's first)."""
        j = sharing_jobs.c
        with self.meta._read() as conn:
            row = conn.execute(
                select(j.contract_id).where(j.job_id == int(job_id)).order_by(j.contract_id)
            ).first()
        return None if row is None else int(row[0])


def contract_store(meta: MetadataStore) -> ContractStore:
    """The contract tables of a metadata store (its SQL backend: SQLite or PostgreSQL)."""
    from openkamp.storage.metadata.sql import SqlMetadataStore

    if isinstance(meta, SqlMetadataStore):
        return ContractStore(meta)
    raise InvalidInput(
        f"The metadata store {type(meta).__name__} keeps no sharing contracts.",
        hint="Use the SQL metadata store (sqlite:// or postgresql://).",
    )
